# The few-labels study of synth_glm()'s GMM interval (issue: intervals that
# under-cover with few labels). For each estimand (mean, OLS slope, logistic
# slope, Poisson slope), scenario (good, noisy proxy, anticorrelated synthetic,
# worse LLM) and number of labels (50, 100, 200; five times as many
# unlabeled rows), REPS replications (default 2000) of the design in the
# Rust module gmm::small_sample, and for each interval rule the coverage of
# nominal 90% and 95% intervals, the mean 90% width and the MSE. Rules:
#   asymptotic_z  textbook two-step variance (G' S^-1 G)^-1 / n, normal quantiles
#   asymptotic_t  the same times n_lab / (n_lab - K), t quantiles on n_lab - K df
#   windmeijer_z  Windmeijer's (2005) correction, normal quantiles
#   windmeijer_t  Windmeijer times n_lab / (n_lab - K), t on n_lab - K df
#   windmeijer_hc2_t  as windmeijer_t, with the labeled rows' moment products
#                 multiplied by 1 / (1 - h_i) (leverage h_i)
#   windmeijer_hc3_t  the same with 1 / (1 - h_i)^2: the default
#   classical_z   labeled rows only, HC0 sandwich, normal quantiles
#   classical_t   labeled rows only, HC1, t on n_lab - p df
# K = p (1 + M) parameters (p coefficients, M = 2 surrogate sources).
# Monte Carlo standard error of a coverage near 0.90 with 2000 replications:
# sqrt(0.9 * 0.1 / 2000) = 0.0067; near 0.95: 0.0049.
#
# Run: R_LIBS=.lib Rscript bench/gmm_small_sample.R [REPS]
# (2000 replications: about 3 minutes on 2 otherwise idle cores.) Writes
# bench/results/gmm_small_sample.csv.
suppressPackageStartupMessages(library(synthinfer))
args <- commandArgs(trailingOnly = TRUE)
reps <- if (length(args)) as.integer(args[[1]]) else 2000L
grid <- expand.grid(n_labeled = c(50L, 100L, 200L),
                    scenario = c("good", "noisy_proxy", "anticorrelated", "worse_llm", "skewed_x"),
                    estimand = c("mean", "ols", "logistic", "poisson"), stringsAsFactors = FALSE)
t0 <- Sys.time()
res <- do.call(rbind, lapply(seq_len(nrow(grid)), function(i) {
  g <- grid[i, ]
  synthinfer:::gmm_small_sample_study(g$estimand, g$scenario, g$n_labeled, reps,
                                      seed = 2026, threads = 2)
}))
elapsed <- as.numeric(difftime(Sys.time(), t0, units = "secs"))
dir.create("bench/results", showWarnings = FALSE)
utils::write.csv(res, "bench/results/gmm_small_sample.csv", row.names = FALSE)

mcse90 <- sqrt(0.9 * 0.1 / reps)
mcse95 <- sqrt(0.95 * 0.05 / reps)
cat(sprintf("%d replications per cell, %.0f s. Pass: coverage >= nominal - 2 MC s.e. (%.4f / %.4f)\n\n",
            reps, elapsed, 0.9 - 2 * mcse90, 0.95 - 2 * mcse95))
res$pass <- res$coverage90 >= 0.9 - 2 * mcse90 & res$coverage95 >= 0.95 - 2 * mcse95
summ <- aggregate(cbind(min90 = coverage90, min95 = coverage95, cells_passing = pass) ~ rule, res,
                  function(v) if (is.logical(v)) sum(v) else min(v))
summ$min90 <- aggregate(coverage90 ~ rule, res, min)$coverage90
summ$min95 <- aggregate(coverage95 ~ rule, res, min)$coverage95
summ$cells_passing <- aggregate(pass ~ rule, res, sum)$pass
print(summ, row.names = FALSE, digits = 3)
# Width of the default relative to the labeled-only interval, good scenario.
w <- reshape(res[res$rule %in% c("windmeijer_hc3_t", "classical_z"), c("estimand", "scenario", "n_labeled", "rule", "width90")],
             idvar = c("estimand", "scenario", "n_labeled"), timevar = "rule", direction = "wide")
w$ratio <- w$width90.windmeijer_hc3_t / w$width90.classical_z
cat("\nWidth of the default GMM interval / labeled-only (HC0) width, good scenario:\n")
print(w[w$scenario == "good", c("estimand", "n_labeled", "ratio")], row.names = FALSE, digits = 3)
cat("\nCells of the default rule (windmeijer_hc3_t):\n")
print(res[res$rule == "windmeijer_hc3_t", c("estimand", "scenario", "n_labeled", "coverage90", "coverage95", "width90", "mse")],
      row.names = FALSE, digits = 3)
