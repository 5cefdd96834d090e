# Interrupt latency of the long runs (issue 13): each call starts in a child
# R process, receives SIGINT after 2 s as from Ctrl-C, and records the time
# its interrupt handler ran; printed per call: the delay after the signal.
# Usage (from the package root, after make install):
#   R_LIBS=.lib Rscript bench/interrupt_latency.R [repeats]
repeats <- as.integer(commandArgs(TRUE)[1]); if (is.na(repeats)) repeats <- 5L
calls <- c(cov = "exchange_coverage_study(40, reps = 2e7, threads = 2)",
           cmp = "compare_methods(d, y ~ x1 + x2, proxy = c(y = 'y_llm'), trials = 1e5, threads = 2)",
           boot = "task_summaries(u, 'g', 'y', 's', estimand = 'median', reps = 1e6, threads = 2)")
lat <- list()
for (k in names(calls)) for (rep in seq_len(repeats)) {
  dir <- tempfile(); dir.create(dir); f <- file.path(dir, c("pid", "t", "s.R"))
  writeLines(c("suppressMessages(library(synthinfer))",
    "d <- simulate_synthetic(2000, fraction = 1, regime = 'good')",
    "u <- data.frame(g = rep(1:50, each = 40), y = rep(1:40, 50), s = rep(40:1, 50))",
    sprintf("writeLines(as.character(Sys.getpid()), '%s')", f[1]),
    sprintf("tryCatch(%s, interrupt = function(e) writeLines(format(as.numeric(Sys.time()), digits = 17), '%s'))", calls[[k]], f[2])), f[3])
  system2(file.path(R.home("bin"), "Rscript"), f[3], wait = FALSE, env = paste0("R_LIBS=", Sys.getenv("R_LIBS")))
  while (!file.exists(f[1]) || !length(readLines(f[1], warn = FALSE))) Sys.sleep(0.01)
  Sys.sleep(2); sent <- as.numeric(Sys.time()); tools::pskill(as.integer(readLines(f[1])), tools::SIGINT)
  while (!file.exists(f[2]) || !length(readLines(f[2], warn = FALSE))) Sys.sleep(0.005)
  lat[[k]] <- c(lat[[k]], as.numeric(readLines(f[2])) - sent)
}
for (k in names(lat)) cat(k, "latency (s):", format(round(lat[[k]], 3)), " max", round(max(lat[[k]]), 3), "\n")
