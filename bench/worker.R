# One timed fit on one benchmark case, run in its own process by run.R so
# that /usr/bin/time's peak resident memory belongs to this fit alone.
#
# Usage: Rscript worker.R IMPL CASE_DIR REPS
# IMPL is one of synthinfer_ppi, synthinfer_gmm, gmm_anchor, synthinfer_loo,
# plain_loo. Prints `RESULT seconds=<median>` or `RESULT skipped=<reason>`,
# and writes the interval(s) to CASE_DIR/<IMPL>_ci.txt for agreement checks.

args <- commandArgs(trailingOnly = TRUE)
impl <- args[[1]]
case <- args[[2]]
reps <- as.integer(args[[3]])
bench_dir <- dirname(sub("^--file=", "", grep("^--file=", commandArgs(), value = TRUE)))
source(file.path(bench_dir, "bench_data.R"))
source(file.path(bench_dir, "anchors.R"))

skip <- function(reason) {
  cat("RESULT skipped=", gsub("\\s+", "_", reason), "\n", sep = "")
  quit(save = "no", status = 0)
}

has_synthinfer <- function(fun) {
  requireNamespace("synthinfer", quietly = TRUE) &&
    fun %in% getNamespaceExports("synthinfer")
}

# Median wall time of at least `reps` calls of `fun` after one warm-up call,
# more (up to 15) while they take under a second in all, as on the Python
# side (a few calls of a fast fit are dominated by the first garbage
# collections of a fresh process); returns the last value and the time.
timed <- function(fun) {
  fun()  # warm-up, as on the Python side
  seconds <- numeric()
  while (length(seconds) < reps || (length(seconds) < 15L && sum(seconds) < 1)) {
    t0 <- proc.time()[["elapsed"]]
    value <- fun()
    seconds <- c(seconds, proc.time()[["elapsed"]] - t0)
  }
  list(value = value, seconds = stats::median(seconds))
}

# Time `fit` (returning list(lower, upper)), save its interval, and print the
# RESULT line. `fit_only`, when given, is the same fit from a prebuilt
# synth_design(): its time separates the numerical work from the formula and
# model-frame handling.
time_fit <- function(fit, fit_only = NULL) {
  full <- timed(fit)
  writeLines(format(c(full$value$lower, full$value$upper), digits = 17),
             file.path(case, paste0(impl, "_ci.txt")))
  extra <- if (is.null(fit_only)) "" else sprintf(" fit_seconds=%.6f", timed(fit_only)$seconds)
  cat(sprintf("RESULT seconds=%.6f%s\n", full$seconds, extra))
}

tidy_interval <- function(fit) {
  td <- synthinfer::tidy(fit)
  list(lower = td$conf.low, upper = td$conf.high)
}

meta <- read_meta(case)
threads <- 2L

if (impl == "synthinfer_ppi") {
  if (!has_synthinfer("synth_glm")) skip("synth_glm not in this build")
  df <- ppi_case_frame(case, meta)
  fam <- if (meta$kind == "logistic") stats::binomial() else stats::gaussian()
  fml <- if (meta$kind == "mean") y ~ 1 else
    stats::reformulate(paste0("x", seq_len(meta$p - 1)), "y")
  design <- synthinfer::synth_design(fml, df, fam, proxy = c(y = "y_llm"))
  time_fit(
    function() tidy_interval(synthinfer::synth_glm(fml, df, family = fam, proxy = c(y = "y_llm"),
                                                   method = "ppi++", alpha = 0.1, threads = threads)),
    function() synthinfer::synth_fit_design(design, "ppi++", 0.1, threads = threads))
} else if (impl == "synthinfer_gmm") {
  if (!has_synthinfer("synth_glm")) skip("synth_glm not in this build")
  df <- gmm_case_frame(case, meta)
  xs <- paste0("x", seq_len(meta$p - 1))
  syn <- stats::setNames(c("y_syn", paste0(xs, "_syn")), c("y", xs))
  fml <- stats::reformulate(xs, "y")
  design <- synthinfer::synth_design(fml, df, stats::gaussian(), proxy = c(y = "y_llm"),
                                     synthetic = syn)
  time_fit(
    function() tidy_interval(synthinfer::synth_glm(fml, df, family = stats::gaussian(),
                                                   proxy = c(y = "y_llm"), synthetic = syn,
                                                   method = "gmm", alpha = 0.1, threads = threads)),
    function() synthinfer::synth_fit_design(design, "gmm", 0.1, threads = threads))
} else if (impl == "gmm_anchor") {
  if (!requireNamespace("gmm", quietly = TRUE)) skip("package gmm not installed")
  x <- gmm_case_matrix(case, meta)
  time_fit(function() gmm_anchor_fit(x, meta$p, alpha = 0.1))
} else if (impl == "plain_loo") {
  tasks <- utils::read.csv(file.path(case, "tasks.csv"))
  time_fit(function() plain_loo(tasks, alpha = 0.1))
} else if (impl == "synthinfer_loo") {
  if (!has_synthinfer("exchangeable_loo")) skip("exchangeable_loo not in this build")
  tasks <- tibble::as_tibble(utils::read.csv(file.path(case, "tasks.csv")))
  time_fit(function() {
    res <- synthinfer::exchangeable_loo(tasks, alpha = 0.1)
    list(lower = res$conf.low, upper = res$conf.high)
  })
} else {
  stop("unknown implementation ", impl)
}
