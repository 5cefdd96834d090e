# Requests beyond the machine (issue 13): sizes that cannot fit become R
# errors that say how much memory they need, before anything is allocated,
# and thread counts are clamped to the usable cores.

test_that("thread counts above the usable cores are clamped with a message", {
  cap <- synthinfer:::rs_max_threads()
  expect_gte(cap, 1L)
  expect_message(got <- synthinfer:::check_threads(cap + 1e4), class = "synthinfer_threads_clamped")
  expect_identical(got, cap)
  expect_message(synthinfer:::check_threads(1e6), "more than the")
  expect_silent(expect_identical(synthinfer:::check_threads(1L), 1L))
  expect_error(synthinfer:::check_threads(1e12), "at most 2147483647")
  # The built-in default never messages; a user option is checked.
  old <- options(synthinfer.threads = NULL)
  on.exit(options(old))
  expect_silent(expect_identical(default_threads(), min(2L, cap)))
  options(synthinfer.threads = cap + 5)
  expect_message(expect_identical(default_threads(), cap), class = "synthinfer_threads_clamped")
})

test_that("a huge thread count finishes normally (was: load average > 1000)", {
  d <- simulate_synthetic(300, fraction = 0.5, regime = "good")
  t <- system.time(expect_message(
    fit <- synth_glm(y ~ x1, d, proxy = c(y = "y_llm"), method = "ppi++", threads = 10000),
    class = "synthinfer_threads_clamped"))
  expect_true(all(is.finite(coef(fit))))
  expect_lt(t[["elapsed"]], 10)
})

test_that("impossible sizes are R errors naming the memory they need", {
  # 10^9 tasks of ~128 bytes: 128 GB (was: R aborted, exit 134).
  expect_error(exchange_coverage_study(1e9, reps = 1, threads = 1),
               "needs 128.0 GB of memory")
  expect_error(simulate_tasks(1e9), "needs 80.0 GB of memory")
  expect_error(exchange_coverage_study(1e10, reps = 1), "n_tasks")
  expect_error(exchange_coverage_study(40, reps = 1e10), "at most 2147483647")
  expect_error(task_summaries(data.frame(task = 1, real = 1, synthetic = 1), task, real, synthetic,
                              reps = 1e12), "reps")
  # 3 tasks x (2^31 - 1) bootstrap replicates of 16 bytes: 103 GB.
  u <- data.frame(g = rep(1:3, each = 10), y = 1:30, s = 30:1)
  expect_error(task_summaries(u, "g", "y", "s", estimand = "median", reps = 2^31 - 1),
               "the bootstrap \\(tasks x replicates\\) needs 103.1 GB of memory")
})

test_that("huge reps and trials no longer need memory proportional to them", {
  # The study folds replicates a chunk at a time: 10^5 replicates of a tiny
  # design run in constant memory and agree with the thread count unchanged.
  a <- exchange_coverage_study(3, alpha = 0.9, reps = 2e4, n_real = 2, n_synth = 2, seed = 1,
                               threads = 1)
  b <- exchange_coverage_study(3, alpha = 0.9, reps = 2e4, n_real = 2, n_synth = 2, seed = 1,
                               threads = 2)
  expect_identical(a, b)
  expect_true(all(is.finite(unlist(a[, c("coverage", "width")]))))
})
