# Reference values are base-R closed forms computed here, never the package.

make_units <- function(n = c(a = 30, b = 45, c = 20), seed = 1) {
  set.seed(seed)
  task <- rep(names(n), n)
  y <- rnorm(length(task), mean = match(task, names(n)))
  data.frame(task = task, y = y, y_syn = 0.8 * y + rnorm(length(task), 0.2, 0.3),
             w = runif(length(task), 0.5, 3))
}

test_that("unit weights give the ordinary mean and sd / sqrt(n)", {
  d <- make_units()
  out <- task_summaries(d, "task", "y", "y_syn")
  for (t in c("a", "b", "c")) {
    y <- d$y[d$task == t]; s <- d$y_syn[d$task == t]
    row <- out[out$task == t, ]
    expect_equal(row$real_est, mean(y), tolerance = 1e-13)
    expect_equal(row$real_se, sd(y) / sqrt(length(y)), tolerance = 1e-13)
    expect_equal(row$synth_est, mean(s), tolerance = 1e-13)
    expect_equal(row$synth_se, sd(s) / sqrt(length(s)), tolerance = 1e-13)
    # paired gap: the mean of differences and its own SE (uses the correlation)
    expect_equal(row$gap_est, mean(y - s), tolerance = 1e-13)
    expect_equal(row$gap_se, sd(y - s) / sqrt(length(y)), tolerance = 1e-13)
    expect_equal(row$n_real, length(y))
  }
  expect_equal(out$task, c("a", "b", "c"))
  expect_named(out, c("task", "n_real", "n_synth", "real_est", "real_se", "synth_est",
                      "synth_se", "gap_est", "gap_se"))
  expect_s3_class(out, "tbl_df")
})

test_that("weighted mean is Hajek with the linearisation standard error", {
  d <- make_units()
  out <- task_summaries(d, "task", "y", "y_syn", weights = "w")
  y <- d$y[d$task == "b"]; w <- d$w[d$task == "b"]; n <- length(y)
  m <- sum(w * y) / sum(w)
  se <- sqrt(n / (n - 1) * sum((w * (y - m))^2)) / sum(w)
  expect_equal(out$real_est[2], m, tolerance = 1e-13)
  expect_equal(out$real_se[2], se, tolerance = 1e-13)
  # integer weights act as frequency weights for the point estimate
  d2 <- data.frame(task = 1, y = c(1, 2, 7), s = c(0, 0, 1), w = c(1, 3, 1))
  expect_equal(task_summaries(d2, "task", "y", "s", weights = "w")$real_est, 14 / 5)
  # rescaling all weights changes nothing
  d$w10 <- 10 * d$w
  expect_equal(task_summaries(d, "task", "y", "y_syn", weights = "w10"), out,
               tolerance = 1e-12)
})

test_that("unpaired: rows count toward the side whose value is present", {
  d <- make_units()
  d$y[c(1, 2, 3)] <- NA
  d$y_syn[c(40, 41)] <- NA
  out <- task_summaries(d, "task", "y", "y_syn", paired = FALSE)
  ya <- d$y[d$task == "a" & !is.na(d$y)]
  sb <- d$y_syn[d$task == "b" & !is.na(d$y_syn)]
  expect_equal(out$n_real[1], 27L)
  expect_equal(out$n_synth[1], 30L)
  expect_equal(out$n_synth[2], 43L)
  expect_equal(out$real_est[1], mean(ya), tolerance = 1e-13)
  expect_equal(out$synth_se[2], sd(sb) / sqrt(43), tolerance = 1e-13)
  expect_equal(out$gap_se, sqrt(out$real_se^2 + out$synth_se^2), tolerance = 1e-13)
  expect_equal(out$gap_est, out$real_est - out$synth_est, tolerance = 1e-13)
})

test_that("paired: rows missing either value are dropped with a warning", {
  d <- make_units()
  d$y[c(1, 2)] <- NA
  d$y_syn[50] <- NA
  expect_warning(out <- task_summaries(d, "task", "y", "y_syn"),
                 "dropped 3 row\\(s\\).*tasks 'a', 'b'")
  keep <- d$task == "a" & !is.na(d$y) & !is.na(d$y_syn)
  expect_equal(out$n_real[1], 28L)
  expect_equal(out$n_synth[1], 28L)
  expect_equal(out$synth_est[1], mean(d$y_syn[keep]), tolerance = 1e-13)
  expect_equal(out$gap_est, out$real_est - out$synth_est, tolerance = 1e-13)
})

test_that("bare names, several task columns and factor tasks", {
  d <- make_units()
  a <- task_summaries(d, task, y, y_syn, weights = w)
  b <- task_summaries(d, "task", "y", "y_syn", weights = "w")
  expect_identical(a, b)
  col <- "y"
  expect_identical(task_summaries(d, "task", col, "y_syn"),
                   task_summaries(d, "task", "y", "y_syn"))
  d$half <- rep(1:2, length.out = nrow(d))
  two <- task_summaries(d, c(task, half), "y", "y_syn")
  # the key column called "task" gives way to the joined label
  expect_equal(names(two)[1:2], c("half", "task"))
  expect_equal(nrow(two), 6L)
  expect_equal(two$task[1:2], c("a / 1", "a / 2"))
  d$grp <- d$task
  expect_equal(names(task_summaries(d, c("grp", "half"), "y", "y_syn"))[1:3],
               c("grp", "half", "task"))
  sel <- d$task == "c" & d$half == 2
  expect_equal(two$real_est[6], mean(d$y[sel]), tolerance = 1e-13)
  d$f <- factor(d$task, levels = c("c", "a", "b", "unused"))
  fo <- task_summaries(d, "f", "y", "y_syn")
  expect_equal(as.character(fo$task), c("c", "a", "b"))
})
