# method = "reppi": recalibrated prediction-powered inference (Ji, Lei and
# Zrnic 2025), as documented in ?synth_glm (Methods). References are
# computed here independently: the mean by explicit covariance formulas, OLS
# and logistic regression by lm.fit / glm.fit on the cross-fitting folds.

# An independent implementation of the documented estimator: pilot fits by
# glm.fit (lm.fit for OLS), learners by lm.fit on each fold's complement
# (aliased regressors get coefficient 0, as lm does), folds round-robin over
# the labeled rows in row order.
reppi_reference <- function(X, y, Xp, yp, labeled, family = "gaussian", K = 5) {
  fam <- switch(family, gaussian = stats::gaussian(), binomial = stats::binomial())
  L <- which(labeled); U <- which(!labeled)
  n <- length(L); N <- length(U); p <- ncol(X)
  fit_pilot <- function(rows) {
    if (family == "gaussian") return(unname(lm.fit(X[rows, , drop = FALSE], y[rows])$coefficients))
    unname(stats::glm.fit(X[rows, , drop = FALSE], y[rows], family = fam,
                          control = stats::glm.control(epsilon = 1e-14, maxit = 100))$coefficients)
  }
  score <- function(rows, theta) X[rows, , drop = FALSE] * c(y[rows] - fam$linkinv(X[rows, , drop = FALSE] %*% theta))
  intercept <- all(Xp[, 1] == 1)
  features <- function(rows) {
    xo <- Xp[rows, if (intercept) -1 else seq_len(p), drop = FALSE]
    f <- cbind(1, yp[rows])
    for (k in seq_len(ncol(xo))) f <- cbind(f, xo[, k], yp[rows] * xo[, k])
    f
  }
  regressors <- function(rows, j) Xp[rows, j] * features(rows)
  theta0 <- fit_pilot(L)
  psi <- score(L, theta0)
  fold <- (seq_len(n) - 1L) %% K
  gL <- matrix(0, n, p)
  coef_u <- rep(list(0), p)
  for (k in 0:(K - 1)) {
    train <- L[fold != k]
    s <- score(train, fit_pilot(train))
    for (j in seq_len(p)) {
      b <- lm.fit(regressors(train, j), s[, j])$coefficients
      b[is.na(b)] <- 0
      gL[fold == k, j] <- regressors(L[fold == k], j) %*% b
      coef_u[[j]] <- coef_u[[j]] + mean(fold == k) * b
    }
  }
  gU <- matrix(vapply(seq_len(p), function(j) c(regressors(U, j) %*% coef_u[[j]]), numeric(N)), N, p)
  M <- stats::cov(psi, gL) %*% solve(stats::cov(gL)) / (1 + n / N)
  shift <- M %*% (colMeans(gL) - colMeans(gU))
  hessian <- function(theta) {
    XL <- X[L, , drop = FALSE]
    crossprod(XL * c(fam$mu.eta(XL %*% theta)), XL) / n
  }
  theta <- theta0
  for (it in 1:50) {
    step <- solve(hessian(theta), colMeans(score(L, theta)) - shift)
    theta <- theta + step
    if (max(abs(step)) < 1e-13) break
  }
  e <- score(L, theta) - gL %*% t(M)
  Hi <- solve(hessian(theta))
  unlabeled_part <- n / N * M %*% stats::cov(gU) %*% t(M)
  # se = "small_sample": centred residuals times 1 / ((1 - h) sqrt(1 - l))
  # (h: hat values of the labeled rows' GLM fit at theta, from the QR of
  # sqrt(w) X; l: hat values of the centred learned scores, from their QR),
  # their cross-product divided by n - K, K = 2 p + (learner features).
  XL <- X[L, , drop = FALSE]
  h <- rowSums(qr.Q(qr(XL * sqrt(c(fam$mu.eta(XL %*% theta)))))^2)
  l <- rowSums(qr.Q(qr(sweep(gL, 2, colMeans(gL))))^2)
  ec <- sweep(e, 2, colMeans(e)) / ((1 - pmin(h, 0.99)) * sqrt(1 - pmin(l, 0.99)))
  K <- 2 * p + ncol(features(L[1]))
  list(coefficients = c(theta),
       vcov = Hi %*% (stats::cov(e) + unlabeled_part) %*% Hi / n,
       vcov_small_sample = Hi %*% (crossprod(ec) / (n - K) + unlabeled_part) %*% Hi / n,
       df = n - K)
}

