# Brute-force weighted quantile written independently of the Rust code: walk
# the sorted values and their cumulative weight share.
brute_wquantile <- function(x, w, p) {
  o <- order(x); x <- x[o]; cw <- cumsum(w[o]) / sum(w)
  k <- which(cw >= p - 1e-12)[1]
  if (abs(cw[k] - p) < 1e-12 && k < length(x)) (x[k] + x[k + 1]) / 2 else x[k]
}

quantile_units <- function(seed = 2) {
  set.seed(seed)
  task <- rep(c("t1", "t2", "t3"), c(41, 60, 25))
  y <- round(rexp(length(task)) * 10, 1)
  data.frame(task = task, y = y, s = y + round(rnorm(length(task), 1, 2), 1),
             w = runif(length(task), 0.2, 2))
}

test_that("unit-weight median and quantiles agree with base R", {
  d <- quantile_units()
  med <- task_summaries(d, "task", "y", "s", estimand = "median", reps = 50, seed = 1, threads = 1)
  q25 <- task_summaries(d, "task", "y", "s", estimand = 0.25, reps = 50, seed = 1, threads = 1)
  for (i in 1:3) {
    t <- med$task[i]
    y <- d$y[d$task == t]; s <- d$s[d$task == t]
    expect_equal(med$real_est[i], median(y))
    expect_equal(med$synth_est[i], median(s))
    expect_equal(med$gap_est[i], median(y) - median(s))
    expect_equal(q25$real_est[i], unname(quantile(y, 0.25, type = 2)))
  }
})

test_that("weighted quantiles agree with a brute-force weighted quantile", {
  d <- quantile_units()
  out <- task_summaries(d, "task", "y", "s", weights = "w", estimand = 0.7, reps = 20,
                        seed = 1, threads = 1)
  for (i in 1:3) {
    sel <- d$task == out$task[i]
    expect_equal(out$real_est[i], brute_wquantile(d$y[sel], d$w[sel], 0.7))
    expect_equal(out$synth_est[i], brute_wquantile(d$s[sel], d$w[sel], 0.7))
  }
})

test_that("bootstrap results do not depend on the thread count and follow the seed", {
  d <- quantile_units()
  one <- task_summaries(d, "task", "y", "s", estimand = "median", reps = 300, seed = 1, threads = 1)
  two <- task_summaries(d, "task", "y", "s", estimand = "median", reps = 300, seed = 1, threads = 2)
  expect_identical(one, two)
  again <- task_summaries(d, "task", "y", "s", estimand = "median", reps = 300, seed = 1, threads = 2)
  expect_identical(one, again)
  other <- task_summaries(d, "task", "y", "s", estimand = "median", reps = 300, seed = 2,
                          threads = 1)
  expect_false(isTRUE(all.equal(one$real_se, other$real_se)))
  expect_equal(one$real_est, other$real_est)
})

test_that("a user estimator sees the same resamples as the built-in quantile", {
  d <- quantile_units()
  for (paired in c(TRUE, FALSE)) {
    rust <- task_summaries(d, "task", "y", "s", weights = "w", estimand = 0.5,
                           paired = paired, reps = 200, seed = 7, threads = 2)
    user <- task_summaries(d, "task", "y", "s", weights = "w", paired = paired,
                           estimand = function(x, w) brute_wquantile(x, w, 0.5),
                           reps = 200, seed = 7)
    expect_equal(user, rust, tolerance = 1e-12)
  }
})

test_that("bootstrap SE of a user mean matches the linearisation SE", {
  set.seed(3)
  d <- data.frame(task = rep(1:2, each = 200), y = rgamma(400, 2), w = runif(400, 0.5, 2))
  d$s <- d$y + rnorm(400)
  lin <- task_summaries(d, "task", "y", "s", weights = "w")
  boot <- task_summaries(d, "task", "y", "s", weights = "w", reps = 2000,
                         estimand = function(x, w) sum(w * x) / sum(w), seed = 1)
  expect_equal(boot$real_est, lin$real_est, tolerance = 1e-12)
  # The bootstrap SD with 2000 replicates has relative Monte Carlo error about
  # 1 / sqrt(2 * 2000) = 1.6%; allow 8% (5 MC standard deviations).
  expect_equal(boot$real_se, lin$real_se, tolerance = 0.08)
  expect_equal(boot$gap_se, lin$gap_se, tolerance = 0.08)
})

test_that("paired bootstrap resamples units jointly (gap SE reflects correlation)", {
  set.seed(4)
  y <- rnorm(300)
  d <- data.frame(task = rep(1:3, 100), y = y, s = y + rnorm(300, 0, 0.05))
  p <- task_summaries(d, "task", "y", "s", estimand = "median", reps = 400, seed = 1, threads = 2)
  u <- task_summaries(d, "task", "y", "s", estimand = "median", paired = FALSE,
                      reps = 400, seed = 1, threads = 2)
  # with synthetic = real + tiny noise the paired gap barely moves
  expect_true(all(p$gap_se < 0.3 * u$gap_se))
  expect_equal(u$gap_se, sqrt(u$real_se^2 + u$synth_se^2))
})

test_that("90% Wald intervals from the Hajek SE cover at the nominal rate", {
  # 400 independent tasks of 60 units with informative-free weights; the true
  # mean is 2 everywhere. Coverage of 0.9 has Monte Carlo SD
  # sqrt(0.9 * 0.1 / 400) = 0.015; accept [0.85, 0.95] (> 3 SD).
  set.seed(5)
  n_t <- 400; n <- 60
  d <- data.frame(task = rep(seq_len(n_t), each = n), y = rgamma(n_t * n, 2),
                  w = runif(n_t * n, 0.2, 3))
  d$s <- d$y + rnorm(n_t * n, 0.5)
  out <- task_summaries(d, "task", "y", "s", weights = "w")
  z <- qnorm(0.95)
  cover <- mean(abs(out$real_est - 2) <= z * out$real_se)
  gap_cover <- mean(abs(out$gap_est + 0.5) <= z * out$gap_se)
  expect_gt(cover, 0.85); expect_lt(cover, 0.95)
  expect_gt(gap_cover, 0.85); expect_lt(gap_cover, 0.95)
})

test_that("90% Wald intervals from bootstrap quantile SEs cover near the nominal rate", {
  # 300 tasks of 80 normal units: true median 0, true 0.25-quantile qnorm(0.25),
  # true gap of medians -0.5 (synthetic = real + N(0.5, 0.5^2)). Monte Carlo
  # SD of a coverage near 0.9 over 300 tasks is 0.017; the bootstrap SE of a
  # median at n = 80 runs slightly low, so accept [0.80, 0.96].
  set.seed(1)
  n_t <- 300; n <- 80
  d <- data.frame(task = rep(seq_len(n_t), each = n), y = rnorm(n_t * n),
                  w = runif(n_t * n, 0.5, 2))
  d$s <- d$y + rnorm(n_t * n, 0.5, 0.5)
  z <- qnorm(0.95)
  med <- task_summaries(d, "task", "y", "s", estimand = "median", reps = 200, seed = 1, threads = 2)
  q25 <- task_summaries(d, "task", "y", "s", weights = "w", estimand = 0.25, reps = 200,
                        seed = 1, threads = 2)
  cover <- c(median = mean(abs(med$real_est) <= z * med$real_se),
             gap = mean(abs(med$gap_est + 0.5) <= z * med$gap_se),
             q25 = mean(abs(q25$real_est - qnorm(0.25)) <= z * q25$real_se))
  expect_true(all(cover > 0.80 & cover < 0.96), label = paste(format(cover), collapse = " "))
})
