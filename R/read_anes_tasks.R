#' Read ANES thermometer task summaries into a task table
#'
#' Reads task-level summaries of ANES feeling thermometers with a synthetic
#' (silicon-sample) confidence interval per task, as in the Tan and Zrnic
#' results deposit, into a task table. The synthetic point estimate and
#' standard error are recovered from the Wald interval: the midpoint, and the
#' half-width divided by `qnorm(1 - synth_ci_alpha / 2)`.
#'
#' @section Format:
#' One row per task (target group x party) with columns
#' * `task`: task label (e.g. `"2020:Christians / Democrat"`);
#' * `target_group`, `party`: the group rated and the respondents' party;
#' * `n`: respondents (one synthetic rating per respondent, so the synthetic
#'   sample has the same size);
#' * `real_mean`: the survey mean rating (the target);
#' * `synth_ci_low`, `synth_ci_high`: the synthetic-only Wald interval at
#'   level `1 - synth_ci_alpha`;
#' * `synth_ci_alpha`: its error level.
#'
#' The deposit holds no standard error of the real mean nor of the gap, so
#' `real_se` and `gap_se` are `NA`: the table suits the finite-sample
#' algorithm (`method = "finite_sample"` of [exchangeable_ci()]), which needs
#' point gaps only. With the respondent-level file use
#' [read_silicon_samples()] instead.
#'
#' @param x A data frame, or the path of a .csv or .rds file, in the format
#'   below.
#' @return A tibble with one row per task: `task`, `target_group`, `party`,
#'   `n_real`, `n_synth`, `real_est`, `real_se`, `synth_est`, `synth_se`,
#'   `gap_est` (`real_est - synth_est`) and `gap_se`.
#' @references Bisbee, J., Clinton, J. D., Dorff, C., Kenkel, B. and
#'   Larson, J. M. (2024). Synthetic replacements for human survey data? The
#'   perils of large language models. Political Analysis 32(4), 401-416.
#'
#'   Tan, Z. and Zrnic, T. (2026). Valid inference with synthetic data via
#'   task exchangeability.
#' @export
#' @examples
#' therm <- data.frame(task = c("Muslims / Democrat", "Muslims / Republican"),
#'                     target_group = "Muslims", party = c("Democrat", "Republican"),
#'                     n = c(900, 700), real_mean = c(70, 45),
#'                     synth_ci_low = c(74, 38), synth_ci_high = c(75, 39),
#'                     synth_ci_alpha = 0.005)
#' read_anes_tasks(therm)
read_anes_tasks <- function(x) {
  df <- read_table_input(x)
  require_columns(df, c("task", "target_group", "party", "n", "real_mean", "synth_ci_low",
                        "synth_ci_high", "synth_ci_alpha"), format = "ANES task")
  n <- numeric_column(df, "n")
  lo <- numeric_column(df, "synth_ci_low")
  hi <- numeric_column(df, "synth_ci_high")
  a <- numeric_column(df, "synth_ci_alpha")
  real <- numeric_column(df, "real_mean")
  if (any(hi < lo)) {
    stop_arg("x", "has synth_ci_high below synth_ci_low in row(s) ",
             format_positions(which(hi < lo)), ".")
  }
  if (any(a <= 0 | a >= 1)) {
    stop_arg("x", "column 'synth_ci_alpha' must lie in (0, 1).")
  }
  if (any(n < 2 | n != round(n))) {
    stop_arg("x", "column 'n' must hold whole numbers >= 2.")
  }
  dup <- duplicated(as.character(df$task))
  if (any(dup)) {
    stop_arg("x", "has more than one row for task(s) ", format_ids(unique(df$task[dup])),
             " (row(s) ", format_positions(which(dup)), "): each task needs one row.")
  }
  synth_est <- (lo + hi) / 2
  tibble::tibble(
    task = as.character(df$task), target_group = as.character(df$target_group),
    party = as.character(df$party), n_real = as.integer(n), n_synth = as.integer(n),
    real_est = real, real_se = NA_real_, synth_est = synth_est,
    synth_se = (hi - lo) / (2 * stats::qnorm(1 - a / 2)),
    gap_est = real - synth_est, gap_se = NA_real_)
}
