# synth_glm()'s one call into the core, its error channel, and the broom
# verbs added with it (augment, autoplot; tidy and glance of comparisons).

seam_data <- function(n = 600, seed = 11) {
  set.seed(seed)
  d <- data.frame(x = rnorm(n))
  d$y_full <- 1 + 0.5 * d$x + rnorm(n)
  d$y <- ifelse(seq_len(n) %% 4 == 0, d$y_full, NA)
  d$y_llm <- d$y_full + rnorm(n, sd = 0.6)
  d$y_syn <- 0.8 + 0.4 * d$x + 0.5 * (d$y_full - 1 - 0.5 * d$x) + rnorm(n, sd = 0.8)
  d
}

test_that("one core call returns every reported number, named as the fit", {
  d <- seam_data()
  des <- synth_design(y ~ x, d, proxy = c(y = "y_llm"), synthetic = c(y = "y_syn"))
  res <- synthinfer:::rs_synth_glm("gmm", "gaussian", des$X, des$y, which(des$labeled),
                                   des$proxy, des$synthetic, "small_sample", double(), 1L)
  expect_named(res, c("coefficients", "vcov", "df", "j_statistic", "j_df", "j_p_value", "lambda",
                      "mix_alpha", "surrogate_coefficients", "n_effective", "nobs_labeled",
                      "nobs_unlabeled"))
  fit <- synth_glm(y ~ x, d, proxy = c(y = "y_llm"), synthetic = c(y = "y_syn"), threads = 1)
  expect_equal(unname(coef(fit)), res$coefficients)
  expect_equal(fit$j_statistic, res$j_statistic)
  expect_true(is.na(res$lambda))
})

test_that("n_effective is the labeled count times the classical-to-method variance ratio", {
  d <- seam_data()
  fit <- synth_glm(y ~ x, d, proxy = c(y = "y_llm"), method = "ppi++", threads = 1)
  # Independent reference: HC0 sandwich of lm() on the labeled rows.
  lab <- d[!is.na(d$y), ]
  m <- stats::lm(y ~ x, lab)
  X <- stats::model.matrix(m)
  bread <- solve(crossprod(X))
  hc0 <- bread %*% crossprod(X * stats::residuals(m)) %*% bread
  expect_equal(unname(fit$n_effective), nrow(lab) * unname(diag(hc0)) / unname(diag(vcov(fit))),
               tolerance = 1e-8)
  cl <- synth_glm(y ~ x, d, method = "classical", threads = 1)
  expect_equal(unname(cl$n_effective), rep(nrow(lab), 2), tolerance = 1e-12)
  # se = "asymptotic": n_effective follows the variance reported.
  a <- synth_glm(y ~ x, d, proxy = c(y = "y_llm"), method = "gmm_proxy", se = "asymptotic",
                 threads = 1)
  expect_equal(unname(a$n_effective), nrow(lab) * unname(diag(hc0)) / unname(diag(vcov(a))),
               tolerance = 1e-8)
})

test_that("results do not depend on threads, on either side of the inline threshold", {
  for (n in c(600, 30000)) {
    d <- seam_data(n)
    for (m in c("ppi++", "gmm")) {
      f1 <- synth_glm(y ~ x, d, proxy = c(y = "y_llm"), synthetic = c(y = "y_syn"), method = m,
                      threads = 1)
      f2 <- synth_glm(y ~ x, d, proxy = c(y = "y_llm"), synthetic = c(y = "y_syn"), method = m,
                      threads = 2)
      expect_identical(coef(f1), coef(f2), info = paste(n, m))
      expect_identical(vcov(f1), vcov(f2), info = paste(n, m))
      expect_identical(f1$n_effective, f2$n_effective, info = paste(n, m))
    }
  }
})

test_that("errors reach R classed, through the one channel", {
  d <- seam_data()
  # Two identical synthetic sources: a singular moment covariance (numeric).
  e <- tryCatch(suppressWarnings(
    synth_glm(y ~ x, d, proxy = c(y = "y_llm"), synthetic = list(c(y = "y_syn"), c(y = "y_syn")),
              threads = 1)), error = identity)
  expect_s3_class(e, "synthinfer_error_numeric")
  expect_match(conditionMessage(e), "Method \"gmm\" failed: .*moment covariance")
  e <- tryCatch(synth_glm(y ~ x, d, method = "ppi++"), error = identity)
  expect_s3_class(e, "synthinfer_error_input")
  expect_identical(e$arg, "proxy")
  e <- tryCatch(synth_glm(y ~ x, d, proxy = c(y = "y_llm"), zzz = 1), error = identity)
  expect_s3_class(e, "synthinfer_error_input")
  expect_match(conditionMessage(e), "Unused argument\\(s\\) in `...`: zzz")
  d$y[!is.na(d$y)][1] <- Inf
  expect_error(synth_glm(y ~ x, d, proxy = c(y = "y_llm")), class = "synthinfer_error_input")
})

