# Bad input gives a clear R error naming the problem: never a crash, NaN
# coefficients or a silent answer.

bad_input_data <- function(n = 200, seed = 1) {
  set.seed(seed)
  d <- data.frame(x = rnorm(n))
  d$y_full <- rbinom(n, 1, plogis(d$x))
  d$y <- ifelse(runif(n) < 0.3, d$y_full, NA)
  d$y_llm <- ifelse(runif(n) < 0.8, d$y_full, 1 - d$y_full)
  d$y_syn <- rbinom(n, 1, plogis(0.5 * d$x))
  d
}

test_that("no labeled rows is an error", {
  d <- bad_input_data()
  d$y <- NA_real_
  expect_error(synth_glm(y ~ x, d, binomial(), proxy = c(y = "y_llm")), "No labeled rows")
  des <- synth_design(y ~ x, bad_input_data(), binomial(), proxy = c(y = "y_llm"))
  expect_error(synth_fit_design(des, "gmm", labeled = rep(FALSE, 200)),
               "No labeled rows: `labeled` marks no row")
})

test_that("confint() with an unknown parm names the coefficients", {
  d <- bad_input_data()
  fit <- synth_glm(y ~ x, d, binomial(), proxy = c(y = "y_llm"))
  expect_error(confint(fit, parm = "zzz"), "`parm` names no coefficient of the fit: \"zzz\"; the coefficients are \"\\(Intercept\\)\", \"x\"")
  expect_error(confint(fit, parm = 3), "positions in 1..2")
  expect_equal(rownames(confint(fit, parm = "x")), "x")
  expect_equal(confint(fit, parm = 2), confint(fit, parm = "x"))
})

test_that("too few labeled rows for the coefficients is an error", {
  d <- bad_input_data()
  d$y <- NA
  d$y[1:2] <- c(0, 1)
  expect_error(synth_glm(y ~ x, d, binomial(), proxy = c(y = "y_llm")),
               "2 labeled row\\(s\\) for 2 coefficient\\(s\\)")
  d$y[1:3] <- c(0, 1, 0)
  expect_error(synth_glm(y ~ x + I(x^2) + I(x^3), d, binomial(), proxy = c(y = "y_llm")),
               "Too few labeled rows")
})

test_that("perfect separation in the labeled logistic data is an error for every method", {
  d <- bad_input_data()
  d$y <- ifelse(is.na(d$y), NA, as.numeric(d$x > 0))
  for (m in c("gmm", "gmm_proxy", "ppi++", "ppi", "classical")) {
    expect_error(synth_glm(y ~ x, d, binomial(), proxy = c(y = "y_llm"),
                           synthetic = c(y = "y_syn"), method = m, threads = 1),
                 "separated", info = m)
  }
})

test_that("responses outside the family's support are errors", {
  d <- bad_input_data()
  d$y[which(!is.na(d$y))[2]] <- 2
  expect_error(synth_glm(y ~ x, d, binomial(), proxy = c(y = "y_llm")),
               "response `y` has value\\(s\\) outside the binomial family's support")
  d <- bad_input_data()
  d$y[which(!is.na(d$y))[1]] <- -1
  expect_error(synth_glm(y ~ x, d, poisson(), proxy = c(y = "y_llm")),
               "outside the poisson family's support.*non-negative")
  d <- bad_input_data()
  d$y_llm[5] <- 1.5
  expect_error(synth_glm(y ~ x, d, binomial(), proxy = c(y = "y_llm")),
               "proxy column `y_llm` has value\\(s\\) outside")
  d <- bad_input_data()
  d$y <- ifelse(is.na(d$y), NA, c("a", "b")[d$y + 1])
  expect_error(synth_glm(y ~ x, d, binomial(), proxy = c(y = "y_llm")), "must be numeric")
})