reppi_data <- function(n, seed, frac = 0.25) {
  set.seed(seed)
  x1 <- rnorm(n)
  x2 <- rbinom(n, 1, 0.4)
  y <- 1 + 0.5 * x1 - 0.7 * x2 + rnorm(n) * (1 + 0.5 * abs(x1))
  yb <- rbinom(n, 1, plogis(-0.3 + x1 - 0.5 * x2))
  lab <- runif(n) < frac
  data.frame(x1, x2, y = ifelse(lab, y, NA),
             y_llm = 0.3 + 0.7 * y + 0.4 * x1 * (y > 1) + rnorm(n, sd = 0.6),
             x1_llm = x1 + rnorm(n, sd = 0.5),
             yb = ifelse(lab, yb, NA), yb_llm = ifelse(runif(n) < 0.8, yb, 1 - yb))
}

test_that("the mean matches its closed form (cross-fitted regression estimator)", {
  set.seed(1)
  n <- 500
  y <- rnorm(n, 2)
  d <- data.frame(y = ifelse(runif(n) < 0.3, y, NA), y_llm = 0.5 + 0.8 * y + rnorm(n, sd = 0.7))
  fit <- synth_glm(y ~ 1, d, proxy = c(y = "y_llm"), method = "reppi", se = "asymptotic", threads = 1)
  lab <- !is.na(d$y)
  yl <- d$y[lab]; hl <- d$y_llm[lab]; hu <- d$y_llm[!lab]
  nl <- length(yl); nu <- length(hu)
  fold <- (seq_len(nl) - 1L) %% 5L
  # Fold k's learner: least squares of y - mean(y) on (1, yhat) over the
  # other folds, i.e. slope b_k = cov / var and intercept -b_k mean(yhat).
  b <- vapply(0:4, function(k) cov(yl[fold != k], hl[fold != k]) / var(hl[fold != k]), 0)
  a <- vapply(0:4, function(k) -b[k + 1] * mean(hl[fold != k]), 0)
  g_l <- a[fold + 1] + b[fold + 1] * hl
  w <- tabulate(fold + 1L, 5L) / nl
  g_u <- sum(w * a) + sum(w * b) * hu
  m <- cov(yl, g_l) / var(g_l) / (1 + nl / nu)
  est <- mean(yl) - m * (mean(g_l) - mean(g_u))
  v <- var(yl - m * g_l) / nl + m^2 * var(g_u) / nu
  expect_equal(unname(coef(fit)), est, tolerance = 1e-12)
  expect_equal(unname(vcov(fit)[1, 1]), v, tolerance = 1e-10)
  # ... which is the regression estimator mean(y) + slope (mean_all(yhat) -
  # mean_L(yhat)) up to the cross-fitting noise in the slope.
  reg <- mean(yl) + cov(yl, hl) / var(hl) * (mean(d$y_llm) - mean(hl))
  expect_lt(abs(est - reg), 0.05 * sqrt(v))
})

test_that("OLS and logistic fits agree with an independent implementation", {
  d <- reppi_data(1200, 11)
  check <- function(formula, family, proxy, fam_name) {
    fit <- synth_glm(formula, d, family, proxy = proxy, method = "reppi", se = "asymptotic", threads = 1)
    des <- synth_design(formula, d, family, proxy = proxy)
    ref <- reppi_reference(des$X, des$y, des$proxy$X, des$proxy$y, des$labeled, fam_name)
    expect_equal(unname(coef(fit)), ref$coefficients, tolerance = 1e-10)
    expect_equal(unname(vcov(fit)), unname(ref$vcov), tolerance = 1e-9)
    expect_identical(fit$df, Inf)
    # The default, se = "small_sample": same estimate, the corrected
    # covariance and t quantiles on n - K degrees of freedom.
    ss <- synth_glm(formula, d, family, proxy = proxy, method = "reppi", threads = 1)
    expect_identical(coef(ss), coef(fit))
    expect_equal(unname(vcov(ss)), unname(ref$vcov_small_sample), tolerance = 1e-9)
    expect_identical(ss$df, ref$df)
    expect_identical(ss$se_type, "small_sample")
    expect_true(all(diag(vcov(ss)) > diag(vcov(fit))))
    td <- tidy(ss)
    expect_equal(td$conf.high - td$estimate, qt(0.95, ref$df) * sqrt(diag(ref$vcov_small_sample)),
                 tolerance = 1e-9, ignore_attr = TRUE)
  }
  check(y ~ x1 + x2, gaussian(), c(y = "y_llm"), "gaussian")
  # A predicted covariate: the learner reads the proxy covariates.
  check(y ~ x1 + x2, gaussian(), c(y = "y_llm", x1 = "x1_llm"), "gaussian")
  check(yb ~ x1 + x2, binomial(), c(yb = "yb_llm"), "binomial")
})

