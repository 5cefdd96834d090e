# `make demo`: a first real analysis with synthinfer.
#
# Arena autorater win rates (Tan & Zrnic data deposit, ../shared/data): for each
# of 73 models, the human win rate is the target and the autorater's win rate on
# the same battles the synthetic estimate. Leave one model out: calibrate on the
# other 72 models' real-minus-synthetic gaps (finite-sample algorithm, alpha =
# 0.1) and check whether the interval covers the held-out human win rate.
suppressPackageStartupMessages(library(synthinfer))

path <- file.path("..", "shared", "data", "arena_autorater_winrates.csv")
if (!file.exists(path)) {
  stop("demo data not found at ", normalizePath(path, mustWork = FALSE),
       "; run `make demo` from the project root with ../shared beside it.")
}
arena <- utils::read.csv(path)
gaps <- arena$human_winrate - arena$autorater_winrate
alpha <- 0.1

rows <- lapply(seq_len(nrow(arena)), function(j) {
  band <- gap_band(gaps[-j], gaps[-j], alpha = alpha)
  data.frame(model = arena$model[j],
             autorater = arena$autorater_winrate[j],
             conf.low = arena$autorater_winrate[j] + band$lower,
             conf.high = arena$autorater_winrate[j] + band$upper,
             human = arena$human_winrate[j])
})
res <- do.call(rbind, rows)
res$covered <- res$conf.low <= res$human & res$human <= res$conf.high
res$width <- res$conf.high - res$conf.low

cat("Leave-one-model-out intervals for the human win rate (alpha = 0.1), first 10 models:\n\n")
print(tibble::as_tibble(utils::head(res[order(-res$human), ], 10)), width = Inf)
cat(sprintf("\nCoverage over %d models: %.3f (nominal >= %.2f); median width %.3f\n",
            nrow(res), mean(res$covered), 1 - alpha, stats::median(res$width)))
cat(sprintf("Synthetic-only point estimates miss by %.3f on average (mean |human - autorater|).\n",
            mean(abs(gaps))))
