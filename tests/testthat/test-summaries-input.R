base_units <- function() {
  data.frame(task = rep(c("a", "b"), each = 5), y = c(1:5, 2 * (1:5)),
             s = c(2, 4, 3, 5, 7, 1:5), w = 1, txt = letters[1:10])
}

test_that("unknown columns and wrong types are named in the error", {
  d <- base_units()
  expect_error(task_summaries(d, "task", "nope", "s"), "`real`.*'nope'")
  expect_error(task_summaries(d, "task", "y", nope), "`synthetic`.*'nope'")
  expect_error(task_summaries(d, "tsk", "y", "s"), "`task`.*'tsk'")
  expect_error(task_summaries(d, "task", "y", "s", weights = "ww"), "`weights`.*'ww'")
  expect_error(task_summaries(d, "task", "txt", "s"), "`real`.*'txt'.*numeric")
  expect_error(task_summaries(d, "task", "y", "s", weights = "txt"), "`weights`.*numeric")
  expect_error(task_summaries(as.list(d), "task", "y", "s"), "`data` must be a data frame")
  expect_error(task_summaries(d, "task", c("y", "s"), "s"), "`real` must be one column")
  expect_error(task_summaries(d, "task", "y", "s", paired = NA), "`paired`")
  expect_error(task_summaries(d, "task", "y", "s", estimand = "mode"), "`estimand`")
  expect_error(task_summaries(d, "task", "y", "s", estimand = 1.5), "`estimand`")
  expect_error(task_summaries(d, "task", "y", "s", estimand = "median", reps = 1), "`reps`")
  expect_error(task_summaries(d, "task", "y", "s", seed = -1), "`seed`")
  expect_error(task_summaries(d, "task", "y", "s", threads = 0), "`threads`")
})

test_that("missing task ids, infinite values and bad weights are rejected", {
  d <- base_units()
  d$task[3] <- NA
  expect_error(task_summaries(d, "task", "y", "s"), "missing task ids.*row\\(s\\) 3")
  d <- base_units(); d$y[2] <- Inf
  expect_error(task_summaries(d, "task", "y", "s"), "`real`.*infinite.*2")
  d <- base_units(); d$w[4] <- -1
  expect_error(task_summaries(d, "task", "y", "s", weights = "w"), "`weights`.*negative.*4")
  d <- base_units(); d$w[7] <- NA
  expect_error(task_summaries(d, "task", "y", "s", weights = "w"), "`weights`.*missing")
  d <- base_units(); d$w[d$task == "b"] <- 0
  expect_error(task_summaries(d, "task", "y", "s", weights = "w"),
               "task 'b' has fewer than 2 paired values with positive weight")
})

test_that("a task with a single observation is an error that names it", {
  d <- rbind(base_units(), data.frame(task = "c", y = 1, s = 2, w = 1, txt = "z"))
  expect_error(task_summaries(d, "task", "y", "s"), "task 'c' has fewer than 2")
  d <- base_units(); d$s[d$task == "a"][-1] <- NA
  expect_error(task_summaries(d, "task", "y", "s", paired = FALSE),
               "task 'a' has fewer than 2 synthetic values")
})

test_that("zero variance warns with the task and column", {
  d <- base_units(); d$s[d$task == "b"] <- 3
  expect_warning(out <- task_summaries(d, "task", "y", "s"), "`synth_se` is 0 for task\\(s\\) \"b\"")
  expect_equal(out$synth_se[2], 0)
  expect_true(all(is.finite(out$gap_se)))
})

test_that("a user estimator that returns no single number is an error", {
  d <- base_units()
  expect_error(task_summaries(d, "task", "y", "s", reps = 5,
                              estimand = function(x, w) range(x)),
               "`estimand` must return one finite number; on task 'a'")
  expect_error(task_summaries(d, "task", "y", "s", reps = 5,
                              estimand = function(x, w) NA_real_),
               "one finite number")
})

test_that("an empty data frame is an error", {
  expect_error(task_summaries(base_units()[0, ], "task", "y", "s"), "`data` has no rows")
})

test_that("logical values are accepted as 0/1", {
  d <- base_units()
  d$yl <- d$y > 2; d$sl <- d$s > 3
  out <- task_summaries(d, "task", "yl", "sl")
  expect_equal(out$real_est, c(0.6, 0.8))
  expect_equal(out$synth_est, c(0.6, 0.4))
})

test_that("values far below or above 1 keep their standard errors", {
  # Squares of 1e-160 underflow to subnormals (1e-200: to zero) and of 1e160
  # overflow. The summaries were then silently wrong (a gap_se off by 14%,
  # real_se = 0 with a "zero-variance" warning) or an error.
  set.seed(4)
  d <- data.frame(task = rep(c("a", "b"), each = 30), y = rnorm(60), s = rnorm(60))
  ref <- task_summaries(d, "task", "y", "s")
  # Independent reference: R's mean() and sd() on the unit scale.
  expect_equal(ref$real_se, as.vector(tapply(d$y, d$task, sd)) / sqrt(30), tolerance = 1e-13)
  for (scale in c(1e-160, 1e-200, 1e160, 1e200)) {
    ds <- transform(d, y = y * scale, s = s * scale)
    expect_no_warning(out <- task_summaries(ds, "task", "y", "s"))
    for (col in c("real_est", "real_se", "synth_est", "synth_se", "gap_est", "gap_se")) {
      expect_equal(out[[col]] / scale, ref[[col]], tolerance = 1e-12, label = paste(col, scale))
    }
  }
})

test_that("weights with almost all mass on one unit warn", {
  d <- base_units()
  d$w <- 1
  d$w[d$task == "b"] <- c(1, rep(1e-12, sum(d$task == "b") - 1))
  # The linearised se then rests on one observation: near 0 though b varies.
  expect_warning(out <- task_summaries(d, "task", "y", "s", weights = "w"),
                 class = "synthinfer_warning_effective_size")
  expect_lt(out$real_se[2], 1e-9)
  expect_warning(task_summaries(d, "task", "y", "s", weights = "w"),
                 "task 'b' \\(effective sample size 1")
  # Unpaired: without its heavy unit the real side of b has equal weights
  # (effective size 4); its synthetic side alone is concentrated.
  d$y[d$task == "b"][1] <- NA
  expect_warning(task_summaries(d, "task", "y", "s", weights = "w", paired = FALSE),
                 class = "synthinfer_warning_effective_size")
  # Ordinary unequal weights (effective size 2.5 of 5 units) do not warn.
  d <- base_units(); d$w <- c(8, 1, 1, 1, 1)[seq_len(nrow(d)) %% 5 + 1]
  expect_no_warning(task_summaries(d, "task", "y", "s", weights = "w"))
})
