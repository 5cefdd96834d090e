#' Read per-model autorater win rates into a task table
#'
#' Reads per-model win-rate statistics (one row per model evaluated on an
#' arena: its human win rate and the win rate an autorater assigns on the same
#' battles) into a task table for the task-exchangeability methods. The
#' per-battle votes behind these rates are not public, so the table suits the
#' finite-sample algorithm, which needs only the point estimates.
#'
#' @section Format:
#' Columns (as in the Tan and Zrnic deposit, `arena_autorater_winrates.csv`):
#' * `model`: model name (the task);
#' * `n_battles`: battles the model played (the same battles carry a human
#'   and an autorater vote, a paired design);
#' * `human_winrate`: share of human votes won against the reference pool,
#'   ties counting one half (the target);
#' * `autorater_winrate`: the same under the autorater's votes.
#'
#' @section Standard errors:
#' Without per-battle data, the covariance between a battle's human and
#' autorater outcome is unknown, so by default all standard errors are `NA`.
#' With `bound_se = TRUE` they are filled with conservative bounds: an outcome
#' in \[0, 1\] with mean `p` has variance at most `p (1 - p)`, so
#' `real_se = sqrt(p (1 - p) / n)` (and likewise `synth_se`) bound the
#' standard errors, and `gap_se = real_se + synth_se` bounds the paired gap's
#' standard error whatever the correlation.
#'
#' @param x A data frame, or the path of a .csv or .rds file, in the format
#'   below.
#' @param bound_se Fill the standard errors with the conservative bounds
#'   described below instead of `NA`.
#' @return A tibble with one row per model: `task` (the model), `n_real`,
#'   `n_synth` (both `n_battles`), `real_est` (human win rate), `real_se`,
#'   `synth_est` (autorater win rate), `synth_se`, `gap_est` (human minus
#'   autorater) and `gap_se`.
#' @references Tan, Z. and Zrnic, T. (2026). Valid inference with synthetic
#'   data via task exchangeability.
#' @export
#' @examples
#' rates <- data.frame(model = c("m1", "m2", "m3"), n_battles = c(900, 1200, 400),
#'                     human_winrate = c(0.55, 0.48, 0.40),
#'                     autorater_winrate = c(0.57, 0.45, 0.44))
#' read_arena_winrates(rates)
#' read_arena_winrates(rates, bound_se = TRUE)
read_arena_winrates <- function(x, bound_se = FALSE) {
  df <- read_table_input(x)
  require_columns(df, c("model", "n_battles", "human_winrate", "autorater_winrate"),
                  format = "arena win-rate")
  if (!is.logical(bound_se) || length(bound_se) != 1L || is.na(bound_se)) {
    stop_arg("bound_se", "must be TRUE or FALSE.")
  }
  n <- numeric_column(df, "n_battles")
  h <- numeric_column(df, "human_winrate")
  a <- numeric_column(df, "autorater_winrate")
  if (any(n < 1 | n != round(n))) {
    stop_arg("x", "column 'n_battles' must hold positive whole numbers.")
  }
  outside <- h < 0 | h > 1 | a < 0 | a > 1
  if (any(outside)) {
    stop_arg("x", "has win rates outside [0, 1] in row(s) ",
             format_positions(which(outside)), ".")
  }
  model <- as.character(df$model)
  if (anyNA(model) || anyDuplicated(model)) {
    stop_arg("x", "column 'model' must name each model once, without NA.")
  }
  real_se <- synth_se <- gap_se <- rep(NA_real_, length(h))
  if (bound_se) {
    real_se <- sqrt(h * (1 - h) / n)
    synth_se <- sqrt(a * (1 - a) / n)
    gap_se <- real_se + synth_se
  }
  tibble::tibble(task = model, n_real = as.integer(n), n_synth = as.integer(n),
                 real_est = h, real_se = real_se, synth_est = a, synth_se = synth_se,
                 gap_est = h - a, gap_se = gap_se)
}
