# glance(), tidy() and autoplot() of the exchangeability results.

two_coord <- function(n = 41) {
  a <- simulate_tasks(n, seed = 1)
  b <- simulate_tasks(n, seed = 2)
  a$coordinate <- "first"
  b$coordinate <- "second"
  rbind(a, b)
}

test_that("glance() of an interval summarises its tidy() rows", {
  tasks <- simulate_tasks(45, seed = 2)
  ci <- exchangeable_ci(tasks, target = 41:45, alpha = 0.2, bounds = c(0, 1))
  g <- glance(ci)
  expect_equal(nrow(g), 1L)
  td <- tidy(ci)
  expect_equal(g$mean_width, mean(td$conf.high - td$conf.low))
  expect_equal(g$n_tasks, 40L)
  expect_equal(c(g$a1, g$a2, g$a3), c(0.02, 0.04, 0.14))
  expect_identical(g$method, "population")
  expect_equal(g$n_targets, 5L)
})

test_that("glance() of a region, a held-out evaluation and a band", {
  tasks <- two_coord()
  r <- exchangeable_region(tasks, target = 41, alpha = 0.2, shape = "box")
  g <- glance(r)
  expect_identical(g$shape, "box")
  expect_equal(g$mean_width, mean(tidy(r)$conf.high - tidy(r)$conf.low))
  expect_equal(g$radius, r$radius[1])
  expect_equal(g$n_tasks, 40L)

  scalar <- simulate_tasks(30, seed = 7)
  loo <- exchangeable_loo(scalar, alpha = 0.2)
  g <- glance(loo)
  td <- tidy(loo)
  expect_equal(nrow(td), 30L)
  expect_named(td, c("task", "estimate", "conf.low", "conf.high", "truth", "covered", "method", "alpha"))
  expect_equal(g$coverage, mean(td$conf.low <= td$truth & td$truth <= td$conf.high))
  expect_equal(g$mean_width, mean(td$conf.high - td$conf.low))
  expect_equal(g$coverage, summary(loo)$coverage[1])
  expect_equal(g$naive_coverage, summary(loo)$coverage[2])

  band <- exchangeable_band(scalar, alpha = c(0.1, 0.2))
  g <- glance(band)
  expect_equal(g$n_bands, 2L)
  expect_true(is.na(g$alpha)) # two levels
  expect_equal(g$mean_width, mean(tidy(band)$conf.high - tidy(band)$conf.low))
  expect_equal(tidy(band)$conf.low, band$delta_lower)
})

test_that("autoplot() of an interval draws the endpoints and the synthetic estimates", {
  skip_if_not_installed("ggplot2")
  tasks <- simulate_tasks(45, seed = 2)
  ci <- exchangeable_ci(tasks, target = 41:45, alpha = 0.2, bounds = c(0, 1))
  p <- ggplot2::autoplot(ci)
  bars <- ggplot2::layer_data(p, 1)
  # y positions count from the bottom; the first target is drawn on top
  ord <- order(-bars$y)
  expect_equal(bars$xmin[ord], ci$conf.low)
  expect_equal(bars$xmax[ord], ci$conf.high)
  pts <- ggplot2::layer_data(p, 2)
  expect_equal(pts$x[order(-pts$y)], ci$synth_est)
  # with a real-data interval, its endpoints form a second set of segments
  one <- exchangeable_ci(tasks, target = 45, alpha = 0.2, real_estimate = c(tasks$synth_est[45], 0.05))
  bars <- ggplot2::layer_data(ggplot2::autoplot(one), 1)
  expect_equal(sort(c(bars$xmin, bars$xmax)),
               sort(c(one$conf.low, one$conf.high, one$real_low, one$real_high)))
})

test_that("autoplot() of a region draws its rectangle or its ellipse", {
  skip_if_not_installed("ggplot2")
  tasks <- two_coord()
  r <- exchangeable_region(tasks, target = 41, alpha = 0.2)
  poly <- ggplot2::layer_data(ggplot2::autoplot(r), 1)
  expect_equal(range(poly$x), c(r$conf.low[1], r$conf.high[1]))
  expect_equal(range(poly$y), c(r$conf.low[2], r$conf.high[2]))
  # coordinates swapped
  poly <- ggplot2::layer_data(ggplot2::autoplot(r, coordinates = c("second", "first")), 1)
  expect_equal(range(poly$x), c(r$conf.low[2], r$conf.high[2]))
  pt <- ggplot2::layer_data(ggplot2::autoplot(r), 2)
  expect_equal(c(pt$x, pt$y), r$estimate)
  expect_error(ggplot2::autoplot(r, coordinates = c("first", "nope")), class = "synthinfer_error_input")

  # Ball without bounds: every outline point lies on the region's boundary
  # (scaled distance to the shifted synthetic box = radius), and the outline
  # reaches the bounding box given in the table.
  b <- exchangeable_region(tasks, target = 41, alpha = 0.2, shape = "ball")
  poly <- ggplot2::layer_data(ggplot2::autoplot(b), 1)
  dist <- function(v, k) {
    pmax(b$synth_low[k] - (v - b$center[k]), (v - b$center[k]) - b$synth_high[k], 0) / b$scale[k]
  }
  expect_equal(sqrt(dist(poly$x, 1)^2 + dist(poly$y, 2)^2), rep(b$radius[1], nrow(poly)))
  expect_equal(range(poly$x), c(b$conf.low[1], b$conf.high[1]))
  expect_equal(range(poly$y), c(b$conf.low[2], b$conf.high[2]))
})

test_that("autoplot() of gap bands draws the band endpoints", {
  skip_if_not_installed("ggplot2")
  band <- exchangeable_band(simulate_tasks(40, seed = 1), alpha = c(0.1, 0.2))
  bars <- ggplot2::layer_data(ggplot2::autoplot(band), 1)
  expect_equal(bars$xmin[order(bars$y)], band$delta_lower)
  expect_equal(bars$xmax[order(bars$y)], band$delta_upper)
  expect_s3_class(ggplot2::autoplot(exchangeable_band(two_coord(), alpha = 0.2)), "ggplot")
})
