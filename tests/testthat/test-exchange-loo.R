# Leave-one-task-out and split evaluation against explicit loops.

# Simulated tasks whose synthetic proportion was clipped to 0 or 1 have
# zero-variance synthetic data (synth_se = 0, a warning); give them a tiny
# standard error so these tests run without warnings.
sim_tasks <- function(n, seed) {
  t <- simulate_tasks(n, seed = seed)
  t$synth_se[t$synth_se == 0] <- 1e-3
  t
}

test_that("leave-one-task-out equals a loop of exchangeable_ci() calls", {
  tasks <- sim_tasks(25, seed = 51)
  loo <- exchangeable_loo(tasks, alpha = 0.2, bounds = c(0, 1))
  expect_s3_class(loo, "exchangeable_loo")
  expect_equal(nrow(loo), 25L)
  for (i in c(1, 13, 25)) {
    ci <- exchangeable_ci(tasks, target = i, alpha = 0.2, bounds = c(0, 1))
    expect_equal(loo$conf.low[i], ci$conf.low)
    expect_equal(loo$conf.high[i], ci$conf.high)
    expect_equal(loo$estimate[i], ci$estimate)
  }
  expect_equal(loo$truth, tasks$real_est)
  expect_equal(loo$covered, loo$conf.low <= tasks$real_est & tasks$real_est <= loo$conf.high)
  z <- qnorm(0.9)
  expect_equal(loo$naive_low, pmax(tasks$synth_est - z * tasks$synth_se, 0))
  expect_equal(loo$naive_high, pmin(tasks$synth_est + z * tasks$synth_se, 1))
  s <- summary(loo)
  expect_equal(s$coverage, c(mean(loo$covered), mean(loo$naive_covered)))
  expect_equal(s$mean_width, c(mean(loo$width), mean(loo$naive_width)))
  expect_equal(s$median_width[1], median(loo$width))
  expect_output(print(loo), "leave-one-task-out")
})

test_that("a temporal split calibrates on one set and predicts the other", {
  tasks <- sim_tasks(30, seed = 52)
  a <- exchangeable_loo(tasks, alpha = 0.2, calibrate = 1:24)
  b <- exchangeable_loo(tasks, alpha = 0.2, predict = tasks$task > 24)
  expect_equal(a$task, 25:30)
  expect_equal(a$conf.low, b$conf.low)
  ci <- exchangeable_ci(tasks[1:24, ], tasks[25:30, ], alpha = 0.2)
  expect_equal(a$conf.high, ci$conf.high)
  f <- exchangeable_loo(tasks, alpha = 0.2, calibrate = 1:24, method = "finite_sample")
  expect_equal(f$conf.low, tasks$synth_est[25:30] + sort(tasks$gap_est[1:24])[2]) # floor(25 * 0.1) = 2
})

test_that("vector tasks: joint coverage and per-coordinate widths", {
  a <- sim_tasks(22, seed = 53)
  b <- sim_tasks(22, seed = 54)
  a$coordinate <- "x"
  b$coordinate <- "y"
  tasks <- rbind(a, b)
  loo <- exchangeable_loo(tasks, alpha = 0.3, bounds = c(0, 1))
  expect_equal(nrow(loo), 44L)
  first <- loo[loo$task == 7, ]
  reg <- exchangeable_region(tasks, 7, alpha = 0.3, bounds = c(0, 1))
  expect_equal(first$conf.low, reg$conf.low)
  expect_equal(first$joint_covered, rep(all(first$covered), 2))
  s <- summary(loo)
  expect_equal(s$coordinate, c("joint", "joint", "x", "x", "y", "y"))
  expect_equal(s$coverage[1], mean(loo$joint_covered[!duplicated(loo$task)]))
  expect_equal(s$mean_width[3], mean(loo$width[loo$coordinate == "x"]))
  # naive rectangle at alpha / D
  z <- qnorm(1 - 0.3 / 4)
  expect_equal(first$naive_high, pmin(first$synth_est + z * c(a$synth_se[7], b$synth_se[7]), 1))
})

test_that("autoplot draws the forest plot", {
  skip_if_not_installed("ggplot2")
  loo <- exchangeable_loo(sim_tasks(20, seed = 55), alpha = 0.3)
  p <- ggplot2::autoplot(loo)
  expect_s3_class(p, "ggplot")
  built <- ggplot2::ggplot_build(p)
  # two intervals per task and one truth marker per task
  expect_equal(nrow(built$data[[1]]), 40L)
  expect_equal(nrow(built$data[[2]]), 20L)
})

