# A small version of bench/gmm_simulation.R: n = 2000 units, 10% labeled,
# nominal 90% intervals for the true coefficients, 80 replications in each of
# the four synthetic-data regimes of simulate_synthetic() (about 8 s).
#
# Monte Carlo tolerances: per regime, coverage is averaged over 3
# coefficients x 80 replications; even if the three intervals of a
# replication were perfectly dependent its sd is sqrt(.9 * .1 / 80) = 0.034,
# so [0.80, 0.98] is about 3 sd or more either side. Pooled over the 4
# regimes (320 independent replications) the sd is at most 0.017:
# [0.85, 0.95] is 3 sd. Widths are averages of 240 intervals computed on the
# same data for "gmm" and "gmm_proxy", so their ratio is estimated to well
# under 1%.

run_study <- function() {
  regimes <- c("good", "noise", "biased", "anticorrelated")
  do.call(rbind, lapply(seq_along(regimes), function(k) {
    synthinfer:::coverage_study(2000, fraction = 0.1, reps = 80, regime = regimes[k],
                                methods = c("gmm", "gmm_proxy", "classical"),
                                seed = 42 + k, threads = 2)
  }))
}

test_that("the study does not depend on the number of threads", {
  one <- synthinfer:::coverage_study(500, fraction = 0.2, reps = 16, regime = "good",
                                     family = "binomial", seed = 3, threads = 1)
  two <- synthinfer:::coverage_study(500, fraction = 0.2, reps = 16, regime = "good",
                                     family = "binomial", seed = 3, threads = 2)
  expect_identical(one, two)
  expect_equal(unique(one$reps + one$failed), 16L)
  # A different seed gives different data.
  three <- synthinfer:::coverage_study(500, fraction = 0.2, reps = 16, regime = "good",
                                       family = "binomial", seed = 4, threads = 2)
  expect_false(identical(one$width, three$width))
})

test_that("GMM, GMM with the proxy only and classical cover in every regime", {
  res <- run_study()
  expect_true(all(res$failed == 0))
  by_regime <- aggregate(coverage ~ regime + method, res, mean)
  expect_true(all(by_regime$coverage >= 0.80 & by_regime$coverage <= 0.98),
              info = paste(capture.output(print(by_regime)), collapse = "\n"))
  pooled <- aggregate(coverage ~ method, res, mean)
  expect_true(all(pooled$coverage >= 0.85 & pooled$coverage <= 0.95),
              info = paste(capture.output(print(pooled)), collapse = "\n"))

  ratio <- function(r) {
    w <- function(m) mean(res$width[res$regime == r & res$method == m])
    w("gmm") / w("gmm_proxy")
  }
  # Useless synthetic data cost (almost) nothing ...
  expect_lt(abs(ratio("noise") - 1), 0.03)
  expect_lt(abs(ratio("biased") - 1), 0.03)
  # ... informative ones, correlated either way, help clearly.
  expect_lt(ratio("good"), 0.9)
  expect_lt(ratio("anticorrelated"), 0.9)
  # The proxy alone already beats the labeled data alone.
  w_cls <- mean(res$width[res$method == "classical"])
  expect_lt(mean(res$width[res$method == "gmm_proxy"]), 0.9 * w_cls)
})
