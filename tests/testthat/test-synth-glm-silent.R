# Inputs that used to give a silent wrong answer (NaN standard errors, an
# estimate of exactly 0, an interval of no width, a Poisson estimate stopped
# somewhere on its way to minus infinity, arguments of predict() and
# augment() dropped) now give a classed error, a warning naming the cause,
# or the answer asked for.

degenerate_data <- function(n = 300, n_lab = 60, family = "gaussian", seed = 1) {
  set.seed(seed)
  d <- data.frame(x = rnorm(n))
  eta <- 0.3 + d$x
  draw <- switch(family,
                 gaussian = function() eta + rnorm(n),
                 poisson = function() rpois(n, exp(eta)))
  full <- draw()
  d$y_llm <- draw()
  d$y_syn <- draw()
  d$y <- NA_real_
  d$y[seq_len(n_lab)] <- full[seq_len(n_lab)]
  d
}

test_that("Poisson responses all zero on the labeled rows are an error, not an estimate near -60", {
  d <- degenerate_data(family = "poisson")
  d$y[1:60] <- 0
  for (m in c("classical", "ppi++", "gmm")) {
    expect_error(synth_glm(y ~ x, d, poisson(), proxy = c(y = "y_llm"), synthetic = c(y = "y_syn"),
                           method = m, threads = 1),
                 "all zero", class = "synthinfer_error_numeric", info = m)
  }
})

test_that("Poisson zeros on every labeled row of a factor level are an error naming them", {
  d <- degenerate_data(family = "poisson")
  d$g <- factor(rep(c("a", "b"), 150))
  d$y[d$g == "b" & !is.na(d$y)] <- 0
  # glm() agrees that the level's coefficient runs off (a huge negative
  # value with a huge standard error).
  ref <- suppressWarnings(glm(y ~ x + g, poisson(), d[1:60, ]))
  expect_lt(coef(ref)[["gb"]], -15)
  for (m in c("classical", "gmm")) {
    expect_error(synth_glm(y ~ x + g, d, poisson(), proxy = c(y = "y_llm"), method = m, threads = 1),
                 "fitted means numerically 0 on 30 row", class = "synthinfer_error_numeric", info = m)
  }
})

test_that("a response on a tiny scale is estimated, not returned as 0", {
  d <- degenerate_data()
  ref <- coef(lm(y ~ x, d[1:60, ]))
  tiny <- d
  tiny[c("y", "y_llm", "y_syn")] <- tiny[c("y", "y_llm", "y_syn")] * 1e-150
  for (m in c("classical", "ppi++", "naive")) {
    fit <- synth_glm(y ~ x, tiny, proxy = c(y = "y_llm"), method = m, threads = 1)
    unit <- synth_glm(y ~ x, d, proxy = c(y = "y_llm"), method = m, threads = 1)
    # The fit is equivariant in the response's scale: coefficients and
    # standard errors scale by 1e-150.
    expect_equal(unname(coef(fit)) / 1e-150, unname(coef(unit)), tolerance = 1e-8, info = m)
    expect_equal(tidy(fit)$std.error / 1e-150, tidy(unit)$std.error, tolerance = 1e-6, info = m)
  }
  expect_equal(unname(coef(synth_glm(y ~ x, tiny, method = "classical", threads = 1))) / 1e-150,
               unname(ref), tolerance = 1e-8)
})

test_that("a negative small-sample variance is an error, not a NaN standard error", {
  d <- degenerate_data()
  w <- rep(1, nrow(d))
  # One labeled row carrying almost all the weight: its leverage is near 1
  # and the corrected covariance loses positive definiteness.
  w[2] <- 1e8
  fit <- tryCatch(suppressWarnings(synth_glm(y ~ x, d, proxy = c(y = "y_llm"), method = "gmm_proxy",
                                             weights = w, threads = 1)),
                  synthinfer_error_numeric = function(e) e)
  expect_s3_class(fit, "synthinfer_error_numeric")
  expect_match(conditionMessage(fit), "variance of coefficient 1 is negative")
  # The textbook variance stays positive there and is still returned.
  asym <- suppressWarnings(synth_glm(y ~ x, d, proxy = c(y = "y_llm"), method = "gmm_proxy",
                                     weights = w, se = "asymptotic", threads = 1))
  expect_true(all(is.finite(tidy(asym)$std.error) & tidy(asym)$std.error > 0))
})

