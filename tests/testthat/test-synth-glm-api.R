# The synth_glm() interface: design building, refits under label masks,
# S3 methods and broom verbs.

api_data <- function(n = 600, seed = 5) {
  set.seed(seed)
  d <- data.frame(x = rnorm(n), g = factor(sample(c("a", "b", "c"), n, TRUE)))
  d$y_full <- 1 + 0.5 * d$x + 0.4 * (d$g == "b") + rnorm(n)
  d$lab <- runif(n) < 0.3
  d$y <- ifelse(d$lab, d$y_full, NA)
  d$y_llm <- d$y_full + rnorm(n, sd = 0.6)
  d$g_llm <- factor(ifelse(runif(n) < 0.9, as.character(d$g), "a"), levels = c("a", "b", "c"))
  d$y_syn <- 0.8 + 0.4 * d$x + 0.5 * (d$y_full - 1 - 0.5 * d$x) + rnorm(n, sd = 0.8)
  d$y_syn2 <- 0.9 + 0.5 * d$x + 0.3 * (d$y_full - 1 - 0.5 * d$x) + rnorm(n, sd = 0.9)
  d
}

test_that("surrogate model matrices use the observed data's terms, levels and contrasts", {
  d <- api_data()
  des <- synth_design(y ~ x * g, d, proxy = c(y = "y_llm", g = "g_llm"))
  d2 <- d
  d2$g <- d$g_llm
  expect_equal(des$proxy$X, model.matrix(~ x * g, d2), ignore_attr = TRUE)
  expect_identical(colnames(des$proxy$X), colnames(des$X))
  expect_equal(des$proxy$y, d$y_llm)
  expect_identical(des$labeled, d$lab)
  expect_identical(des$terms, colnames(model.matrix(~ x * g, d)))
  expect_output(print(des), "600 rows \\(\\d+ labeled\\)")
})

test_that("synth_fit_design() with a mask equals synth_glm() on data with hidden labels", {
  d <- api_data()
  full <- d
  full$y <- d$y_full
  des <- synth_design(y ~ x + g, full, proxy = c(y = "y_llm"), synthetic = c(y = "y_syn"))
  expect_true(all(des$labeled))
  for (m in c("gmm", "ppi++", "classical")) {
    a <- synth_fit_design(des, m, labeled = d$lab, threads = 1)
    b <- synth_glm(y ~ x + g, d, proxy = c(y = "y_llm"), synthetic = c(y = "y_syn"),
                   method = m, threads = 1)
    expect_equal(coef(a), coef(b), tolerance = 1e-12)
    expect_equal(vcov(a), vcov(b), tolerance = 1e-12)
  }
})

test_that("results do not depend on the number of threads", {
  d <- api_data(n = 9000, seed = 6)
  f1 <- synth_glm(y ~ x + g, d, proxy = c(y = "y_llm"), synthetic = c(y = "y_syn"), threads = 1)
  f2 <- synth_glm(y ~ x + g, d, proxy = c(y = "y_llm"), synthetic = c(y = "y_syn"), threads = 2)
  expect_identical(coef(f1), coef(f2))
  expect_identical(vcov(f1), vcov(f2))
  expect_identical(f1$j_statistic, f2$j_statistic)
})

