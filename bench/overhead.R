# Per-call overhead of synth_glm() against ppi-python, in one run.
#
# PPI++ mean (power-tuned lambda) with 1,000 labeled and 10,000 unlabeled
# rows: synth_glm(y ~ 1, method = "ppi++") against ppi_py.ppi_mean_ci on the
# same data (bench/overhead_ppi.py, `pip install ppi-python`). Both report
# the median time per call; R times batches of calls (proc.time() ticks in
# milliseconds), Python each call. The two intervals must agree.
#
# Usage:  R_LIBS=.lib Rscript bench/overhead.R
# Env:    OVERHEAD_BEFORE_LIB=<library> also times an older install of
#         synthinfer (in a child R process) for a before/after row;
#         OVERHEAD_PROFILE=1 adds an Rprof() summary of synth_glm().
# Writes bench/results/overhead.md.

suppressPackageStartupMessages(library(synthinfer))

n_lab <- 1000L
n_unl <- 10000L
# The sides alternate over `rounds` (the load of a shared machine drifts);
# each round times R in `batches` batches of `per_batch` calls and Python
# in `py_reps` calls; the table reports medians over rounds.
rounds <- as.integer(Sys.getenv("OVERHEAD_ROUNDS", "7"))
batches <- 8L
per_batch <- 50L
py_reps <- 400L
# Calls before timing, on both sides: R's heap grows over the first hundred
# or so calls of a fresh session (fewer garbage collections after).
warm_up <- 200L

load_avg <- tryCatch(strsplit(readLines("/proc/loadavg"), " ")[[1]][1], error = function(e) "unknown")
set.seed(20261202)
n <- n_lab + n_unl
y_true <- rnorm(n, 1, 1)
d <- data.frame(y = ifelse(seq_len(n) <= n_lab, y_true, NA),
                y_llm = y_true + rnorm(n, sd = 0.6))
# The regression case: one covariate, the same noise (drawn after the
# mean's data, which stay as they were).
d$x <- rnorm(n)
d$y_ols <- d$y + 0.5 * d$x
d$y_ols_llm <- d$y_llm + 0.5 * d$x
csv <- tempfile(fileext = ".csv")
write.csv(data.frame(y = ifelse(is.na(d$y), 0, d$y), y_llm = d$y_llm, x = d$x,
                     y_ols = ifelse(is.na(d$y), 0, d$y_ols), y_ols_llm = d$y_ols_llm,
                     labeled = as.integer(!is.na(d$y))), csv, row.names = FALSE)

# Median milliseconds per call of `f` over `batches` batches of
# `per_batch` calls: elapsed and CPU (user + system, all threads) time.
median_per_call <- function(f) {
  for (i in seq_len(warm_up)) f()
  times <- vapply(seq_len(batches), function(b) {
    t0 <- proc.time()
    for (i in seq_len(per_batch)) f()
    t <- proc.time() - t0
    c(elapsed = t[[3]], cpu = t[[1]] + t[[2]]) / per_batch
  }, c(elapsed = 0, cpu = 0))
  1000 * apply(times, 1, stats::median)
}

call_r <- function(threads) {
  function() synth_glm(y ~ 1, d, proxy = c(y = "y_llm"), method = "ppi++", threads = threads)
}
call_ols <- function() {
  synth_glm(y_ols ~ x, d, proxy = c(y_ols = "y_ols_llm"), method = "ppi++", threads = 1L)
}
ci <- tidy(call_r(1L)())
ci_ols <- tidy(call_ols())

script <- sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE))
# ppi-python's median time per call; its interval and numpy's version are
# kept in `py`. One BLAS thread, as synth_glm(threads = 1): numpy's
# multithreaded BLAS is no faster on these vector sizes and stalls on a
# loaded machine. R's LD_LIBRARY_PATH is dropped: a Python linked to
# libpython would load the system's copy through it, with the system's
# site-packages.
# `mode`: "mean" (ppi_mean_ci, its output kept in `py`) or "ols"
# (ppi_ols_ci, kept in `py_ols`).
time_python <- function(mode = "mean") {
  Sys.setenv(OPENBLAS_NUM_THREADS = "1", OMP_NUM_THREADS = "1", MKL_NUM_THREADS = "1")
  out <- system2("env", c("-u", "LD_LIBRARY_PATH", "python3",
                          shQuote(file.path(dirname(script), "overhead_ppi.py")), shQuote(csv),
                          if (mode == "mean") py_reps else py_reps / 8, mode,
                          if (mode == "mean") warm_up else warm_up / 8),
                 stdout = TRUE)
  # A flat JSON object of numbers and one string: parsed without a JSON package.
  fields <- regmatches(out, gregexpr('"[a-z_]+": ("[^"]*"|[-0-9.e+]+)', out))[[1]]
  res <- stats::setNames(sub('^"[a-z_]+": "?([^"]*)"?$', "\\1", fields), sub('^"([a-z_]+)".*', "\\1", fields))
  if (mode == "mean") py <<- res else py_ols <<- res
  c(elapsed = as.numeric(res[["median_ms"]]), cpu = as.numeric(res[["median_cpu_ms"]]))
}

