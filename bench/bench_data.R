# Benchmark data: simulated once per case, written as raw little-endian doubles
# (column-major) into a directory that the R and Python workers both read, so
# every implementation fits exactly the same numbers.
#
# A case directory holds meta.txt (key value lines) and one .bin file per array.

write_array <- function(x, dir, name) {
  con <- file(file.path(dir, paste0(name, ".bin")), "wb")
  on.exit(close(con))
  writeBin(as.double(x), con, endian = "little")
}

read_array <- function(dir, name, ncol = 1L) {
  path <- file.path(dir, paste0(name, ".bin"))
  x <- readBin(path, "double", n = file.size(path) / 8, endian = "little")
  if (ncol > 1L) matrix(x, ncol = ncol) else x
}

write_meta <- function(dir, ...) {
  meta <- list(...)
  writeLines(paste(names(meta), unlist(meta)), file.path(dir, "meta.txt"))
}

read_meta <- function(dir) {
  lines <- strsplit(readLines(file.path(dir, "meta.txt")), " ", fixed = TRUE)
  stats::setNames(lapply(lines, function(l) utils::type.convert(l[2], as.is = TRUE)),
                  vapply(lines, `[`, "", 1))
}

# Design matrix with an intercept column and p - 1 standard normal covariates.
bench_design <- function(n, p) cbind(1, matrix(stats::rnorm(n * (p - 1)), n, p - 1))

# PPI cases: `n_lab` labeled rows (Y, Yhat) and `n_unl` unlabeled rows (Yhat).
# kind: "mean" (intercept only), "ols" or "logistic" with p coefficients.
make_ppi_case <- function(dir, kind, n_lab, n_unl, p = 5L, seed = 1L) {
  set.seed(seed)
  dir.create(dir, recursive = TRUE, showWarnings = FALSE)
  n <- n_lab + n_unl
  if (kind == "mean") p <- 1L
  X <- bench_design(n, p)
  beta <- c(0.5, seq(1, -1, length.out = p)[-1])[seq_len(p)]
  eta <- drop(X %*% beta)
  if (kind == "logistic") {
    Y <- stats::rbinom(n, 1, stats::plogis(eta))
    # A binary proxy that agrees with the label 80% of the time.
    Yhat <- ifelse(stats::runif(n) < 0.8, Y, 1 - Y)
  } else {
    Y <- eta + stats::rnorm(n)
    Yhat <- 0.8 * Y + stats::rnorm(n, sd = 0.6)
  }
  lab <- seq_len(n_lab)
  write_array(X[lab, , drop = FALSE], dir, "X_lab")
  write_array(Y[lab], dir, "Y_lab")
  write_array(Yhat[lab], dir, "Yhat_lab")
  write_array(X[-lab, , drop = FALSE], dir, "X_unl")
  write_array(Yhat[-lab], dir, "Yhat_unl")
  write_meta(dir, kind = kind, n_lab = n_lab, n_unl = n_unl, p = p)
  invisible(dir)
}

# GMM case: n real units, a fraction labeled, a linear model with p
# coefficients, a proxy label on every unit and one synthetic unit (x and y)
# per real unit whose residual tracks the real one.
make_gmm_case <- function(dir, n, p = 5L, labeled = 0.1, seed = 1L) {
  set.seed(seed)
  dir.create(dir, recursive = TRUE, showWarnings = FALSE)
  X <- bench_design(n, p)
  beta <- c(0.5, seq(1, -1, length.out = p)[-1])
  e <- stats::rnorm(n)
  Y <- drop(X %*% beta) + e
  Yhat <- 0.8 * Y + stats::rnorm(n, sd = 0.6)
  Xs <- cbind(1, X[, -1, drop = FALSE] + matrix(stats::rnorm(n * (p - 1), sd = 0.3), n))
  Ys <- drop(Xs %*% (0.9 * beta)) + 0.7 * e + stats::rnorm(n, sd = 0.7)
  S <- as.double(seq_len(n) <= round(labeled * n))
  Y[S == 0] <- NA_real_
  for (nm in c("X", "Y", "Yhat", "Xs", "Ys", "S")) write_array(get(nm), dir, nm)
  write_meta(dir, kind = "gmm", n = n, p = p)
  invisible(dir)
}

# Leave-one-task-out case: T tasks with real/synthetic estimates and paired
# gap estimates, as task_summaries() would return them.
make_loo_case <- function(dir, n_tasks = 1000L, seed = 1L) {
  set.seed(seed)
  dir.create(dir, recursive = TRUE, showWarnings = FALSE)
  n <- rep(400L, n_tasks)
  real <- stats::runif(n_tasks, 0.2, 0.8)
  gap <- stats::rnorm(n_tasks, 0.05, 0.04)
  synth <- real - gap
  se_real <- sqrt(real * (1 - real) / n)
  tasks <- data.frame(
    task = sprintf("task%04d", seq_len(n_tasks)), n_real = n, n_synth = n,
    real_est = real + stats::rnorm(n_tasks, sd = se_real), real_se = se_real,
    synth_est = synth + stats::rnorm(n_tasks, sd = 0.02), synth_se = 0.02,
    gap_se = 0.025)
  tasks$gap_est <- tasks$real_est - tasks$synth_est
  utils::write.csv(tasks, file.path(dir, "tasks.csv"), row.names = FALSE)
  write_meta(dir, kind = "loo", n_tasks = n_tasks)
  invisible(dir)
}