test_that("confint, tidy and glance agree and follow alpha", {
  d <- api_data()
  fit <- synth_glm(y ~ x + g, d, proxy = c(y = "y_llm"), synthetic = c(y = "y_syn"),
                   alpha = 0.05, se = "asymptotic", threads = 1)
  se <- sqrt(diag(vcov(fit)))
  ci <- confint(fit)
  expect_equal(unname(ci[, 2] - ci[, 1]), unname(2 * qnorm(0.975) * se))
  expect_identical(colnames(ci), c("2.5 %", "97.5 %"))
  expect_equal(unname(confint(fit, "x", level = 0.8)[1, ]),
               unname(coef(fit)["x"] + c(-1, 1) * qnorm(0.9) * se["x"]))
  td <- tidy(fit)
  expect_s3_class(td, "tbl_df")
  expect_identical(names(td), c("term", "estimate", "std.error", "statistic", "p.value",
                                "conf.low", "conf.high"))
  expect_equal(td$conf.low, unname(ci[, 1]))
  expect_equal(td$p.value, unname(2 * pnorm(-abs(coef(fit) / se))))
  expect_identical(ncol(tidy(fit, conf.int = FALSE)), 5L)
  gl <- glance(fit)
  expect_identical(gl$method, "gmm")
  expect_identical(gl$nobs_labeled, sum(d$lab))
  expect_identical(gl$nobs_unlabeled, sum(!d$lab))
  expect_identical(gl$j_df, 8L) # p = 4 coefficients, M = 2 surrogate sources
  expect_equal(gl$j_p_value, pchisq(gl$j_statistic, 8, lower.tail = FALSE))
  expect_true(is.na(gl$lambda))
  expect_equal(gl$n_effective, mean(fit$n_effective))
  # Effective n: classical variance / this variance x labeled n.
  cl <- synth_glm(y ~ x + g, d, proxy = c(y = "y_llm"), method = "classical", threads = 1)
  expect_equal(fit$n_effective, sum(d$lab) * diag(vcov(cl)) / diag(vcov(fit)))
  expect_identical(nobs(fit), nrow(d))
  expect_identical(nobs(cl), sum(d$lab))
})

test_that("predict() gives the linear predictor and the mean on new data", {
  d <- api_data()
  d$count <- ifelse(d$lab, rpois(nrow(d), exp(0.2 + 0.3 * d$x)), NA)
  d$count_llm <- rpois(nrow(d), exp(0.2 + 0.3 * d$x))
  fit <- synth_glm(count ~ x + g, d, poisson(), proxy = c(count = "count_llm"), threads = 1)
  nd <- data.frame(x = c(-1, 0, 2), g = factor(c("c", "a", "b"), levels = c("a", "b", "c")))
  X <- cbind(1, nd$x, nd$g == "b", nd$g == "c")
  expect_equal(predict(fit, nd), drop(X %*% coef(fit)), ignore_attr = TRUE)
  expect_equal(predict(fit, nd, type = "response"), exp(drop(X %*% coef(fit))), ignore_attr = TRUE)
  expect_length(predict(fit), nrow(d))
  expect_error(predict(fit, data.frame(x = 1, g = "z")), "newdata")
})

test_that("several synthetic sources each get a moment block", {
  d <- api_data()
  fit <- synth_glm(y ~ x, d, proxy = c(y = "y_llm"),
                   synthetic = list(c(y = "y_syn"), c(y = "y_syn2")), threads = 1)
  expect_identical(fit$j_df, 2L * 3L)
  expect_length(fit$surrogate_coefficients, 2L * 3L)
  expect_identical(glance(fit)$n_sources, 3L)
  # Without a proxy the synthetic sources alone form the GMM.
  only_syn <- synth_glm(y ~ x, d, synthetic = c(y = "y_syn"), threads = 1)
  expect_identical(only_syn$j_df, 2L)
  # gmm_proxy ignores the synthetic sources.
  gp <- synth_glm(y ~ x, d, proxy = c(y = "y_llm"), synthetic = c(y = "y_syn"),
                  method = "gmm_proxy", threads = 1)
  expect_identical(gp$j_df, 2L)
})

test_that("informative surrogates shrink the GMM variance below the classical one", {
  d <- api_data(n = 3000, seed = 8)
  cl <- synth_glm(y ~ x, d, proxy = c(y = "y_llm"), method = "classical", threads = 1)
  gm <- synth_glm(y ~ x, d, proxy = c(y = "y_llm"), synthetic = c(y = "y_syn"), threads = 1)
  expect_true(all(diag(vcov(gm)) < diag(vcov(cl))))
  expect_true(all(gm$n_effective > sum(d$lab)))
})

test_that("print and summary show the method, table and J test", {
  d <- api_data()
  fit <- synth_glm(y ~ x, d, proxy = c(y = "y_llm"), synthetic = c(y = "y_syn"), threads = 1)
  expect_output(print(fit), "two-step GMM")
  expect_output(print(summary(fit)), "Hansen J = .* on 4 df")
  expect_output(print(summary(fit)), "Effective n")
  pp <- synth_glm(y ~ x, d, proxy = c(y = "y_llm"), method = "ppi++", threads = 1)
  expect_output(print(summary(pp)), "lambda = ")
  nv <- synth_glm(y ~ x, d, synthetic = c(y = "y_syn"), method = "naive", threads = 1)
  expect_output(print(summary(nv)), "not valid")
})