before_lib <- Sys.getenv("OVERHEAD_BEFORE_LIB")
rds <- tempfile(fileext = ".rds")
saveRDS(list(d = d, batches = batches, per_batch = per_batch, warm_up = warm_up, f = median_per_call), rds)
time_before <- function() {
  code <- sprintf(paste(
    "suppressPackageStartupMessages(library(synthinfer, lib.loc = '%s'));",
    "a <- readRDS('%s'); d <- a$d; batches <- a$batches; per_batch <- a$per_batch; warm_up <- a$warm_up;",
    "m <- a$f; environment(m) <- environment();",
    "cat(m(function() synth_glm(y ~ 1, d, proxy = c(y = 'y_llm'), method = 'ppi++', threads = 1L)))"),
    before_lib, rds)
  out <- system2(file.path(R.home("bin"), "Rscript"), c("-e", shQuote(code)), stdout = TRUE)
  stats::setNames(as.numeric(strsplit(out, " ")[[1]]), c("elapsed", "cpu"))
}

runs <- lapply(seq_len(rounds), function(r) {
  list(before = if (nzchar(before_lib)) time_before() else c(elapsed = NA_real_, cpu = NA_real_),
       r1 = median_per_call(call_r(1L)), r2 = median_per_call(call_r(2L)), py = time_python(),
       ols = median_per_call(call_ols), py_ols = time_python("ols"))
})
med <- function(k) apply(sapply(runs, `[[`, k), 1, stats::median)
before_ms <- med("before")
r1 <- med("r1")
r2 <- med("r2")
py_ms <- med("py")
agree <- max(abs(c(ci$conf.low - as.numeric(py[["conf_low"]]), ci$conf.high - as.numeric(py[["conf_high"]]))))
ols_ms <- med("ols")
py_ols_ms <- med("py_ols")
# ppi_ols_ci reports both coefficients; compare the slope and intercept.
agree_ols <- max(abs(c(ci_ols$conf.low - as.numeric(py_ols[c("conf_low", "conf_low_slope")]),
                       ci_ols$conf.high - as.numeric(py_ols[c("conf_high", "conf_high_slope")]))))

profile <- character()
if (identical(Sys.getenv("OVERHEAD_PROFILE"), "1")) {
  prof <- tempfile()
  f <- call_r(1L)
  utils::Rprof(prof, interval = 0.001)
  for (i in 1:3000) f()
  utils::Rprof(NULL)
  s <- utils::summaryRprof(prof)$by.total
  s <- utils::head(s[order(-s$total.pct), c("total.pct", "self.pct")], 25)
  profile <- c("", "## Rprof of synth_glm() (3,000 calls, 1 ms sampling; % of time)", "",
               "| function | total % | self % |", "|---|---:|---:|",
               sprintf("| `%s` | %.1f | %.1f |", gsub('"', "", rownames(s)), s$total.pct, s$self.pct))
}

row <- function(name, ms, anchor = py_ms) {
  sprintf("| %s | %.3f | %.3f | %.2f | %.2f |", name, ms[["elapsed"]], ms[["cpu"]],
          ms[["elapsed"]] / anchor[["elapsed"]], ms[["cpu"]] / anchor[["cpu"]])
}
md <- c(
  "# Per-call overhead: synth_glm() against ppi-python",
  "",
  sprintf(paste("PPI++ mean, %s labeled + %s unlabeled rows; median time per call over %d rounds alternating the sides (each round: R %d batches of %d calls;",
                "Python %d calls, CPU time over all of them). Written by `bench/overhead.R` on %s; load average",
                "at the start %s (on a shared machine, compare rows of one run only)."),
          format(n_lab, big.mark = ","), format(n_unl, big.mark = ","), rounds, batches, per_batch, py_reps,
          format(Sys.Date()), load_avg),
  "",
  "| implementation | elapsed ms per call | CPU ms per call | ratio to ppi-python (elapsed) | ratio (CPU) |",
  "|---|---:|---:|---:|---:|",
  if (!is.na(before_ms[["elapsed"]])) row(sprintf("synthinfer before (`%s`), threads = 1", before_lib), before_ms),
  row("synthinfer `synth_glm(y ~ 1, method = \"ppi++\")`, threads = 1", r1),
  row("synthinfer, threads = 2", r2),
  row(sprintf("ppi-python 0.2.3 `ppi_mean_ci` (numpy %s, one BLAS thread)", py[["numpy"]]), py_ms),
  "",
  sprintf("Largest difference between the two 90%% intervals' endpoints: %.2g.", agree),
  "",
  "## Regression: PPI++ OLS with one covariate, same rows",
  "",
  sprintf("Python %d calls per round (it is slower per call).", py_reps / 8),
  "",
  "| implementation | elapsed ms per call | CPU ms per call | ratio to ppi-python (elapsed) | ratio (CPU) |",
  "|---|---:|---:|---:|---:|",
  row("synthinfer `synth_glm(y ~ x, method = \"ppi++\")`, threads = 1", ols_ms, py_ols_ms),
  row("ppi-python 0.2.3 `ppi_ols_ci` (one BLAS thread)", py_ols_ms, py_ols_ms),
  "",
  sprintf("Largest difference between the two 90%% intervals' endpoints (both coefficients): %.2g.", agree_ols),
  profile)
dir.create(file.path("bench", "results"), showWarnings = FALSE, recursive = TRUE)
writeLines(md, file.path("bench", "results", "overhead.md"))
cat(md, sep = "\n")