test_that("RePPI is deterministic and does not depend on threads", {
  d <- reppi_data(800, 12)
  a <- synth_glm(y ~ x1 + x2, d, proxy = c(y = "y_llm"), method = "reppi", threads = 1)
  b <- synth_glm(y ~ x1 + x2, d, proxy = c(y = "y_llm"), method = "reppi", threads = 2)
  expect_identical(coef(a), coef(b))
  expect_identical(vcov(a), vcov(b))
  expect_identical(tidy(a)$term, c("(Intercept)", "x1", "x2"))
  expect_identical(glance(a)$method, "reppi")
  expect_error(synth_glm(y ~ x1, d, method = "reppi"), class = "synthinfer_error_input")
})

test_that("nominal 90% intervals cover (linear and logistic)", {
  # 300 fresh samples per family, n = 4000, 10% labeled (400 labels), three
  # coefficients each; intervals for the true coefficients. Pooled over
  # 600 independent replications the coverage has sd at most
  # sqrt(.9 * .1 / 600) = 0.012, so [0.86, 0.94] is more than 3 sd either
  # side; per family (300 replications, sd <= 0.017), [0.83, 0.97].
  res <- rbind(
    synthinfer:::coverage_study(4000, fraction = 0.1, reps = 300, regime = "good",
                                methods = "reppi", seed = 21, threads = 2),
    synthinfer:::coverage_study(4000, fraction = 0.1, reps = 300, regime = "good",
                                family = "binomial", methods = "reppi", seed = 22, threads = 2))
  expect_true(all(res$failed == 0))
  by_family <- tapply(res$coverage, res$family, mean)
  expect_true(all(by_family > 0.83 & by_family < 0.97), label = format(by_family))
  expect_gt(mean(res$coverage), 0.86)
  expect_lt(mean(res$coverage), 0.94)
})

test_that("never worse than the labeled rows alone, even with a useless proxy", {
  skip_on_cran()
  # Fresh samples of n = 1000 with 200 labels; y = 1 + 0.5 x + N(0, 1).
  # Proxies: good (y + noise), rescaled with a covariate-dependent error
  # (negatively related to y, which PPI's lambda in [0, 1] cannot use), and
  # useless (independent noise). Paired squared errors D = err_reppi^2 -
  # err_classical^2 over R = 300 replications; their mean relative to the
  # classical MSE must not exceed 3 Monte Carlo standard errors, plus for
  # the useless proxy an allowance of 0.05 for RePPI's finite-sample cost
  # (2 recalibration and 2 x 4 learner coefficients estimated from 200
  # labels, O(dim / n); measured 1.007 and 1.035 (intercept, slope) over
  # 1000 replications, vanishing as n grows). Measured ratios (1000
  # replications): good 0.35, rescaled 0.84.
  gen <- function(design) {
    n <- 1000
    x <- rnorm(n)
    y <- 1 + 0.5 * x + rnorm(n)
    yh <- switch(design, good = y + rnorm(n, sd = 0.5),
                 rescaled = 2 - 0.5 * y + 0.8 * x * (y - 1) + rnorm(n, sd = 0.5),
                 useless = rnorm(n))
    data.frame(x, y = ifelse(seq_len(n) <= 200, y, NA), y_llm = yh)
  }
  set.seed(31)
  reps <- 300
  for (design in c("good", "rescaled", "useless")) {
    err <- t(replicate(reps, {
      des <- synth_design(y ~ x, gen(design), proxy = c(y = "y_llm"))
      c(coef(synth_fit_design(des, "reppi", threads = 1)),
        coef(synth_fit_design(des, "classical", threads = 1))) - c(1, 0.5, 1, 0.5)
    }))
    D <- err[, 1:2]^2 - err[, 3:4]^2
    mse_cl <- colMeans(err[, 3:4]^2)
    excess <- colMeans(D) / mse_cl
    se <- apply(D, 2, sd) / sqrt(reps) / mse_cl
    allowance <- if (design == "useless") 0.05 else 0
    expect_true(all(excess <= allowance + 3 * se),
                label = sprintf("%s: excess %s, se %s", design, toString(round(excess, 3)),
                                toString(round(se, 3))))
    if (design == "good") expect_true(all(excess < -0.4))
  }
})

