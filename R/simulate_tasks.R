#' Simulate tasks from the design of Tan and Zrnic, section 5.4
#'
#' Each task is a binary survey item. Its true proportion is
#' `p_j ~ Beta(2, 2)`; the synthetic generator's proportion is
#' `p~_j = min(max(p_j + eps_j, 0), 1)` with `eps_j ~ N(bias, tau^2)`. A real
#' sample of `n_real` Bernoulli(`p_j`) draws and an independent synthetic sample
#' of `n_synth` Bernoulli(`p~_j`) draws are summarized by their proportions and
#' Wald standard errors; the gap standard error is the unpaired
#' `sqrt(real_se^2 + synth_se^2)`. The tasks are i.i.d., hence exchangeable.
#'
#' @param n_tasks Number of tasks.
#' @param tau Standard deviation of the synthetic bias across tasks (>= 0).
#' @param n_real,n_synth Real and synthetic sample sizes per task (>= 2).
#' @param bias Mean synthetic bias `E[eps_j]`.
#' @inheritParams simulate_synthetic
#' @return A task table (tibble) with `task`, `n_real`, `n_synth`,
#'   `real_est`, `real_se`, `synth_est`, `synth_se`, `gap_est`, `gap_se` and
#'   the truths `p` and `p_synth`.
#' @references Tan, Z. and Zrnic, T. (2026). Valid inference with synthetic
#'   data via task exchangeability.
#' @export
#' @examples
#' simulate_tasks(5, tau = 0.1, seed = 1)
simulate_tasks <- function(n_tasks, tau = 0.1, n_real = 1000, n_synth = 2000,
                           bias = 0.05, seed = NULL) {
  n_tasks <- check_count(n_tasks, "n_tasks", min = 1L)
  design <- check_sim_design(tau, n_real, n_synth, bias, seed)
  s <- rs_simulate_tasks(n_tasks, design$tau, design$bias, design$n_real,
                         design$n_synth, design$seed)
  tibble::as_tibble(c(list(task = seq_len(n_tasks)), s$table,
                      list(p = s$p, p_synth = s$p_synth)))
}

check_sim_design <- function(tau, n_real, n_synth, bias, seed) {
  tau <- check_numeric_vector(tau, "tau")
  if (length(tau) != 1L || tau < 0) stop_arg("tau", "must be a single number >= 0.")
  bias <- check_numeric_vector(bias, "bias")
  if (length(bias) != 1L) stop_arg("bias", "must be a single number.")
  list(tau = tau, bias = bias, n_real = as.double(check_count(n_real, "n_real", min = 2L)),
       n_synth = as.double(check_count(n_synth, "n_synth", min = 2L)),
       seed = resolve_seed(seed))
}

