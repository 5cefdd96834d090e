# The plain-column route of synth_design(): when every term is a numeric
# column the model matrix is filled from the columns directly. The reference
# is the general model.frame() / model.matrix() route, forced with the
# internal option `synthinfer.plain_design = FALSE`, and stats::model.matrix()
# itself.

plain_data <- function(n = 500, seed = 11) {
  set.seed(seed)
  d <- data.frame(x1 = rnorm(n), x2 = rnorm(n), k = sample(0:5, n, TRUE))
  d$`odd name` <- runif(n)
  eta <- 0.3 + 0.8 * d$x1 - 0.5 * d$x2 + 0.1 * d$k
  d$y_full <- rbinom(n, 1, plogis(eta))
  d$lab <- runif(n) < 0.3
  d$y <- ifelse(d$lab, d$y_full, NA)
  d$y_llm <- ifelse(runif(n) < 0.8, d$y_full, 1 - d$y_full)
  d$x1_llm <- d$x1 + rnorm(n, sd = 0.2)
  d$y_syn <- rbinom(n, 1, plogis(eta + rnorm(n, sd = 0.5)))
  d
}

# The same call through the general route.
via_general_route <- function(expr) {
  old <- options(synthinfer.plain_design = FALSE)
  on.exit(options(old))
  expr
}

expect_same_design <- function(formula, data, ...) {
  plain <- synth_design(formula, data, ...)
  general <- via_general_route(synth_design(formula, data, ...))
  expect_identical(plain, general)
  invisible(plain)
}

test_that("plain numeric terms give the general route's design, attributes included", {
  d <- plain_data()
  fam <- stats::binomial()
  des <- expect_same_design(y ~ x1 + x2 + k, d, fam, proxy = c(y = "y_llm"))
  expect_identical(attr(des$X, "assign"), 0:3)
  expect_equal(des$X, model.matrix(~ x1 + x2 + k, d), ignore_attr = TRUE)
  expect_same_design(y ~ x1 + x2 - 1, d, fam, proxy = c(y = "y_llm"))
  expect_same_design(y ~ 0 + x2 + x1, d, fam, proxy = c(y = "y_llm"))
  expect_same_design(y ~ 1, d, fam, proxy = c(y = "y_llm"))
  expect_same_design(y ~ x1 + `odd name`, d, fam, proxy = c(y = "y_llm"))
  expect_same_design(y ~ x1 + x2 + x1, d, fam, proxy = c(y = "y_llm"))
  expect_same_design(y ~ ., d[c("y", "x1", "x2", "y_llm")], fam, proxy = c(y = "y_llm"))
  # Integer covariates and an integer response.
  d_int <- d
  d_int$y <- as.integer(d$y)
  expect_same_design(y ~ k + x1, d_int, fam, proxy = c(y = "y_llm"))
  expect_same_design(y ~ k - 1, d_int, fam, proxy = c(y = "y_llm"))
  expect_same_design(y ~ x1 + k, tibble::as_tibble(d), fam, proxy = c(y = "y_llm"))
  # Surrogate covariates (NA on unlabeled rows of the observed one) and
  # several sources.
  d_na <- d
  d_na$x1[!d$lab] <- NA
  des_na <- expect_same_design(y ~ x1 + x2, d_na, fam,
                               proxy = c(y = "y_llm", x1 = "x1_llm"),
                               synthetic = list(c(y = "y_syn", x1 = "x1_llm"), c(y = "y_llm", x1 = "x1_llm")))
  expect_true(anyNA(des_na$X[, "x1"]))
  expect_false(anyNA(des_na$proxy$X))
})

test_that("fits on the plain route equal fits on the general route", {
  d <- plain_data()
  d_na <- d
  d_na$x1[!d$lab] <- NA
  cases <- list(
    list(y ~ x1 + x2 + k, d, stats::binomial(), c(y = "y_llm")),
    list(y ~ x1 + x2 - 1, d, stats::binomial(), c(y = "y_llm")),
    list(y ~ 1, d, stats::binomial(), c(y = "y_llm")),
    list(y ~ x1 + x2, d_na, stats::binomial(), c(y = "y_llm", x1 = "x1_llm")),
    list(y ~ x1 + k, d, stats::gaussian(), c(y = "y_llm")))
  for (case in cases) {
    for (m in c("ppi++", "gmm_proxy", "classical")) {
      fit <- function() synth_glm(case[[1]], case[[2]], case[[3]], proxy = case[[4]],
                                  method = m, threads = 1)
      plain <- fit()
      general <- via_general_route(fit())
      expect_identical(coef(plain), coef(general))
      expect_identical(vcov(plain), vcov(general))
      expect_identical(plain$n_effective, general$n_effective)
    }
  }
})

