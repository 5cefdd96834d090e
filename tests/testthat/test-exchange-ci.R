# Algorithms 1, 2, 4, 5 and section 4.4 against base-R references.

test_that("Algorithm 1 picks the k_L-th and k_U-th smallest gap endpoints", {
  x <- random_case(11, 39, mean = 0.05, synth_est = 0.4, synth_se = 0.012)
  g <- x$g
  ci <- exchangeable_ci(x$hist, x$target, alpha = 0.1)
  # T = 39, a = (0.01, 0.02, 0.07): k_L = floor(40 * 0.035) = 1, k_U = ceiling(40 * 0.965) = 39
  ref <- ref_alg1(g, x$s, 0.4, 0.012, 0.01, 0.02, 0.07)
  expect_equal(c(ci$k_lower, ci$k_upper), c(1L, 39L))
  expect_equal(c(ci$conf.low, ci$conf.high), unname(ref[c("low", "high")]))
  expect_equal(c(ci$a1, ci$a2, ci$a3), c(0.01, 0.02, 0.07))
  expect_equal(ci$estimate, 0.4 + mean(g))
  # width parts add up to the (unclipped) width; the spread is from point gaps
  expect_equal(ci$width_synth + ci$width_gap + ci$width_spread, ci$width)
  expect_equal(ci$width_spread, sort(g)[39] - sort(g)[1])
  expect_equal(ci$width_synth, 2 * qnorm(0.995) * 0.012)
})

test_that("ranks at larger T and a target given by id", {
  set.seed(12)
  g <- rnorm(100, 0, 0.1)
  s <- runif(100, 0.01, 0.02)
  tasks <- rbind(make_tasks(g, s), make_tasks(0, 0.01, synth_est = 0.3, synth_se = 0.02, ids = "x"))
  ci <- exchangeable_ci(tasks, target = "x", alpha = 0.2)
  # T = 100, a3 = 0.14: k_L = floor(101 * 0.07) = 7, k_U = ceiling(101 * 0.93) = 94
  ref <- ref_alg1(g, s, 0.3, 0.02, 0.02, 0.04, 0.14)
  expect_equal(c(ci$k_lower, ci$k_upper), c(7L, 94L))
  expect_equal(c(ci$conf.low, ci$conf.high), unname(ref[c("low", "high")]))
  expect_equal(ci$n_tasks, 100L)
})

test_that("ties among the gap endpoints", {
  g <- c(0, 0, 0, 0.1, 0.1, -0.1, -0.1, 0.2, 0.2, 0.2, rep(0.05, 9))
  hist <- make_tasks(g, rep(0, 19))
  target <- data.frame(task = "new", synth_est = 0.5, synth_se = 0.01)
  expect_warning(ci <- exchangeable_ci(hist, target, alpha = 0.5), "gap_se")
  # T = 19, a3 = 0.35: k_L = floor(20 * 0.175) = 3, k_U = ceiling(20 * 0.825) = 17
  expect_equal(c(ci$k_lower, ci$k_upper), c(3L, 17L))
  expect_equal(ci$gap_low, sort(g)[3])
  expect_equal(ci$gap_high, sort(g)[17])
  expect_equal(ci$width_gap, 0)
})

test_that("an infinite band (k_L = 0, k_U > T) is an error naming the tasks needed", {
  hist <- make_tasks(rnorm(5, 0, 0.1), rep(0.01, 5))
  target <- data.frame(task = "new", synth_est = 0.5, synth_se = 0.01)
  # T = 5: 2 / 6 > alpha = 0.1 leaves no budget; needs 2/alpha - 1 < T, T >= 20
  expect_error(exchangeable_ci(hist, target, alpha = 0.1), "at least 20 historical tasks")
  # T = 1: 2 / (T + 1) = 1, impossible
  expect_error(exchangeable_ci(hist[1, ], target, alpha = 0.5), "at least 4 historical tasks")
  # finite-sample: alpha >= 2 / (T + 1) suffices, T >= 3 at alpha = 0.5
  expect_error(exchangeable_ci(hist[1, ], target, alpha = 0.5, method = "finite_sample"),
               "at least 3 historical tasks")
  # a user split whose a3 = 0.07 < 2 / (T + 1) = 1/3 (k_L = 0, k_U = 6 > T)
  expect_error(exchangeable_ci(hist, target, alpha = 0.5, split = c(0.2, 0.66, 0.14)),
               "needs at least 28 historical tasks")
})

