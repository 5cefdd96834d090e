# Sampling weights in synth_glm(): unit weights change nothing, the weighted
# classical fit is the weighted GLM with the HC0 sandwich (sandwich, survey),
# integer weights are row duplication for the exactly identified estimators,
# the weighted PPI mean has its closed form, bad weights are input errors,
# and under informative Poisson sampling of a finite population the weighted
# intervals cover while the unweighted ones do not.

all_methods <- c("gmm", "gmm_proxy", "ppi++", "ppi", "classical", "naive", "ppi++synth")

weights_data <- function(n = 500, family = "gaussian", seed = 1) {
  set.seed(seed)
  x <- rnorm(n)
  e <- rnorm(n)
  y <- switch(family,
    gaussian = 1 + 0.5 * x + e,
    binomial = rbinom(n, 1, plogis(0.3 + x)),
    poisson = rpois(n, exp(0.2 + 0.4 * x)))
  flip <- function(v) if (family == "gaussian") v + rnorm(n, sd = 0.7) else
    if (family == "binomial") ifelse(runif(n) < 0.8, v, 1 - v) else rpois(n, v + 0.3)
  data.frame(x, y = ifelse(runif(n) < 0.35, y, NA), y_llm = flip(y), y_syn = flip(y),
             w = sample(1:4, n, replace = TRUE) * runif(n, 0.5, 1.5))
}

fit_w <- function(d, family, method, formula = y ~ x, ...) {
  synth_glm(formula, d, family, proxy = c(y = "y_llm"), synthetic = c(y = "y_syn"),
            method = method, threads = 1, ...)
}

test_that("unit weights reproduce the unweighted fit for every method", {
  for (family in c("gaussian", "binomial", "poisson")) {
    d <- weights_data(family = family)
    for (f in list(y ~ x, y ~ 1)) {
      if (family != "gaussian" && identical(f, y ~ 1)) next
      for (m in all_methods) {
        a <- suppressWarnings(fit_w(d, family, m, f, weights = rep(1, nrow(d))))
        b <- suppressWarnings(fit_w(d, family, m, f))
        expect_equal(coef(a), coef(b), tolerance = 1e-10, info = paste(family, m))
        expect_equal(vcov(a), vcov(b), tolerance = 1e-10, info = paste(family, m))
        expect_equal(glance(a), glance(b), tolerance = 1e-10, info = paste(family, m))
        # A constant weight is the same as unit weights (weights are normalised).
        expect_equal(coef(suppressWarnings(fit_w(d, family, m, f, weights = rep(7, nrow(d))))),
                     coef(b), tolerance = 1e-10)
      }
    }
  }
})

test_that("weighted classical is the weighted GLM with the HC0 sandwich (sandwich, survey)", {
  skip_if_not_installed("sandwich")
  skip_if_not_installed("survey")
  for (family in c("gaussian", "binomial", "poisson")) {
    d <- weights_data(family = family, seed = 2)
    fit <- fit_w(d, family, "classical", weights = w)
    lab <- d[!is.na(d$y), ]
    fam <- switch(family, gaussian = gaussian(), binomial = quasibinomial(), poisson = quasipoisson())
    g <- glm(y ~ x, fam, lab, weights = w, control = glm.control(epsilon = 1e-14, maxit = 100))
    expect_equal(unname(coef(fit)), unname(coef(g)), tolerance = 1e-8)
    hc0 <- sandwich::vcovHC(g, type = "HC0")
    expect_equal(unname(sqrt(diag(vcov(fit)))), unname(sqrt(diag(hc0))), tolerance = 1e-6)
    # survey::svyglm (with-replacement design ~1): the same estimate, and the
    # HC0 variance times n_lab / (n_lab - 1).
    des <- survey::svydesign(ids = ~1, weights = ~w, data = lab)
    s <- survey::svyglm(y ~ x, des, family = fam, control = glm.control(epsilon = 1e-14, maxit = 100))
    n_lab <- nrow(lab)
    expect_equal(unname(coef(fit)), unname(coef(s)), tolerance = 1e-8)
    expect_equal(unname(vcov(fit)) * n_lab / (n_lab - 1), unname(vcov(s)), tolerance = 1e-6)
  }
})

test_that("integer weights equal row duplication for the exactly identified estimators", {
  for (family in c("gaussian", "poisson")) {
    d <- weights_data(n = 300, family = family, seed = 3)
    d$k <- sample(1:3, nrow(d), replace = TRUE)
    dup <- d[rep(seq_len(nrow(d)), d$k), ]
    for (m in c("classical", "naive", "ppi")) {
      a <- fit_w(d, family, m, weights = k)
      b <- fit_w(dup, family, m)
      expect_equal(coef(a), coef(b), tolerance = 1e-9, info = paste(family, m))
    }
  }
})

