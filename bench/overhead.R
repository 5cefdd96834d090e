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
batches <- 40L
per_batch <- 50L
py_reps <- 2000L

set.seed(20261202)
n <- n_lab + n_unl
y_true <- rnorm(n, 1, 1)
d <- data.frame(y = ifelse(seq_len(n) <= n_lab, y_true, NA),
                y_llm = y_true + rnorm(n, sd = 0.6))
csv <- tempfile(fileext = ".csv")
write.csv(data.frame(y = ifelse(is.na(d$y), 0, d$y), y_llm = d$y_llm,
                     labeled = as.integer(!is.na(d$y))), csv, row.names = FALSE)

# Median seconds per call of `f` over `batches` batches of `per_batch` calls.
median_per_call <- function(f) {
  for (i in 1:20) f() # warm up
  times <- vapply(seq_len(batches), function(b) {
    t0 <- proc.time()[["elapsed"]]
    for (i in seq_len(per_batch)) f()
    (proc.time()[["elapsed"]] - t0) / per_batch
  }, 0)
  stats::median(times)
}

call_r <- function(threads) {
  function() synth_glm(y ~ 1, d, proxy = c(y = "y_llm"), method = "ppi++", threads = threads)
}
ci <- tidy(call_r(1L)())
r_ms <- c(threads1 = median_per_call(call_r(1L)), threads2 = median_per_call(call_r(2L))) * 1000

script <- sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE))
out <- system2("python3", c(shQuote(file.path(dirname(script), "overhead_ppi.py")), shQuote(csv), py_reps),
               stdout = TRUE)
# A flat JSON object of numbers and one string: parsed without a JSON package.
fields <- regmatches(out, gregexpr('"[a-z_]+": ("[^"]*"|[-0-9.e+]+)', out))[[1]]
py <- stats::setNames(sub('^"[a-z_]+": "?([^"]*)"?$', "\\1", fields), sub('^"([a-z_]+)".*', "\\1", fields))
py_ms <- as.numeric(py[["median_ms"]])
agree <- max(abs(c(ci$conf.low - as.numeric(py[["conf_low"]]), ci$conf.high - as.numeric(py[["conf_high"]]))))

before_ms <- NA_real_
before_lib <- Sys.getenv("OVERHEAD_BEFORE_LIB")
if (nzchar(before_lib)) {
  rds <- tempfile(fileext = ".rds")
  saveRDS(d, rds)
  code <- sprintf(paste(
    "suppressPackageStartupMessages(library(synthinfer, lib.loc = '%s'));",
    "d <- readRDS('%s'); f <- function() synth_glm(y ~ 1, d, proxy = c(y = 'y_llm'), method = 'ppi++', threads = 1L);",
    "for (i in 1:20) f(); t <- vapply(1:%d, function(b) { t0 <- proc.time()[['elapsed']];",
    "for (i in 1:%d) f(); (proc.time()[['elapsed']] - t0) / %d }, 0); cat(1000 * median(t))"),
    before_lib, rds, batches, per_batch, per_batch)
  before_ms <- as.numeric(system2(file.path(R.home("bin"), "Rscript"), c("-e", shQuote(code)), stdout = TRUE))
}

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

md <- c(
  "# Per-call overhead: synth_glm() against ppi-python",
  "",
  sprintf("PPI++ mean, %s labeled + %s unlabeled rows; median time per call (R: %d batches of %d calls; Python: %d calls). Written by `bench/overhead.R` on %s.",
          format(n_lab, big.mark = ","), format(n_unl, big.mark = ","), batches, per_batch, py_reps,
          format(Sys.Date())),
  "",
  "| implementation | ms per call | ratio to ppi-python |",
  "|---|---:|---:|",
  if (!is.na(before_ms)) sprintf("| synthinfer before (threads = 1) | %.3f | %.2f |", before_ms, before_ms / py_ms),
  sprintf("| synthinfer `synth_glm(y ~ 1, method = \"ppi++\")`, threads = 1 | %.3f | %.2f |", r_ms[["threads1"]], r_ms[["threads1"]] / py_ms),
  sprintf("| synthinfer, threads = 2 | %.3f | %.2f |", r_ms[["threads2"]], r_ms[["threads2"]] / py_ms),
  sprintf("| ppi-python 0.2.3 `ppi_mean_ci` (numpy %s) | %.3f | 1.00 |", py[["numpy"]], py_ms),
  "",
  sprintf("Largest difference between the two 90%% intervals' endpoints: %.2g.", agree),
  profile)
dir.create(file.path("bench", "results"), showWarnings = FALSE, recursive = TRUE)
writeLines(md, file.path("bench", "results", "overhead.md"))
cat(md, sep = "\n")
