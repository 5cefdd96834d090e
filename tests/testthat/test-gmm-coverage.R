# Coverage of nominal 90% intervals by simulation: 300 replications, n = 2000
# units, 10% labeled at random, a proxy on every unit and one synthetic unit
# per real unit whose residual is correlated with the real one.
#
# Tolerance: with 300 replications the Monte Carlo standard error of an
# estimated coverage of 0.90 is sqrt(0.9 * 0.1 / 300) = 0.0173; we accept
# [0.848, 0.952], i.e. 3 standard errors either side of the nominal level.
# The covariate is bounded (uniform) so that 200 labels suffice for the
# normal approximation: with Gaussian covariates and 200 labels every
# sandwich-based method, classical included, covers ~0.87-0.88 for the slope
# (finite-sample bias of the sandwich under high-leverage rows, measured in
# 2000-replication runs), which is not what this test is about.

coverage_run <- function(family, reps = 300, n = 2000, seed = 2024) {
  set.seed(seed)
  beta <- c(-0.5, 1)
  hits <- replicate(reps, {
    x <- runif(n, -sqrt(3), sqrt(3))
    eta <- beta[1] + beta[2] * x
    if (family == "binomial") {
      y <- rbinom(n, 1, plogis(eta))
      y_llm <- ifelse(runif(n) < 0.8, y, 1 - y)
      y_syn <- rbinom(n, 1, plogis(-0.4 + 0.8 * x + 0.5 * (y - 0.5)))
    } else {
      e <- rnorm(n)
      y <- eta + e
      y_llm <- y + rnorm(n, sd = 0.8)
      y_syn <- -0.4 + 0.8 * x + 0.7 * e + rnorm(n, sd = 0.7)
    }
    d <- data.frame(x, y = ifelse(runif(n) < 0.1, y, NA), y_llm, y_syn)
    des <- synth_design(y ~ x, d, family, proxy = c(y = "y_llm"), synthetic = c(y = "y_syn"))
    vapply(c("gmm", "ppi++"), function(m) {
      ci <- confint(synth_fit_design(des, m, alpha = 0.1, threads = 1))
      ci[, 1] <= beta & beta <= ci[, 2]
    }, logical(2))
  })
  apply(hits, c(1, 2), mean) # coefficient x method
}

test_that("GMM and PPI++ 90% intervals cover at the nominal rate (linear regression)", {
  cover <- coverage_run("gaussian")
  expect_true(all(cover > 0.848 & cover < 0.952), info = paste(round(cover, 3), collapse = " "))
})

test_that("GMM and PPI++ 90% intervals cover at the nominal rate (logistic regression)", {
  cover <- coverage_run("binomial")
  expect_true(all(cover > 0.848 & cover < 0.952), info = paste(round(cover, 3), collapse = " "))
})
