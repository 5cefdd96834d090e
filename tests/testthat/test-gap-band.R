# Reference values are order statistics computed with base R's sort().

test_that("gap_band picks the k_L-th and k_U-th smallest endpoints", {
  set.seed(3)
  lo <- rnorm(39)
  up <- lo + runif(39)
  band <- gap_band(lo, up, alpha = 0.1)
  # T = 39, alpha = 0.1: k_L = floor(40 * 0.05) = 2, k_U = ceiling(40 * 0.95) = 38
  expect_equal(band$k_lower, 2L)
  expect_equal(band$k_upper, 38L)
  expect_equal(band$lower, sort(lo)[2])
  expect_equal(band$upper, sort(up)[38])
})

test_that("gap_band handles ties", {
  band <- gap_band(c(0, 0, 0, 1), c(1, 1, 2, 2), alpha = 0.8)
  # T = 4: k_L = floor(5 * 0.4) = 2, k_U = ceiling(5 * 0.6) = 3
  expect_equal(c(band$lower, band$upper), c(0, 2))
})

test_that("gap_band refuses an alpha that would give an infinite band", {
  expect_error(gap_band(rnorm(5), rnorm(5) + 3, alpha = 0.1), "at least 19 historical tasks")
  expect_error(gap_band(1, 2, alpha = 0.5), "at least 3 historical tasks")
})

test_that("gap_band validates its arguments", {
  expect_error(gap_band(c(1, NA), c(2, 3)), "`lower` contains missing values")
  expect_error(gap_band(1:3, 1:2), "`upper` must have the same length")
  expect_error(gap_band(1:3, 1:3, alpha = 1.5), "`alpha` must lie in \\(0, 1\\)")
  expect_error(gap_band(c(2, 1), c(1, 3), alpha = 0.9), "must not exceed")
  expect_error(gap_band("a", "b"), "numeric vector")
})
