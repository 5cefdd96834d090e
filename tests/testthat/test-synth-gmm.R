# synth_gmm(): GMM with synthetic data for user-defined moments.
# (a) against gmm::gmm() fed the stacked moment function written here,
#     independently of the package (conventions as in test-gmm-reference.R:
#     type = "twoStep", vcov = "iid", centeredVcov = FALSE);
# (b) against synth_glm() for GLMs written as user moments;
# (c) coverage of the nominal 90% interval of a ratio of means;
# (d) bad input.

# Mean and variance of a symmetric distribution: three moments for two
# parameters (the third, E[(y - mu)^3] = 0, over-identifies), nonlinear.
sym_moments <- function(theta, data) {
  e <- data$y - theta[1]
  cbind(e, e^2 - theta[2], e^3)
}
sym_jacobian <- function(theta, data) {
  e <- data$y - theta[1]
  rbind(c(-1, 0), c(-2 * mean(e), -1), c(-3 * mean(e^2), 0))
}

sym_data <- function(n, seed) {
  set.seed(seed)
  y <- 1 + rnorm(n, sd = 1.5)
  lab <- runif(n) < 0.3
  data.frame(y = ifelse(lab, y, NA), y_llm = y + rnorm(n, sd = 0.8),
             y_syn = 0.9 + 0.6 * (y - 1) + rnorm(n, sd = 1))
}

# gmm::gmm() on the stacked moments [S psi(theta; y); per source m:
# S psi(eta_m; y^m), psi(eta_m; y^m)], with analytic derivatives.
sym_reference <- function(d, sources) {
  S <- as.numeric(!is.na(d$y))
  y0 <- ifelse(S == 1, d$y, 0)
  ys <- lapply(sources, function(s) d[[s]])
  psi <- function(th, y) { e <- y - th[1]; cbind(e, e^2 - th[2], e^3) }
  dpsi <- function(th, y, w) {
    e <- y - th[1]
    rbind(c(-sum(w), 0), c(-2 * sum(w * e), -sum(w)), c(-3 * sum(w * e^2), 0)) / length(y)
  }
  M <- length(ys)
  g <- function(par, x) {
    out <- list(S * psi(par[1:2], y0))
    for (m in seq_len(M)) {
      p <- psi(par[2 * m + 1:2], ys[[m]])
      out <- c(out, list(S * p, p))
    }
    do.call(cbind, out)
  }
  gradv <- function(par, x) {
    G <- matrix(0, 3 * (1 + 2 * M), 2 * (1 + M))
    G[1:3, 1:2] <- dpsi(par[1:2], y0, S)
    for (m in seq_len(M)) {
      e <- par[2 * m + 1:2]
      G[3 * (2 * m - 1) + 1:3, 2 * m + 1:2] <- dpsi(e, ys[[m]], S)
      G[3 * (2 * m) + 1:3, 2 * m + 1:2] <- dpsi(e, ys[[m]], rep(1, length(S)))
    }
    G
  }
  lab <- d$y[S == 1]
  t0 <- c(mean(lab), var(lab))
  for (yy in ys) t0 <- c(t0, mean(yy), var(yy))
  gmm_package_fit(g, gradv, t0, nrow(d))
}

test_that("synth_gmm() equals gmm::gmm() on over-identified nonlinear moments", {
  skip_if_not_installed("gmm")
  d <- sym_data(500, 11)
  ref <- sym_reference(d, c("y_llm", "y_syn"))
  for (jac in list(NULL, sym_jacobian)) {
    fit <- synth_gmm(sym_moments, d, start = c(mu = 0, s2 = 1), proxy = c(y = "y_llm"),
                     synthetic = c(y = "y_syn"), jacobian = jac, se = "asymptotic")
    expect_s3_class(fit, c("synth_gmm", "synth_glm"))
    expect_equal(unname(coef(fit)), ref$coef[1:2], tolerance = 1e-6)
    expect_equal(fit$surrogate_coefficients, ref$coef[-(1:2)], tolerance = 1e-6)
    expect_equal(unname(vcov(fit)), ref$vcov[1:2, 1:2], tolerance = 1e-6)
    expect_equal(fit$j_statistic, ref$j, tolerance = 1e-6)
    expect_equal(fit$j_df, ref$df)
  }
  # Proxy only.
  ref1 <- sym_reference(d, "y_llm")
  fit1 <- synth_gmm(sym_moments, d, start = c(mu = 0, s2 = 1), proxy = c(y = "y_llm"),
                    se = "asymptotic")
  expect_identical(fit1$method, "gmm_proxy")
  expect_equal(unname(coef(fit1)), ref1$coef[1:2], tolerance = 1e-6)
  expect_equal(unname(vcov(fit1)), ref1$vcov[1:2, 1:2], tolerance = 1e-6)
  expect_equal(fit1$j_statistic, ref1$j, tolerance = 1e-6)
})

