# Classical and naive fits against stats::glm() with the HC0 sandwich written
# out in closed form: bread = (X' W X)^{-1}, meat = sum_i x_i x_i' r_i^2 with
# W = dmu/deta and r the response residual, vcov = bread meat bread.

hc0 <- function(fit) {
  X <- model.matrix(fit)
  w <- fit$family$mu.eta(fit$linear.predictors)
  r <- fit$y - fit$fitted.values
  bread <- solve(crossprod(X * w, X))
  bread %*% crossprod(X * r) %*% bread
}

classical_data <- function(n = 400, seed = 1) {
  set.seed(seed)
  d <- data.frame(x = rnorm(n), g = factor(sample(c("lo", "mid", "hi"), n, TRUE)),
                  z = runif(n))
  eta <- 0.2 + 0.5 * d$x - 0.3 * (d$g == "hi") + 0.4 * d$x * d$z
  d$y_gauss <- eta + rnorm(n)
  d$y_bin <- rbinom(n, 1, plogis(eta))
  d$y_pois <- rpois(n, exp(eta))
  lab <- runif(n) < 0.5
  d$lab <- lab
  d
}

for (fam in c("gaussian", "binomial", "poisson")) {
  test_that(sprintf("classical %s fit equals glm() with HC0 sandwich, factors and interactions", fam), {
    d <- classical_data()
    resp <- c(gaussian = "y_gauss", binomial = "y_bin", poisson = "y_pois")[[fam]]
    d$y <- ifelse(d$lab, d[[resp]], NA)
    d$y_llm <- d[[resp]]
    f <- y ~ x * z + g
    fit <- synth_glm(f, d, get(fam)(), proxy = c(y = "y_llm"), method = "classical", threads = 1)
    ref <- glm(f, data = d[d$lab, ], family = get(fam)())
    expect_equal(coef(fit), coef(ref), tolerance = 1e-8)
    expect_equal(vcov(fit), hc0(ref), tolerance = 1e-8)
    expect_identical(nobs(fit), sum(d$lab))
    expect_equal(fit$n_effective, setNames(rep(sum(d$lab), length(coef(ref))), names(coef(ref))))
  })
}

test_that("naive pooling equals glm() on labeled rows stacked with synthetic rows", {
  d <- classical_data(300, seed = 2)
  d$y <- ifelse(d$lab, d$y_bin, NA)
  d$y_syn <- rbinom(nrow(d), 1, 0.5)
  d$x_syn <- d$x + rnorm(nrow(d), sd = 0.2)
  fit <- synth_glm(y ~ x + g, d, binomial(), synthetic = c(y = "y_syn", x = "x_syn"),
                   method = "naive", threads = 1)
  pooled <- rbind(data.frame(y = d$y_bin[d$lab], x = d$x[d$lab], g = d$g[d$lab]),
                  data.frame(y = d$y_syn, x = d$x_syn, g = d$g))
  ref <- glm(y ~ x + g, data = pooled, family = binomial())
  expect_equal(coef(fit), coef(ref), tolerance = 1e-8)
  expect_equal(vcov(fit), hc0(ref), tolerance = 1e-8)
})

test_that("naive pooling without synthetic data uses the proxy on unlabeled rows", {
  d <- classical_data(300, seed = 3)
  d$y <- ifelse(d$lab, d$y_gauss, NA)
  d$y_llm <- d$y_gauss + rnorm(nrow(d))
  fit <- synth_glm(y ~ x, d, proxy = c(y = "y_llm"), method = "naive", threads = 1)
  ref <- lm(ifelse(d$lab, d$y, d$y_llm) ~ d$x)
  expect_equal(unname(coef(fit)), unname(coef(ref)), tolerance = 1e-8)
})
