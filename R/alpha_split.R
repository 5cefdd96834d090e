# Splitting the error budget alpha into a1 (target's synthetic interval),
# a2 (historical gap intervals) and a3 (cross-task spread). The default,
# (0.1, 0.2, 0.7) * alpha with a3 raised to its finite minimum when needed,
# is computed in Rust (shared with the simulation study).

# Smallest number of (effective) historical tasks with which `a3` gives a
# finite calibration: a3 >= 2 / (T + 1) (two-sided) or 1 / (T + 1) (one-sided).
tasks_needed <- function(a3, sides = 2) ceiling(sides / a3 - 1 - 1e-9)

# `split` is NULL (default), or three non-negative numbers that are either
# proportions of alpha (summing to 1) or the levels themselves (summing to
# alpha). `n_eff` is the number of historical tasks (or their total weight).
resolve_split <- function(alpha, split, n_eff, sides = 2) {
  min_a3 <- sides / (n_eff + 1)
  if (is.null(split)) {
    if (alpha <= min_a3 + 1e-12) {
      stop(sprintf(paste0(
        "With %s historical task%s the calibration at `alpha` = %s is infinite: ",
        "it needs alpha > %d / (T + 1), i.e. at least %d historical tasks at this alpha."),
        format(n_eff), if (n_eff == 1) "" else "s", format(alpha), sides,
        floor(sides / alpha - 1 + 1e-9) + 1), call. = FALSE)
    }
    return(stats::setNames(rs_alpha_split(alpha, min_a3), c("a1", "a2", "a3")))
  }
  split <- check_numeric_vector(split, "split")
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
  if (split[3] < min_a3 - 1e-12) {
    stop_arg("split", sprintf(paste0(
      "gives a3 = %s, below %d / (T + 1) = %s for %s historical task%s: the gap ",
      "band would be infinite. This a3 needs at least %d historical tasks."),
      format(split[3]), sides, format(min_a3), format(n_eff), if (n_eff == 1) "" else "s",
      tasks_needed(split[3], sides)))
  }
  stats::setNames(split, c("a1", "a2", "a3"))
}
