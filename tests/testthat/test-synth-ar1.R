# synth_ar1(): the AR(1) coefficient as a synth_glm() regression through the
# origin over consecutive pairs. References computed here: lm() on the
# complete pairs with a hand sandwich, the pair table by a loop, the two-step
# GMM of linear moments in closed form (helper-linear-gmm.R), coverage by
# simulation.

ar1_data <- function(n_series = 20, len = 50, rho = 0.6, q = 0.5, seed = 1) {
  set.seed(seed)
  do.call(rbind, lapply(seq_len(n_series), function(s) {
    y <- numeric(len)
    y[1] <- rnorm(1, sd = 1 / sqrt(1 - rho^2))
    for (t in 2:len) y[t] <- rho * y[t - 1] + rnorm(1)
    # The proxy is the series with measurement error (not an AR(1)); the
    # synthetic series shares half of the innovations' signal.
    data.frame(id = s, t = seq_len(len), y_full = y,
               y = ifelse(runif(len) < q, y, NA),
               y_llm = y + rnorm(len, sd = 0.5),
               y_syn = 0.7 * y + rnorm(len, sd = 0.7))
  }))
}

# Pairs by a loop over the rows of each series sorted by time.
loop_pairs <- function(d, value, proxy) {
  out <- NULL
  for (s in unique(d$id)) {
    ds <- d[d$id == s, ]
    ds <- ds[order(ds$t), ]
    for (i in 2:nrow(ds)) {
      both <- !is.na(ds[[value]][i]) && !is.na(ds[[value]][i - 1])
      out <- rbind(out, data.frame(series = s, time = ds$t[i],
                                   y = if (both) ds[[value]][i] else NA,
                                   lag = if (both) ds[[value]][i - 1] else NA,
                                   y_proxy = ds[[proxy]][i], lag_proxy = ds[[proxy]][i - 1]))
    }
  }
  out
}

test_that("classical equals lm(y ~ 0 + lag) on the complete pairs with a hand sandwich", {
  d <- ar1_data()
  fit <- synth_ar1(d, "y", series = "id", time = "t", method = "classical")
  pairs <- loop_pairs(d, "y", "y_llm")
  cc <- pairs[!is.na(pairs$y), ]
  ref <- lm(y ~ 0 + lag, cc)
  expect_equal(unname(coef(fit)), unname(coef(ref)), tolerance = 1e-10)
  se_hc0 <- sqrt(sum(cc$lag^2 * residuals(ref)^2)) / sum(cc$lag^2)
  expect_equal(unname(sqrt(vcov(fit)[1, 1])), se_hc0, tolerance = 1e-10)
  if (requireNamespace("sandwich", quietly = TRUE)) {
    expect_equal(unname(vcov(fit)[1, 1]), unname(sandwich::vcovHC(ref, type = "HC0")[1, 1]), tolerance = 1e-10)
  }
  expect_identical(tidy(fit)$term, "ar1")
  expect_equal(fit$nobs_labeled, nrow(cc))
  # With an intercept: lm(y ~ lag).
  fit_i <- synth_ar1(d, "y", series = "id", time = "t", method = "classical", intercept = TRUE)
  expect_equal(unname(coef(fit_i)), unname(coef(lm(y ~ lag, cc))), tolerance = 1e-10)
  expect_identical(tidy(fit_i)$term, c("(Intercept)", "ar1"))
})

test_that("the pair table: sorted by time within series, labeled only when both ends are observed", {
  # Tiny series on purpose (the pair table is what is checked): their few
  # labeled pairs draw the few-labels warning, asserted once below.
  quiet <- function(expr) {
    withCallingHandlers(expr, synthinfer_warning_few_labels = function(w) invokeRestart("muffleWarning"))
  }
  d <- ar1_data(n_series = 3, len = 8, seed = 2)
  d$y[d$id == 2 & d$t == 4] <- NA          # a gap in the middle
  shuffled <- d[sample(nrow(d)), ]
  fit <- quiet(synth_ar1(shuffled, "y", series = "id", time = "t", proxy = c(y = "y_llm"), method = "ppi++"))
  ref <- loop_pairs(d, "y", "y_llm")
  expect_equal(fit$pairs, ref, ignore_attr = TRUE)
  expect_equal(fit$n_pairs, 3 * 7)
  expect_equal(fit$n_series, 3)
  expect_equal(fit$nobs_labeled, sum(!is.na(ref$y)))
  # Series identified by strings, times by dates: the same pairs.
  d2 <- d
  d2$id <- c("a", "b", "c")[d2$id]
  d2$t <- as.Date("2020-01-01") + d2$t
  fit2 <- quiet(synth_ar1(d2, "y", series = "id", time = "t", proxy = "y_llm", method = "ppi++"))
  expect_equal(coef(fit2), coef(fit))
  # One series without a series column.
  one <- d[d$id == 1, ]
  expect_warning(fit_one <- synth_ar1(one, "y", time = "t", method = "classical"),
                 class = "synthinfer_warning_few_labels")
  expect_equal(coef(fit_one),
               coef(quiet(synth_ar1(one, "y", series = "id", time = "t", method = "classical"))))
})

