#' Order-statistic gap band of the task-exchangeability method
#'
#' Given, for each of `T` historical tasks, a confidence interval
#' `[lower_j, upper_j]` for the real-minus-synthetic gap, the gap band is
#' `[Delta^L, Delta^U]` where `Delta^L` is the `k_L`-th smallest lower endpoint
#' and `Delta^U` the `k_U`-th smallest upper endpoint, with
#' `k_L = floor((T + 1) alpha / 2)` and `k_U = ceiling((T + 1) (1 - alpha / 2))`.
#' Adding the band to a synthetic-only interval for a new, exchangeable task
#' corrects it for the synthetic data's bias (Algorithm 1 of Tan and Zrnic).
#'
#' The band is finite only when `alpha >= 2 / (T + 1)`; with fewer historical
#' tasks than that an error says how many are needed.
#'
#' @param lower,upper Numeric vectors of equal length: lower and upper
#'   endpoints of the historical tasks' gap intervals. A point gap estimate
#'   can be given as `lower = upper`.
#' @param alpha Share of the error budget spent on the spread of gaps across
#'   tasks, in (0, 1).
#' @return A one-row band (class `gap_band`, see [exchangeable_band()]) with
#'   `alpha3` = `alpha`, `n_tasks`, the band `delta_lower`, `delta_upper` and
#'   the ranks `k_lower`, `k_upper`. It knows neither the whole error level nor
#'   the rest of the split (`alpha`, `alpha1`, `alpha2` and `method` are
#'   `NA`): to apply it with `exchangeable_ci(band = )`, give `split` too.
#' @references Tan, Z. and Zrnic, T. (2026). Valid inference with synthetic
#'   data via task exchangeability.
#' @export
#' @examples
#' set.seed(1)
#' gaps <- rnorm(39, mean = 0.05, sd = 0.1)
#' gap_band(gaps - 0.02, gaps + 0.02, alpha = 0.1)
gap_band <- function(lower, upper, alpha = 0.1) {
  lower <- check_numeric_vector(lower, "lower")
  upper <- check_numeric_vector(upper, "upper")
  if (length(lower) != length(upper)) {
    stop_arg("upper", "must have the same length as `lower` (", length(lower),
             "), not ", length(upper), ".")
  }
  if (any(lower > upper)) {
    stop_arg("lower", "must not exceed `upper`; it does at position(s) ",
             format_positions(which(lower > upper)), ".")
  }
  alpha <- check_probability(alpha, "alpha")
  band <- rs_gap_band(lower, upper, alpha)
  new_gap_band(alpha = NA_real_, alpha1 = NA_real_, alpha2 = NA_real_, alpha3 = alpha,
               n_tasks = length(lower), delta_lower = band$lower, delta_upper = band$upper,
               method = NA_character_, mean_gap = NA_real_,
               k_lower = band$k_lower, k_upper = band$k_upper)
}