test_that("missing or malformed surrogate columns are errors naming the argument", {
  d <- bad_input_data()
  expect_error(synth_glm(y ~ x, d, binomial(), proxy = c(y = "not_there")),
               "`proxy` refers to column\\(s\\) missing from `data`: `not_there`")
  expect_error(synth_glm(y ~ x, d, binomial(), synthetic = list(c(y = "y_syn"), c(y = "nope"))),
               "`synthetic\\[\\[2\\]\\]` refers to column")
  expect_error(synth_glm(y ~ x, d, binomial(), proxy = c(x = "y_llm")),
               "must map the response `y`")
  expect_error(synth_glm(y ~ x, d, binomial(), proxy = c(z = "y_llm", y = "y_llm")),
               "not in the formula: `z`")
  expect_error(synth_glm(y ~ x, d, binomial(), proxy = "y_llm"), "named character vector")
  d$y_llm[3] <- NA
  expect_error(synth_glm(y ~ x, d, binomial(), proxy = c(y = "y_llm")),
               "missing or infinite values at row\\(s\\) 3")
  d <- bad_input_data()
  d$x_llm <- d$x
  d$x_llm[7] <- Inf
  expect_error(synth_glm(y ~ x, d, binomial(), proxy = c(y = "y_llm", x = "x_llm")),
               "infinite values at row\\(s\\) 7")
  d <- bad_input_data()
  d$x[which(!is.na(d$y))[1]] <- -Inf
  expect_error(synth_glm(y ~ x, d, binomial(), proxy = c(y = "y_llm")),
               "column `x` has missing or infinite values")
  expect_error(synth_glm(y ~ x, bad_input_data(), binomial(), method = "ppi++"),
               "`proxy` is required")
  expect_error(synth_glm(y ~ x, bad_input_data(), binomial()), "`proxy` or `synthetic` is required")
})

test_that("a singular moment covariance is an error, not garbage", {
  d <- bad_input_data()
  # Two identical synthetic sources: their moment blocks are collinear.
  expect_error(suppressWarnings(
    synth_glm(y ~ x, d, binomial(), proxy = c(y = "y_llm"),
              synthetic = list(c(y = "y_syn"), c(y = "y_syn")), threads = 1),
    classes = "synthinfer_warning_few_labels"), "moment covariance")
  # A surrogate response that is constant carries no information: dropped,
  # and with nothing left, an error that names it (not a singular matrix).
  d$y_const <- 0.5
  expect_error(synth_glm(y ~ x, d, binomial(), synthetic = c(y = "y_const"), threads = 1),
               "synthetic source is constant on every row")
})

test_that("collinear or unobserved covariates are errors naming the column", {
  d <- bad_input_data()
  d$x2 <- 2 * d$x
  expect_error(synth_glm(y ~ x + x2, d, binomial(), proxy = c(y = "y_llm")), "`x2`")
  d <- bad_input_data()
  d$x[4] <- NA
  expect_error(synth_glm(y ~ x, d, binomial(), proxy = c(y = "y_llm")),
               "column `x` has missing or infinite values")
})

test_that("arguments are validated", {
  d <- bad_input_data()
  expect_error(synth_glm(y ~ x, d, binomial(link = "probit"), proxy = c(y = "y_llm")),
               "canonical link")
  expect_error(synth_glm(y ~ x, d, "quasipoisson", proxy = c(y = "y_llm")),
               "gaussian, binomial or poisson")
  expect_error(synth_glm(y ~ x, d, binomial(), proxy = c(y = "y_llm"), alpha = 1.2), "`alpha`")
  expect_error(synth_glm(y ~ x, d, binomial(), proxy = c(y = "y_llm"), method = "ols"), "`method`")
  expect_error(synth_glm(y ~ x, d, binomial(), proxy = c(y = "y_llm"), threads = 0), "`threads`")
  expect_error(synth_glm(y ~ x, d, binomial(), proxy = c(y = "y_llm"), wrong = 1), "Unused")
  expect_error(synth_glm(log(y) ~ x, d, binomial(), proxy = c(y = "y_llm")), "response")
  expect_error(synth_glm(y ~ 0, d, binomial(), proxy = c(y = "y_llm")), "no coefficients")
  expect_error(synth_glm(y ~ x, as.list(d), binomial()), "`data` must be a data frame")
  des <- synth_design(y ~ x, d, binomial(), proxy = c(y = "y_llm"))
  expect_error(synth_fit_design(des, "gmm", labeled = !is.na(d$y) | TRUE),
               "without a response as labeled")
  expect_error(synth_fit_design(des, c("gmm", "ppi")), "`method`")
  full <- d
  full$y <- full$y_full
  expect_error(synth_glm(y ~ x, full, binomial(), proxy = c(y = "y_llm")), "Every row is labeled")
  expect_error(synth_glm(y ~ x, full, binomial(), proxy = c(y = "y_llm"), method = "ppi"),
               "at least 2 unlabeled")
  expect_error(synth_fit_design(list(), "gmm"), "synth_design")
})