test_that("PPI needs more unlabeled rows than coefficients", {
  # 6 labeled and 2 unlabeled rows: the proxy fits the 2 unlabeled rows
  # exactly (2 coefficients), which used to give a standard error of 0.08
  # around an intercept of 5.4 (truth 0.3).
  d <- degenerate_data(n = 8, n_lab = 6)
  for (m in c("ppi", "ppi++")) {
    expect_error(synth_glm(y ~ x, d, proxy = c(y = "y_llm"), method = m, threads = 1),
                 "more unlabeled rows than coefficients \\(2\\).*there are 2",
                 class = "synthinfer_error_input", info = m)
  }
  d3 <- degenerate_data(n = 9, n_lab = 6)
  few <- function(expr) suppressWarnings(expr, classes = "synthinfer_warning_few_labels")
  expect_s3_class(few(synth_glm(y ~ x, d3, proxy = c(y = "y_llm"), method = "ppi++", threads = 1)), "synth_glm")
  # A mean has one coefficient: 2 unlabeled rows remain enough.
  expect_s3_class(few(synth_glm(y ~ 1, d, proxy = c(y = "y_llm"), method = "ppi++", threads = 1)), "synth_glm")
  # Under weights, the unlabeled rows that count are those with a positive
  # weight: 2 of the 3 here.
  expect_error(synth_glm(y ~ x, d3, proxy = c(y = "y_llm"), method = "ppi",
                         weights = c(rep(1, 8), 0), threads = 1),
               "more unlabeled rows than coefficients", class = "synthinfer_error_input")
})

test_that("labeled responses fitted exactly raise a warning about the zero-width interval", {
  d <- degenerate_data()
  const <- d
  const$y[1:60] <- 1.5
  expect_warning(fit <- synth_glm(y ~ x, const, method = "classical", threads = 1),
                 "fits the labeled responses exactly", class = "synthinfer_warning_exact_fit")
  expect_lt(max(tidy(fit)$std.error), 1e-12)
  line <- d
  line$y[1:60] <- 2 * line$x[1:60] + 1
  expect_warning(synth_glm(y ~ x, line, proxy = c(y = "y_llm"), method = "ppi++", threads = 1),
                 class = "synthinfer_warning_exact_fit")
  expect_warning(synth_glm(y ~ 1, const, method = "classical", threads = 1),
                 "constant on the labeled rows", class = "synthinfer_warning_exact_fit")
  # On a large scale too (the test is relative to the response's size).
  big <- line
  big$y <- big$y * 1e100
  expect_warning(synth_glm(y ~ x, big, method = "classical", threads = 1),
                 class = "synthinfer_warning_exact_fit")
  # Noisy labels, on any scale: no warning.
  expect_no_warning(synth_glm(y ~ x, d, method = "classical", threads = 1))
  small <- d
  small$y <- small$y * 1e-100
  expect_no_warning(synth_glm(y ~ x, small, method = "classical", threads = 1))
})

test_that("predict() refuses se.fit and interval instead of dropping them", {
  fit <- synth_glm(y ~ x, degenerate_data(), proxy = c(y = "y_llm"), method = "ppi++", threads = 1)
  nd <- data.frame(x = c(-1, 2))
  expect_error(predict(fit, nd, se.fit = TRUE), "`se.fit`", class = "synthinfer_error_input")
  expect_error(predict(fit, nd, interval = "confidence"), "point predictions only",
               class = "synthinfer_error_input")
  expect_equal(unname(predict(fit, nd)), unname(coef(fit)[1] + coef(fit)[2] * nd$x))
})

test_that("augment() uses newdata instead of returning the training rows", {
  d <- degenerate_data(family = "poisson")
  fit <- synth_glm(y ~ x, d, poisson(), proxy = c(y = "y_llm"), method = "classical", threads = 1)
  nd <- data.frame(x = c(0, 1, 2), y = c(1, 0, 4))
  a <- augment(fit, newdata = nd, type.predict = "response")
  expect_equal(nrow(a), 3L)
  mu <- exp(coef(fit)[[1]] + coef(fit)[[2]] * nd$x)
  expect_equal(a$.fitted, mu)
  expect_equal(a$.resid, nd$y - mu)
  expect_equal(augment(fit, newdata = nd["x"])$.fitted, log(mu))
  expect_false(".resid" %in% names(augment(fit, newdata = nd["x"])))
  expect_error(augment(fit, new_data = nd), "`new_data`", class = "synthinfer_error_input")
})

