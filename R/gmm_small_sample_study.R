# The few-labels study of the GMM interval (bench/gmm_small_sample.R and the
# simulation vignette): one cell of estimand x scenario x number of labels,
# replications in Rust. Internal; the design is documented in the core
# module gmm::small_sample.

# Returns a data frame with one row per interval rule: rule, coverage90,
# coverage95 (shares of replications whose interval covers the truth),
# width90 (mean width of the 90% interval), mse, reps, failed. `seed`: the
# seeding rule (NULL draws it from R's generator).
gmm_small_sample_study <- function(estimand, scenario, n_labeled, reps, seed = NULL, threads = 2) {
  res <- rs_gmm_small_sample_study(estimand, scenario, as.integer(n_labeled), as.integer(reps),
                                   resolve_seed(seed), as.integer(threads))
  ok <- pmax(res$reps, 1L)
  data.frame(estimand = estimand, scenario = scenario, n_labeled = as.integer(n_labeled),
             rule = res$rule, coverage90 = res$covered90 / ok, coverage95 = res$covered95 / ok,
             width90 = res$width90 / ok, mse = res$error_sq / ok, reps = res$reps,
             failed = res$failed, stringsAsFactors = FALSE)
}
