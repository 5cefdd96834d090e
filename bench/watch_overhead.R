# Wall time (median) of the calls that run under the interrupt/progress
# watch (issue 13). Run it with two installed builds to measure the hooks'
# overhead, e.g. R_LIBS=/path/to/old/lib and R_LIBS=.lib, alternating.
# Usage: R_LIBS=.lib Rscript bench/watch_overhead.R
suppressMessages(library(synthinfer))
med <- function(f, k = 7) { f(); median(replicate(k, system.time(f())[["elapsed"]])) }
set.seed(1)
d <- simulate_synthetic(2000, fraction = 1, regime = "good")
u <- data.frame(g = rep(1:50, each = 40), y = rnorm(2000), s = rnorm(2000))
tasks <- simulate_tasks(1000, seed = 1)
dd <- simulate_synthetic(1e5, fraction = 0.1, regime = "good")
res <- c(
  coverage_study_20k = med(function() exchange_coverage_study(40, reps = 20000, seed = 1, threads = 2)),
  coverage_study_200 = med(function() exchange_coverage_study(40, reps = 200, seed = 1, threads = 2), 15),
  compare_methods_100 = med(function() compare_methods(d, y ~ x1 + x2, proxy = c(y = "y_llm"), fractions = c(0.1, 0.2), trials = 100, threads = 2), 5),
  task_summaries_median_2k = med(function() task_summaries(u, "g", "y", "s", estimand = "median", reps = 2000, threads = 2)),
  loo_1000 = med(function() suppressWarnings(exchangeable_loo(tasks, alpha = 0.1)), 9),
  synth_glm_ppipp_1e5 = med(function() synth_glm(y ~ x1 + x2, dd, proxy = c(y = "y_llm"), method = "ppi++", threads = 2), 15)
)
cat(paste(names(res), format(res), collapse = "\n"), "\n")
