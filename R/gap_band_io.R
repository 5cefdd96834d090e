# Reading, checking and saving gap bands: the published columns, one row per
# level (and coordinate).

# The columns of a published band (Tan and Zrnic's ANES deposit names the task
# count `n_tasks_2016`; any `n_tasks_<label>` is read as `n_tasks`).
band_columns <- c("alpha", "alpha1", "alpha2", "alpha3", "n_tasks", "delta_lower", "delta_upper")

#' Read or check a saved or published gap band
#'
#' Turns a band into the checked `gap_band` table that `exchangeable_ci()`,
#' `exchangeable_region()` and `exchangeable_loo()` apply: the result of
#' [exchangeable_band()] or [gap_band()], a data frame with the published
#' columns (as read from a paper's supplement), a CSV or RDS file of one, or
#' the two numbers `c(lower, upper)`.
#'
#' @section Columns:
#' `alpha` (the level `1 - alpha` the band was made for), `alpha1`, `alpha2`,
#' `alpha3` (the split; `alpha1` is the level of the synthetic interval the
#' band is added to), `n_tasks` (historical tasks; a column named
#' `n_tasks_<label>`, e.g. `n_tasks_2016`, is accepted), `delta_lower`,
#' `delta_upper` (the band). Optional: `method` (`"population"` when absent,
#' or `"finite_sample"` when `alpha1` is 0), `mean_gap` (for the point
#' estimate; `NA` when absent), `k_lower`, `k_upper`, `coordinate` (one band
#' per coordinate of a vector target). Other columns are dropped.
#'
#' @param x A `gap_band`, a data frame with the columns below, the path of a
#'   .csv or .rds file holding one, or a numeric `c(lower, upper)` (a band
#'   whose split is unknown: give `split` when applying it).
#' @return A tibble of class `gap_band` (see [exchangeable_band()]).
#' @export
#' @examples
#' published <- data.frame(alpha = 0.1, alpha1 = 0.005, alpha2 = 0.005,
#'                         alpha3 = 0.09, n_tasks_2016 = 33,
#'                         delta_lower = -16.98, delta_upper = 17.14)
#' as_gap_band(published)
#' as_gap_band(c(-0.1, 0.2))
as_gap_band <- function(x) {
  if (is.numeric(x) && !is.data.frame(x)) {
    x <- check_numeric_vector(x, "band")
    if (length(x) != 2L) stop_arg("band", "as numbers must be c(lower, upper), not ", length(x), " numbers.")
    x <- data.frame(alpha = NA_real_, alpha1 = NA_real_, alpha2 = NA_real_, alpha3 = NA_real_,
                    n_tasks = NA_integer_, delta_lower = x[1], delta_upper = x[2])
  } else if (!is.data.frame(x)) {
    x <- read_table_input(x, arg = "band")
  }
  x <- as.data.frame(x, stringsAsFactors = FALSE)
  counts <- grep("^n_tasks_", names(x), value = TRUE)
  if (!"n_tasks" %in% names(x) && length(counts) == 1L) names(x)[names(x) == counts] <- "n_tasks"
  require_columns(x, band_columns, arg = "band", format = "gap band")
  if (nrow(x) == 0L) stop_arg("band", "has no rows.")
  num <- lapply(stats::setNames(band_columns, band_columns), function(col) {
    numeric_column(x, col, arg = "band", allow_na = !col %in% c("delta_lower", "delta_upper"))
  })
  optional <- function(col, default) if (col %in% names(x)) x[[col]] else rep(default, nrow(x))
  method <- as.character(optional("method", NA_character_))
  b <- new_gap_band(alpha = num$alpha, alpha1 = num$alpha1, alpha2 = num$alpha2,
                    alpha3 = num$alpha3, n_tasks = num$n_tasks,
                    delta_lower = num$delta_lower, delta_upper = num$delta_upper,
                    method = method, mean_gap = as.double(optional("mean_gap", NA_real_)),
                    k_lower = optional("k_lower", NA_integer_),
                    k_upper = optional("k_upper", NA_integer_),
                    coordinate = if ("coordinate" %in% names(x)) x$coordinate)
  check_gap_band(b)
}