test_that("a covariate observed only on labeled rows works through its proxy", {
  d <- api_data()
  d$x_obs <- ifelse(d$lab, d$x, NA)
  d$x_llm <- d$x + rnorm(nrow(d), sd = 0.3)
  for (m in c("gmm", "ppi++", "classical")) {
    fit <- synth_glm(y ~ x_obs, d, proxy = c(y = "y_llm", x_obs = "x_llm"), method = m, threads = 1)
    expect_true(all(is.finite(coef(fit))) && all(is.finite(vcov(fit))), info = m)
  }
  cl <- synth_glm(y ~ x_obs, d, proxy = c(y = "y_llm", x_obs = "x_llm"), method = "classical",
                  threads = 1)
  expect_equal(unname(coef(cl)), unname(coef(lm(y ~ x_obs, d[d$lab, ]))), tolerance = 1e-10)
  des <- synth_design(y ~ x_obs, d, proxy = c(y = "y_llm", x_obs = "x_llm"))
  d2 <- d
  d2$y <- d$y_full
  des2 <- synth_design(y ~ x_obs, d2, proxy = c(y = "y_llm", x_obs = "x_llm"))
  expect_error(synth_fit_design(des2, "gmm", labeled = rep(TRUE, nrow(d))),
               "missing covariates")
})

test_that("uninformative surrogates leave the GMM variance at the classical one", {
  # With surrogate residuals independent of the real ones, GMM's asymptotic
  # variance equals the labeled-only variance (Byun et al., section 4.5).
  # n = 20000 with 25% labels: the estimated variance ratio is within a few
  # percent of 1 (its sampling error is O(n^-1/2)); we allow 10%.
  set.seed(21)
  n <- 20000
  d <- data.frame(x = rnorm(n))
  y <- 0.5 + d$x + rnorm(n)
  d$y <- ifelse(runif(n) < 0.25, y, NA)
  d$y_junk <- 0.3 + 0.8 * d$x + rnorm(n)
  gm <- synth_glm(y ~ x, d, synthetic = c(y = "y_junk"), threads = 2)
  cl <- synth_glm(y ~ x, d, synthetic = c(y = "y_junk"), method = "classical", threads = 2)
  ratio <- diag(vcov(gm)) / diag(vcov(cl))
  expect_true(all(abs(ratio - 1) < 0.1), info = paste(round(ratio, 3), collapse = " "))
  # A surrogate that tracks the real residual closely recovers most of the
  # unlabeled rows' information: effective n far above the labeled count.
  d$y_good <- y + rnorm(n, sd = 0.1)
  good <- synth_glm(y ~ x, d, proxy = c(y = "y_good"), method = "gmm_proxy", threads = 2)
  expect_true(all(good$n_effective > 3 * sum(!is.na(d$y))))
})

test_that("`y ~ .` expands to the observed covariates, not the surrogate columns", {
  d <- api_data()[c("x", "g", "y", "y_llm", "y_syn")]
  fit <- synth_glm(y ~ ., d, proxy = c(y = "y_llm"), synthetic = c(y = "y_syn"), threads = 1)
  expect_identical(names(coef(fit)), c("(Intercept)", "x", "gb", "gc"))
  expect_error(synth_glm(y ~ x + offset(x), d, proxy = c(y = "y_llm")), "offset")
})

test_that("tibbles and logical responses are accepted", {
  d <- api_data()
  d$yb <- ifelse(d$lab, d$y_full > 1, NA)
  d$yb_llm <- d$y_llm > 1
  fit <- synth_glm(yb ~ x, tibble::as_tibble(d), binomial(), proxy = c(yb = "yb_llm"),
                   method = "ppi++", threads = 1)
  ref <- synth_glm(yb ~ x, transform(d, yb = as.numeric(yb), yb_llm = as.numeric(yb_llm)),
                   binomial(), proxy = c(yb = "yb_llm"), method = "ppi++", threads = 1)
  expect_equal(coef(fit), coef(ref))
})