glm_moments <- function(linkinv) {
  force(linkinv)
  function(theta, data) {
    X <- cbind(1, data$x1, data$x2)
    X * (data$y - linkinv(drop(X %*% theta)))
  }
}

glm_data <- function(n, family, seed) {
  set.seed(seed)
  x1 <- rnorm(n)
  x2 <- runif(n)
  eta <- 0.3 + 0.8 * x1 - 0.5 * x2
  if (family == "binomial") {
    y <- rbinom(n, 1, plogis(eta))
    y_llm <- ifelse(runif(n) < 0.8, y, 1 - y)
    y_syn <- rbinom(n, 1, plogis(0.2 + 0.6 * x1 + 1.2 * (y - 0.5)))
  } else {
    y <- eta + rnorm(n)
    y_llm <- y + 0.5 * rnorm(n)
    y_syn <- 0.2 + 0.7 * x1 + 0.6 * (y - eta) + 0.5 * rnorm(n)
  }
  lab <- runif(n) < 0.3
  data.frame(y = ifelse(lab, y, NA), x1, x2, y_llm, y_syn, x1_llm = x1 + 0.3 * rnorm(n))
}

expect_same_as_synth_glm <- function(d, family, proxy, synthetic, method, se) {
  fam <- get(family, mode = "function")()
  ref <- suppressWarnings(synth_glm(y ~ x1 + x2, d, fam, proxy = proxy, synthetic = synthetic,
                                    method = method, se = se, threads = 1))
  fit <- suppressWarnings(synth_gmm(glm_moments(fam$linkinv), d, start = c(a = 0, b1 = 0, b2 = 0),
                                    proxy = proxy, synthetic = synthetic, method = method, se = se))
  a <- tidy(fit)
  b <- tidy(ref)
  info <- paste(family, method, se)
  expect_equal(a$estimate, b$estimate, tolerance = 1e-6, info = info)
  expect_equal(a$std.error, b$std.error, tolerance = 1e-6, info = info)
  expect_equal(a$conf.low, b$conf.low, tolerance = 1e-6, info = info)
  expect_equal(fit$df, ref$df, info = info)
  expect_equal(unname(fit$n_effective), unname(ref$n_effective), tolerance = 1e-6, info = info)
  expect_equal(fit$j_statistic, ref$j_statistic, tolerance = 1e-6, info = info)
  expect_equal(fit$surrogate_coefficients, ref$surrogate_coefficients, tolerance = 1e-6, info = info)
}

test_that("synth_gmm() on GLM moments equals synth_glm() (gaussian, binomial)", {
  d <- glm_data(600, "gaussian", 5)
  for (se in c("asymptotic", "small_sample")) {
    expect_same_as_synth_glm(d, "gaussian", c(y = "y_llm", x1 = "x1_llm"), c(y = "y_syn"), "gmm", se)
  }
  expect_same_as_synth_glm(d, "gaussian", c(y = "y_llm"), NULL, "gmm_proxy", "small_sample")
  expect_same_as_synth_glm(d, "gaussian", c(y = "y_llm"), NULL, "classical", "asymptotic")
  db <- glm_data(800, "binomial", 6)
  for (se in c("asymptotic", "small_sample")) {
    expect_same_as_synth_glm(db, "binomial", c(y = "y_llm"), c(y = "y_syn"), "gmm", se)
  }
})

