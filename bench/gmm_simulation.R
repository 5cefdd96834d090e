# The simulation study of GMM with synthetic data (Byun et al. 2025, and the
# robustness experiments of its rebuttal): simulate_synthetic() data, 10,000
# units of which 10% labeled, nominal 90% intervals, four synthetic regimes:
#   (a) good: synthetic residuals correlated (0.8) with the real ones
#   (b) noise: synthetic units unrelated to the real data
#   (c) biased: synthetic labels pushed in one direction
#   (d) anticorrelated: synthetic residuals correlated -0.8 with the real ones
# Every replication draws fresh data; intervals are scored against the true
# coefficients. Expected: every method but "naive" covers within 0.87..0.93
# (Monte Carlo sd of a coverage at 2,000 replications: sqrt(.9 * .1 / 2000)
# = 0.0067, so the band is +-4.5 sd); "gmm" is as wide as "gmm_proxy"
# (within 3%) in (b) and (c) and clearly narrower in (a) and (d).
#
# Usage: R_LIBS=.lib Rscript bench/gmm_simulation.R [reps] [n] [families] [threads]
#   defaults: 2000 10000 gaussian,binomial 2
# The replications run in Rust in parallel (results do not depend on threads).

args <- commandArgs(trailingOnly = TRUE)
reps <- if (length(args) >= 1) as.integer(args[[1]]) else 2000L
n <- if (length(args) >= 2) as.integer(args[[2]]) else 10000L
families <- if (length(args) >= 3) strsplit(args[[3]], ",")[[1]] else c("gaussian", "binomial")
threads <- if (length(args) >= 4) as.integer(args[[4]]) else 2L
regimes <- c(a = "good", b = "noise", c = "biased", d = "anticorrelated")
options(width = 200)
suppressPackageStartupMessages(library(synthinfer))

results <- list()
for (fam in families) {
  for (k in seq_along(regimes)) {
    t0 <- proc.time()[["elapsed"]]
    res <- synthinfer:::coverage_study(n, fraction = 0.1, reps = reps, regime = regimes[[k]],
                                       family = fam, seed = 1000 * k + match(fam, c("gaussian", "binomial")),
                                       threads = threads)
    res$scenario <- names(regimes)[k]
    results[[length(results) + 1]] <- res
    message(sprintf("%s / (%s) %s: %d replications in %.0f s", fam, names(regimes)[k],
                    regimes[[k]], reps, proc.time()[["elapsed"]] - t0))
  }
}
all <- do.call(rbind, results)

cat(sprintf("\nGMM simulation study: %d replications, n = %d, 10%% labeled, nominal 90%%\n",
            reps, n))
cat("\nPer coefficient:\n")
print(as.data.frame(all[c("family", "scenario", "regime", "method", "term", "coverage",
                          "width", "bias", "rmse", "failed")]), digits = 3, row.names = FALSE)

# Averages over the coefficients, one row per family x scenario x method.
avg <- stats::aggregate(cbind(coverage, width, rmse) ~ family + scenario + regime + method,
                        data = all, FUN = mean)
avg <- avg[order(avg$family, avg$scenario, match(avg$method, unique(all$method))), ]
cat("\nAveraged over coefficients:\n")
print(avg, digits = 3, row.names = FALSE)

cat("\nChecks:\n")
ok_cov <- all$method != "naive"
bad <- all[ok_cov & (all$coverage < 0.87 | all$coverage > 0.93), ]
cat(sprintf("  coverage in [0.87, 0.93] for every method but naive: %s (%d of %d cells outside)\n",
            if (nrow(bad)) "NO" else "yes", nrow(bad), sum(ok_cov)))
if (nrow(bad)) print(as.data.frame(bad[c("family", "scenario", "method", "term", "coverage")]),
                     row.names = FALSE)
for (fam in families) for (sc in names(regimes)) {
  w <- function(m) mean(all$width[all$family == fam & all$scenario == sc & all$method == m])
  ratio <- w("gmm") / w("gmm_proxy")
  want <- if (sc %in% c("b", "c")) "within 3% of gmm_proxy" else "clearly narrower than gmm_proxy"
  pass <- if (sc %in% c("b", "c")) abs(ratio - 1) <= 0.03 else ratio < 0.95
  cat(sprintf("  %s (%s): width gmm / gmm_proxy = %.3f; want %s: %s\n", fam, sc, ratio, want,
              if (pass) "yes" else "NO"))
}
