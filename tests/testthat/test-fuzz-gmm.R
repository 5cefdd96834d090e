# Fuzz suite, GMM / PPI functions (see helper-fuzz.R).

fuzz_synth_data <- function(n = 120) {
  set.seed(5)
  simulate_synthetic(n, fraction = 0.4, regime = "good")
}

test_that("synth_glm survives random bad input", {
  d <- fuzz_synth_data()
  set.seed(fuzz_seed() + 10)
  fuzz_function("synth_glm", list(formula = y ~ x1, data = d, family = stats::gaussian(),
                                  proxy = c(y = "y_llm"), synthetic = NULL, method = "ppi++",
                                  alpha = 0.1, threads = 1),
                mutate = mutate_data)
})

test_that("synth_design and synth_fit_design survive random bad input", {
  d <- fuzz_synth_data()
  set.seed(fuzz_seed() + 11)
  fuzz_function("synth_design", list(formula = y ~ x1, data = d, family = stats::gaussian(),
                                     proxy = c(y = "y_llm"), synthetic = NULL),
                mutate = mutate_data)
  des <- synth_design(y ~ x1, d, proxy = c(y = "y_llm"))
  fuzz_function("synth_fit_design", list(design = des, method = "ppi", alpha = 0.1,
                                         labeled = des$labeled, threads = 1))
})

test_that("compare_methods survives random bad input", {
  d <- fuzz_synth_data(150)
  d$y <- ifelse(is.na(d$y), d$y_llm, d$y) # every unit labeled
  set.seed(fuzz_seed() + 12)
  fuzz_function("compare_methods", list(data = d, formula = y ~ x1, family = stats::gaussian(),
                                        proxy = c(y = "y_llm"), synthetic = NULL,
                                        methods = c("classical", "ppi++"), fractions = 0.3,
                                        trials = 3, alpha = 0.1, seed = 1, threads = 1),
                iterations = max(5L, fuzz_iterations() %/% 2L), mutate = mutate_data)
})

test_that("simulate_synthetic and semi_synthetic_confusion survive random bad input", {
  set.seed(fuzz_seed() + 13)
  fuzz_function("simulate_synthetic", list(n = 50, fraction = 0.2, family = "gaussian",
                                           regime = "good", coefficients = c(0.5, 1, -0.5),
                                           strength = 0.8, seed = 1))
  d <- data.frame(y = rep(0:1, 50), y_llm = rep(c(0, 1, 1, 0), 25))
  fuzz_function("semi_synthetic_confusion", list(data = d, human = "y", proxy = "y_llm",
                                                 calibration = 0.2, name = "y_syn", seed = 1),
                mutate = mutate_data)
})
