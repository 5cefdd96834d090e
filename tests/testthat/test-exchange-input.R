# Bad input gives a clear error (or, for zero standard errors, a warning)
# that names the argument; never a silent NaN or Inf.

base_case <- function() {
  set.seed(31)
  tasks <- make_tasks(rnorm(40, 0, 0.1), runif(40, 0.01, 0.02))
  tasks$task[40] <- "target"
  tasks
}

test_that("missing values are errors naming the column and the task", {
  tasks <- base_case()
  tasks$gap_est[3] <- NA
  expect_error(exchangeable_ci(tasks, "target"), "`tasks` column `gap_est` has missing values .*\"t3\"")
  tasks <- base_case()
  tasks$synth_se[40] <- NA
  expect_error(exchangeable_ci(tasks, "target"), "`target` column `synth_se` has missing values .*\"target\"")
  tasks <- base_case()
  tasks$gap_se[2] <- Inf
  expect_error(exchangeable_ci(tasks, "target"), "`gap_se` has infinite values")
  expect_error(exchangeable_ci(tasks, NA), "`target` contains missing values")
})

test_that("missing columns are named", {
  tasks <- base_case()
  tasks$gap_se <- NULL
  expect_error(exchangeable_ci(tasks, "target"), "`tasks` needs a `gap_se` column")
  expect_error(exchangeable_ci(base_case(), data.frame(task = "z", synth_est = 0.5)),
               "`target` needs a `synth_se` column")
  expect_error(exchangeable_ci(list(a = 1), "target"), "`tasks` must be a data frame")
})

test_that("a task with a single observation is an error", {
  tasks <- base_case()
  tasks$n_real[5] <- 1
  expect_error(exchangeable_ci(tasks, "target"), "n_real < 2 for task\\(s\\) \"t5\"")
  tasks <- base_case()
  tasks$n_synth[40] <- 1
  expect_error(exchangeable_ci(tasks, "target"), "`target` has n_synth < 2 for task\\(s\\) \"target\"")
})

test_that("zero-variance synthetic data warn and name the task", {
  tasks <- base_case()
  tasks$synth_se[40] <- 0
  expect_warning(ci <- exchangeable_ci(tasks, "target"),
                 "`synth_se` is 0 for target task\\(s\\) \"target\": zero-variance")
  expect_true(all(is.finite(c(ci$conf.low, ci$conf.high))))
  expect_equal(ci$synth_low, ci$synth_high)
  tasks <- base_case()
  tasks$gap_se[7] <- 0
  expect_warning(exchangeable_ci(tasks, "target"), "`gap_se` is 0 for historical task\\(s\\) \"t7\"")
  tasks$gap_se[7] <- -1
  expect_error(exchangeable_ci(tasks, "target"), "`gap_se` must be >= 0")
})

test_that("alpha, gamma, split, method and bounds are checked", {
  tasks <- base_case()
  expect_error(exchangeable_ci(tasks, "target", alpha = 0), "`alpha` must lie in \\(0, 1\\)")
  expect_error(exchangeable_ci(tasks, "target", alpha = 1.2), "`alpha` must lie in \\(0, 1\\)")
  expect_error(exchangeable_ci(tasks, "target", alpha = NA), "`alpha` must be a single number")
  expect_error(exchangeable_ci(tasks, "target", real_estimate = c(0.5, 0.1), gamma = 1), "`gamma` must lie")
  expect_error(exchangeable_ci(tasks, "target", split = c(0.5, 0.5)), "`split` must be three")
  expect_error(exchangeable_ci(tasks, "target", split = c(0, 0.3, 0.7)), "positive share")
  expect_error(exchangeable_ci(tasks, "target", method = "bayes"), "`method` must be one of")
  expect_error(exchangeable_ci(tasks, "target", bounds = c(1, 0)), "`bounds` must be c\\(lower, upper\\)")
  expect_error(exchangeable_ci(tasks, "target", paired = NA), "`paired` must be TRUE or FALSE")
})

