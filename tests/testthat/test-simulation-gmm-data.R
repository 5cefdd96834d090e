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

test_that("covariates and the gaussian proxy follow the documented design", {
  # n = 20,000: the sd of a sample sd s is about s / sqrt(2 n) (<= 0.004 here),
  # so 0.02 is > 5 sd; a sample mean of unit-variance draws has sd 0.007.
  b <- c(0.5, 1, -0.5)
  d <- simulate_synthetic(20000, regime = "good", coefficients = b, seed = 16)
  expect_lt(abs(sd(d$x1_syn - d$x1) - 0.5), 0.02)
  expect_lt(abs(sd(d$x2) - 1), 0.02)
  expect_lt(abs(mean(d$x1)), 0.03)
  eta <- drop(b[1] + as.matrix(d[c("x1", "x2")]) %*% b[-1])
  e <- d$y_full - eta
  expect_lt(abs(sd(d$y_llm - 0.9 * eta - 0.6 * e) - 0.8), 0.02)
  noise <- simulate_synthetic(20000, regime = "noise", seed = 17)
  expect_lt(abs(cor(noise$x1, noise$x1_syn)), 0.03)
  expect_lt(abs(sd(noise$x1_syn) - 1), 0.02)
})

test_that("the seeding rule: NULL follows set.seed(), a number leaves R's generator alone", {
  set.seed(3)
  a <- simulate_synthetic(100, seed = NULL)
  set.seed(3)
  b <- simulate_synthetic(100)
  expect_identical(a, b)
  set.seed(4)
  state <- .Random.seed
  c1 <- simulate_synthetic(100, family = "binomial", seed = 2^40 + 1)
  expect_identical(.Random.seed, state)
  expect_identical(c1, simulate_synthetic(100, family = "binomial", seed = 2^40 + 1))
  expect_false(identical(c1$x1, simulate_synthetic(100, family = "binomial", seed = 2)$x1))
  expect_error(simulate_synthetic(100, seed = 1.5), "`seed` must be NULL or a single whole number")
  expect_error(simulate_synthetic(100, seed = -1), "`seed`")

  set.seed(5)
  t1 <- simulate_tasks(5)
  set.seed(5)
  expect_identical(simulate_tasks(5), t1)

  d <- data.frame(y = rep(0:1, 50), y_llm = rep(c(0, 1, 1, 0), 25))
  set.seed(6)
  s1 <- semi_synthetic_confusion(d, "y", "y_llm")
  set.seed(6)
  expect_identical(semi_synthetic_confusion(d, "y", "y_llm"), s1)
  set.seed(7)
  state <- .Random.seed
  s2 <- semi_synthetic_confusion(d, "y", "y_llm", seed = 8)
  expect_identical(.Random.seed, state)
  expect_identical(semi_synthetic_confusion(d, "y", "y_llm", seed = 8), s2)
})
