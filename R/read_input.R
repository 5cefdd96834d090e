# Shared by the readers: accept a data frame or a path to a .csv or .rds file,
# and check that the columns a format needs are there.

read_table_input <- function(x, arg = "x") {
  if (is.data.frame(x)) return(as.data.frame(x, stringsAsFactors = FALSE))
  if (!is.character(x) || length(x) != 1L || is.na(x)) {
    stop_arg(arg, "must be a data frame or the path of a .csv or .rds file.")
  }
  if (!file.exists(x)) stop_arg(arg, "names a file that does not exist: '", x, "'.")
  if (grepl("\\.rds$", x, ignore.case = TRUE)) {
    out <- readRDS(x)
    if (!is.data.frame(out)) {
      stop_arg(arg, "names an .rds file that holds a ", class(out)[1],
               ", not a data frame.")
    }
    return(as.data.frame(out, stringsAsFactors = FALSE))
  }
  utils::read.csv(x, stringsAsFactors = FALSE, check.names = FALSE,
                  na.strings = c("NA", ""))
}

require_columns <- function(df, cols, arg = "x", format) {
  absent <- setdiff(cols, names(df))
  if (length(absent)) {
    stop_arg(arg, "lacks column(s) ", paste0("'", absent, "'", collapse = ", "),
             " of the ", format, " format.")
  }
  invisible(df)
}

# An argument that names one column of a reader's input (NULL allowed where
# stated): a single string, checked before it is used as a subscript.
column_name_arg <- function(col, arg, null_ok = FALSE) {
  if (null_ok && is.null(col)) return(NULL)
  if (!is.character(col) || length(col) != 1L || is.na(col) || !nzchar(col)) {
    stop_arg(arg, "must be one column name, as a string.")
  }
  col
}

# Numeric column check for the readers (NA allowed only where stated;
# infinite values never: no reader's format has a use for them).
numeric_column <- function(df, col, arg = "x", allow_na = FALSE) {
  v <- df[[col]]
  if (!(is.numeric(v) || is.logical(v) && all(is.na(v)))) {
    stop_arg(arg, "column '", col, "' must be numeric, not ", class(v)[1], ".")
  }
  v <- as.double(v)
  if (!allow_na && anyNA(v)) {
    stop_arg(arg, "column '", col, "' has missing values in row(s) ",
             format_positions(which(is.na(v))), ".")
  }
  if (any(is.infinite(v))) {
    stop_arg(arg, "column '", col, "' has infinite values in row(s) ",
             format_positions(which(is.infinite(v))), ".")
  }
  v
}

# Values of the named (already numeric) columns must lie in [lo, hi]; the
# error names the column, the rows (of the input: `rows` maps the rows of a
# filtered `df` back) and why.
check_column_range <- function(df, cols, lo, hi, why, arg = "x", rows = seq_len(nrow(df))) {
  for (col in cols) {
    v <- df[[col]]
    bad <- which(!is.na(v) & (v < lo | v > hi))
    if (length(bad)) {
      stop_arg(arg, "column '", col, "' has value(s) outside [", format(lo), ", ", format(hi),
               "] in row(s) ", format_positions(rows[bad]), " (e.g. ", format(v[bad[1]]), "): ",
               why, ".")
    }
  }
  invisible(df)
}
