# simulate_synthetic(): the four regimes have the dependence they promise.
# Residual correlations are checked on n = 20,000 units; the sampling sd of a
# correlation r is about (1 - r^2) / sqrt(n) (<= 0.0071), so 0.03 is > 4 sd.

resid_real <- function(d, b) d$y_full - drop(b[1] + as.matrix(d[c("x1", "x2")]) %*% b[-1])
resid_syn <- function(d, b) {
  d$y_syn - 0.9 * drop(b[1] + as.matrix(d[c("x1_syn", "x2_syn")]) %*% b[-1])
}

test_that("gaussian regimes have the stated residual correlations", {
  set.seed(11)
  b <- c(0.5, 1, -0.5)
  cors <- vapply(c("good", "noise", "biased", "anticorrelated"), function(r) {
    d <- simulate_synthetic(20000, regime = r, coefficients = b)
    cor(resid_real(d, b), resid_syn(d, b))
  }, numeric(1))
  expect_lt(max(abs(cors - c(0.8, 0, 0, -0.8))), 0.03)
  set.seed(12)
  d <- simulate_synthetic(20000, regime = "biased", coefficients = b)
  # Shifted by +2 in one direction; sd of the mean is 1 / sqrt(n) ~ 0.007.
  expect_lt(abs(mean(resid_syn(d, b)) - 2), 0.03)
})

test_that("the real data follow the stated model", {
  set.seed(13)
  d <- simulate_synthetic(20000, family = "binomial", coefficients = c(-0.5, 1, 0.5))
  fit <- glm(y_full ~ x1 + x2, binomial(), data = d)
  se <- sqrt(diag(vcov(fit)))
  expect_true(all(abs(coef(fit) - c(-0.5, 1, 0.5)) < 4 * se))
  # Proxy flips the label with probability 0.2 (sd of the share ~ 0.003).
  expect_lt(abs(mean(d$y_llm != d$y_full) - 0.2), 0.015)
})

test_that("binomial synthetic labels are correlated, independent, one-sided or anticorrelated", {
  set.seed(14)
  get <- function(r) simulate_synthetic(20000, family = "binomial", regime = r)
  good <- get("good"); noise <- get("noise"); biased <- get("biased"); anti <- get("anticorrelated")
  expect_gt(cor(good$y_full, good$y_syn), 0.4)
  expect_lt(abs(cor(noise$y_full, noise$y_syn)), 0.03)
  expect_lt(abs(cor(biased$y_full, biased$y_syn)), 0.03)
  expect_lt(abs(mean(biased$y_syn) - 0.9), 0.015)
  expect_lt(cor(anti$y_full, anti$y_syn), -0.4)
})

test_that("labels are hidden for exactly the unlabeled units", {
  set.seed(15)
  d <- simulate_synthetic(200, fraction = 0.15, regime = "noise")
  expect_equal(sum(d$labeled), 30)
  expect_identical(is.na(d$y), !d$labeled)
  expect_equal(d$y[d$labeled], d$y_full[d$labeled])
  expect_named(d, c("y", "y_full", "labeled", "x1", "x2", "y_llm", "x1_syn", "x2_syn", "y_syn"))
  expect_equal(attr(d, "coefficients"), c("(Intercept)" = 0.5, x1 = 1, x2 = -0.5))
})

test_that("invalid arguments are named in the error", {
  expect_error(simulate_synthetic(5), "`n`")
  expect_error(simulate_synthetic(100, fraction = 0), "`fraction`")
  expect_error(simulate_synthetic(100, fraction = 1.5), "`fraction`")
  expect_error(simulate_synthetic(100, regime = "awful"), "should be one of")
  expect_error(simulate_synthetic(100, coefficients = 1), "`coefficients`")
  expect_error(simulate_synthetic(100, strength = 1), "`strength`")
})