test_that("terms that are not plain numeric columns take the general route", {
  d <- plain_data()
  d$g <- factor(sample(c("a", "b"), nrow(d), TRUE))
  d$flag <- d$x2 > 0
  d$when <- as.Date("2024-01-01") + seq_len(nrow(d))
  model_terms <- function(f) stats::terms(f, data = d)
  plain <- function(f) synthinfer:::plain_numeric_columns(model_terms(f), d)
  expect_identical(plain(y ~ x1 + `odd name`), c("x1", "odd name"))
  expect_identical(plain(y ~ 1), character())
  expect_null(plain(y ~ x1 + g))
  expect_null(plain(y ~ x1 + flag))
  expect_null(plain(y ~ when))
  expect_null(plain(y ~ log(k + 1)))
  expect_null(plain(y ~ x1:x2))
  expect_null(plain(y ~ x1 * x2))
  expect_null(plain(y ~ I(x1)))
  # And the designs of such formulas are unchanged: model.matrix() columns.
  des <- synth_design(y ~ x1 + g + flag, d, stats::binomial(), proxy = c(y = "y_llm"))
  expect_identical(des$terms, colnames(model.matrix(~ x1 + g + flag, d)))
  expect_equal(des$X, model.matrix(~ x1 + g + flag, d), ignore_attr = TRUE)
})

test_that("both routes give the same errors for bad covariates and responses", {
  d <- plain_data()
  both <- function(expr_fun, pattern) {
    expect_error(expr_fun(), pattern)
    expect_error(via_general_route(expr_fun()), pattern)
  }
  d_na <- d
  d_na$x2[3] <- NA
  both(function() synth_design(y ~ x1 + x2, d_na, stats::binomial(), proxy = c(y = "y_llm")),
       "column `x2` has missing or infinite values")
  d_inf <- d
  d_inf$x2[7] <- -Inf
  both(function() synth_design(y ~ x1 + x2, d_inf, stats::binomial(), proxy = c(y = "y_llm")),
       "column `x2` has missing or infinite values")
  d_bad <- d
  d_bad$y_llm[c(4, 9)] <- c(2, NaN)
  both(function() synth_design(y ~ x1, d_bad, stats::binomial(), proxy = c(y = "y_llm")),
       "`proxy` columns \\(`y_llm`\\) have missing or infinite values at row\\(s\\) 9")
  d_bad$y_llm[9] <- 0.5
  both(function() synth_design(y ~ x1, d_bad, stats::binomial(), proxy = c(y = "y_llm")),
       "outside the binomial family's support at row\\(s\\) 4 ")
  d_neg <- d
  d_neg$y[which(d$lab)[2]] <- -1
  both(function() synth_design(y ~ x1, d_neg, stats::poisson(), proxy = c(y = "y_llm")),
       "outside the poisson family's support")
  d_chr <- d
  d_chr$y <- as.character(d$y)
  both(function() synth_design(y ~ x1, d_chr, stats::binomial(), proxy = c(y = "y_llm")),
       "column `y` must be numeric")
  # A source that shares the observed matrix cannot use a predicted
  # covariate's missing values.
  d_pred <- d
  d_pred$x1[!d$lab] <- NA
  both(function() synth_design(y ~ x1, d_pred, stats::binomial(), proxy = c(y = "y_llm"),
                               synthetic = c(y = "y_syn", x1 = "x1_llm")),
       "`proxy` columns \\(`y_llm`\\) have missing or infinite values")
})

test_that("all_finite() agrees with the element-wise test", {
  all_finite <- synthinfer:::all_finite
  for (x in list(c(1, 2), c(1, NA), c(1, NaN), c(Inf, 1), c(-Inf, 1), c(1e308, 1e308),
                 c(1e308, 1e308, Inf), 1:3, c(1L, NA), c("a", NA), factor(c("a", NA)),
                 matrix(c(1, 2, NA, 4), 2), matrix(c(1, 2, 3, Inf), 2), c(1e200, 1), numeric())) {
    expected <- !anyNA(x) && !(is.numeric(x) && any(is.infinite(x)))
    expect_identical(all_finite(x), expected, info = deparse(x))
  }
})
