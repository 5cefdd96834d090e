# The study table shipped for vignette("beyond-regression")
# (inst/extdata/beyond_regression.csv, written by bench/beyond_regression.R):
# the vignette's statements about it hold.

test_that("the shipped study: MSE of gmm < gmm_proxy, ppi++ < classical in every cell", {
  study <- read.csv(system.file("extdata", "beyond_regression.csv", package = "synthinfer"))
  expect_setequal(unique(study$estimand), c("ATE", "AR(1)"))
  expect_setequal(unique(study$sel_prob), c(0.01, 0.02, 0.03, 0.04, 0.05))
  for (cell in split(study, list(study$estimand, study$sel_prob))) {
    mse <- stats::setNames(cell$mse, cell$method)
    expect_true(mse[["gmm"]] < min(mse[["gmm_proxy"]], mse[["ppi++"]]), info = cell$estimand[1])
    expect_true(max(mse[["gmm_proxy"]], mse[["ppi++"]]) < mse[["classical"]], info = cell$estimand[1])
    expect_true(all(cell$trials + cell$failed == 200))
  }
  # Pooled coverage of the nominal 90% intervals: within 3 Monte Carlo
  # standard errors of 0.9 for the AR(1); for the ATE, with synth_ate()'s
  # finite-sample correction, no more than 2 standard errors below 0.9 (the
  # uncorrected intervals, 0.873 to 0.886, were not), as the vignette says.
  pooled <- tapply(study$coverage * study$trials, list(study$estimand, study$method), sum) /
    tapply(study$trials, list(study$estimand, study$method), sum)
  mcse <- sqrt(0.09 / 1000)
  expect_true(all(abs(pooled["AR(1)", ] - 0.9) < 3 * mcse))
  expect_true(all(pooled["ATE", ] > 0.9 - 2 * mcse & pooled["ATE", ] < 0.9 + 3 * mcse))
})