test_that("weights are checked", {
  tasks <- base_case()
  expect_error(exchangeable_ci(tasks, "target", weights = rep(1.5, 39)), "`weights` must lie in \\[0, 1\\]")
  expect_error(exchangeable_ci(tasks, "target", weights = c(-0.1, rep(1, 38))), "`weights` must lie in")
  expect_error(exchangeable_ci(tasks, "target", weights = rep(1, 10)), "one weight per historical task \\(39\\)")
  expect_error(exchangeable_ci(tasks, "target", weights = c(NA, rep(1, 38))), "`weights` contains missing")
  expect_error(exchangeable_ci(tasks, "target", weights = rep(0, 39)), "`weights` are all 0")
  # too little total weight gives an infinite band: an error, not Inf
  expect_error(exchangeable_ci(tasks, "target", weights = rep(0.1, 39), alpha = 0.1),
               "infinite")
  expect_error(exchangeable_ci(tasks, "target", weights = rep(0.1, 39), alpha = 0.1,
                               method = "finite_sample"), "With historical tasks of total weight 3.9")
})

test_that("unknown or duplicated task ids are errors", {
  tasks <- base_case()
  expect_error(exchangeable_ci(tasks, "nope"), "`target` contains task id\\(s\\) not found in `tasks\\$task`: \"nope\"")
  tasks$task[2] <- "t1"
  expect_error(exchangeable_ci(tasks, "target"), "more than one row for task\\(s\\) \"t1\"")
  expect_error(exchangeable_loo(base_case(), calibrate = c("t1", "zz")), "`calibrate` contains task id")
  expect_error(exchangeable_ci(base_case()[40, ], "target"), "no historical tasks")
})

test_that("real-sample summaries are checked", {
  tasks <- base_case()
  expect_error(exchangeable_ci(tasks, "target", real_estimate = c(0.5, NA)), "`real_estimate` must be")
  expect_error(exchangeable_ci(tasks, "target", real_estimate = c(0.5, -1)), "negative standard error")
  expect_error(exchangeable_ci(tasks, "target", real_estimate = c(0.5, 0.1), method = "finite_sample"),
               "`real_estimate` combines with the population target only")
  expect_error(exchangeable_ci(tasks, "target", real_estimate = data.frame(task = "x", real_est = 1, real_se = 1)),
               "`real_estimate` has no row for target")
})

test_that("simulation arguments are checked", {
  expect_error(simulate_tasks(0), "`n_tasks` must be a single whole number >= 1")
  expect_error(simulate_tasks(5, tau = -1), "`tau` must be")
  expect_error(simulate_tasks(5, n_real = 1), "`n_real` must be a single whole number >= 2")
  expect_error(simulate_tasks(5, seed = 1.5), "`seed` must be")
  expect_error(exchange_coverage_study(40, alpha = 2, reps = 10), "`alpha` must lie in")
  expect_error(exchange_coverage_study(40, reps = 10, threads = 0), "`threads` must be")
  expect_error(exchange_coverage_study(3, alpha = 0.1, reps = 10), "at least 20 historical tasks")
  expect_error(exchange_coverage_study(3, alpha = 0.1, reps = 10, method = "finite_sample"),
               "at least 19 tasks")
})

test_that("a real-data interval that excludes the estimate moves it, and a zero real se warns", {
  g <- seq(-0.2, 0.2, length.out = 39)
  hist <- make_tasks(g, rep(0.01, 39))
  target <- data.frame(task = "new", synth_est = 0.5, synth_se = 0.01)
  # The real interval 0.3 -+ qnorm(0.95) * 0.001 lies inside the
  # exchangeability interval but excludes its estimate 0.5 (mean gap 0).
  ci <- exchangeable_ci(hist, target, alpha = 0.2, real_estimate = c(0.3, 0.001))
  z <- qnorm(1 - 0.1 / 2)
  expect_equal(c(ci$conf.low, ci$conf.high), 0.3 + c(-1, 1) * z * 0.001)
  expect_true(ci$conf.low <= ci$estimate && ci$estimate <= ci$conf.high)
  expect_equal(ci$estimate, ci$conf.high)
  # A zero real se: a point interval, whose guarantee fails, said so.
  expect_warning(pt <- exchangeable_ci(hist, target, alpha = 0.2, real_estimate = c(0.45, 0)),
                 "`real_se` is 0 for target task\\(s\\) \"new\"")
  expect_equal(c(pt$estimate, pt$conf.low, pt$conf.high), rep(0.45, 3))
})