#' Calibrate once: the gap band of a set of historical tasks
#'
#' The part of [exchangeable_ci()] that uses the historical tasks, kept as a
#' small table so that it can be saved, published and applied later to new
#' targets with `exchangeable_ci(band = )`, `exchangeable_region(band = )` or
#' `exchangeable_loo(band = )`, without the historical data. A lab that
#' calibrates its generator on past surveys once can publish the band (see
#' [write_gap_band()]); later studies apply it to their synthetic-only
#' intervals.
#'
#' A band is tied to the split it was made with: applying it needs the
#' target's synthetic interval at level `1 - alpha1`, and the guarantee is
#' for level `1 - alpha` with `alpha = alpha1 + alpha2 + alpha3`. Applying it
#' at another `alpha` or with another split is therefore an error.
#'
#' @inheritParams exchangeable_ci
#' @param tasks Task table of the historical tasks (every row calibrates);
#'   with a `coordinate` column, one band per coordinate is made at level
#'   `alpha / D` (the Bonferroni rectangle of [exchangeable_region()]).
#' @param alpha One or more error levels in (0, 1): one band per level.
#' @return A tibble of class `gap_band`, one row per level (and coordinate):
#'   `alpha`, `alpha1`, `alpha2`, `alpha3` (the split; for coordinates they
#'   sum to `alpha / D`), `n_tasks` (historical tasks), `delta_lower`,
#'   `delta_upper` (the band), `method`, `mean_gap` (mean historical gap, for
#'   the point estimate), `k_lower`, `k_upper` (ranks used), and
#'   `coordinate` for vector tasks. The first seven columns are those of the
#'   published band of Tan and Zrnic's ANES analysis.
#' @seealso [as_gap_band()] to read a saved or published band,
#'   [write_gap_band()] to save one as CSV.
#' @export
#' @examples
#' tasks <- simulate_tasks(41, seed = 2)
#' band <- exchangeable_band(tasks[1:40, ], alpha = c(0.1, 0.2))
#' band
#' # later, on the target alone:
#' exchangeable_ci(tasks[41, ], alpha = 0.1, band = band, bounds = c(0, 1))
exchangeable_band <- function(tasks, alpha = 0.1, split = NULL,
                              method = c("population", "finite_sample", "task_only"),
                              weights = NULL, paired = TRUE) {
  method <- check_choice(method, c("population", "finite_sample", "task_only"), "method")
  tasks <- check_task_table(tasks)
  alpha <- check_numeric_vector(alpha, "alpha")
  for (a in alpha) check_probability(a, "alpha")
  if (anyDuplicated(alpha)) stop_arg("alpha", "has repeated levels.")
  paired <- check_flag(paired, "paired")
  vector <- has_coordinates(tasks)
  if (vector && !is.null(weights)) stop_arg("weights", "is not supported for vector tasks.")
  if (vector) {
    coords <- task_coordinates(tasks)
    rows <- widen_tasks(tasks, coords, "tasks")$rows
  } else {
    check_unique_tasks(tasks, "tasks")
    coords <- NULL
    rows <- list(tasks)
  }
  gaps <- lapply(rows, history_gaps, need_se = method != "finite_sample", paired = paired)
  weights <- check_task_weights(weights, tasks$task)
  d <- length(rows)
  # The user's split as levels at each level's alpha / D (one row per level).
  sp <- lapply(alpha / d, split_arg, split = split)
  levels <- if (is.null(split)) numeric() else as.double(do.call(rbind, lapply(sp, `[[`, "levels")))
  res <- rs_exchange_calibrate(unlist(lapply(gaps, `[[`, "est")), unlist(lapply(gaps, `[[`, "se")),
                               if (is.null(weights)) numeric() else weights, d, alpha, levels,
                               isTRUE(sp[[1]]$raise), method)
  core_note(res$note)
  b <- res$table
  new_gap_band(alpha = b$alpha, alpha1 = b$alpha1, alpha2 = b$alpha2, alpha3 = b$alpha3,
               n_tasks = b$n_tasks, delta_lower = b$delta_lower, delta_upper = b$delta_upper,
               method = method, mean_gap = b$mean_gap, k_lower = b$k_lower, k_upper = b$k_upper,
               coordinate = if (vector) rep(coords, times = length(alpha)))
}

new_gap_band <- function(alpha, alpha1, alpha2, alpha3, n_tasks, delta_lower, delta_upper,
                         method, mean_gap, k_lower, k_upper, coordinate = NULL) {
  out <- tibble::tibble(
    alpha = as.double(alpha), alpha1 = as.double(alpha1), alpha2 = as.double(alpha2),
    alpha3 = as.double(alpha3), n_tasks = as.integer(n_tasks),
    delta_lower = as.double(delta_lower), delta_upper = as.double(delta_upper),
    method = as.character(method), mean_gap = as.double(mean_gap),
    k_lower = as.integer(k_lower), k_upper = as.integer(k_upper))
  if (!is.null(coordinate)) out$coordinate <- coordinate
  class(out) <- c("gap_band", class(out))
  out
}

#' @export
format.gap_band <- function(x, ...) {
  if (!has_columns(x, band_columns)) return(format(as_plain_tibble(x, "gap_band"), ...))
  num <- function(v) vapply(v, format, "")
  lvl <- ifelse(is.na(x$alpha), "level unknown", paste0(num(100 * (1 - x$alpha)), "%"))
  coord <- if ("coordinate" %in% names(x)) paste0(" / ", x$coordinate) else ""
  split <- ifelse(!is.na(x$alpha1),
                  paste0("split ", num(x$alpha1), ", ", num(x$alpha2), ", ", num(x$alpha3)),
                  ifelse(is.na(x$alpha3), "split unknown",
                         paste0("alpha3 ", num(x$alpha3), ", rest of split unknown")))
  n <- ifelse(is.na(x$n_tasks), "T unknown", paste0("T = ", x$n_tasks))
  method <- ifelse(is.na(x$method), "method unknown", x$method)
  rows <- sprintf("  %s%s: [%.6g, %.6g]  (%s; %s; %s)", lvl, coord, x$delta_lower,
                  x$delta_upper, split, n, method)
  c("Task-exchangeability gap band(s) [delta_lower, delta_upper]:", rows)
}

#' @export
print.gap_band <- function(x, ...) {
  cat(format(x, ...), sep = "\n")
  invisible(x)
}