#' Coverage study of the exchangeability interval (section 5.4 design)
#'
#' Monte Carlo evaluation in the design of [simulate_tasks()]: each
#' replication draws `n_tasks + 1` fresh tasks, calibrates on the first
#' `n_tasks` and builds the interval for the last one, clipped to `[0, 1]`,
#' with the default error split. Coverage is of the target's true proportion
#' `p` (for `method = "finite_sample"`, of its real-sample proportion). The
#' baseline is the synthetic-only Wald interval at level `alpha`, which treats
#' the synthetic proportion as if it were the real one. Replications run in
#' parallel in Rust; replication `r` uses its own random stream derived from
#' `(seed, r)`, so results do not depend on `threads`.
#'
#' @param n_tasks,alpha,tau Number of historical tasks, error level and bias
#'   spread; each may be a vector, and every combination is run.
#' @param reps Number of replications per setting.
#' @param n_real,n_synth,bias As in [simulate_tasks()].
#' @param method `"population"`, `"task_only"` or `"finite_sample"`, as in
#'   [exchangeable_ci()].
#' @inheritParams simulate_synthetic
#' @param threads Number of threads.
#' @return A tibble with one row per setting: `n_tasks`, `alpha`, `tau`,
#'   `reps`, the levels `a1`, `a2`, `a3`, `coverage`, its Monte Carlo
#'   standard error `coverage_mcse` (`sqrt(c (1 - c) / reps)`), `width`, and
#'   `synth_coverage`, `synth_width` for the synthetic-only interval. When
#'   every replicate covers (or none does) `coverage_mcse` is 0, which says
#'   nothing about precision; with fewer than 100 `reps` that happens easily,
#'   and a warning of class `synthinfer_warning_few_reps` says so.
#' @references Tan, Z. and Zrnic, T. (2026). Valid inference with synthetic
#'   data via task exchangeability. Tables 1 and 2.
#' @export
#' @examples
#' exchange_coverage_study(n_tasks = 40, alpha = 0.1, tau = 0.1, reps = 100,
#'                         seed = 1, threads = 1)
exchange_coverage_study <- function(n_tasks, alpha = 0.1, tau = 0.1, reps = 1000,
                                    n_real = 1000, n_synth = 2000, bias = 0.05,
                                    method = c("population", "task_only", "finite_sample"),
                                    seed = NULL, threads = default_threads()) {
  method <- check_choice(method, c("population", "task_only", "finite_sample"), "method")
  n_tasks <- check_numeric_vector(n_tasks, "n_tasks")
  if (any(n_tasks < 1 | n_tasks != round(n_tasks) | n_tasks >= .Machine$integer.max)) {
    stop_arg("n_tasks", "must be whole numbers in [1, ", .Machine$integer.max - 1, "].")
  }
  alpha <- vapply(alpha, check_probability, 0, arg = "alpha")
  tau <- check_numeric_vector(tau, "tau")
  if (any(tau < 0)) stop_arg("tau", "must be >= 0.")
  reps <- check_count(reps, "reps", min = 1L)
  threads <- check_threads(threads)
  design <- check_sim_design(tau[1], n_real, n_synth, bias, seed)
  grid <- expand.grid(n_tasks = n_tasks, alpha = alpha, tau = tau)
  # Check every setting's error budget in R, for a readable error.
  for (i in seq_len(nrow(grid))) {
    if (method == "finite_sample") {
      if (grid$alpha[i] < 2 / (grid$n_tasks[i] + 1) - 1e-12) {
        stop_arg("n_tasks", sprintf("= %d is too few for alpha = %s: the finite-sample interval needs at least %d tasks.",
                                    as.integer(grid$n_tasks[i]), format(grid$alpha[i]),
                                    tasks_needed(grid$alpha[i])))
      }
    } else {
      resolve_split(grid$alpha[i], NULL, grid$n_tasks[i])
    }
  }
  rows <- lapply(seq_len(nrow(grid)), function(i) {
    g <- grid[i, ]
    r <- run_interruptible(
      sprintf("Coverage study, setting %d of %d", i, nrow(grid)), function(progress) {
        rs_exchange_coverage(as.integer(g$n_tasks), g$alpha, g$tau, design$bias,
                             design$n_real, design$n_synth, method, reps,
                             design$seed, threads, progress)
      })
    tibble::tibble(n_tasks = as.integer(g$n_tasks), alpha = g$alpha, tau = g$tau,
                   reps = reps, a1 = r$a1, a2 = r$a2, a3 = r$a3,
                   coverage = r$coverage,
                   coverage_mcse = sqrt(r$coverage * (1 - r$coverage) / reps),
                   width = r$width,
                   synth_coverage = r$synth_coverage, synth_width = r$synth_width)
  })
  out <- do.call(rbind, rows)
  attr(out, "method") <- method
  # The plug-in standard error sqrt(c (1 - c) / reps) is 0 at c = 0 or 1:
  # with few replicates a coverage of 1 "+- 0" would look exact.
  degenerate <- out$coverage %in% c(0, 1)
  if (reps < 100L && any(degenerate)) {
    warn_classed("synthinfer_warning_few_reps", sprintf(paste0(
      "With reps = %d the coverage is %s in some setting(s) and its coverage_mcse is 0, ",
      "which does not mean the coverage is exact: near the nominal level the Monte Carlo ",
      "standard error is about sqrt(alpha (1 - alpha) / reps) = %s. Use reps >= 1000 for a ",
      "coverage estimate."), reps, paste(unique(out$coverage[degenerate]), collapse = " or "),
      format(max(sqrt(out$alpha * (1 - out$alpha) / reps)), digits = 2)))
  }
  out
}