test_that("messages about infinite calibrations stay readable and name the level used", {
  tasks <- simulate_tasks(41, seed = 2)
  # fixed notation spelled out alpha = 1e-300 and the 2e+300 tasks it needs
  # in hundreds of digits
  err <- tryCatch(exchangeable_ci(tasks, 41, alpha = 1e-300), error = identity)
  expect_s3_class(err, "synthinfer_error_input")
  expect_match(conditionMessage(err), "`alpha` = 1e-300 is infinite.*at least 2e\\+300 historical tasks")
  expect_lt(nchar(conditionMessage(err)), 300)
  # The Bonferroni rectangle calibrates each coordinate at alpha / D, which
  # the core calls `alpha`: the message says so (region and held-out loop).
  set.seed(1)
  v <- expand.grid(coordinate = c("a", "b"), task = 1:6, stringsAsFactors = FALSE)
  v$synth_est <- runif(12); v$synth_se <- 0.02
  v$gap_est <- rnorm(12, 0, 0.05); v$gap_se <- 0.02; v$real_est <- v$synth_est + v$gap_est
  expect_error(exchangeable_region(v, 6, alpha = 0.5), class = "synthinfer_error_input",
               "`alpha` = 0.25 is infinite.*alpha / D = 0.5 / 2, of the Bonferroni rectangle")
  expect_error(exchangeable_loo(v, alpha = 0.5), class = "synthinfer_error_input",
               "alpha / D = 0.5 / 2")
  # The box needs only a3 >= 1 / (T + 1): it calibrates at the joint alpha.
  expect_s3_class(exchangeable_region(v, 6, alpha = 0.5, shape = "box"), "exchangeable_region")
})

test_that("vector targets report a zero standard error once, not once per coordinate", {
  set.seed(2)
  v <- expand.grid(coordinate = c("a", "b", "c"), task = 1:30, stringsAsFactors = FALSE)
  v$synth_est <- runif(90); v$synth_se <- 0.02
  v$gap_est <- rnorm(90, 0, 0.05); v$gap_se <- 0.02; v$real_est <- v$synth_est + v$gap_est
  v$gap_se[v$task == 3] <- 0
  for (shape in c("bonferroni", "box", "ball")) {
    msgs <- warning_messages(exchangeable_region(v, 30, alpha = 0.3, shape = shape))
    expect_length(msgs, 1L)
    expect_match(msgs, "`gap_se` is 0 for historical task\\(s\\) \"3\"")
  }
})

test_that("input errors raised while calling the core keep their class; date ids work", {
  tasks <- simulate_tasks(41, seed = 2)
  # synth_se is checked as the core's argument is evaluated: the error was
  # relabelled synthinfer_error_internal ("please report it").
  err <- tryCatch(exchangeable_ci(tasks[1:40, ], target = data.frame(task = 99, synth_est = 0.5)),
                  error = identity)
  expect_s3_class(err, "synthinfer_error_input")
  expect_false(inherits(err, "synthinfer_error_internal"))
  expect_match(conditionMessage(err), "`target` needs a `synth_se` column")
  # Date ids are ids like any other (the target was refused as "not present").
  dated <- tasks
  dated$task <- as.Date("2020-01-01") + dated$task
  expect_equal(exchangeable_ci(dated, target = dated$task[41])$conf.low,
               exchangeable_ci(tasks, target = 41)$conf.low)
})

