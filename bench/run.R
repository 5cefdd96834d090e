# synthinfer benchmarks against anchors: `make bench` (Rscript bench/run.R with
# R_LIBS=.lib). For every case the data are simulated once into a temporary
# directory; synthinfer and the anchor then each fit them in a separate
# process (warm-up fit, then the median of a few timed fits), run under
# /usr/bin/time -v for the peak resident memory of that process.
#
#   ppi_*  : PPI++ (power-tuned) mean / OLS / logistic, 1,000 labeled rows;
#            anchor ppi-python 0.2.3 (pip install ppi-python==0.2.3).
#   gmm    : two-step GMM, linear model with a proxy label and a synthetic
#            source (25 moments, 15 parameters), 10% labeled; anchor
#            gmm::gmm(type = "twoStep") from Debian's r-cran-gmm.
#   loo    : leave-one-task-out Algorithm 1 over 1,000 tasks; anchor plain R.
#
# ratio = synthinfer seconds / anchor seconds (below 1: synthinfer faster),
# for the user-level call (synth_glm() from a data frame, formula handling
# included); fit_only_ratio the same for synth_fit_design() on a prebuilt
# synth_design(), i.e. the numerical work alone.
# Peak memory includes each interpreter's own footprint and the data.
# Environment: BENCH_QUICK=1 runs only the smallest size of each case;
# BENCH_PYTHON overrides the Python interpreter (default python3);
# BENCH_MARKDOWN=file also writes the table as Markdown; BENCH_ONLY=regex
# runs only the cases whose directory name matches (e.g. "ppi_logistic_1e\\+06",
# names are ppi_<kind>_<rows>, gmm_<rows>, loo_1000).

bench_dir <- local({
  f <- sub("^--file=", "", grep("^--file=", commandArgs(), value = TRUE))
  if (length(f)) dirname(normalizePath(f)) else "bench"
})
source(file.path(bench_dir, "bench_data.R"))

options(width = 250)
quick <- nzchar(Sys.getenv("BENCH_QUICK"))
python <- Sys.getenv("BENCH_PYTHON", "python3")
root <- file.path(tempdir(), "synthinfer-bench")
dir.create(root, showWarnings = FALSE)

sizes_ppi <- if (quick) 1e4 else c(1e4, 1e5, 1e6)
sizes_gmm <- if (quick) 1e4 else c(1e4, 1e5)
# More timed repetitions where a fit takes milliseconds (less timer noise).
reps_for <- function(n) if (n >= 1e6) 3L else if (n >= 1e5) 5L else 15L

# Run one worker under /usr/bin/time -v; return seconds (NA when skipped),
# peak RSS in MB and a note.
run_worker <- function(cmd, args, env = character()) {
  err <- tempfile()
  out <- suppressWarnings(system2("/usr/bin/time", c("-v", cmd, args), env = env,
                                  stdout = TRUE, stderr = err))
  log <- readLines(err)
  rss <- sub(".*: *", "", grep("Maximum resident set size", log, value = TRUE))
  res <- grep("^RESULT ", out, value = TRUE)
  if (!length(res)) {
    return(list(seconds = NA_real_, fit_seconds = NA_real_, peak_mb = NA_real_,
                note = paste("failed:", utils::tail(log[!grepl("^\t", log)], 1))))
  }
  field <- function(name) {
    m <- regmatches(res, regexec(paste0(name, "=([0-9.eE+-]+)"), res))[[1]]
    if (length(m) == 2) as.numeric(m[2]) else NA_real_
  }
  seconds <- field("seconds")
  list(seconds = seconds, fit_seconds = field("fit_seconds"),
       peak_mb = if (is.na(seconds)) NA_real_ else as.numeric(rss) / 1024,
       note = if (is.na(seconds)) sub("RESULT ", "", res) else "")
}

rscript <- file.path(R.home("bin"), "Rscript")
worker <- file.path(bench_dir, "worker.R")
r_side <- function(impl, case, reps) run_worker(rscript, c(worker, impl, case, reps))
py_side <- function(case, reps) {
  # R exports LD_LIBRARY_PATH with the system library directory; a Python
  # built with a shared libpython would then load the system's libpython
  # (and its site-packages layout) instead of its own, so clear it.
  run_worker(python, c(file.path(bench_dir, "ppi_anchor.py"), case, reps),
             env = "LD_LIBRARY_PATH=")
}

