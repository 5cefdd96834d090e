# ANES 2020 feeling thermometers (section 5.1): 11 target groups x 3 parties.
# The paper calibrates on the 2016 wave with Algorithm 1; the 2016 tasks are
# not shipped (only their published gap band, anes2016_band), so this is
# leave-one-task-out within 2020 with the finite-sample algorithm (Algorithm 4), which needs only point gaps.
#
# Figures (computed once; identical to the brute force of
# helper-realdata-reference.R), alpha = 0.1:
#   33 tasks, n 657-1795 (median 1596).
#   Exchangeability intervals cover 31/33 = 0.939, median width 25.80
#   points (mean 25.60) on the 0-100 scale.
#   Naive synthetic-only Wald intervals at alpha = 0.1 cover 1/33, median
#   width 0.51; the deposited synthetic intervals at alpha = 0.005 cover
#   3/33 (median width 0.87). The paper likewise finds the naive intervals
#   far too narrow and biased, almost never covering the 2020 means.

test_that("ANES leave-one-task-out with the finite-sample algorithm", {
  an <- read_anes_tasks(anes2020)
  expect_equal(nrow(an), 33L)
  expect_equal(median(an$n_real), 1596)
  fit <- exchangeable_loo(an, alpha = 0.1, method = "finite_sample")
  expect_equal(sum(fit$covered), 31L)
  expect_gte(mean(fit$covered), 0.85)
  expect_equal(median(fit$width), 25.79761, tolerance = 1e-6)
  ref <- rd_loo(an, 0.1, rd_alg4)
  expect_equal(fit$conf.low, ref$low, tolerance = 1e-10)
  expect_equal(fit$conf.high, ref$high, tolerance = 1e-10)
  # naive synthetic-only intervals beside them
  expect_equal(sum(fit$naive_covered), 1L)
  expect_equal(median(fit$naive_width), 0.5103345, tolerance = 1e-6)
  deposited <- with(anes2020, synth_ci_low <= real_mean & real_mean <= synth_ci_high)
  expect_equal(sum(deposited), 3L)
})
