# The paper's real-data task-exchangeability analyses on ../shared/data:
# Pew (2-D, leave-one-out and temporal split), Arena (per-model deposit and
# judge votes), ANES 2020 (finite-sample leave-one-task-out). Prints one
# summary table per analysis; the same figures are asserted in
# tests/testthat/test-realdata-*.R.
#
# Run from the package root after `make install`:
#   R_LIBS=$PWD/.lib Rscript bench/realdata_exchangeability.R [data_dir]
library(synthinfer)
options(width = 120)
args <- commandArgs(trailingOnly = TRUE)
data_dir <- if (length(args)) args[[1]] else file.path("..", "shared", "data")
path <- function(f) file.path(data_dir, f)
show <- function(title, fit, seconds) {
  cat("\n==", title, sprintf("(%.2f s)", seconds), "\n")
  print(as.data.frame(summary(fit)), digits = 4, row.names = FALSE)
}
timed <- function(expr) {
  t0 <- proc.time()[["elapsed"]]
  value <- suppressWarnings(expr)  # Pew: GPT-4o is unanimous in many cells
  list(value = value, seconds = proc.time()[["elapsed"]] - t0)
}

pew <- read_pew_cells(path("pew_approval_cells.csv"), generator = "gpt_4.o")
r <- timed(exchangeable_loo(pew, alpha = 0.1))
show("Pew, GPT-4o, 48 cells, leave-one-out, alpha = 0.10 (Bonferroni rectangle)",
     r$value, r$seconds)
waves <- sort(unique(pew$wave_number))
early <- unique(pew$task[pew$wave_number %in% waves[1:10]])
r <- timed(exchangeable_loo(pew, alpha = 0.1, calibrate = early))
show("Pew temporal split: calibrate on 10 earliest waves, predict W149 and W156",
     r$value, r$seconds)

arena <- read_arena_winrates(path("arena_autorater_winrates.csv"), bound_se = TRUE)
r <- timed(exchangeable_loo(arena, alpha = 0.1, method = "finite_sample"))
show("Arena deposit, 73 models, Algorithm 4 (finite-sample), alpha = 0.1", r$value, r$seconds)
r <- timed(exchangeable_loo(arena, alpha = 0.1, bounds = c(0, 1)))
show("Arena deposit, Algorithm 1 with Bernoulli-bound SEs, alpha = 0.1", r$value, r$seconds)

r <- timed(task_summaries(pairwise_winrates(path("arena_judge_votes.csv")),
                          c("rater", "model"), "real", "synthetic"))
cat(sprintf("\n== Judge votes -> per-model paired win rates: %.2f s\n", r$seconds))
judges <- r$value
for (j in unique(judges$rater)) {
  x <- judges[judges$rater == j, setdiff(names(judges), c("rater", "task"))]
  names(x)[names(x) == "model"] <- "task"
  r <- timed(exchangeable_loo(x, alpha = 0.1, method = "finite_sample"))
  show(paste0("Arena judge votes, humans vs ", j, ", 20 models, Algorithm 4, alpha = 0.1"),
       r$value, r$seconds)
}

anes <- read_anes_tasks(path("anes_2020_thermometer_tasks.csv"))
r <- timed(exchangeable_loo(anes, alpha = 0.1, method = "finite_sample"))
show("ANES 2020, 33 tasks, Algorithm 4 leave-one-task-out, alpha = 0.1", r$value, r$seconds)
