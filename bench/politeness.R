# GMM with synthetic data on the politeness data (Stack Exchange / Wikipedia
# requests; human politeness labels and GPT-4o labels):
# logistic regression of human politeness on hedging (Feature_3) and on first
# person plural (Feature_10); GPT-4o's polite/impolite labels are the proxy.
#
# SEMI-SYNTHETIC: no LLM-generated synthetic texts exist for these data. The
# synthetic block is made by semi_synthetic_confusion(): 20% of the rows are
# set aside to estimate GPT-4o's confusion matrix against the human labels;
# every remaining row gets a synthetic twin with the real unit's features and
# a label drawn from that confusion matrix given the unit's human label. The
# "gmm" rows below therefore show the method on semi-synthetic data, not on
# real LLM generations.
#
# Evaluation (compare_methods()): the classical estimate on all remaining
# rows is the truth; labeled fractions 5-20%, 500 trials each, nominal 90%.
#
# Usage: R_LIBS=.lib Rscript bench/politeness.R [path to politeness_gpt4o.csv] [trials]

args <- commandArgs(trailingOnly = TRUE)
path <- if (length(args) >= 1) args[[1]] else file.path("..", "shared", "data", "politeness_gpt4o.csv")
trials <- if (length(args) >= 2) as.integer(args[[2]]) else 500L
options(width = 200)
suppressPackageStartupMessages(library(synthinfer))

raw <- utils::read.csv(path, check.names = FALSE)
d <- data.frame(polite = raw$Prediction_human,
                polite_gpt = as.double(raw[["Prediction_gpt-4o"]] == "polite"),
                hedging = raw$Feature_3, first_plural = raw$Feature_10)
set.seed(2025)
s <- semi_synthetic_confusion(d, human = "polite", proxy = "polite_gpt", calibration = 0.2)
cat(sprintf("SEMI-SYNTHETIC politeness analysis: %d rows evaluated, %d rows used only to estimate\n",
            nrow(s), length(attr(s, "calibration_rows"))))
cat("GPT-4o's confusion matrix for the synthetic labels:\n")
print(round(attr(s, "confusion"), 3))

for (x in c("hedging", "first_plural")) {
  t0 <- proc.time()[["elapsed"]]
  cmp <- compare_methods(stats::reformulate(x, "polite"), s, family = stats::binomial(),
                         proxy = c(polite = "polite_gpt"), synthetic = c(polite = "polite_syn"),
                         methods = c("classical", "ppi++", "gmm_proxy", "gmm"),
                         fractions = c(0.05, 0.1, 0.15, 0.2), trials = trials, seed = 1,
                         threads = default_threads())
  cat(sprintf("\n== politeness ~ %s (SEMI-SYNTHETIC synthetic block), %d trials, %.0f s ==\n",
              x, trials, proc.time()[["elapsed"]] - t0))
  print(as.data.frame(cmp[cmp$term == x, ]), digits = 3, row.names = FALSE)
  cls <- cmp[cmp$term == x & cmp$method == "classical", ]
  for (m in c("ppi++", "gmm_proxy", "gmm")) {
    r <- cmp[cmp$term == x & cmp$method == m, ]
    cat(sprintf("  width %s / classical by fraction: %s\n", m,
                paste(sprintf("%.3f", r$width / cls$width), collapse = " ")))
  }
}
