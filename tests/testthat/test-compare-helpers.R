# The Rust pieces of compare_methods(): labeled subsets and their scoring,
# checked against brute-force R.

test_that("labeled subsets have the right sizes and are reproducible", {
  m <- synthinfer:::rs_compare_masks(200L, c(0.05, 0.2), 7L, 3)
  expect_length(m, 14)
  expect_equal(lengths(m), rep(c(10L, 40L), each = 7))
  expect_true(all(vapply(m, function(i) !anyDuplicated(i) && all(i >= 1 & i <= 200), NA)))
  expect_identical(m, synthinfer:::rs_compare_masks(200L, c(0.05, 0.2), 7L, 3))
  expect_false(identical(m, synthinfer:::rs_compare_masks(200L, c(0.05, 0.2), 7L, 4)))
  # The subsets of the first fraction do not depend on the other fractions.
  expect_identical(m[1:7], synthinfer:::rs_compare_masks(200L, 0.05, 7L, 3))
})

test_that("scores equal a direct R computation, failed fits left out", {
  set.seed(2)
  truth <- c(1, -2)
  est <- matrix(rnorm(20, truth, 0.5), 10, 2, byrow = TRUE)
  lo <- est - runif(20, 0.2, 1)
  hi <- est + runif(20, 0.2, 1)
  est[4, 2] <- NA # a failed fit: the whole trial is dropped
  s <- synthinfer:::rs_compare_score(truth, est, lo, hi)
  ok <- -4
  expect_equal(s$mse, colMeans((est[ok, ] - rep(truth, each = 9))^2))
  expect_equal(s$coverage, colMeans(lo[ok, ] <= rep(truth, each = 9) &
                                      hi[ok, ] >= rep(truth, each = 9)))
  expect_equal(s$width, colMeans(hi[ok, ] - lo[ok, ]))
  expect_equal(s$n_ok, c(9L, 9L))
})

test_that("compare_methods() names the offending argument", {
  d <- data.frame(y = rnorm(50), x = rnorm(50))
  expect_error(compare_methods(y ~ x, d, methods = "best"), "`methods`")
  expect_error(compare_methods(y ~ x, d, fractions = c(0.1, 1)), "`fractions`")
  expect_error(compare_methods(y ~ x, d, fractions = c(0.1, 0.1)), "`fractions`")
  expect_error(compare_methods(y ~ x, d, trials = 0), "`trials`")
  expect_error(compare_methods(y ~ x, d, alpha = 2), "`alpha`")
  expect_error(compare_methods(y ~ x, d, threads = 0), "`threads`")
  expect_error(compare_methods(y ~ x, list(1)), "`data`")
})