test_that("the methods of synth_glm() work on synth_gmm() fits", {
  d <- sym_data(400, 3)
  fit <- synth_gmm(sym_moments, d, start = c(mu = 0, s2 = 1), proxy = c(y = "y_llm"),
                   synthetic = c(y = "y_syn"))
  expect_named(coef(fit), c("mu", "s2"))
  expect_true(is.finite(fit$df) && fit$df == fit$nobs_labeled - 6)
  tab <- tidy(fit)
  expect_equal(tab$conf.low, tab$estimate - qt(0.95, fit$df) * tab$std.error)
  expect_equal(unname(confint(fit)[, 1]), tab$conf.low)
  g <- glance(fit)
  expect_equal(g$j_df, 9L)
  expect_identical(g$method, "gmm")
  expect_equal(g$n_effective, mean(fit$n_effective))
  expect_equal(nobs(fit), 400)
  expect_output(print(fit), "synth_gmm")
  expect_output(print(summary(fit)), "Hansen J")
  expect_error(predict(fit), class = "synthinfer_error_input")
  # Unnamed start values name the coefficients theta1, theta2.
  fit2 <- synth_gmm(sym_moments, d, start = c(0, 1), proxy = c(y = "y_llm"), method = "classical")
  expect_named(coef(fit2), c("theta1", "theta2"))
  expect_true(is.infinite(fit2$df))
})

test_that("synth_gmm() intervals for a ratio of means cover at the nominal 90% rate", {
  # theta = E[y] / E[x] = 2, moment y - theta x; 100 labels of 500 rows,
  # heteroskedastic y, a noisy proxy and a correlated synthetic source.
  reps <- 300
  covered <- vapply(seq_len(reps), function(r) {
    set.seed(1000 + r)
    n <- 500
    x <- 1 + rexp(n)
    y <- 2 * x + rnorm(n, sd = 0.5 * x)
    lab <- seq_len(n) %in% sample.int(n, 100)
    d <- data.frame(x, y = ifelse(lab, y, NA), y_llm = y + rnorm(n, sd = 0.7),
                    y_syn = 1.7 * x + 0.6 * (y - 2 * x) + rnorm(n, sd = 0.6))
    fit <- suppressWarnings(synth_gmm(function(theta, data) data$y - theta * data$x, d, start = 1,
                                      proxy = c(y = "y_llm"), synthetic = c(y = "y_syn"),
                                      jacobian = function(theta, data) -mean(data$x)),
                            classes = "synthinfer_warning_j_test")
    ci <- confint(fit)
    ci[1, 1] <= 2 && 2 <= ci[1, 2]
  }, logical(1))
  # Monte Carlo standard error of the coverage at 0.9: sqrt(0.9 * 0.1 / 300)
  # = 0.017; accept within 3 of them.
  mc_se <- sqrt(0.9 * 0.1 / reps)
  expect_gt(mean(covered), 0.9 - 3 * mc_se)
  expect_lt(mean(covered), 0.9 + 3 * mc_se)
})