test_that("augment() adds fitted values and labeled-row residuals", {
  d <- seam_data()
  fit <- synth_glm(y ~ x, d, method = "classical", threads = 1)
  a <- augment(fit, d)
  expect_s3_class(a, "tbl_df")
  expect_identical(nrow(a), nrow(d))
  expect_equal(a$.fitted, unname(predict(fit)))
  lab <- !is.na(d$y)
  m <- stats::lm(y ~ x, d[lab, ])
  expect_equal(a$.resid[lab], unname(stats::residuals(m)), tolerance = 1e-10)
  expect_true(all(is.na(a$.resid[!lab])))
  expect_identical(a$.labeled, lab)
  b <- augment(synth_glm(y ~ x, d, proxy = c(y = "y_llm"), method = "ppi++", threads = 1))
  expect_named(b, c("y", ".fitted", ".resid", ".labeled"))
  d2 <- d
  d2$yb <- ifelse(is.na(d$y), NA, as.numeric(d$y_full > 1))
  d2$yb_llm <- as.numeric(d$y_llm > 1)
  lf <- synth_glm(yb ~ x, d2, binomial(), proxy = c(yb = "yb_llm"), method = "ppi++", threads = 1)
  r <- augment(lf, d2, type.predict = "response")
  expect_equal(r$.fitted, stats::plogis(unname(predict(lf))))
  expect_error(augment(fit, d[1:10, ]), "`data`")
})

test_that("autoplot() draws each method's estimates and intervals on the same design", {
  skip_if_not_installed("ggplot2")
  d <- seam_data()
  fit <- synth_glm(y ~ x, d, proxy = c(y = "y_llm"), synthetic = c(y = "y_syn"), threads = 1)
  methods <- c("classical", "ppi++", "gmm_proxy", "gmm")
  p <- ggplot2::autoplot(fit, methods = methods, threads = 1)
  expect_s3_class(p, "ggplot")
  expect_s3_class(p$layers[[1]]$geom, "GeomPointrange")
  for (m in methods) {
    ref <- tidy(synth_glm(y ~ x, d, proxy = c(y = "y_llm"), synthetic = c(y = "y_syn"),
                          method = m, threads = 1))
    got <- p$data[p$data$method == m, ]
    expect_equal(got$estimate, ref$estimate, info = m)
    expect_equal(got$conf.low, ref$conf.low, info = m)
    expect_equal(got$conf.high, ref$conf.high, info = m)
  }
  # A refit on a custom label mask keeps that mask.
  des <- synth_design(y ~ x, d, proxy = c(y = "y_llm"))
  mask <- des$labeled & d$x > -1
  f2 <- synth_fit_design(des, "ppi++", labeled = mask, threads = 1)
  p2 <- ggplot2::autoplot(f2, methods = "classical", threads = 1)
  expect_equal(p2$data$estimate, unname(coef(stats::lm(y ~ x, d[mask, ]))))
  expect_error(ggplot2::autoplot(synth_glm(y ~ x, d, method = "classical", threads = 1),
                                 methods = "ppi++"), "`proxy` is required")
})

test_that("tidy() and glance() summarise a method comparison", {
  d <- seam_data()
  d$y <- d$y_full
  cmp <- compare_methods(y ~ x, d, proxy = c(y = "y_llm"), methods = c("classical", "ppi++"),
                         fractions = c(0.2, 0.3), trials = 6, seed = 4, threads = 1)
  td <- tidy(cmp)
  expect_false(inherits(td, "synth_comparison"))
  expect_identical(td$coverage, cmp$coverage)
  expect_named(td, c("method", "fraction", "n_labeled", "term", "truth", "mse", "coverage",
                     "width", "trials", "failed", "j_reject"))
  g <- glance(cmp)
  expect_identical(nrow(g), 1L)
  expect_identical(g$n, nrow(d))
  expect_identical(c(g$methods, g$fractions, g$terms, g$trials), c(2L, 2L, 2L, 6L))
  expect_identical(g$seed, 4)
  expect_identical(g$min_coverage, min(cmp$coverage))
  expect_identical(g$failed, 0L)
})

test_that("compare_methods() follows the seeding rule", {
  d <- seam_data(300)
  d$y <- d$y_full
  run <- function(seed) {
    compare_methods(y ~ x, d, proxy = c(y = "y_llm"), methods = "ppi++", fractions = 0.2,
                    trials = 4, seed = seed, threads = 1)
  }
  set.seed(9)
  a <- run(NULL)
  set.seed(9)
  b <- run(NULL)
  expect_identical(a$mse, b$mse)
  expect_identical(attr(a, "seed"), attr(b, "seed"))
  # A given seed leaves R's generator alone.
  set.seed(2)
  r0 <- runif(1)
  set.seed(2)
  run(5)
  expect_identical(runif(1), r0)
  expect_identical(run(5)$mse, run(5)$mse)
})