test_that("the weighted PPI mean is the closed form", {
  d <- weights_data(n = 800, seed = 4)
  lab <- !is.na(d$y)
  hajek <- function(z, w) {
    m <- sum(w * z) / sum(w)
    c(mean = m, var = sum(w^2 * (z - m)^2) / sum(w)^2)
  }
  u <- hajek(d$y_llm[!lab], d$w[!lab])
  l <- hajek(d$y[lab] - d$y_llm[lab], d$w[lab])
  fit <- synth_glm(y ~ 1, d, proxy = c(y = "y_llm"), method = "ppi", weights = w, threads = 1)
  expect_equal(unname(coef(fit)), unname(u["mean"] + l["mean"]), tolerance = 1e-12)
  expect_equal(unname(vcov(fit)[1, 1]), unname(u["var"] + l["var"]), tolerance = 1e-10)
  # PPI++ at its lambda is the same closed form with Y~ scaled by lambda.
  pp <- synth_glm(y ~ 1, d, proxy = c(y = "y_llm"), method = "ppi++", weights = w, threads = 1)
  lam <- pp$lambda
  u <- hajek(lam * d$y_llm[!lab], d$w[!lab])
  l <- hajek(d$y[lab] - lam * d$y_llm[lab], d$w[lab])
  expect_equal(unname(coef(pp)), unname(u["mean"] + l["mean"]), tolerance = 1e-12)
  expect_equal(unname(vcov(pp)[1, 1]), unname(u["var"] + l["var"]), tolerance = 1e-10)
})

test_that("weighted PPI regression: WLS pieces and the linearisation variance by row loops", {
  set.seed(7)
  n <- 700
  x <- rnorm(n)
  y <- 1 + 0.5 * x + rnorm(n)
  d <- data.frame(x, y = ifelse(runif(n) < 0.3, y, NA), y_llm = y + rnorm(n, sd = 0.7),
                  w = runif(n, 0.2, 3))
  L <- !is.na(d$y)
  X <- cbind(1, d$x)
  cw <- d$w
  wls <- function(rows, resp) unname(coef(lm(resp[rows] ~ d$x[rows], weights = cw[rows])))
  # Design variance of a Hajek mean of the rows of z (n/(n-1) form).
  hv <- function(z, c) {
    m <- colSums(z * c) / sum(c)
    zc <- sweep(z, 2, m)
    nrow(z) / (nrow(z) - 1) * crossprod(zc * c) / sum(c)^2
  }
  for (m in c("ppi", "ppi++")) {
    f <- synth_glm(y ~ x, d, proxy = c(y = "y_llm"), method = m, weights = w, threads = 1)
    lam <- f$lambda
    # ppi-python's OLS form: beta_L(Y) + lam (beta_U(Y~) - beta_L(Y~)), each by WLS.
    est <- wls(L, d$y) + lam * (wls(!L, d$y_llm) - wls(L, d$y_llm))
    expect_equal(unname(coef(f)), est, tolerance = 1e-10)
    th <- coef(f)
    g <- X * as.vector(X %*% th - d$y)
    h <- X * as.vector(X %*% th - d$y_llm)
    Hi <- solve(crossprod(X * cw, X) / sum(cw))
    V <- Hi %*% (lam^2 * hv(h[!L, ], cw[!L]) + hv(g[L, ] - lam * h[L, ], cw[L])) %*% Hi
    expect_equal(unname(vcov(f)), unname(V), tolerance = 1e-10)
  }
})

test_that("weights may be a column, a column name or a vector; counts and n_effective", {
  d <- weights_data(seed = 5)
  a <- fit_w(d, "gaussian", "gmm", weights = w)
  expect_equal(coef(fit_w(d, "gaussian", "gmm", weights = "w")), coef(a))
  ww <- d$w
  expect_equal(coef(fit_w(d, "gaussian", "gmm", weights = ww)), coef(a))
  expect_equal(mean(a$weights), 1)
  # Rows with weight zero are not counted.
  d$w[1:10] <- 0
  z <- fit_w(d, "gaussian", "ppi++", weights = w)
  lab <- !is.na(d$y)
  expect_equal(z$nobs_labeled, sum(lab & d$w > 0))
  expect_equal(z$nobs_unlabeled, sum(!lab & d$w > 0))
  # n_effective of the classical fit is Kish's effective number of labels.
  cl <- fit_w(d, "gaussian", "classical", weights = w)
  wl <- d$w[lab]
  expect_equal(unname(cl$n_effective), rep(sum(wl)^2 / sum(wl^2), 2))
})