test_that("synth_gmm() rejects bad input with classed errors", {
  d <- sym_data(300, 4)
  px <- c(y = "y_llm")
  err <- function(expr, arg) {
    e <- expect_error(expr, class = "synthinfer_error_input")
    if (!missing(arg)) expect_identical(e$arg, arg)
    invisible(e)
  }
  err(synth_gmm("mean", d, start = 0, proxy = px), "moments")
  err(synth_gmm(sym_moments, d, start = c(0, 1), proxy = px, jacobian = 3), "jacobian")
  err(synth_gmm(sym_moments, as.list(d), start = c(0, 1), proxy = px), "data")
  err(synth_gmm(sym_moments, d, start = c(0, NA), proxy = px), "start")
  err(synth_gmm(sym_moments, d, start = "a", proxy = px), "start")
  # More parameters than moments.
  e <- err(synth_gmm(sym_moments, d, start = c(0, 1, 2, 3), proxy = px), "start")
  expect_match(conditionMessage(e), "4 parameter\\(s\\) but `moments` returns 3")
  # Wrong shapes.
  e <- err(synth_gmm(function(theta, data) colMeans(sym_moments(theta, data)), d, start = c(0, 1),
                     proxy = px), "moments")
  expect_match(conditionMessage(e), "one row per row")
  err(synth_gmm(function(theta, data) list(1), d, start = c(0, 1), proxy = px), "moments")
  err(synth_gmm(function(theta, data) if (nrow(data) < 300) sym_moments(theta, data) else
    sym_moments(theta, data)[, 1:2], d, start = c(0, 1), proxy = px), "moments")
  # Non-finite values: which rows and columns.
  d_bad <- d
  d_bad$y_llm[c(7, 9)] <- NA
  e <- err(synth_gmm(sym_moments, d_bad, start = c(0, 1), proxy = px), "moments")
  expect_match(conditionMessage(e), "proxy copy")
  expect_match(conditionMessage(e), "row\\(s\\) 7, 9, column\\(s\\) 1, 2, 3")
  # A variable missing on unlabeled rows and not mapped.
  e <- err(synth_gmm(sym_moments, d, start = c(0, 1), synthetic = c(y_syn = "y_llm"),
                     labeled = !is.na(d$y)), "moments")
  expect_match(conditionMessage(e), "synthetic source copy")
  # On the labeled rows, the rows are those of `data`.
  d_lab <- d
  d_lab$y[which(!is.na(d$y))[2]] <- Inf
  e <- err(synth_gmm(sym_moments, d_lab, start = c(0, 1), proxy = px), "moments")
  expect_match(conditionMessage(e), paste0("labeled rows of `data` at theta = \\(0, 1\\): row\\(s\\) ",
                                           which(!is.na(d$y))[2], ","))
  # A failing moment function.
  e <- err(synth_gmm(function(theta, data) stop("boom"), d, start = 0, proxy = px), "moments")
  expect_match(conditionMessage(e), "boom")
  # Jacobian of the wrong shape.
  err(synth_gmm(sym_moments, d, start = c(0, 1), proxy = px, jacobian = function(theta, data) diag(2)),
      "jacobian")
  # Labels.
  err(synth_gmm(sym_moments, d, start = c(0, 1), proxy = px, labeled = seq_len(nrow(d)) <= 4), "labeled")
  err(synth_gmm(sym_moments, d, start = c(0, 1), proxy = px, labeled = rep(FALSE, nrow(d))), "labeled")
  err(synth_gmm(sym_moments, d, start = c(0, 1), proxy = px, labeled = TRUE), "labeled")
  err(synth_gmm(sym_moments, transform(d, y = y_llm), start = c(0, 1), proxy = px), "labeled")
  # Maps and methods.
  err(synth_gmm(sym_moments, d, start = c(0, 1), proxy = c(y = "nope")), "proxy")
  err(synth_gmm(sym_moments, d, start = c(0, 1), proxy = "y_llm"), "proxy")
  err(synth_gmm(sym_moments, d, start = c(0, 1), synthetic = c(y = "y_syn"), method = "gmm_proxy"), "proxy")
  err(synth_gmm(sym_moments, d, start = c(0, 1)), "proxy")
  err(synth_gmm(sym_moments, d, start = c(0, 1), proxy = px, method = "ppi"), "method")
  err(synth_gmm(sym_moments, d, start = c(0, 1), proxy = px, se = "hc0"), "se")
  err(synth_gmm(sym_moments, d, start = c(0, 1), proxy = px, foo = 1), "...")
  # Numerical failures: a Jacobian of the wrong sign never decreases the
  # objective; moments that do not identify a parameter.
  e <- expect_error(synth_gmm(sym_moments, d, start = c(0, 1), proxy = px,
                              jacobian = function(theta, data) -sym_jacobian(theta, data)),
                    class = "synthinfer_error_numeric")
  expect_match(conditionMessage(e), "did not converge")
  expect_error(synth_gmm(function(theta, data) cbind(data$y - theta[1], 2 * (data$y - theta[1])), d,
                         start = c(0, 1), proxy = px),
               class = "synthinfer_error_numeric")
})