test_that("loo arguments are checked", {
  tasks <- sim_tasks(20, seed = 56)
  expect_error(exchangeable_loo(tasks, method = "box"), "`method` must be one of")
  expect_error(exchangeable_loo(tasks, calibrate = rep(TRUE, 3)), "one non-missing value per row")
  expect_error(exchangeable_loo(tasks, calibrate = tasks$task), "selects no task to predict")
  expect_error(exchangeable_loo(tasks, center = 1), "`...` must be empty")
  tasks$real_est[20] <- NA
  expect_error(exchangeable_loo(tasks, alpha = 0.3), "`real_est` has missing values .*\"20\"")
})

test_that("zero standard errors are reported once per evaluation", {
  tasks <- simulate_tasks(25, seed = 51) # tasks 16 and 19 have synth_se = 0
  expect_equal(sum(tasks$synth_se == 0), 2L)
  w <- warning_messages(exchangeable_loo(tasks, alpha = 0.2))
  expect_length(w, 1L)
  expect_match(w, "`synth_se` is 0 for target task\\(s\\) \"16\", \"19\"")
})

test_that("finite-sample leave-one-out needs no standard errors", {
  # Point estimates only (as in the Arena autorater deposit): the intervals are
  # order statistics of the other tasks' point gaps, the naive interval is NA.
  set.seed(11)
  real <- runif(30, 0.3, 0.7)
  synth <- real - rnorm(30, 0.02, 0.01)
  tasks <- data.frame(task = paste0("m", 1:30), real_est = real, synth_est = synth,
                      gap_est = real - synth, real_se = NA_real_, synth_se = NA_real_,
                      gap_se = NA_real_)
  loo <- exchangeable_loo(tasks, alpha = 0.2, method = "finite_sample")
  # Brute force for the first task: T = 29, k_L = floor(30 * 0.1) = 3, k_U = ceiling(30 * 0.9) = 27.
  g <- sort(tasks$gap_est[-1])
  expect_equal(loo$conf.low[1], synth[1] + g[3])
  expect_equal(loo$conf.high[1], synth[1] + g[27])
  expect_true(all(is.na(loo$naive_low)))
})

# The quadratic reference: every task held out in turn and calibrated afresh
# on the rest with exchangeable_ci() (what exchangeable_loo() did before it
# read all held-out bands off one sort).
loo_brute_force <- function(tasks, alpha, method, bounds) {
  fits <- lapply(seq_len(nrow(tasks)), function(i) {
    ci <- exchangeable_ci(tasks, tasks$task[i], alpha = alpha, method = method, bounds = bounds)
    c(ci$estimate, ci$conf.low, ci$conf.high)
  })
  do.call(rbind, fits)
}

test_that("one-sort leave-one-task-out equals the brute force to the last bit, with ties", {
  for (seed in 1:3) {
    tasks <- sim_tasks(57, seed = 60 + seed)
    # heavy ties in gaps and standard errors
    tasks$gap_est <- round(tasks$gap_est, 2)
    tasks$gap_se <- round(tasks$gap_se, 3)
    tasks$gap_est[1:6] <- tasks$gap_est[7]
    for (method in c("population", "finite_sample", "task_only")) {
      loo <- exchangeable_loo(tasks, alpha = 0.15, method = method, bounds = c(-0.5, 1))
      ref <- loo_brute_force(tasks, 0.15, method, c(-0.5, 1))
      expect_identical(loo$estimate, ref[, 1], info = paste(seed, method))
      expect_identical(loo$conf.low, ref[, 2], info = paste(seed, method))
      expect_identical(loo$conf.high, ref[, 3], info = paste(seed, method))
    }
  }
})

test_that("the mean gap is the correctly rounded mean", {
  # 1e16 + 1 - 1e16 + 1 = 2 exactly; a left-to-right sum gives 1 (or 0).
  tasks <- make_tasks(c(1e16, 1, -1e16, 1, rep(0, 36)), rep(0.01, 40))
  target <- data.frame(task = "new", synth_est = 0, synth_se = 0.01)
  ci <- exchangeable_ci(tasks, target, alpha = 0.2, method = "finite_sample")
  expect_identical(ci$estimate, 2 / 40)
})

test_that("an empty task table is an error, not NaN coverage", {
  tasks <- sim_tasks(20, seed = 70)[0, ]
  expect_error(exchangeable_loo(tasks), "`tasks` has no rows")
})

test_that("intervals collapsed onto a bound warn in the held-out evaluation", {
  tasks <- sim_tasks(30, seed = 71)
  expect_warning(exchangeable_loo(tasks, alpha = 0.2, bounds = c(2, 3)), "outside `bounds`")
})

test_that("calibrate / predict that are not id vectors are clear errors", {
  tasks <- simulate_tasks(12, seed = 1)
  expect_error(exchangeable_loo(tasks, calibrate = function(x) x), "`calibrate` must be task ids")
  expect_error(exchangeable_loo(tasks, predict = list(1, 2)), "`predict` must be task ids")
})