test_that("bad weights are input errors naming the positions", {
  d <- weights_data(n = 100, seed = 6)
  # (`wv`, not `w`: a column of `data` named like the argument would mask it.)
  bad <- function(wv, pattern) {
    expect_error(fit_w(d, "gaussian", "classical", weights = wv), pattern,
                 class = "synthinfer_error_input")
  }
  bad(replace(d$w, c(3, 9), NA), "missing values \\(NA\\) at position\\(s\\) 3, 9")
  bad(replace(d$w, 4, Inf), "infinite values at position\\(s\\) 4")
  bad(replace(d$w, c(2, 5), -1), "non-negative; negative at position\\(s\\) 2, 5")
  bad(rep(0, 100), "all zero")
  bad(d$w[-1], "one entry per row of `data` \\(100\\), not 99")
  bad(as.character(d$w), "numeric")
  bad("nope", "names no column")
  expect_error(fit_w(d, "gaussian", "classical", weights = no_such_object),
               "cannot be evaluated", class = "synthinfer_error_input")
  # Zero weight on every labeled row.
  expect_error(fit_w(d, "gaussian", "classical", weights = ifelse(is.na(d$y), 1, 0)),
               "zero on every labeled row", class = "synthinfer_error_input")
})

test_that("weighted intervals cover under informative Poisson sampling; unweighted are biased", {
  # About 40 seconds: the one slow test of this file.
  # Finite population; inclusion probability increasing in y (informative),
  # so unweighted means and slopes are biased. Population targets: the mean
  # of y and the least-squares slope of y on x. Weights 1 / pi.
  set.seed(20261202)
  N <- 10000
  pop <- data.frame(x = rnorm(N))
  pop$e <- rnorm(N)
  pop$yy <- 1 + pop$x + pop$e
  pop$pi <- 0.05 + 0.1 * plogis(2 * (pop$yy - 1))
  truth <- c(mean = mean(pop$yy), slope = unname(coef(lm(yy ~ x, pop))[2]))
  reps <- 200
  methods <- c("gmm", "ppi++", "classical")
  cover <- matrix(0, 2, length(methods) + 1, dimnames = list(c("mean", "slope"),
                                                             c(methods, "unweighted")))
  inside <- function(fit, term, target) {
    ci <- confint(fit, level = 0.9)[term, ]
    ci[1] <= target && target <= ci[2]
  }
  for (r in seq_len(reps)) {
    s <- pop[runif(N) < pop$pi, ]
    n <- nrow(s)
    sw <- 1 / s$pi
    s$y <- ifelse(runif(n) < 0.4, s$yy, NA)
    s$y_llm <- s$yy + rnorm(n, sd = 0.7)
    s$y_syn <- 0.9 + 0.8 * s$x + 0.6 * s$e + rnorm(n, sd = 0.7)
    for (est in c("mean", "slope")) {
      des <- synth_design(if (est == "mean") y ~ 1 else y ~ x, s,
                          proxy = c(y = "y_llm"), synthetic = c(y = "y_syn"))
      term <- if (est == "mean") "(Intercept)" else "x"
      for (m in methods) {
        fit <- suppressWarnings(synth_fit_design(des, m, weights = sw, threads = 1))
        cover[est, m] <- cover[est, m] + inside(fit, term, truth[est])
      }
      fit <- synth_fit_design(des, "classical", threads = 1)
      cover[est, "unweighted"] <- cover[est, "unweighted"] + inside(fit, term, truth[est])
    }
  }
  cover <- cover / reps
  info <- paste(capture.output(print(cover)), collapse = "\n")
  # 3 Monte Carlo standard errors of a 0.9 coverage over 200 replications.
  tol <- 3 * sqrt(0.9 * 0.1 / reps)
  expect_true(all(cover[, methods] >= 0.9 - tol), info = info)
  expect_true(all(cover[, methods] <= 0.9 + tol), info = info)
  # Unweighted intervals miss: the mean badly, the slope (attenuated by the
  # selection on y) well below 0.9 - 3 MC standard errors.
  expect_true(cover["mean", "unweighted"] < 0.2, info = info)
  expect_true(cover["slope", "unweighted"] < 0.9 - 2 * tol, info = info)
})

test_that("reppi refuses weights instead of ignoring them", {
  set.seed(3)
  d <- data.frame(x = rnorm(60))
  d$y_llm <- d$x + rnorm(60)
  d$y <- ifelse(seq_len(60) <= 30, d$y_llm + rnorm(60, sd = 0.3), NA)
  expect_error(synth_glm(y ~ x, d, proxy = c(y = "y_llm"), method = "reppi",
                         weights = rep(2, 60), threads = 1),
               "does not take sampling weights", class = "synthinfer_error_input")
})
