# Label-dependent synthetic data: what goes wrong, and how often Hansen's J
# test flags it.
#
# The design (Rust gmm::sim, regimes "predicted_covariates" and
# "label_dependent"): two standard normal covariates, coefficients
# (0.5, 1, -0.5), a proxy label on every unit, and one synthetic unit per
# real unit read off a text generated from the real unit's text and the
# covariates given in the prompt: its outcome tracks the real unit (residual
# correlation 0.8), its covariates are the prompted ones.
#   correct:         every unit prompted with predicted covariates x + N(0, 0.8^2)
#   label_dependent: labeled units prompted with their TRUE covariates,
#                    the others with predicted covariates (the recipe the GMM
#                    estimator must not be fed)
# 20% of units labeled at random; nominal 90% intervals scored against the
# true coefficients; J rejection at the 1% level (synth_glm() warns there).
#
# Usage: R_LIBS=.lib Rscript bench/label_dependent_synthetic.R [reps] [families] [threads]
#   defaults: 500 gaussian,binomial 2  (about 1 minute on 2 threads)

args <- commandArgs(trailingOnly = TRUE)
reps <- if (length(args) >= 1) as.integer(args[[1]]) else 500L
families <- if (length(args) >= 2) strsplit(args[[2]], ",")[[1]] else c("gaussian", "binomial")
threads <- if (length(args) >= 3) as.integer(args[[3]]) else 2L
ns <- c(500L, 1000L, 2000L, 5000L)
regimes <- c(correct = "predicted_covariates", label_dependent = "label_dependent")
methods <- c("gmm", "gmm_proxy", "ppi++", "ppi++synth", "classical")
options(width = 200)
suppressPackageStartupMessages(library(synthinfer))

t_all <- proc.time()[["elapsed"]]
rows <- list()
for (fam in families) {
  for (k in seq_along(regimes)) {
    for (n in ns) {
      res <- synthinfer:::coverage_study(n, fraction = 0.2, reps = reps, regime = regimes[[k]],
                                         family = fam, methods = methods,
                                         seed = 100 * k + n + match(fam, families),
                                         threads = threads)
      res$design <- names(regimes)[k]
      res$n <- n
      rows[[length(rows) + 1]] <- res
    }
  }
}
all <- do.call(rbind, rows)
elapsed <- proc.time()[["elapsed"]] - t_all

# One row per family x design x n x method: the x1 slope's bias and coverage,
# coverage averaged over the 3 coefficients, J rejection rate (GMM only).
slope <- all[all$term == "x1", ]
avg <- stats::aggregate(coverage ~ family + design + n + method, data = all, FUN = mean)
tab <- merge(slope[c("family", "design", "n", "method", "bias", "coverage", "j_reject", "failed")],
             avg, by = c("family", "design", "n", "method"), suffixes = c("_x1", "_mean"))
tab$n_labeled <- round(0.2 * tab$n)
tab <- tab[order(tab$family, tab$design, tab$n, match(tab$method, methods)),
           c("family", "design", "n", "n_labeled", "method", "bias", "coverage_x1",
             "coverage_mean", "j_reject", "failed")]

cat(sprintf(paste0("\nLabel-dependent synthetic data: %d replications per cell, 20%% labeled, ",
                   "nominal 90%%, J at 1%% (%.0f s on %d threads)\n\n"), reps, elapsed, threads))
print(tab, digits = 3, row.names = FALSE)

cat("\nPower of the J test (GMM with the synthetic source) by labeled count:\n")
pow <- tab[tab$method == "gmm", c("family", "design", "n_labeled", "j_reject", "bias", "coverage_x1")]
print(pow, digits = 3, row.names = FALSE)
