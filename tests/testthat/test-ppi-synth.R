# PPI++Synth (method "ppi++synth") and the oracle row of compare_methods().

ppi_synth_data <- function(n = 800, seed = 1) {
  set.seed(seed)
  x <- rnorm(n)
  e <- rnorm(n)
  y <- 1 + 0.5 * x + e
  data.frame(x, y = ifelse(runif(n) < 0.25, y, NA),
             y_llm = y + rnorm(n),
             y_syn = 1 + 0.4 * x + 0.7 * e + rnorm(n, sd = 0.5),
             y_syn2 = 0.8 + 0.5 * x + 0.5 * e + rnorm(n, sd = 0.8))
}

test_that("a synthetic source equal to the proxy gives PPI++ exactly", {
  # Every mixing weight then imputes the proxy itself, whatever alpha the
  # cross-fitting picks: the fit must be PPI++'s, bit for bit.
  d <- ppi_synth_data()
  d$y_copy <- d$y_llm
  for (fam in list(gaussian(), binomial())) {
    dd <- d
    if (fam$family == "binomial") {
      dd$y <- as.numeric(dd$y > 1)
      dd$y_llm <- dd$y_copy <- as.numeric(d$y_llm > 1)
    }
    a <- synth_glm(y ~ x, dd, fam, proxy = c(y = "y_llm"), method = "ppi++", threads = 1)
    b <- synth_glm(y ~ x, dd, fam, proxy = c(y = "y_llm"), synthetic = c(y = "y_copy"),
                   method = "ppi++synth", threads = 1)
    expect_identical(coef(a), coef(b))
    expect_identical(vcov(a), vcov(b))
    expect_identical(a$lambda, b$lambda)
    expect_length(b$mix_alpha, 5L)
  }
})

test_that("several synthetic sources are mixed through their row-wise mean", {
  d <- ppi_synth_data(seed = 2)
  d$y_mean <- (d$y_syn + d$y_syn2) / 2
  two <- synth_glm(y ~ x, d, proxy = c(y = "y_llm"),
                   synthetic = list(c(y = "y_syn"), c(y = "y_syn2")),
                   method = "ppi++synth", threads = 1)
  one <- synth_glm(y ~ x, d, proxy = c(y = "y_llm"), synthetic = c(y = "y_mean"),
                   method = "ppi++synth", threads = 1)
  expect_equal(coef(two), coef(one), tolerance = 1e-12)
  expect_equal(two$mix_alpha, one$mix_alpha)
  expect_equal(glance(two)$n_sources, 3L)
})

test_that("ppi++synth needs a proxy and a synthetic source", {
  d <- ppi_synth_data()
  expect_error(synth_glm(y ~ x, d, proxy = c(y = "y_llm"), method = "ppi++synth"),
               "`synthetic` is required")
  expect_error(synth_glm(y ~ x, d, synthetic = c(y = "y_syn"), method = "ppi++synth"),
               "`proxy` is required")
})

test_that("cross-fitted PPI++Synth covers at the nominal level", {
  # 600 replications per family, n = 1000 with 20% labels, nominal 90%
  # intervals for the 3 true coefficients (about 3 s). A coefficient's
  # coverage has sd sqrt(.9 * .1 / 600) = 0.012: at least 0.85 is 4 sd below
  # nominal (a per-coefficient floor over 6 coefficients). Pooled over
  # coefficients and families (1200 replications) the sd is at most 0.0087:
  # [0.87, 0.93] is 3.5 sd either side. PPI++Synth must also be narrower
  # than PPI++ on average here: the grid holds PPI++'s weight and the
  # synthetic source is informative.
  res <- do.call(rbind, lapply(c("gaussian", "binomial"), function(fam) {
    synthinfer:::coverage_study(1000, fraction = 0.2, reps = 600, regime = "good",
                                family = fam, methods = c("ppi++synth", "ppi++"),
                                seed = 7, threads = 2)
  }))
  expect_true(all(res$failed == 0))
  ps <- res[res$method == "ppi++synth", ]
  expect_true(all(ps$coverage >= 0.85))
  expect_gte(mean(ps$coverage), 0.87)
  expect_lte(mean(ps$coverage), 0.93)
  pp <- res[res$method == "ppi++", ]
  expect_lt(mean(ps$width / pp$width), 0.95)
})

test_that("compare_methods() scores the oracle weight last and labels it", {
  set.seed(3)
  d <- simulate_synthetic(600, fraction = 1, regime = "good")
  cmp <- compare_methods(d, y ~ x1, proxy = c(y = "y_llm"),
                         synthetic = c(y = "y_syn", x1 = "x1_syn"),
                         methods = c("ppi++synth_oracle", "ppi++", "gmm", "ppi++synth"),
                         fractions = 0.2, trials = 20, threads = 1)
  expect_identical(unique(cmp$method), c("ppi++", "gmm", "ppi++synth", "ppi++synth_oracle"))
  # alpha = 1 (PPI++) is on the grid, so trial by trial the oracle is at
  # least as close to the truth as PPI++.
  mse <- function(m) cmp$mse[cmp$method == m]
  expect_true(all(mse("ppi++synth_oracle") <= mse("ppi++")))
  expect_true(all(is.na(cmp$j_reject[cmp$method != "gmm"])))
  expect_true(all(cmp$j_reject[cmp$method == "gmm"] >= 0))
  expect_output(print(cmp), "NOT a valid method")
  expect_error(compare_methods(d, y ~ x1, proxy = c(y = "y_llm"),
                               methods = "ppi++synth_oracle", fractions = 0.2, trials = 2),
               "`synthetic` is required")
  expect_error(synth_glm(y ~ x1, d, proxy = c(y = "y_llm"), method = "ppi++synth_oracle"),
               "must be one of")
})

test_that("compare_methods() warns once when J rejects too often", {
  # Hand-made scores: 6 rejections in 100 trials is beyond the 99.9%
  # quantile of Binomial(100, 0.01) (5); 2 in 100 is not.
  expect_equal(qbinom(0.999, 100, 0.01), 5)
  cmp <- tibble::tibble(method = c("gmm", "gmm", "ppi++"), fraction = c(0.1, 0.2, 0.1),
                        term = "x", trials = 100L, j_reject = c(0.06, 0.02, NA))
  expect_warning(synthinfer:::warn_j_rate(cmp), class = "synthinfer_warning_j_test")
  expect_silent(synthinfer:::warn_j_rate(cmp[-1, ]))
})
