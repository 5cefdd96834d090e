#' Read respondent-level silicon samples into a task table
#'
#' Reads the respondent-level file of Bisbee et al. (2024), in which every
#' ANES respondent's feeling-thermometer rating of a target group is paired
#' with the rating a language model gave when prompted with that respondent's
#' demographic and political profile, and summarises it into one task per
#' target group x party identification (x survey year) with [task_summaries()].
#'
#' @section Format:
#' One row per respondent and target group, with columns
#' * `respID`: respondent identifier; in the Bisbee et al. file it starts
#'   with the four-digit survey year (e.g. `2016...`, `2020...`);
#' * `pid`: the respondent's party identification (e.g. Democrat,
#'   Independent, Republican);
#' * `group`: the target group rated (e.g. Black Americans, Christians);
#' * `thermometer_ANES`: the respondent's 0-100 rating (the real value);
#' * `LLM_RICH_full_therm_m`: the model's rating for that respondent's
#'   profile (the synthetic value);
#' * optionally `year`, the survey year. Without it the year is taken from the
#'   first four characters of `respID` when all of them are years
#'   (1900-2099); otherwise tasks are not split by year.
#' Other columns are ignored. The replication archive ships the file as
#' `ANES_LLM_combined.rds`; a .csv with the same columns also works.
#'
#' @section Design:
#' The synthetic respondent is generated from the real respondent's profile,
#' so each row is a real/synthetic pair and the default is `paired = TRUE`:
#' the gap's standard error is that of the mean within-respondent difference.
#' Rows missing either rating, the party or the group are dropped first (as
#' in the paper, each task uses respondents with both ratings), so
#' `n_real = n_synth` in every task.
#'
#' @param x A data frame, or the path of an .rds or .csv file, in the format
#'   below.
#' @param real,synthetic Columns holding the real and the synthetic rating.
#' @param weights `NULL` or the name of a survey-weight column.
#' @param paired Passed to [task_summaries()].
#' @return A task table as from [task_summaries()], with columns `year` (when
#'   known), `group`, `pid` and `task` (labeled `"2020:Christians / Democrat"`,
#'   or `"Christians / Democrat"` without years) in front.
#' @references Bisbee, J., Clinton, J. D., Dorff, C., Kenkel, B. and
#'   Larson, J. M. (2024). Synthetic replacements for human survey data? The
#'   perils of large language models. Political Analysis 32(4), 401-416.
#'
#'   Tan, Z. and Zrnic, T. (2026). Valid inference with synthetic data via
#'   task exchangeability.
#' @export
#' @examples
#' set.seed(1)
#' n <- 120
#' silicon <- data.frame(
#'   respID = paste0(rep(c(2016, 2020), each = n / 2), sprintf("%04d", 1:n)),
#'   pid = sample(c("Democrat", "Republican"), n, replace = TRUE),
#'   group = sample(c("Muslims", "Christians"), n, replace = TRUE),
#'   thermometer_ANES = round(runif(n, 0, 100)),
#'   LLM_RICH_full_therm_m = round(runif(n, 20, 80)))
#' read_silicon_samples(silicon)
read_silicon_samples <- function(x, real = "thermometer_ANES",
                                 synthetic = "LLM_RICH_full_therm_m", weights = NULL,
                                 paired = TRUE) {
  real <- column_name_arg(real, "real")
  synthetic <- column_name_arg(synthetic, "synthetic")
  weights <- column_name_arg(weights, "weights", null_ok = TRUE)
  df <- read_table_input(x)
  require_columns(df, c("respID", "pid", "group", real, synthetic, weights),
                  format = "silicon-sample")
  real_y <- numeric_column(df, real, allow_na = TRUE)
  synth_y <- numeric_column(df, synthetic, allow_na = TRUE)
  check_column_range(df, c(real, synthetic), 0, 100, paste0(
    "feeling thermometers run from 0 to 100; codes such as 998, 999 or -9 mark ",
    "missing answers in ANES files and must be set to NA first"))
  year <- silicon_year(df)
  keep <- !is.na(real_y) & !is.na(synth_y) & !is.na(df$pid) & !is.na(df$group)
  if (!is.null(year)) keep <- keep & !is.na(year)
  if (!any(keep)) stop_arg("x", "has no row with both ratings, a party and a group.")
  units <- data.frame(
    group = as.character(df$group[keep]), pid = as.character(df$pid[keep]),
    real = real_y[keep], synthetic = synth_y[keep], stringsAsFactors = FALSE)
  if (!is.null(weights)) units$weight <- numeric_column(df, weights)[keep]
  label <- paste0(units$group, " / ", units$pid)
  if (!is.null(year)) {
    units$year <- year[keep]
    label <- paste0(units$year, ":", label)
  }
  units$task <- label
  out <- task_summaries(units, "task", "real", "synthetic",
                        weights = if (is.null(weights)) NULL else "weight", paired = paired)
  keys <- units[!duplicated(units$task), intersect(c("year", "group", "pid", "task"),
                                                   names(units))]
  keys <- keys[match(out$task, keys$task), setdiff(names(keys), "task"), drop = FALSE]
  tibble::as_tibble(c(keys, out))
}

# The survey year: a `year` column, else the leading four digits of respID.
silicon_year <- function(df) {
  if ("year" %in% names(df)) return(as.integer(df$year))
  lead <- substr(as.character(df$respID), 1L, 4L)
  if (all(grepl("^(19|20)[0-9]{2}$", lead[!is.na(df$respID)]))) as.integer(lead) else NULL
}
