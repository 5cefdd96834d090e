# `make demo`: a first real analysis with synthinfer.
#
# Arena autorater win rates (Tan & Zrnic data deposit, shipped with the package
# as the data set `arena_winrates`, see ?arena_winrates): for each
# of 73 models, the human win rate is the target and the autorater's win rate on
# the same battles the synthetic estimate. Leave one model out: calibrate on the
# other 72 models' real-minus-synthetic gaps with the finite-sample algorithm
# (alpha = 0.1) and check whether the interval covers the held-out human win rate.
suppressPackageStartupMessages(library(synthinfer))
options(width = 120)

tasks <- read_arena_winrates(arena_winrates, bound_se = TRUE)
loo <- exchangeable_loo(tasks, alpha = 0.1, method = "finite_sample")

cat("Leave-one-model-out intervals for the human win rate (alpha = 0.1),",
    "the 10 models humans rate highest:\n\n")
top <- loo[order(-loo$truth), c("task", "synth_est", "conf.low", "conf.high", "truth",
                                "covered", "width", "naive_covered")]
print(utils::head(tibble::as_tibble(top), 10), width = Inf)
cat("\nSummary over all", nrow(loo), "models:\n")
print(summary(loo), width = Inf)
