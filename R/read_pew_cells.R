#' Read Pew approval cell summaries into a two-coordinate task table
#'
#' Turns survey-weighted cell statistics of presidential approval (one row per
#' generator x item x wave x party x region) into the long task table of the
#' paper's two-dimensional Pew analysis: one task per (item, wave, region)
#' cell, with two coordinates, the approval rate among the sitting
#' president's co-partisans (`"co"`) and among the opposing party (`"opp"`).
#'
#' @section Format:
#' Columns (as in the Tan and Zrnic data deposit, `pew_approval_cells.csv`):
#' * `generator`: the model that produced the synthetic answers;
#' * `item`: `POL1DT` (approval of Donald Trump) or `POL1JB` (Joe Biden);
#' * `wave`: the American Trends Panel wave, `W` followed by its number
#'   (e.g. `W24.5`, `W156`);
#' * `party`: `Dem`, `Rep` or `Other` (rows with other parties are ignored);
#' * `region`: census region;
#' * `n`: respondents in the cell;
#' * `real_mean`: survey-weighted (Hajek) approval among real respondents;
#' * `gap_mean`, `gap_se`: weighted mean of real minus synthetic answers and
#'   its design-based standard error (paired: every respondent has a
#'   synthetic twin);
#' * `synth_mean`, `synth_se`: weighted mean of the synthetic answers and its
#'   standard error.
#'
#' The co-partisan coordinate is `Dem` for `POL1JB` and `Rep` for `POL1DT`;
#' the other of the two parties is `opp`. Items other than these two are an
#' error, since their president's party is unknown. A cell is dropped when
#' either coordinate has fewer than `min_n` respondents or is absent.
#' The cell file carries no standard error of the real mean alone, so
#' `real_se` is `NA`; the synthetic sample has one (averaged) synthetic answer
#' per respondent, so `n_synth = n_real = n`.
#'
#' @param x A data frame, or the path of a .csv or .rds file, in the format
#'   below.
#' @param generator `NULL` to keep every generator, or the name(s) of the
#'   generator(s) to keep. With more than one generator kept the task label
#'   starts with the generator.
#' @param min_n Minimum number of respondents in each coordinate of a cell.
#' @return A tibble with two rows per task (coordinates `co` then `opp`),
#'   ordered by wave (chronologically), item and region, with columns `task`
#'   (`"POL1JB / W95 / South"`), `coordinate`, `generator`, `item`, `wave`,
#'   `wave_number` (the numeric part of `wave`, for temporal splits),
#'   `region`, `party`, `n_real`, `n_synth`, `real_est`, `real_se`,
#'   `synth_est`, `synth_se`, `gap_est`, `gap_se`.
#' @references Tan, Z. and Zrnic, T. (2026). Valid inference with synthetic
#'   data via task exchangeability.
#' @export
#' @examples
#' cells <- expand.grid(party = c("Dem", "Rep"), region = c("South", "West"),
#'                      wave = c("W95", "W101"), stringsAsFactors = FALSE)
#' cells$generator <- "gpt_4.o"; cells$item <- "POL1JB"; cells$n <- 150
#' cells$real_mean <- ifelse(cells$party == "Dem", 0.8, 0.1)
#' cells$synth_mean <- ifelse(cells$party == "Dem", 0.95, 0.02)
#' cells$synth_se <- 0.01; cells$gap_se <- 0.03
#' cells$gap_mean <- cells$real_mean - cells$synth_mean
#' read_pew_cells(cells)
read_pew_cells <- function(x, generator = NULL, min_n = 100) {
  df <- read_table_input(x)
  require_columns(df, c("generator", "item", "wave", "party", "region", "n", "real_mean",
                        "gap_mean", "gap_se", "synth_mean", "synth_se"),
                  format = "Pew cell")
  min_n <- check_count(min_n, "min_n", min = 0L)
  if (!is.null(generator)) {
    if (!is.character(generator) || anyNA(generator) || length(generator) == 0L) {
      stop_arg("generator", "must be NULL or a character vector of generator names.")
    }
    unknown <- setdiff(generator, df$generator)
    if (length(unknown)) {
      stop_arg("generator", "names generator(s) not in the data: ",
               paste0("'", unknown, "'", collapse = ", "), "; available: ",
               paste0("'", sort(unique(df$generator)), "'", collapse = ", "), ".")
    }
    df <- df[df$generator %in% generator, , drop = FALSE]
  }
  own_party <- c(POL1JB = "Dem", POL1DT = "Rep")
  unknown_items <- setdiff(unique(df$item), names(own_party))
  if (length(unknown_items)) {
    stop_arg("x", "has item(s) ", paste0("'", unknown_items, "'", collapse = ", "),
             " whose president's party is unknown (expected POL1JB or POL1DT).")
  }
  input_row <- which(df$party %in% c("Dem", "Rep"))
  df <- df[input_row, , drop = FALSE]
  for (col in c("n", "real_mean", "gap_mean", "gap_se", "synth_mean", "synth_se")) {
    df[[col]] <- numeric_column(df, col)
  }
  check_column_range(df, c("gap_se", "synth_se"), 0, Inf, "standard errors must be >= 0",
                     rows = input_row)
  check_column_range(df, c("real_mean", "synth_mean"), 0, 1, "approval rates must lie in [0, 1]",
                     rows = input_row)
  df$coordinate <- ifelse(df$party == own_party[df$item], "co", "opp")
  cell <- paste(df$generator, df$item, df$wave, df$region, sep = "\x1f")
  dup <- duplicated(paste(cell, df$party))
  if (any(dup)) {
    stop_arg("x", "has more than one row for the same generator, item, wave, party ",
             "and region (row(s) ", format_positions(which(dup)), ").")
  }
  # A cell stays only if both coordinates are present with n >= min_n.
  big <- tapply(df$n >= min_n, cell, function(ok) length(ok) == 2L && all(ok))
  df <- df[big[cell], , drop = FALSE]
  if (nrow(df) == 0L) stop_arg("x", "has no cell with both parties at n >= ", min_n, ".")
  df$wave_number <- pew_wave_number(df$wave)
  several <- length(unique(df$generator)) > 1L
  df$task <- paste(df$item, df$wave, df$region, sep = " / ")
  if (several) df$task <- paste(df$generator, df$task, sep = " / ")
  df <- df[order(df$generator, df$wave_number, df$item, df$region, df$coordinate,
                 method = "radix"), , drop = FALSE]
  tibble::tibble(
    task = df$task, coordinate = df$coordinate, generator = df$generator,
    item = df$item, wave = df$wave, wave_number = df$wave_number, region = df$region,
    party = df$party, n_real = as.integer(df$n), n_synth = as.integer(df$n),
    real_est = df$real_mean, real_se = NA_real_, synth_est = df$synth_mean,
    synth_se = df$synth_se, gap_est = df$gap_mean, gap_se = df$gap_se)
}

pew_wave_number <- function(wave) {
  num <- suppressWarnings(as.numeric(sub("^W", "", wave)))
  if (anyNA(num)) {
    stop_arg("x", "has wave label(s) not of the form W<number>: ",
             paste0("'", unique(wave[is.na(num)]), "'", collapse = ", "), ".")
  }
  num
}
