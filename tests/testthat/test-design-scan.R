# synth_design()'s one-pass scan of the response (core `columns`) against
# R's own element-wise tests, and the shared intercept column of `y ~ 1`.

test_that("the response scan finds labels, NaN and support as is.na()/is.nan() do", {
  scan <- synthinfer:::rs_scan_response
  set.seed(11)
  # NA in its arithmetic variants, NaN from computations, and numbers.
  specials <- c(NA, NA_real_ + 1, -NA_real_, NaN, 0 / 0, suppressWarnings(log(-1)), Inf, -Inf)
  for (family in c("gaussian", "binomial", "poisson")) {
    for (r in 1:20) {
      n <- sample(0:60, 1)
      y <- round(rnorm(n, 0.5, 1), 1)
      y[runif(n) < 0.4] <- NA
      if (r %% 2 == 0 && n > 0) y[sample(n, 2, replace = TRUE)] <- sample(specials, 2)
      s <- scan(y, family)
      present <- !is.na(y) | is.nan(y)
      expect_identical(s$labeled, present)
      expect_identical(s$rows, which(present))
      expect_identical(s$any_nan, any(is.nan(y)))
      v <- y[!is.na(y)]
      in_support <- switch(family, gaussian = all(is.finite(v)),
                           binomial = all(v >= 0 & v <= 1), poisson = all(is.finite(v) & v >= 0))
      expect_identical(s$in_support, in_support, info = paste(family, deparse(y)))
    }
  }
})

test_that("a NaN response is an error naming its rows, not an unlabeled row", {
  d <- data.frame(y = c(1, NA, 0 / 0, 2, NA, NaN, 3, 4), y_llm = 1:8 + 0.5)
  expect_error(synth_design(y ~ 1, d, proxy = c(y = "y_llm")),
               class = "synthinfer_error_input", regexp = "is NaN at row\\(s\\) 3, 6")
  d$y[c(3, 6)] <- NA
  des <- synth_design(y ~ 1, d, proxy = c(y = "y_llm"))
  expect_identical(des$labeled, !is.na(d$y))
  expect_identical(des$labeled_rows, which(!is.na(d$y)))
})

test_that("labels outside the support and incomplete surrogates are still caught", {
  d <- data.frame(y = c(0, 1, NA, 2, NA, 1), y_llm = c(0.2, 0.9, 0.4, 0.8, 0.1, 0.7))
  expect_error(synth_design(y ~ 1, d, stats::binomial(), proxy = c(y = "y_llm")),
               class = "synthinfer_error_input", regexp = "support")
  d$y[4] <- 0
  d$y_llm[5] <- NA
  expect_error(synth_design(y ~ 1, d, stats::binomial(), proxy = c(y = "y_llm")),
               class = "synthinfer_error_input", regexp = "missing or infinite values at row\\(s\\) 5")
  d$y_llm[5] <- 1.5
  expect_error(synth_design(y ~ 1, d, stats::binomial(), proxy = c(y = "y_llm")),
               class = "synthinfer_error_input", regexp = "support at row\\(s\\) 5")
})

test_that("designs of the mean share the intercept column safely", {
  d <- data.frame(y = c(1, NA, 2, 4, NA, 3), y_llm = c(1.1, 1.5, 2.2, 3.7, 2.5, 3.1))
  a <- synth_design(y ~ 1, d, proxy = c(y = "y_llm"))
  b <- synth_design(y ~ 1, d, proxy = c(y = "y_llm"))
  expect_identical(unname(a$X[, 1]), rep(1, 6))
  expect_identical(dimnames(a$X), list(NULL, "(Intercept)"))
  expect_identical(attr(a$X, "assign"), 0L)
  # Changing one design's matrix leaves the other (and later ones) alone.
  a$X[2, 1] <- 5
  expect_identical(b$X[, 1], rep(1, 6))
  expect_identical(synth_design(y ~ 1, d, proxy = c(y = "y_llm"))$X[, 1], rep(1, 6))
  # Another number of rows gets its own column.
  expect_identical(nrow(synth_design(y ~ 1, d[1:4, ], proxy = c(y = "y_llm"))$X), 4L)
  # The mean of the labels, whichever design: a check on the core's input.
  fit <- synth_glm(y ~ 1, d, method = "classical", threads = 1)
  expect_equal(unname(coef(fit)), mean(d$y, na.rm = TRUE), tolerance = 1e-14)
})