test_that("compare_methods() runs \"reppi\"", {
  set.seed(41)
  n <- 1500
  x <- rnorm(n)
  y <- 1 + 0.5 * x + rnorm(n)
  d <- data.frame(x, y, y_llm = y + rnorm(n, sd = 0.5))
  cmp <- compare_methods(y ~ x, d, proxy = c(y = "y_llm"), methods = c("classical", "reppi"),
                         fractions = c(0.1, 0.2), trials = 40, threads = 2, seed = 1)
  expect_setequal(unique(cmp$method), c("classical", "reppi"))
  expect_equal(nrow(cmp), 2 * 2 * 2)
  expect_true(all(cmp$trials == 40 & cmp$failed == 0))
  expect_true(all(is.na(cmp$j_reject)))
  w <- tapply(cmp$width, cmp$method, mean)
  expect_lt(w[["reppi"]], 0.8 * w[["classical"]])
  # The same trials are reproducible.
  again <- compare_methods(y ~ x, d, proxy = c(y = "y_llm"), methods = c("classical", "reppi"),
                           fractions = c(0.1, 0.2), trials = 40, threads = 1, seed = 1)
  expect_identical(cmp$mse, again$mse)
  expect_error(compare_methods(y ~ x, d, methods = "reppi", fractions = 0.1, trials = 2),
               class = "synthinfer_error_input")
})

test_that("with 100 labels the small-sample interval covers; the plain sandwich does not", {
  # The weakest cell of the few-labels study (bench/reppi_few_labels.R): the
  # slope of a heteroskedastic linear model with a useless proxy, 100
  # labels. 500 replications of n = 1000: the coverage of a nominal 90%
  # interval has Monte Carlo sd sqrt(.9 * .1 / 500) = 0.0134, so a correct
  # interval is above 0.90 - 2.33 sd = 0.869 with probability 0.99.
  # Measured over 2000 replications (n = 2000): plain sandwich 0.85,
  # small-sample 0.90.
  set.seed(61)
  n <- 1000
  hit <- replicate(500, {
    x1 <- rnorm(n)
    x2 <- rbinom(n, 1, 0.4)
    y <- 0.5 + x1 - 0.5 * x2 + rnorm(n) * (1 + 0.5 * abs(x1))
    lab <- seq_len(n) %in% sample.int(n, 100)
    des <- synth_design(y ~ x1 + x2, data.frame(x1, x2, y = ifelse(lab, y, NA), y_llm = rnorm(n)),
                        proxy = c(y = "y_llm"))
    covers <- function(se) {
      ci <- confint(suppressWarnings(synth_fit_design(des, "reppi", se = se, threads = 1)),
                    level = 0.9)["x1", ]
      ci[1] <= 1 && 1 <= ci[2]
    }
    c(asymptotic = covers("asymptotic"), small_sample = covers("small_sample"))
  })
  cover <- rowMeans(hit)
  expect_gt(cover[["small_sample"]], 0.869)
  expect_gt(cover[["small_sample"]], cover[["asymptotic"]] + 0.02)
})

test_that("too few labels per parameter warn (classed) or fail, naming the count", {
  set.seed(62)
  n <- 600
  x1 <- rnorm(n); x2 <- rnorm(n)
  y <- 1 + x1 + x2 + rnorm(n)
  d <- data.frame(x1, x2, y, y_llm = y + rnorm(n))
  d$y[-(1:40)] <- NA  # 40 labels, K = 2 * 3 + 6 = 12: below 4 K = 48
  expect_warning(fit <- synth_glm(y ~ x1 + x2, d, proxy = c(y = "y_llm"), method = "reppi", threads = 1),
                 class = "synthinfer_warning_few_labels")
  expect_identical(fit$df, 28)
  expect_warning(synth_glm(y ~ x1 + x2, d, proxy = c(y = "y_llm"), method = "reppi", threads = 1),
                 "40 labeled rows for the 12 parameters")
  d$y[49:60] <- y[49:60]  # 52 labels: no warning
  d$y[41:48] <- y[41:48]
  expect_no_warning(synth_glm(y ~ x1 + x2, d, proxy = c(y = "y_llm"), method = "reppi", threads = 1))
  d$y[-(1:12)] <- NA  # 12 labels for 12 parameters: an error
  expect_error(synth_glm(y ~ x1 + x2, d, proxy = c(y = "y_llm"), method = "reppi", threads = 1),
               "more labeled rows \\(12\\) than the 12 parameters")
})