test_that("the default split raises a3 to 2 / (T + 1) and keeps a1:a2 = 1:2", {
  set.seed(13)
  g <- rnorm(40, 0, 0.1)
  hist <- make_tasks(g, rep(0.01, 40))
  target <- data.frame(task = "new", synth_est = 0.5, synth_se = 0.01)
  ci <- exchangeable_ci(hist, target, alpha = 0.05)
  expect_equal(ci$a3, 2 / 41)
  expect_equal(ci$a1, (0.05 - 2 / 41) / 3)
  expect_equal(ci$a2, 2 * (0.05 - 2 / 41) / 3)
  expect_equal(c(ci$k_lower, ci$k_upper), c(1L, 40L))
  # a user split as shares or as levels gives the same interval
  a <- exchangeable_ci(hist, target, alpha = 0.2, split = c(0.2, 0.3, 0.5))
  b <- exchangeable_ci(hist, target, alpha = 0.2, split = c(0.04, 0.06, 0.1))
  expect_equal(a$conf.low, b$conf.low)
  ref <- ref_alg1(g, rep(0.01, 40), 0.5, 0.01, 0.04, 0.06, 0.1)
  expect_equal(c(a$conf.low, a$conf.high), unname(ref[c("low", "high")]))
  expect_error(exchangeable_ci(hist, target, alpha = 0.2, split = c(0.1, 0.1, 0.1)),
               "`split` must sum to 1")
})

test_that("Algorithm 5 uses gap intervals at a2 / T", {
  x <- random_case(14, 39, se = c(0.01, 0.03))
  ci <- exchangeable_ci(x$hist, x$target, alpha = 0.1, method = "task_only")
  ref <- ref_alg1(x$g, x$s, 0.5, 0.01, 0.01, 0.02 / 39, 0.07)
  expect_equal(c(ci$conf.low, ci$conf.high), unname(ref[c("low", "high")]))
})

test_that("Algorithm 4 uses point gaps and the whole alpha", {
  set.seed(15)
  g <- rnorm(19, 0, 0.1)
  hist <- make_tasks(g, rep(0.01, 19))
  hist$gap_se <- NA # not needed for the finite-sample target
  target <- data.frame(task = "new", synth_est = 0.5, synth_se = NA)
  ci <- exchangeable_ci(hist, target, alpha = 0.2, method = "finite_sample")
  # T = 19, alpha = 0.2: k_L = floor(2) = 2, k_U = ceiling(18) = 18
  expect_equal(c(ci$k_lower, ci$k_upper), c(2L, 18L))
  expect_equal(c(ci$conf.low, ci$conf.high), 0.5 + sort(g)[c(2, 18)])
  expect_equal(c(ci$a1, ci$a2, ci$a3), c(0, 0, 0.2))
  expect_equal(ci$width_synth + ci$width_gap, 0)
})

test_that("Algorithm 2 with unit weights is Algorithm 1 exactly", {
  set.seed(16)
  for (t in c(20, 39, 40, 57)) {
    g <- round(rnorm(t, 0, 0.1), 2) # rounding creates ties
    s <- runif(t, 0, 0.02)
    hist <- make_tasks(g, s)
    target <- data.frame(task = "new", synth_est = 0.5, synth_se = 0.01)
    for (alpha in c(0.1, 0.2, 0.3)) {
      a <- exchangeable_ci(hist, target, alpha = alpha)
      b <- exchangeable_ci(hist, target, alpha = alpha, weights = rep(1, t))
      expect_identical(c(a$conf.low, a$conf.high, a$k_lower, a$k_upper),
                       c(b$conf.low, b$conf.high, b$k_lower, b$k_upper))
    }
  }
})

# Brute-force weighted quantiles straight from the definitions: the largest
# p-quantile is the largest support point v with P(X < v) <= p, the smallest
# p-quantile the smallest support point v with P(X <= v) >= p.
largest_quantile <- function(v, w, p) {
  keep <- vapply(v, function(x) sum(w[v < x]) <= p, logical(1))
  max(v[keep])
}
smallest_quantile <- function(v, w, p) {
  keep <- vapply(v, function(x) sum(w[v <= x]) >= p, logical(1))
  min(v[keep])
}