# Every row of a band table must be a usable band; errors name the row.
check_gap_band <- function(b) {
  bad_rows <- function(ok) which(!is.na(ok) & !ok)
  stop_rows <- function(rows, what) {
    stop_arg("band", what, " in row(s) ", format_positions(rows), ".")
  }
  rows <- which(!is.finite(b$delta_lower) | !is.finite(b$delta_upper))
  if (length(rows)) stop_rows(rows, "needs finite delta_lower and delta_upper (an infinite band has no guarantee to lend)")
  rows <- which(b$delta_lower > b$delta_upper)
  if (length(rows)) stop_rows(rows, "has delta_lower above delta_upper (an empty band)")
  for (col in c("alpha", "alpha1", "alpha2", "alpha3")) {
    rows <- bad_rows(b[[col]] >= 0 & b[[col]] < 1)
    if (length(rows)) stop_rows(rows, paste0("has `", col, "` outside [0, 1)"))
  }
  rows <- bad_rows(b$alpha3 > 0)
  if (length(rows)) stop_rows(rows, "has alpha3 = 0 (no budget for the spread across tasks)")
  # Per-coordinate bands of a D-dimensional rectangle are made at alpha / D.
  d <- if (has_coordinates(b)) length(unique(b$coordinate)) else 1
  total <- b$alpha1 + b$alpha2 + b$alpha3
  rows <- bad_rows(abs(total - b$alpha / d) < 1e-8)
  if (length(rows)) {
    stop_rows(rows, paste0("has a split alpha1 + alpha2 + alpha3 that does not sum to alpha",
                           if (d > 1) " / D (D coordinates)"))
  }
  rows <- bad_rows(b$n_tasks >= 1)
  if (length(rows)) stop_rows(rows, "has n_tasks below 1")
  rows <- bad_rows(b$alpha3 >= 2 / (b$n_tasks + 1) - 1e-12)
  if (length(rows)) {
    stop_rows(rows, "has alpha3 below 2 / (n_tasks + 1): with that few historical tasks the band would be infinite")
  }
  method <- b$method
  method[is.na(method) & !is.na(b$alpha1)] <- ifelse(b$alpha1[is.na(method) & !is.na(b$alpha1)] == 0,
                                                   "finite_sample", "population")
  rows <- which(!is.na(method) & !method %in% c("population", "finite_sample", "task_only"))
  if (length(rows)) stop_rows(rows, "has an unknown `method`")
  rows <- bad_rows((method == "finite_sample") == (b$alpha1 == 0))
  if (length(rows)) stop_rows(rows, "has alpha1 = 0 with a population method, or alpha1 > 0 with finite_sample")
  b$method <- method
  b
}

#' Save a gap band as CSV
#'
#' Writes the band with the published columns (`alpha`, `alpha1`, `alpha2`,
#' `alpha3`, `n_tasks`, `delta_lower`, `delta_upper`) followed by `method`,
#' `mean_gap`, `k_lower`, `k_upper` (and `coordinate`), each number with as
#' many digits (15 or 17) as [as_gap_band()] needs to read back the same
#' double.
#' `saveRDS()` keeps a band as it is, too.
#'
#' @param band A band (see [as_gap_band()]).
#' @param file Path of the CSV file to write.
#' @return `file`, invisibly.
#' @export
#' @examples
#' band <- exchangeable_band(simulate_tasks(40, seed = 1), alpha = 0.1)
#' f <- tempfile(fileext = ".csv")
#' write_gap_band(band, f)
#' identical(as_gap_band(f)$delta_upper, band$delta_upper)
write_gap_band <- function(band, file) {
  band <- as_gap_band(band)
  if (!is.character(file) || length(file) != 1L || is.na(file)) {
    stop_arg("file", "must be the path of a .csv file.")
  }
  out <- as.data.frame(as_plain_tibble(band, "gap_band"), stringsAsFactors = FALSE)
  exact <- vapply(out, is.double, logical(1))
  out[exact] <- lapply(out[exact], round_trip_digits)
  utils::write.csv(out, file, row.names = FALSE, quote = which(!exact), na = "NA")
  invisible(file)
}

# Decimal text that reads back as the same double: 15 significant digits
# where they suffice (0.1 stays "0.1"), 17 otherwise.
round_trip_digits <- function(v) {
  s <- sprintf("%.15g", v)
  redo <- !is.na(v) & as.numeric(s) != v
  s[redo] <- sprintf("%.17g", v[redo])
  s[is.na(v)] <- NA_character_
  s
}
