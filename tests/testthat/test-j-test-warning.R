# The J-test warning of synth_glm() against synthetic data generated
# differently on labelled rows (the design of bench/label_dependent_synthetic.R).

# y = 0.5 + x1 - 0.5 x2 + e. The synthetic unit is read off a text generated
# from the real unit's text and prompted covariates: its outcome tracks the
# real unit, its covariates are the prompted ones: predicted covariates
# x + N(0, 0.8^2) on every row, or (label_dependent) the true covariates on
# labelled rows.
label_dependent_data <- function(n, frac, label_dependent) {
  x1 <- rnorm(n)
  x2 <- rnorm(n)
  e <- rnorm(n)
  eta <- 0.5 + x1 - 0.5 * x2
  lab <- seq_len(n) %in% sample.int(n, round(frac * n))
  x1s <- x1 + 0.8 * rnorm(n)
  x2s <- x2 + 0.8 * rnorm(n)
  if (label_dependent) {
    x1s[lab] <- x1[lab]
    x2s[lab] <- x2[lab]
  }
  data.frame(x1, x2, y = ifelse(lab, eta + e, NA),
             y_llm = 0.9 * eta + 0.6 * e + 0.8 * rnorm(n),
             x1_syn = x1s, x2_syn = x2s,
             y_syn = 0.9 * eta + 0.8 * e + 0.6 * rnorm(n))
}

count_j_warnings <- function(reps, n, frac, label_dependent) {
  hits <- 0L
  for (r in seq_len(reps)) {
    d <- label_dependent_data(n, frac, label_dependent)
    withCallingHandlers(
      synth_glm(y ~ x1 + x2, d, proxy = c(y = "y_llm"),
                synthetic = c(y = "y_syn", x1 = "x1_syn", x2 = "x2_syn"), threads = 1),
      synthinfer_warning_j_test = function(w) {
        hits <<- hits + 1L
        invokeRestart("muffleWarning")
      })
  }
  hits
}

test_that("the J warning fires on label-dependent synthetic data", {
  set.seed(11)
  d <- label_dependent_data(3000, 0.3, TRUE)
  expect_warning(
    fit <- synth_glm(y ~ x1 + x2, d, proxy = c(y = "y_llm"),
                     synthetic = c(y = "y_syn", x1 = "x1_syn", x2 = "x2_syn"), threads = 1),
    class = "synthinfer_warning_j_test")
  expect_lt(fit$j_p_value, 0.01)
  expect_warning(synth_glm(y ~ x1 + x2, d, proxy = c(y = "y_llm"),
                           synthetic = c(y = "y_syn", x1 = "x1_syn", x2 = "x2_syn"), threads = 1),
                 "label-dependent generation.*Regenerate")
  # With 600 labels the test's power is essentially 1 (bench: 1.00 at 400
  # labels): at least 38 of 40 data sets must warn.
  expect_gte(count_j_warnings(40, 2000, 0.3, TRUE), 38L)
})

test_that("the J warning stays at its 1% rate when generation is the same on every row", {
  # 200 data sets: under a valid 1% test the count is Binomial(200, 0.01);
  # P(count >= 8) = 0.001 (0.003 at the 1.15% the simulation below measures).
  set.seed(12)
  expect_lte(count_j_warnings(200, 2000, 0.3, FALSE), 7L)
  # The same design in the Rust coverage study, 1000 replications: the
  # rejection rate has sd sqrt(.01 * .99 / 1000) = 0.0031 at the nominal
  # 1%, so at most 0.021 is 3.5 sd; with the synthetic covariates prompted
  # from the true ones on labelled rows it must reject almost always.
  ok <- synthinfer:::coverage_study(2000, fraction = 0.3, reps = 1000, methods = "gmm",
                                    regime = "predicted_covariates", seed = 5, threads = 2)
  expect_lte(ok$j_reject[1], 0.021)
  bad <- synthinfer:::coverage_study(2000, fraction = 0.3, reps = 200, methods = "gmm",
                                     regime = "label_dependent", seed = 5, threads = 2)
  expect_gte(bad$j_reject[1], 0.95)
})

test_that("print() states the generation requirement for GMM with synthetic data", {
  set.seed(13)
  d <- label_dependent_data(1000, 0.3, FALSE)
  fit <- synth_glm(y ~ x1 + x2, d, proxy = c(y = "y_llm"),
                   synthetic = c(y = "y_syn", x1 = "x1_syn", x2 = "x2_syn"), threads = 1)
  expect_output(print(fit), "generated the same way whether")
  expect_output(print(fit), "Hansen J")
  prox <- synth_glm(y ~ x1 + x2, d, proxy = c(y = "y_llm"), method = "gmm_proxy", threads = 1)
  expect_false(any(grepl("generated the same way", capture.output(print(prox)))))
})