test_that("Algorithm 2 with unequal weights matches brute-force weighted quantiles", {
  set.seed(17)
  for (rep in 1:20) {
    t <- sample(20:60, 1)
    g <- rnorm(t, 0, 0.1)
    s <- runif(t, 0.005, 0.02)
    w <- runif(t, 0.3, 1)
    hist <- make_tasks(g, s)
    target <- data.frame(task = "new", synth_est = 0.5, synth_se = 0.01)
    ci <- exchangeable_ci(hist, target, alpha = 0.3, weights = w)
    a3 <- ci$a3
    p <- c(w, 1) / (sum(w) + 1)
    l <- g - qnorm(1 - ci$a2 / 2) * s
    u <- g + qnorm(1 - ci$a2 / 2) * s
    dl <- largest_quantile(c(l, -Inf), p, a3 / 2)
    du <- smallest_quantile(c(u, Inf), p, 1 - a3 / 2)
    z1 <- qnorm(1 - ci$a1 / 2)
    expect_equal(ci$conf.low, 0.5 - z1 * 0.01 + dl)
    expect_equal(ci$conf.high, 0.5 + z1 * 0.01 + du)
    expect_equal(ci$estimate, 0.5 + sum(w * g) / sum(w))
    # the default split treats the weight sum as the number of tasks
    expect_equal(ci$a3, max(0.7 * 0.3, 2 / (sum(w) + 1)))
  }
})

test_that("weights can be named by task id and zero weights drop tasks", {
  set.seed(18)
  g <- rnorm(30, 0, 0.1)
  hist <- make_tasks(g, rep(0.01, 30))
  target <- data.frame(task = "new", synth_est = 0.5, synth_se = 0.01)
  w <- stats::setNames(rev(seq(0.5, 1, length.out = 30)), rev(hist$task))
  a <- exchangeable_ci(hist, target, alpha = 0.3, weights = w)
  b <- exchangeable_ci(hist, target, alpha = 0.3, weights = unname(w[hist$task]))
  expect_equal(a$conf.low, b$conf.low)
  w0 <- c(rep(1, 25), rep(0, 5))
  c0 <- exchangeable_ci(hist, target, alpha = 0.3, weights = w0)
  c1 <- exchangeable_ci(hist[1:25, ], target, alpha = 0.3)
  expect_equal(c(c0$conf.low, c0$conf.high), c(c1$conf.low, c1$conf.high))
})

test_that("section 4.4: intersection with a real-data interval", {
  set.seed(19)
  g <- rnorm(39, 0, 0.1)
  hist <- make_tasks(g, rep(0.01, 39))
  target <- data.frame(task = "new", synth_est = 0.5, synth_se = 0.01)
  ci <- exchangeable_ci(hist, target, alpha = 0.2, real_estimate = c(est = 0.55, se = 0.05), gamma = 0.5)
  ex <- exchangeable_ci(hist, target, alpha = 0.1) # (1 - gamma) * alpha
  z <- qnorm(1 - 0.1 / 2)                            # gamma * alpha
  expect_equal(ci$conf.low, max(ex$conf.low, 0.55 - z * 0.05))
  expect_equal(ci$conf.high, min(ex$conf.high, 0.55 + z * 0.05))
  expect_equal(ci$a3, ex$a3)
  # disjoint intervals: NA with a warning, never a silent empty interval
  expect_warning(d <- exchangeable_ci(hist, target, alpha = 0.2, real_estimate = c(est = 5, se = 0.01)),
                 "do not overlap")
  expect_true(is.na(d$conf.low))
  # one row per target from a data frame of real summaries
  tt <- rbind(target, data.frame(task = "other", synth_est = 0.3, synth_se = 0.01))
  two <- exchangeable_ci(hist, tt, alpha = 0.2,
                         real_estimate = data.frame(task = c("other", "new"), real_est = c(0.3, 0.55),
                                           real_se = 0.05))
  expect_equal(two$conf.low[1], ci$conf.low)
})

test_that("bounds clip the interval and the estimate", {
  g <- seq(-0.3, 0.3, length.out = 39)
  hist <- make_tasks(g, rep(0.01, 39))
  target <- data.frame(task = "new", synth_est = 0.9, synth_se = 0.01)
  ci <- exchangeable_ci(hist, target, alpha = 0.1, bounds = c(0, 1))
  un <- exchangeable_ci(hist, target, alpha = 0.1)
  expect_equal(ci$conf.high, 1)
  expect_equal(ci$conf.low, un$conf.low)
  expect_equal(ci$width, 1 - un$conf.low)
})

