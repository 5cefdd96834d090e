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
#' @return A one-row tibble with columns `lower`, `upper` (the band), `k_lower`,
#'   `k_upper` (the ranks used) and `n_tasks`.
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
  n_tasks <- length(lower)
  if (alpha < 2 / (n_tasks + 1) - 1e-12) {
    stop(sprintf(paste0(
      "With %d historical task%s the gap band is infinite at `alpha` = %s: ",
      "a finite band needs alpha >= 2 / (T + 1), i.e. at least %d historical tasks ",
      "at this alpha."), n_tasks, if (n_tasks == 1) "" else "s", format(alpha),
      ceiling(2 / alpha - 1 - 1e-9)), call. = FALSE)
  }
  band <- rs_gap_band(lower, upper, alpha)
  tibble::tibble(lower = band$lower, upper = band$upper,
                 k_lower = band$k_lower, k_upper = band$k_upper,
                 n_tasks = n_tasks)
}
