# The two-step GMM estimator against Debian's r-cran-gmm: gmm::gmm() is fed
# the same moment function, written here independently of the package:
#   g_i = [S_i psi(X_i, Y_i; theta); per source m: S_i psi(X^m_i, Y^m_i; eta_m),
#          psi(X^m_i, Y^m_i; eta_m)],  psi(x, y; b) = x (y - mu(x'b)).
# gmm::gmm(type = "twoStep") minimises the identity-weighted criterion first
# (from t0), then uses W = S^{-1} with S = crossprod(g) / n (vcov = "iid",
# centeredVcov = FALSE: uncentred, as synth_glm documents), and reports
# vcov = solve(G' S^{-1} G) / n with G and S at the final estimate, and
# J = n * objective. Both optimisations are run to tight tolerances with the
# analytic Jacobian so that agreement to 1e-6 relative is meaningful.

gmm_reference <- function(X, y, labeled, sources, family) {
  mu <- family$linkinv
  dmu <- family$mu.eta
  p <- ncol(X)
  S <- as.numeric(labeled)
  y0 <- ifelse(labeled, y, 0)
  X0 <- X
  X0[!labeled, ] <- 0
  M <- length(sources)
  g <- function(par, dat) {
    th <- par[1:p]
    out <- list(S * X0 * drop(y0 - mu(X0 %*% th)))
    for (m in seq_len(M)) {
      e <- par[p * m + 1:p]
      s <- sources[[m]]
      psi <- s$X * drop(s$y - mu(s$X %*% e))
      out <- c(out, list(S * psi, psi))
    }
    do.call(cbind, out)
  }
  gradv <- function(par, dat) {
    n <- nrow(X)
    G <- matrix(0, p * (1 + 2 * M), p * (1 + M))
    th <- par[1:p]
    G[1:p, 1:p] <- -crossprod(X0 * (S * dmu(drop(X0 %*% th))), X0) / n
    for (m in seq_len(M)) {
      e <- par[p * m + 1:p]
      s <- sources[[m]]
      w <- dmu(drop(s$X %*% e))
      cols <- p * m + 1:p
      G[p * (2 * m - 1) + 1:p, cols] <- -crossprod(s$X * (S * w), s$X) / n
      G[p * (2 * m) + 1:p, cols] <- -crossprod(s$X * w, s$X) / n
    }
    G
  }
  # Start values: per-block glm() fits.
  t0 <- coef(suppressWarnings(glm.fit(X[labeled, , drop = FALSE], y[labeled], family = family)))
  for (s in sources) t0 <- c(t0, coef(suppressWarnings(glm.fit(s$X, s$y, family = family))))
  gmm_package_fit(g, gradv, t0, nrow(X))
}

simulate_gmm_data <- function(n, family, seed) {
  set.seed(seed)
  x1 <- rnorm(n)
  x2 <- runif(n)
  eta <- 0.3 + 0.8 * x1 - 0.5 * x2
  u <- rnorm(n)
  if (family$family == "binomial") {
    y <- rbinom(n, 1, plogis(eta))
    y_llm <- ifelse(runif(n) < 0.8, y, 1 - y)
    y_syn <- rbinom(n, 1, plogis(0.2 + 0.6 * x1 + 1.2 * (y - 0.5)))
  } else if (family$family == "poisson") {
    y <- rpois(n, exp(eta))
    y_llm <- rpois(n, 0.7 * y + 0.3 * exp(eta))
    y_syn <- rpois(n, exp(0.1 + 0.6 * x1) + 0.5 * y)
  } else {
    y <- eta + rnorm(n)
    y_llm <- y + 0.5 * u
    y_syn <- 0.2 + 0.7 * x1 + 0.6 * (y - eta) + 0.5 * rnorm(n)
  }
  x1_llm <- x1 + 0.3 * rnorm(n)
  lab <- runif(n) < 0.25
  data.frame(y = ifelse(lab, y, NA), y_full = y, x1, x2, y_llm, y_syn, x1_llm)
}

expect_matches_gmm_package <- function(d, family, proxy, synthetic) {
  fit <- synth_glm(y ~ x1 + x2, d, family, proxy = proxy, synthetic = synthetic,
                   method = "gmm", se = "asymptotic", threads = 1)
  des <- fit$design
  sources <- c(list(des$proxy), des$synthetic)
  ref <- gmm_reference(des$X, des$y, des$labeled, sources, family)
  p <- ncol(des$X)
  expect_equal(unname(coef(fit)), ref$coef[1:p], tolerance = 1e-6)
  expect_equal(fit$surrogate_coefficients, ref$coef[-(1:p)], tolerance = 1e-6)
  expect_equal(unname(vcov(fit)), ref$vcov[1:p, 1:p], tolerance = 1e-6)
  expect_equal(fit$j_statistic, ref$j, tolerance = 1e-6)
  expect_equal(fit$j_df, ref$df)
}

test_that("GMM equals gmm::gmm() on a linear regression with proxy and synthetic sources", {
  skip_if_not_installed("gmm")
  d <- simulate_gmm_data(600, gaussian(), 101)
  expect_matches_gmm_package(d, gaussian(), c(y = "y_llm", x1 = "x1_llm"), c(y = "y_syn"))
})

test_that("GMM equals gmm::gmm() on a logistic regression with proxy and synthetic sources", {
  skip_if_not_installed("gmm")
  d <- simulate_gmm_data(800, binomial(), 202)
  expect_matches_gmm_package(d, binomial(), c(y = "y_llm"), c(y = "y_syn"))
})

test_that("GMM equals gmm::gmm() on a Poisson regression with a predicted covariate", {
  skip_if_not_installed("gmm")
  d <- simulate_gmm_data(700, poisson(), 303)
  expect_matches_gmm_package(d, poisson(), c(y = "y_llm", x1 = "x1_llm"), c(y = "y_syn"))
})