test_that("paired = FALSE rebuilds gap_se from independent samples", {
  set.seed(20)
  hist <- make_tasks(rnorm(39, 0, 0.1), rep(0.5, 39)) # a wrong gap_se
  hist$real_se <- 0.02
  hist$synth_se <- 0.01
  target <- data.frame(task = "new", synth_est = 0.5, synth_se = 0.01)
  a <- exchangeable_ci(hist, target, alpha = 0.1, paired = FALSE)
  hist$gap_se <- sqrt(0.02^2 + 0.01^2)
  b <- exchangeable_ci(hist, target, alpha = 0.1)
  expect_equal(a$conf.low, b$conf.low)
})

test_that("print, format and tidy", {
  set.seed(21)
  tasks <- rbind(make_tasks(rnorm(39, 0, 0.1), rep(0.01, 39)),
                 make_tasks(0, 0.01, ids = c("a", "b")))
  ci <- exchangeable_ci(tasks, target = c("a", "b"), alpha = 0.1)
  expect_s3_class(ci, "exchangeable_ci")
  expect_equal(nrow(ci), 2L)
  expect_match(format(ci)[1], "90% intervals: population target \\(Algorithm 1\\)")
  expect_output(print(ci), "a: ")
  # with columns dropped it prints as the plain tibble it is
  expect_output(print(ci[, c("task", "estimate")]), "A tibble: 2 x 2|A tibble: 2 \u00d7 2")
  td <- tidy(ci)
  expect_named(td, c("task", "estimate", "conf.low", "conf.high", "method", "alpha"))
  expect_equal(td$conf.low, ci$conf.low)
})

test_that("bounds that exclude the interval warn instead of a silent point", {
  tasks <- simulate_tasks(41, seed = 2)
  expect_warning(ci <- exchangeable_ci(tasks, 41, bounds = c(2, 3)),
                 "\"41\" the synthetic estimate lies outside `bounds` = \\[2, 3\\].*scale")
  expect_equal(c(ci$conf.low, ci$conf.high), c(2, 2))
  expect_no_warning(exchangeable_ci(tasks, 41, bounds = c(0, 1)))
})

test_that("a missing gap_est column is an error naming the remedy", {
  tasks <- simulate_tasks(41, seed = 2)
  tasks$gap_est <- NULL
  expect_error(exchangeable_ci(tasks, 41), "needs a `gap_est` column.*gap_est = real_est - synth_est")
})

test_that("exchange_split() raises a too small a3 with a message (the paper's rule)", {
  tasks <- simulate_tasks(15, seed = 1)
  tasks$synth_se[tasks$synth_se == 0] <- 1e-3
  # T = 14: a3 = 0.5 * 0.2 = 0.1 < 2 / 15
  expect_error(exchangeable_ci(tasks, 15, alpha = 0.2, split = c(0.25, 0.25, 0.5)),
               "exchange_split\\(..., raise_a3 = TRUE\\)")
  expect_message(ci <- exchangeable_ci(tasks, 15, alpha = 0.2,
                                       split = exchange_split(0.25, 0.25, 0.5)),
                 "Raised a3 from 0.1 to 2 / \\(T \\+ 1\\)")
  expect_equal(c(ci$a1, ci$a2, ci$a3), c((0.2 - 2 / 15) / 2, (0.2 - 2 / 15) / 2, 2 / 15))
  # a3 large enough: used as given, no message
  expect_no_message(ci <- exchangeable_ci(tasks, 15, alpha = 0.4, split = exchange_split(0.1, 0.2, 0.7)))
  expect_equal(c(ci$a1, ci$a2, ci$a3), c(0.04, 0.08, 0.28))
  # no split at all can be finite
  expect_error(exchangeable_ci(tasks, 15, alpha = 0.1, split = exchange_split()),
               "no split of `alpha` = 0.1 is finite")
  expect_error(exchange_split(0, 0.5, 0.5), "three positive numbers")
})

test_that("messages about weights speak of their total, not of tasks", {
  tasks <- simulate_tasks(41, seed = 2)
  expect_error(exchangeable_ci(tasks, 41, weights = rep(0.01, 40)),
               "historical tasks of total weight 0.4 \\(T = the total weight\\)")
})
