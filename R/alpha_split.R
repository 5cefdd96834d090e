# Splitting the error budget alpha into a1 (target's synthetic interval),
# a2 (historical gap intervals) and a3 (cross-task spread). The default,
# (0.1, 0.2, 0.7) * alpha with a3 raised to its finite minimum when needed,
# is computed in Rust (shared with the simulation study).

# Smallest number of (effective) historical tasks with which `a3` gives a
# finite calibration: a3 >= 2 / (T + 1) (two-sided) or 1 / (T + 1) (one-sided).
tasks_needed <- function(a3, sides = 2) ceiling(sides / a3 - 1 - 1e-9)

# "14 historical tasks", or for weighted tasks (n_eff carrying the attribute
# `weighted`) their total weight, which plays the role of T.
tasks_phrase <- function(n_eff) {
  if (isTRUE(attr(n_eff, "weighted"))) {
    return(sprintf("historical tasks of total weight %s (T = the total weight)", format(c(n_eff))))
  }
  sprintf("%s historical task%s", format(c(n_eff)), if (n_eff == 1) "" else "s")
}

# `split` is NULL (default), or three non-negative numbers that are either
# proportions of alpha (summing to 1) or the levels themselves (summing to
# alpha). `n_eff` is the number of historical tasks (or their total weight).
resolve_split <- function(alpha, split, n_eff, sides = 2) {
  min_a3 <- sides / (c(n_eff) + 1)
  if (is.null(split)) {
    if (alpha <= min_a3 + 1e-12) {
      stop(sprintf(paste0(
        "With %s the calibration at `alpha` = %s is infinite: ",
        "it needs alpha > %d / (T + 1), i.e. at least %d historical tasks at this alpha."),
        tasks_phrase(n_eff), format(alpha), sides,
        floor(sides / alpha - 1 + 1e-9) + 1), call. = FALSE)
    }
    return(stats::setNames(rs_alpha_split(alpha, min_a3), c("a1", "a2", "a3")))
  }
  raise <- inherits(split, "exchange_split") && isTRUE(attr(split, "raise_a3"))
  split <- split_levels(alpha, split)
  if (split[["a3"]] < min_a3 - 1e-12) {
    if (raise) return(raise_a3(alpha, split, min_a3, n_eff, sides))
    stop_arg("split", sprintf(paste0(
      "gives a3 = %s, below %d / (T + 1) = %s for %s: the gap ",
      "band would be infinite. This a3 needs at least %d historical tasks; or use ",
      "split = exchange_split(..., raise_a3 = TRUE) to raise a3 to the smallest ",
      "feasible level."),
      format(split[["a3"]]), sides, format(min_a3), tasks_phrase(n_eff),
      tasks_needed(split[["a3"]], sides)))
  }
  split
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

# The paper's practical rule for a split whose a3 is too small for the number
# of historical tasks: raise a3 to 2 / (T + 1) (1 / (T + 1) one-sided) and
# share the rest of alpha between a1 and a2 in the user's ratio.
raise_a3 <- function(alpha, split, min_a3, n_eff, sides) {
  if (alpha <= min_a3 + 1e-12) {
    stop(sprintf(paste0(
      "With %s no split of `alpha` = %s is finite: a3 alone needs ",
      "%d / (T + 1) = %s. Raise alpha or add historical tasks."),
      tasks_phrase(n_eff), format(alpha), sides, format(min_a3)),
      call. = FALSE)
  }
  rest <- alpha - min_a3
  out <- c(a1 = rest * split[["a1"]] / (split[["a1"]] + split[["a2"]]),
           a2 = rest * split[["a2"]] / (split[["a1"]] + split[["a2"]]), a3 = min_a3)
  message(sprintf(paste0(
    "Raised a3 from %s to %d / (T + 1) = %s, the smallest finite level with %s; ",
    "a1 = %s and a2 = %s share the rest in the ratio of `split`."),
    format(split[["a3"]]), sides, format(min_a3), tasks_phrase(n_eff), format(out[["a1"]]),
    format(out[["a2"]])))
  out
}

#' A split of the error budget, with the paper's rule for few tasks
#'
#' `alpha` is spent on three steps: `a1` on the target's synthetic interval,
#' `a2` on the historical gap intervals and `a3` on the spread of gaps across
#' tasks. The gap band is finite only when `a3 >= 2 / (T + 1)` (`T` the number
#' of historical tasks; `1 / (T + 1)` for the one-sided scores of
#' `exchangeable_region(method = "box" | "ball")`). A plain numeric `split`
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