test_that("GMM with zero weights on every unlabeled row names the weights", {
  d <- degenerate_data()
  w <- c(rep(1, 60), rep(0, 240))
  for (m in c("gmm", "gmm_proxy")) {
    expect_error(synth_glm(y ~ x, d, proxy = c(y = "y_llm"), synthetic = c(y = "y_syn"), method = m,
                           weights = w, threads = 1),
                 "`weights` are zero on every unlabeled row", class = "synthinfer_error_input", info = m)
  }
})

test_that("a GMM failure from a covariate with a large offset suggests centering it", {
  d <- degenerate_data()
  # Days since 1970 of a year's dates: an offset of 18,000 against a spread of
  # a few hundred.
  d$day <- as.numeric(as.Date("2020-01-01") + seq_len(nrow(d)))
  err <- tryCatch(synth_glm(y ~ day, d, proxy = c(y = "y_llm"), threads = 1),
                  synthinfer_error_numeric = function(e) e)
  expect_s3_class(err, "synthinfer_error_numeric")
  expect_match(conditionMessage(err), "center or rescale")
  # Centered, the same model fits.
  d$day <- d$day - mean(d$day)
  expect_s3_class(suppressWarnings(synth_glm(y ~ day, d, proxy = c(y = "y_llm"), threads = 1)), "synth_glm")
})

test_that("classical and PPI intervals warn below 8 labels per coefficient, where they under-cover", {
  d <- degenerate_data(n = 210, n_lab = 10)
  for (m in c("classical", "ppi", "ppi++")) {
    expect_warning(synth_glm(y ~ x, d, proxy = c(y = "y_llm"), method = m, threads = 1),
                   "Only 10 labeled rows for 2 coefficient", class = "synthinfer_warning_few_labels",
                   info = m)
  }
  expect_no_warning(synth_glm(y ~ x, degenerate_data(n = 216, n_lab = 16), proxy = c(y = "y_llm"),
                              method = "classical", threads = 1))
  # Why: with 8 labels the nominal 90% slope interval covers about 0.72
  # (400 replications: Monte Carlo sd 0.022, so 0.82 is 4.5 sd above it; a
  # correct 90% interval would exceed it with probability > 0.99999).
  set.seed(11)
  covered <- vapply(seq_len(400), function(r) {
    dr <- degenerate_data(n = 208, n_lab = 8, seed = 1000 + r)
    ci <- suppressWarnings(confint(synth_glm(y ~ x, dr, method = "classical", threads = 1)))["x", ]
    ci[[1]] <= 1 && 1 <= ci[[2]]
  }, logical(1))
  expect_lt(mean(covered), 0.82)
})

test_that("under weights the few-labels warning counts Kish's effective labeled rows", {
  d <- degenerate_data()
  w <- rep(1, nrow(d))
  # One labeled row with almost all the weight: Kish's effective number of
  # the 60 labeled rows is (59 + 1e4)^2 / (59 + 1e8), about 1.01.
  w[5] <- 1e4
  expect_warning(synth_glm(y ~ x, d, method = "classical", weights = w, threads = 1),
                 "Only 1 labeled rows \\(Kish", class = "synthinfer_warning_few_labels")
  expect_no_warning(synth_glm(y ~ x, d, method = "classical", weights = rep(c(1, 2), 150), threads = 1))
})

test_that("a covariate collinear with the intercept only up to rounding is named as such", {
  d <- degenerate_data()
  d$x <- d$x + 1e9
  expect_error(synth_glm(y ~ x, d, method = "classical", threads = 1),
               "`x` are linear combinations.*up to rounding.*center or rescale",
               class = "synthinfer_error_input")
  # An exactly collinear column keeps the plain message.
  d$x2 <- 2 * d$x
  err <- tryCatch(synth_glm(y ~ x2 + I(x2 / 2 + 1), transform(d, x = x - 1e9, x2 = 2 * (x - 1e9)),
                            method = "classical", threads = 1), synthinfer_error_input = function(e) e)
  expect_match(conditionMessage(err), "linear combinations of the others \\(or constant\\)\\. ")
})
