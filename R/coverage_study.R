# Internal: the Monte Carlo coverage study of the synth_glm estimators on
# simulate_synthetic() populations, shared by bench/gmm_simulation.R
# (the full study) and tests/testthat/test-simulation-gmm.R (a small
# version). Unlike compare_methods(), every replication draws a fresh
# population sample, and intervals are scored against the true coefficients.
# The replication loop runs in Rust, in parallel: replication r draws from
# its own random stream (seed, r), so results do not depend on `threads`.
# The data-generating design is simulate_synthetic()'s, drawn by the same
# core generator (gmm::sim; replication r is the population
# simulate_synthetic() would draw on stream r of the seed), plus two regimes
# of synthetic covariates prompted from predicted covariates on every row
# ("predicted_covariates") or from the true ones on labeled rows only
# ("label_dependent"; see the core's gmm::sim). `fraction`: share of labeled
# units, in (0, 1). `seed`: the seeding rule (NULL draws it from R's
# generator). `j_reject`: share of replications whose J test rejected at 1%
# (GMM methods).
coverage_study <- function(n, fraction, reps, regime, family = "gaussian",
                           methods = synth_methods, alpha = 0.1, seed = NULL,
                           threads = default_threads(),
                           coefficients = c(0.5, 1, -0.5), strength = 0.8) {
  regime <- check_choice(regime, c("good", "noise", "biased", "anticorrelated",
                                   "predicted_covariates", "label_dependent"), "regime")
  family <- check_choice(family, c("gaussian", "binomial"), "family")
  design <- check_population_design(n, fraction, family, regime, coefficients, strength,
                                    all_labeled = FALSE)
  reps <- check_count(reps, "reps")
  alpha <- check_probability(alpha, "alpha")
  threads <- check_threads(threads)
  methods <- vapply(methods, check_method, "", several = FALSE, USE.NAMES = FALSE)
  res <- rs_gmm_coverage_study(design, methods, as.integer(reps), alpha, resolve_seed(seed),
                               as.integer(threads))
  terms <- c("(Intercept)", paste0("x", seq_len(length(design$coefficients) - 1L)))
  ok <- res$reps
  tibble::tibble(regime = regime, family = family, method = res$method,
                 term = terms[res$term], coverage = res$covered / ok, width = res$width / ok,
                 bias = res$error / ok, rmse = sqrt(res$error_sq / ok),
                 reps = as.integer(ok), failed = as.integer(res$failed),
                 j_reject = ifelse(res$method %in% c("gmm", "gmm_proxy"), res$j_rejected / ok, NA_real_))
}