read_ci <- function(case, impl) {
  f <- file.path(case, paste0(impl, "_ci.txt"))
  if (file.exists(f)) as.numeric(readLines(f)) else NULL
}
ci_gap <- function(case, a, b) {
  x <- read_ci(case, a); y <- read_ci(case, b)
  if (is.null(x) || is.null(y) || length(x) != length(y)) NA_real_ else max(abs(x - y))
}

only <- Sys.getenv("BENCH_ONLY")
wanted <- function(case) !nzchar(only) || grepl(only, basename(case))

rows <- list()
add_row <- function(case_name, n, ours, anchor_name, anchor, gap) {
  rows[[length(rows) + 1]] <<- data.frame(
    case = case_name, rows = format(n, scientific = TRUE, digits = 1),
    synthinfer_s = ours$seconds, anchor = anchor_name, anchor_s = anchor$seconds,
    ratio = ours$seconds / anchor$seconds,
    fit_only_s = ours$fit_seconds, fit_only_ratio = ours$fit_seconds / anchor$seconds,
    synthinfer_peak_mb = ours$peak_mb, anchor_peak_mb = anchor$peak_mb,
    max_ci_diff = gap, note = trimws(paste(ours$note, anchor$note)))
  print(utils::tail(rows[[length(rows)]], 1), row.names = FALSE, digits = 3)
}

for (kind in c("mean", "ols", "logistic")) {
  for (n_unl in sizes_ppi) {
    case <- file.path(root, sprintf("ppi_%s_%g", kind, n_unl))
    if (!wanted(case)) next
    make_ppi_case(case, kind, n_lab = 1000L, n_unl = n_unl)
    reps <- reps_for(n_unl)
    anchor <- py_side(case, reps)
    ours <- r_side("synthinfer_ppi", case, reps)
    add_row(paste0("ppi++ ", kind), n_unl, ours, "ppi-python 0.2.3", anchor,
            ci_gap(case, "synthinfer_ppi", "ppi_python"))
  }
}

for (n in sizes_gmm) {
  case <- file.path(root, sprintf("gmm_%g", n))
  if (!wanted(case)) next
  make_gmm_case(case, n)
  reps <- if (n >= 1e5) 2L else 5L # gmm::gmm takes ~10-30 s at 1e5 rows
  anchor <- r_side("gmm_anchor", case, reps)
  ours <- r_side("synthinfer_gmm", case, reps)
  add_row("two-step gmm", n, ours, "gmm::gmm twoStep", anchor,
          ci_gap(case, "synthinfer_gmm", "gmm_anchor"))
}

case <- file.path(root, "loo_1000")
if (wanted(case)) {
  make_loo_case(case, 1000L)
  anchor <- r_side("plain_loo", case, 3L)
  ours <- r_side("synthinfer_loo", case, 3L)
  add_row("loo algorithm 1", 1000, ours, "plain R", anchor,
          ci_gap(case, "synthinfer_loo", "plain_loo"))
}

table <- do.call(rbind, rows)
cat("\nsynthinfer vs anchors (ratio = synthinfer time / anchor time; NA: skipped)\n")
print(table, row.names = FALSE, digits = 3)

# BENCH_MARKDOWN=file also writes the table as Markdown (for bench/README.md).
md <- Sys.getenv("BENCH_MARKDOWN")
if (nzchar(md)) {
  fmt <- function(x) if (is.numeric(x)) ifelse(is.na(x), "NA", formatC(x, digits = 3, format = "g")) else x
  cells <- vapply(table, fmt, character(nrow(table)))
  writeLines(c(paste("|", paste(names(table), collapse = " | "), "|"),
               paste("|", paste(rep("---", ncol(table)), collapse = " | "), "|"),
               apply(cells, 1, function(r) paste("|", paste(r, collapse = " | "), "|"))), md)
}
unlink(root, recursive = TRUE)
invisible(table)
