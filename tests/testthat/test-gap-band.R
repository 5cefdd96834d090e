# Reference values are order statistics computed with base R's sort().

test_that("gap_band picks the k_L-th and k_U-th smallest endpoints", {
  set.seed(3)
  lo <- rnorm(39)
  up <- lo + runif(39)
  band <- gap_band(lo, up, alpha = 0.1)
  # T = 39, alpha = 0.1: k_L = floor(40 * 0.05) = 2, k_U = ceiling(40 * 0.95) = 38
  expect_equal(band$k_lower, 2L)
  expect_equal(band$k_upper, 38L)
  expect_equal(band$delta_lower, sort(lo)[2])
  expect_equal(band$delta_upper, sort(up)[38])
})

test_that("gap_band handles ties", {
  band <- gap_band(c(0, 0, 0, 1), c(1, 1, 2, 2), alpha = 0.8)
  # T = 4: k_L = floor(5 * 0.4) = 2, k_U = ceiling(5 * 0.6) = 3
  expect_equal(c(band$delta_lower, band$delta_upper), c(0, 2))
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

# Calibrate once, apply later. The band path must reproduce the full path
# (historical tasks -> band -> interval) exactly: identical(), not a tolerance.

tied_tasks <- function(n, seed) {
  t <- simulate_tasks(n, seed = seed)
  t$synth_se[t$synth_se == 0] <- 1e-3
  t$gap_se[t$gap_se == 0] <- 1e-3
  # ties in the gaps and their standard errors
  t$gap_est <- round(t$gap_est, 2)
  t$gap_se <- round(t$gap_se, 3)
  t
}

band_cols <- c("estimate", "conf.low", "conf.high", "synth_low", "synth_high",
               "gap_low", "gap_high", "k_lower", "k_upper", "a1", "a2", "a3", "n_tasks")

test_that("a saved band gives the full path's intervals to the last bit", {
  tasks <- tied_tasks(60, seed = 11)
  hist <- tasks[1:50, ]
  new <- tasks[51:60, ]
  for (method in c("population", "task_only", "finite_sample")) {
    for (alpha in c(0.1, 0.2)) {
      full <- exchangeable_ci(tasks, 51:60, alpha = alpha, method = method, bounds = c(0, 1))
      band <- exchangeable_band(hist, alpha = alpha, method = method)
      viaband <- exchangeable_ci(new, alpha = alpha, band = band, bounds = c(0, 1))
      expect_identical(lapply(band_cols, function(k) viaband[[k]]),
                       lapply(band_cols, function(k) full[[k]]), info = paste(method, alpha))
      expect_identical(attr(viaband, "method"), method)
    }
  }
  # weights and a user split are carried too
  w <- rep(c(1, 0.5), 25)
  full <- exchangeable_ci(tasks, 51:60, alpha = 0.2, split = c(0.1, 0.3, 0.6), weights = w)
  band <- exchangeable_band(hist, alpha = 0.2, split = c(0.1, 0.3, 0.6), weights = w)
  viaband <- exchangeable_ci(new, alpha = 0.2, band = band)
  expect_identical(viaband$conf.low, full$conf.low)
  expect_identical(viaband$conf.high, full$conf.high)
  expect_identical(viaband$estimate, full$estimate)
})

test_that("gap_band() of the point gaps plus the split gives the finite-sample interval", {
  tasks <- tied_tasks(40, seed = 12)
  g <- tasks$gap_est[1:39]
  full <- exchangeable_ci(tasks, 40, alpha = 0.1, method = "finite_sample")
  band <- gap_band(g, g, alpha = 0.1)
  viaband <- exchangeable_ci(tasks[40, ], alpha = 0.1, method = "finite_sample", band = band)
  expect_identical(c(viaband$conf.low, viaband$conf.high), c(full$conf.low, full$conf.high))
  # population: R's qnorm for the gap intervals, the split given by hand
  s <- c(a1 = 0.01, a2 = 0.02, a3 = 0.07)
  z <- qnorm(1 - s[["a2"]] / 2)
  band <- gap_band(g - z * tasks$gap_se[1:39], g + z * tasks$gap_se[1:39], alpha = s[["a3"]])
  full <- exchangeable_ci(tasks, 40, alpha = 0.1, split = s)
  viaband <- exchangeable_ci(tasks[40, ], alpha = 0.1, split = s, band = band)
  expect_equal(c(viaband$conf.low, viaband$conf.high), c(full$conf.low, full$conf.high),
               tolerance = 1e-12)
  expect_true(is.na(viaband$estimate)) # the band has no mean gap
  expect_error(exchangeable_ci(tasks[40, ], alpha = 0.1, band = band), "`split` is needed")
  expect_error(exchangeable_ci(tasks[40, ], alpha = 0.1, band = band, split = c(0.02, 0.02, 0.06)),
               "a3 = 0.06, but the band was made with alpha3 = 0.07")
})

test_that("bands round-trip through saveRDS() and CSV", {
  tasks <- tied_tasks(45, seed = 13)
  band <- exchangeable_band(tasks[1:44, ], alpha = c(0.1, 0.15, 0.2))
  f <- tempfile(fileext = ".rds")
  saveRDS(band, f)
  expect_identical(readRDS(f), band)
  csv <- tempfile(fileext = ".csv")
  write_gap_band(band, csv)
  back <- as_gap_band(csv)
  expect_identical(as.list(back), as.list(band))
  expect_equal(names(utils::read.csv(csv))[1:7], c("alpha", "alpha1", "alpha2", "alpha3",
                                                   "n_tasks", "delta_lower", "delta_upper"))
  a <- exchangeable_ci(tasks[45, ], alpha = 0.15, band = back)
  b <- exchangeable_ci(tasks, 45, alpha = 0.15)
  expect_identical(c(a$conf.low, a$conf.high, a$estimate), c(b$conf.low, b$conf.high, b$estimate))
})

test_that("bad or mismatched bands are clear errors", {
  tasks <- tied_tasks(41, seed = 14)
  band <- exchangeable_band(tasks[1:40, ], alpha = 0.1)
  target <- tasks[41, ]
  expect_error(exchangeable_ci(target, band = c(1, -1), split = c(0.1, 0.2, 0.7)),
               "delta_lower above delta_upper")
  expect_error(exchangeable_ci(target, band = c(-Inf, 1), split = c(0.1, 0.2, 0.7)),
               "infinite values")
  bad <- band
  bad$delta_upper <- NA
  expect_error(exchangeable_ci(target, band = bad), "column 'delta_upper' has missing values")
  expect_error(exchangeable_ci(target, alpha = 0.2, band = band),
               "made for alpha = 0.1, not 0.2")
  expect_error(exchangeable_ci(target, alpha = 0.1, band = band, split = c(0.2, 0.2, 0.6)),
               "band was made with the split")
  expect_error(exchangeable_ci(target, alpha = 0.1, band = band, method = "finite_sample"),
               "made with method = \"population\"")
  bad <- band
  bad$alpha2 <- 0.05
  expect_error(as_gap_band(bad), "does not sum to alpha")
  bad <- band
  bad$n_tasks <- 5L
  expect_error(as_gap_band(bad), "alpha3 below 2 / \\(n_tasks \\+ 1\\)")
  expect_error(as_gap_band(band[, -6]), "lacks column\\(s\\) 'delta_lower'")
  expect_error(exchangeable_ci(target, band = c(0, 1, 2)), "must be c\\(lower, upper\\)")
  two <- exchangeable_band(tasks[1:40, ], alpha = c(0.1, 0.2))
  expect_error(exchangeable_ci(target, alpha = 0.1, band = rbind(as.data.frame(two), as.data.frame(two))),
               "bands at alpha = 0.1")
  expect_error(exchangeable_ci(target, band = band, weights = 1), "`weights` cannot be combined")
  expect_error(exchangeable_ci(target, band = band, real_estimate = c(est = 0.5, se = 0.1)),
               "`real_estimate` cannot be combined")
  expect_warning(exchangeable_ci(tasks, 41, band = band), "the 40 row\\(s\\) of `tasks` that are not targets")
})

test_that("the published ANES 2016 band reads as it is and shifts synthetic intervals", {
  pub <- utils::read.csv(test_path("fixtures", "anes_2016_calibration_band.csv"))
  expect_named(pub, c("alpha", "alpha1", "alpha2", "alpha3", "n_tasks_2016",
                      "delta_lower", "delta_upper"))
  band <- as_gap_band(pub)
  expect_s3_class(band, "gap_band")
  expect_equal(band$n_tasks, c(33L, 33L))
  expect_equal(band$method, c("population", "population"))
  therm <- data.frame(task = c("a", "b", "c"), target_group = "g", party = "p",
                      n = 900, real_mean = c(70, 45, 10), synth_ci_low = c(74, 38, 1),
                      synth_ci_high = c(75, 39, 3), synth_ci_alpha = 0.005)
  tasks <- read_anes_tasks(therm)
  for (i in 1:2) {
    ci <- exchangeable_ci(tasks, alpha = pub$alpha[i], band = pub, bounds = c(0, 100))
    hand_low <- pmin(pmax(therm$synth_ci_low + pub$delta_lower[i], 0), 100)
    hand_high <- pmin(pmax(therm$synth_ci_high + pub$delta_upper[i], 0), 100)
    expect_equal(ci$conf.low, hand_low, tolerance = 1e-12)
    expect_equal(ci$conf.high, hand_high, tolerance = 1e-12)
    expect_equal(ci$a1, rep(0.005, 3))
  }
  expect_error(exchangeable_ci(tasks, alpha = 0.05, band = pub), "made for alpha = 0.1, 0.15, not 0.05")
})

test_that("the paper's ANES 2016 -> 2020 intervals from the published band", {
  therm <- as.data.frame(anes2020) # the shipped data set
  pub <- utils::read.csv(test_path("fixtures", "anes_2016_calibration_band.csv"))
  # The shipped band is the published file.
  expect_equal(as.data.frame(anes2016_band), pub, ignore_attr = TRUE)
  tasks <- read_anes_tasks(therm)
  for (i in 1:2) {
    ci <- exchangeable_ci(tasks, alpha = pub$alpha[i], band = pub, bounds = c(0, 100))
    expect_equal(nrow(ci), 33L)
    expect_equal(ci$conf.low, pmax(therm$synth_ci_low + pub$delta_lower[i], 0), tolerance = 1e-12)
    expect_equal(ci$conf.high, pmin(therm$synth_ci_high + pub$delta_upper[i], 100), tolerance = 1e-12)
    loo <- exchangeable_loo(tasks, alpha = pub$alpha[i], band = pub, bounds = c(0, 100))
    expect_identical(loo$conf.low, ci$conf.low)
    expect_equal(loo$covered, ci$conf.low <= therm$real_mean & therm$real_mean <= ci$conf.high)
  }
})

test_that("exchangeable_region() and exchangeable_loo() apply bands too", {
  tasks <- two_coordinate_tasks(31, seeds = 15:16)
  hist <- tasks[tasks$task <= 30, ]
  band <- exchangeable_band(hist, alpha = 0.2)
  expect_equal(band$coordinate, c("x", "y"))
  expect_equal(band$alpha1 + band$alpha2 + band$alpha3, c(0.1, 0.1))
  full <- exchangeable_region(tasks, 31, alpha = 0.2, bounds = c(0, 1))
  viaband <- exchangeable_region(tasks[tasks$task == 31, ], alpha = 0.2, band = band,
                                 bounds = c(0, 1))
  expect_identical(viaband$conf.low, full$conf.low)
  expect_identical(viaband$conf.high, full$conf.high)
  expect_error(exchangeable_region(tasks, 31, shape = "box", band = band), "\"bonferroni\" only")
  # a fixed band on many targets equals the band path target by target
  s <- tied_tasks(40, seed = 17)
  band <- exchangeable_band(s[1:30, ], alpha = 0.2)
  loo <- exchangeable_loo(s, alpha = 0.2, predict = 31:40, band = band, bounds = c(0, 1))
  ci <- exchangeable_ci(s[31:40, ], alpha = 0.2, band = band, bounds = c(0, 1))
  expect_identical(loo$conf.high, ci$conf.high)
  expect_equal(loo$truth, s$real_est[31:40])
  expect_output(print(loo), "fixed band")
  expect_error(exchangeable_loo(s, band = band, calibrate = 1:30), "`calibrate` cannot be combined")
})

test_that("bands print what they know", {
  expect_output(print(as_gap_band(c(-0.1, 0.2))), "level unknown: \\[-0.1, 0.2\\]  \\(split unknown; T unknown; method unknown\\)")
  expect_output(print(gap_band(-(1:19), 1:19, alpha = 0.2)), "alpha3 0.2, rest of split unknown; T = 19")
  pub <- utils::read.csv(test_path("fixtures", "anes_2016_calibration_band.csv"))
  expect_output(print(as_gap_band(pub)), "85%: \\[-15.3201, 13.5973\\]  \\(split 0.005, 0.005, 0.14; T = 33; population\\)")
})