test_that("GMM equals two-step GMM of the pair moments computed here", {
  d <- ar1_data(seed = 3)
  fit <- synth_ar1(d, "y", series = "id", time = "t", proxy = c(y = "y_llm"), synthetic = "y_syn",
                   se = "asymptotic", threads = 1)
  p <- loop_pairs(d, "y", "y_llm")
  ps <- loop_pairs(d, "y", "y_syn")
  ref <- origin_gmm_reference(p$y, p$lag, list(list(y = p$y_proxy, x = p$lag_proxy),
                                                list(y = ps$y_proxy, x = ps$lag_proxy)))
  expect_equal(unname(coef(fit)), ref$coef[1], tolerance = 1e-6)
  expect_equal(unname(vcov(fit)[1, 1]), ref$vcov[1, 1], tolerance = 1e-6)
  expect_output(print(fit), "<synth_ar1> AR\\(1\\) coefficient, 980 pairs in 20 series")
  expect_output(print(summary(fit)), "ar1")
  expect_equal(nrow(glance(fit)), 1L)
  expect_error(predict(fit), class = "synthinfer_error_input")
})

test_that("nominal 90% intervals cover rho (simulation)", {
  reps <- 200
  covered <- matrix(NA, reps, 2, dimnames = list(NULL, c("gmm", "classical")))
  for (r in seq_len(reps)) {
    d <- ar1_data(n_series = 10, len = 40, q = 0.5, seed = 2000 + r)
    for (m in colnames(covered)) {
      ci <- suppressWarnings(confint(synth_ar1(d, "y", series = "id", time = "t", proxy = "y_llm",
                                               synthetic = "y_syn", method = m, threads = 1)))
      covered[r, m] <- ci[1] <= 0.6 && 0.6 <= ci[2]
    }
  }
  tol <- 3 * sqrt(0.9 * 0.1 / reps)
  expect_true(all(colMeans(covered) >= 0.9 - tol), info = paste(colMeans(covered), collapse = " "))
  expect_true(all(colMeans(covered) <= 0.9 + tol), info = paste(colMeans(covered), collapse = " "))
})

test_that("bad input gives classed errors naming the cause", {
  d <- ar1_data(n_series = 4, len = 10, seed = 4)
  err <- function(expr, pattern) expect_error(expr, pattern, class = "synthinfer_error_input")
  d3 <- d; d3$y <- as.character(d3$y)
  err(synth_ar1(d3, "y", "id", "t"), "`value` column `y` must be numeric, not character")
  d3 <- d; d3$t[d3$id == 2][3] <- 2
  err(synth_ar1(d3, "y", "id", "t"), "duplicated within a series: series `2` has time 2 more than once")
  d3 <- d[!(d$id == 3 & d$t > 1), ]
  err(synth_ar1(d3, "y", "id", "t"), "series with fewer than two time points: series `3` has 1 row")
  d3 <- d; d3$y <- NA; d3$y[seq(1, nrow(d3), by = 2)] <- 1
  err(synth_ar1(d3, "y", "id", "t", proxy = "y_llm"), "no labeled pair")
  d3 <- d; d3$t[5] <- NA
  err(synth_ar1(d3, "y", "id", "t"), "`time` column `t` is missing at row\\(s\\) 5")
  d3 <- d; d3$t <- as.character(d3$t)
  err(synth_ar1(d3, "y", "id", "t"), "`time` column `t` must be numeric, a date")
  d3 <- d; d3$id[2] <- NA
  err(synth_ar1(d3, "y", "id", "t"), "`series` column `id` is missing at row\\(s\\) 2")
  d3 <- d; d3$y_llm[7] <- NA
  err(synth_ar1(d3, "y", "id", "t", proxy = "y_llm"), "`proxy` column `y_llm` has missing or infinite values at row\\(s\\) 7")
  d3 <- d; d3$y_syn <- as.character(d3$y_syn)
  err(synth_ar1(d3, "y", "id", "t", synthetic = "y_syn"), "`synthetic` column `y_syn` must be numeric")
  err(synth_ar1(d, "y", "id", "t", proxy = c(lag = "y_llm")), "maps `lag`, but only `y` has surrogate values")
  err(synth_ar1(d, "nope", "id", "t"), "`value` names column `nope`, which is not in `data`")
  err(synth_ar1(d, "y", "id", "t", intercept = NA), "`intercept` must be TRUE or FALSE")
  # Unequally spaced times: a warning, since adjacent rows are paired.
  d3 <- d[!(d$id == 1 & d$t == 5), ]
  expect_warning(synth_ar1(d3, "y", "id", "t", method = "classical"),
                 "unequally spaced within 1 series", class = "synthinfer_warning_irregular_times")
})
