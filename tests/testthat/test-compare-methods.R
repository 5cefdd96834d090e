# compare_methods(): the Rust loop against a brute-force R loop over
# synth_fit_design() on the same labeled subsets, thread independence, errors.

sim_cmp_data <- function(n = 400, family = "gaussian", regime = "good") {
  set.seed(21)
  d <- simulate_synthetic(n, fraction = 1, family = family, regime = regime)
  d[setdiff(names(d), c("y_full", "labeled"))]
}
syn_map <- c(y = "y_syn", x1 = "x1_syn", x2 = "x2_syn")

test_that("scores equal an R loop over synth_fit_design() on the same subsets", {
  d <- sim_cmp_data()
  methods <- c("classical", "ppi++", "gmm")
  fr <- c(0.1, 0.3)
  trials <- 6L
  cmp <- compare_methods(d, y ~ x1 + x2, proxy = c(y = "y_llm"), synthetic = syn_map,
                         methods = methods, fractions = fr, trials = trials, seed = 5,
                         threads = 1)
  design <- synth_design(y ~ x1 + x2, d, gaussian(), c(y = "y_llm"), syn_map)
  truth <- coef(synth_fit_design(design, "classical", 0.1, threads = 1))
  masks <- synthinfer:::rs_compare_masks(nrow(d), fr, trials, 5)
  for (f in seq_along(fr)) for (m in methods) {
    fits <- lapply(masks[(f - 1) * trials + seq_len(trials)], function(idx) {
      lab <- seq_len(nrow(d)) %in% idx
      fit <- suppressWarnings(synth_fit_design(design, m, 0.1, labeled = lab, threads = 1),
                              classes = "synthinfer_warning_few_labels")
      generics::tidy(fit)
    })
    est <- sapply(fits, `[[`, "estimate"); lo <- sapply(fits, `[[`, "conf.low")
    hi <- sapply(fits, `[[`, "conf.high")
    row <- cmp[cmp$method == m & cmp$fraction == fr[f], ]
    expect_equal(row$truth, unname(truth))
    expect_equal(row$mse, rowMeans((est - truth)^2), tolerance = 1e-8)
    expect_equal(row$coverage, rowMeans(lo <= truth & truth <= hi))
    expect_equal(row$width, rowMeans(hi - lo), tolerance = 1e-8)
  }
})

test_that("results do not depend on the number of threads", {
  d <- sim_cmp_data(300, family = "binomial")
  run <- function(threads) {
    compare_methods(d, y ~ x1 + x2, family = binomial(), proxy = c(y = "y_llm"),
                    synthetic = syn_map, fractions = c(0.2, 0.4), trials = 20,
                    seed = 3, threads = threads)
  }
  a <- run(1)
  expect_identical(a, run(2))
  expect_s3_class(a, "synth_comparison")
  expect_equal(nrow(a), 4 * 2 * 3)
  expect_true(all(a$trials + a$failed == 20))
  expect_output(print(a), "truth = full-data classical estimate")
})

test_that("the data must be fully labeled and the fractions feasible", {
  d <- sim_cmp_data(100)
  d$y[3] <- NA
  expect_error(compare_methods(d, y ~ x1, proxy = c(y = "y_llm"), trials = 2), "`data`")
  d <- sim_cmp_data(100)
  expect_error(compare_methods(d, y ~ x1 + x2, proxy = c(y = "y_llm"),
                               fractions = 0.02, trials = 2), "`fractions`")
  expect_error(compare_methods(d, y ~ x1, methods = "ppi++", trials = 2), "`proxy`")
})

test_that("autoplot draws one panel row per metric", {
  skip_if_not_installed("ggplot2")
  d <- sim_cmp_data(200)
  cmp <- compare_methods(d, y ~ x1, proxy = c(y = "y_llm"), synthetic = syn_map[1:2],
                         fractions = c(0.2, 0.4), trials = 5, threads = 1)
  p <- ggplot2::autoplot(cmp, metrics = c("coverage", "width"))
  expect_s3_class(p, "ggplot")
  expect_setequal(levels(p$data$metric), c("coverage", "width"))
  built <- ggplot2::ggplot_build(p)
  # 2 metrics x 2 terms panels; 4 methods x 2 fractions points in each.
  expect_equal(nrow(built$layout$layout), 4)
  expect_equal(nrow(built$data[[2]]), 4 * 2 * 2 * 2)
  expect_error(ggplot2::autoplot(cmp, metrics = "bias"), "`metrics`")
})

test_that("failed fits are counted, left out and reported", {
  set.seed(8)
  # A rare binary covariate: some 5% subsets contain no unit with x = 1, so
  # the fit there is rank deficient and must fail.
  d <- data.frame(x = rbinom(400, 1, 0.03))
  d$y <- d$x + rnorm(400)
  d$y_llm <- d$y + rnorm(400)
  expect_warning(
    cmp <- compare_methods(d, y ~ x, proxy = c(y = "y_llm"), methods = c("classical", "ppi++"),
                           fractions = c(0.05, 0.5), trials = 30, threads = 1),
    "left out of the averages")
  expect_true(all(cmp$trials + cmp$failed == 30))
  expect_gt(sum(cmp$failed[cmp$fraction == 0.05]), 0)
  expect_true(all(is.finite(cmp$coverage)))
})

test_that("seeds beyond the integer range work and change the subsets", {
  d <- sim_cmp_data(150)
  run <- function(seed) {
    compare_methods(d, y ~ x1, proxy = c(y = "y_llm"), methods = "classical",
                    fractions = 0.2, trials = 5, seed = seed, threads = 1)
  }
  big <- run(3e9)
  expect_equal(attr(big, "seed"), 3e9)
  expect_false(identical(big$mse, run(1)$mse))
  expect_error(run(-1), "`seed`")
  expect_error(run(1.5), "`seed`")
})

test_that("summary() averages over coefficients and divides by the reference width", {
  d <- sim_cmp_data(300)
  cmp <- compare_methods(d, y ~ x1 + x2, proxy = c(y = "y_llm"), synthetic = syn_map,
                         methods = c("classical", "gmm"), fractions = c(0.2, 0.4),
                         trials = 8, threads = 1)
  s <- summary(cmp)
  expect_equal(nrow(s), 4)
  g <- cmp[cmp$method == "gmm" & cmp$fraction == 0.4, ]
  c0 <- cmp[cmp$method == "classical" & cmp$fraction == 0.4, ]
  row <- s[s$method == "gmm" & s$fraction == 0.4, ]
  expect_equal(row$coverage, mean(g$coverage))
  expect_equal(row$min_coverage, min(g$coverage))
  expect_equal(row$relative_width, mean(g$width) / mean(c0$width))
  expect_equal(s$relative_width[s$method == "classical"], c(1, 1))
  expect_error(summary(cmp, reference = "ppi"), "`reference`")
})