test_that("the Bonferroni rectangle intersects each coordinate with its own real estimate", {
  set.seed(5)
  v <- expand.grid(coordinate = c("a", "b"), task = 1:41, stringsAsFactors = FALSE)
  v$synth_est <- ifelse(v$coordinate == "a", 0.2, 0.8); v$synth_se <- 0.01
  v$gap_est <- rnorm(82, 0, 0.05); v$gap_se <- 0.01
  v$real_est <- v$synth_est + v$gap_est; v$real_se <- 0.01
  real <- data.frame(task = 41, coordinate = c("b", "a"), real_est = c(0.79, 0.21),
                     real_se = c(0.02, 0.01))
  r <- exchangeable_region(v, 41, alpha = 0.2, real_estimate = real)
  # Reference: each coordinate's rectangle side (no real data, alpha / D at
  # (1 - gamma)) intersected with its own real Wald interval at gamma * alpha / D.
  ex <- exchangeable_region(v, 41, alpha = 0.1)
  z <- qnorm(1 - 0.05 / 2)
  expect_equal(r$conf.low, pmax(ex$conf.low, c(0.21, 0.79) - z * c(0.01, 0.02)))
  expect_equal(r$conf.high, pmin(ex$conf.high, c(0.21, 0.79) + z * c(0.01, 0.02)))
  expect_equal(r$real_low, c(0.21, 0.79) - z * c(0.01, 0.02))
  # The first coordinate's estimate was used for every coordinate: for b
  # that intersected [0.6, 0.96] with a real interval around 0.21.
  expect_error(exchangeable_region(v, 41, alpha = 0.2, real_estimate = c(0.21, 0.01)),
               class = "synthinfer_error_input", "data frame with `task`, `coordinate`")
  expect_error(exchangeable_region(v, 41, alpha = 0.2, real_estimate = real[, -2]),
               class = "synthinfer_error_input", "`coordinate`")
  expect_error(exchangeable_region(v, 41, alpha = 0.2, real_estimate = real[1, ]),
               class = "synthinfer_error_input", "no row for coordinate \"a\"")
})

test_that("standard errors all NA (win rates without bound_se) are missing values, with the remedy", {
  set.seed(6)
  rates <- data.frame(model = paste0("m", 1:30), n_battles = 500,
                      human_winrate = runif(30), autorater_winrate = runif(30))
  tasks <- read_arena_winrates(rates)
  # An all-NA column is logical: it was reported as "must be numeric, not logical".
  tasks$gap_se <- NA
  expect_error(exchangeable_ci(tasks, "m30"), class = "synthinfer_error_input",
               "`gap_se` has missing values \\(NA\\) .*method = \"finite_sample\" needs only")
  fs <- exchangeable_ci(tasks, "m30", method = "finite_sample")
  expect_true(is.finite(fs$conf.low) && is.finite(fs$conf.high))
})

test_that("a coverage study with few replicates does not pass off coverage 1 +- 0 as exact", {
  # reps = 3 at alpha = 0.1: every replicate covers with high probability
  # (the interval is conservative); the plug-in standard error is then 0.
  expect_warning(st <- exchange_coverage_study(40, alpha = 0.1, reps = 3, seed = 1, threads = 1),
                 class = "synthinfer_warning_few_reps")
  expect_equal(st$coverage, 1)
  expect_equal(st$coverage_mcse, 0)
  expect_no_warning(exchange_coverage_study(40, alpha = 0.5, reps = 100, seed = 1, threads = 1))
})

test_that("box and ball regions warn when clipping collapses a side onto a bound", {
  set.seed(1)
  v <- expand.grid(coordinate = c("a", "b"), task = 1:41, stringsAsFactors = FALSE)
  v$synth_est <- ifelse(v$coordinate == "a", 0.2, 0.8); v$synth_se <- 0.01
  v$gap_est <- rnorm(82, 0, 0.05); v$gap_se <- 0.01; v$real_est <- v$synth_est + v$gap_est
  # Coordinate b (synthetic 0.8) lies wholly above bounds = [0, 0.5]: its side
  # becomes the point 0.5. Only the Bonferroni rectangle said so.
  for (shape in c("box", "ball")) {
    expect_warning(r <- exchangeable_region(v, 41, alpha = 0.2, shape = shape, bounds = c(0, 0.5)),
                   "For target\\(s\\) \"41\" the synthetic estimate lies outside `bounds`")
    expect_equal(c(r$conf.low[2], r$conf.high[2]), c(0.5, 0.5))
    expect_warning(exchangeable_loo(v, alpha = 0.2, shape = shape, bounds = c(0, 0.5)),
                   "outside `bounds`")
    expect_no_warning(exchangeable_region(v, 41, alpha = 0.2, shape = shape, bounds = c(0, 1)))
  }
})
