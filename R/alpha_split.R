# Splitting the error budget alpha into a1 (target's synthetic interval),
# a2 (historical gap intervals) and a3 (cross-task spread). The default,
# (0.1, 0.2, 0.7) * alpha with a3 raised to its finite minimum when needed,
# is computed in Rust (shared with the simulation study).

# Smallest number of historical tasks with which `a3` gives a finite
# calibration: a3 >= 2 / (T + 1) (two-sided) or 1 / (T + 1) (one-sided).
tasks_needed <- function(a3, sides = 2) ceiling(sides / a3 - 1 - 1e-9)

# The split c(a1 =, a2 =, a3 =) of `alpha` with `n_eff` historical tasks, as
# the core chooses it (the default, the user's `split`, or that split with a3
# raised, said in a message); an error when no split is finite. The
# exchangeability functions make this choice inside their one call into the
# core; this is for checking a setting up front (exchange_coverage_study()).
resolve_split <- function(alpha, split, n_eff, sides = 2) {
  sp <- split_arg(alpha, split)
  res <- rs_exchange_split(alpha, sp$levels, sp$raise, as.double(n_eff), FALSE, sides, FALSE)
  core_note(res$note)
  stats::setNames(res$alphas, c("a1", "a2", "a3"))
}

# A user's `split` as levels c(a1, a2, a3) summing to `alpha`: three
# non-negative numbers that are either shares (summing to 1) or the levels.
split_levels <- function(alpha, split) {
  split <- check_numeric_vector(unclass_split(split), "split")
  if (length(split) != 3L || any(split < 0)) {
    stop_arg("split", "must be three non-negative numbers c(a1, a2, a3).")
  }
  if (abs(sum(split) - 1) < 1e-8) {
    split <- split * alpha
  } else if (abs(sum(split) - alpha) > 1e-8) {
    stop_arg("split", "must sum to 1 (shares of alpha) or to alpha = ", format(alpha),
             " (the levels themselves); it sums to ", format(sum(split)), ".")
  }
  if (any(split == 0)) {
    stop_arg("split", "must give every step a positive share.")
  }
  stats::setNames(split, c("a1", "a2", "a3"))
}

unclass_split <- function(split) {
  if (inherits(split, "exchange_split")) split <- as.double(unclass(split))
  split
}

#' A split of the error budget, with the paper's rule for few tasks
#'
#' `alpha` is spent on three steps: `a1` on the target's synthetic interval,
#' `a2` on the historical gap intervals and `a3` on the spread of gaps across
#' tasks. The gap band is finite only when `a3 >= 2 / (T + 1)` (`T` the number
#' of historical tasks; `1 / (T + 1)` for the one-sided scores of
#' `exchangeable_region(shape = "box" | "ball")`). A plain numeric `split`
#' whose `a3` falls short is an error. With `raise_a3 = TRUE`, the practical
#' rule of Tan and Zrnic (section 5.4) applies instead: `a3` is raised to
#' that smallest feasible level and the rest of `alpha` is shared by `a1` and
#' `a2` in the ratio given here, with a message saying so.
#'
#' @param a1,a2,a3 Non-negative shares of `alpha` (summing to 1) or the levels
#'   themselves (summing to `alpha`), as for the `split` argument of
#'   [exchangeable_ci()].
#' @param raise_a3 `TRUE` to raise a too small `a3` (see Details), `FALSE` for
#'   an error.
#' @return A numeric vector `c(a1, a2, a3)` of class `exchange_split`, for the
#'   `split` argument of [exchangeable_ci()], [exchangeable_region()],
#'   [exchangeable_loo()] and [exchangeable_band()].
#' @references Tan, Z. and Zrnic, T. (2026). Valid inference with synthetic
#'   data via task exchangeability.
#' @export
#' @examples
#' tasks <- simulate_tasks(15, seed = 1)
#' # 14 historical tasks: a3 = 0.5 * 0.2 = 0.1 is below 2 / 15; raised.
#' exchangeable_ci(tasks, 15, alpha = 0.2, split = exchange_split(0.25, 0.25, 0.5))
exchange_split <- function(a1 = 0.1, a2 = 0.2, a3 = 0.7, raise_a3 = TRUE) {
  v <- c(a1 = a1, a2 = a2, a3 = a3)
  v <- stats::setNames(check_numeric_vector(v, "split"), c("a1", "a2", "a3"))
  if (length(v) != 3L || any(v <= 0)) stop_arg("split", "must be three positive numbers a1, a2, a3.")
  structure(v, raise_a3 = check_flag(raise_a3, "raise_a3"), class = "exchange_split")
}

#' @export
print.exchange_split <- function(x, ...) {
  cat(sprintf("Error split a1 = %s, a2 = %s, a3 = %s%s\n", format(x[["a1"]]), format(x[["a2"]]),
              format(x[["a3"]]), if (isTRUE(attr(x, "raise_a3"))) " (a3 raised when too small)" else ""))
  invisible(x)
}
