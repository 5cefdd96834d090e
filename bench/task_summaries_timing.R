# Timing of task_summaries() on a large unit-level table: Hajek means
# (closed form) and medians (Rust bootstrap, 1 vs 2 threads), against a
# base-R anchor (tapply means and an R-loop bootstrap of one task's median).
# Run: R_LIBS=.lib Rscript bench/task_summaries_timing.R
library(synthinfer)
set.seed(1)
n_units <- 2e5; n_tasks <- 200
d <- data.frame(task = sample(n_tasks, n_units, replace = TRUE), y = rnorm(n_units),
                w = runif(n_units, 0.5, 2))
d$s <- d$y + rnorm(n_units, 0.3)
time <- function(expr) unname(system.time(expr)[["elapsed"]])
invisible(task_summaries(data.frame(t = 1, y = 1:3, s = 3:1), "t", "y", "s"))  # load namespaces
t_mean <- time(task_summaries(d, "task", "y", "s", weights = "w"))
t_tapply <- time({
  tapply(d$w * d$y, d$task, sum) / tapply(d$w, d$task, sum)
  tapply(d$y - d$s, d$task, sd)
})
reps <- 200
t_med1 <- time(m1 <- task_summaries(d, "task", "y", "s", estimand = "median", reps = reps,
                                    threads = 1))
t_med2 <- time(m2 <- task_summaries(d, "task", "y", "s", estimand = "median", reps = reps,
                                    threads = 2))
stopifnot(identical(m1, m2))
one <- d[d$task == 1, ]
t_r_one <- time(for (b in seq_len(reps)) {
  i <- sample(nrow(one), replace = TRUE); median(one$y[i]); median(one$s[i])
})
cat(sprintf("units %d, tasks %d\n", n_units, n_tasks))
cat(sprintf("Hajek means + SEs:          %.3f s (base-R tapply anchor %.3f s)\n",
            t_mean, t_tapply))
cat(sprintf("median bootstrap, %d reps:  1 thread %.2f s, 2 threads %.2f s (identical)\n",
            reps, t_med1, t_med2))
cat(sprintf("base-R loop, same bootstrap: %.2f s for ONE task (x %d tasks = %.1f s)\n",
            t_r_one, n_tasks, t_r_one * n_tasks))
