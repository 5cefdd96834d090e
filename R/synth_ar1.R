# synth_ar1(): the AR(1) coefficient of one or more series observed at a few
# time points, with LLM proxy or synthetic series observed everywhere. The
# AR(1) moment is a regression through the origin of y_t on y_{t-1} over
# consecutive pairs, so the pair table is built here and fitted by
# synth_glm(y ~ 0 + lag), which supplies every method, the variance, the J
# test and n_effective.

#' AR(1) coefficient with a few observed time points and surrogate series
#'
#' Estimates the autoregressive coefficient `rho` of
#' \eqn{y_t = \rho y_{t-1} + \varepsilon_t} (optionally with an intercept)
#' from one or more independent series whose values are observed (e.g.
#' human-coded) at a few time points only, helped by an LLM proxy series
#' and/or synthetic series available at every time point. This is the AR(1)
#' extension of Byun et al. (2025): the moment condition of a consecutive
#' pair `(t - 1, t)` is \eqn{(y_t - \rho y_{t-1}) y_{t-1} = 0}, which is the
#' score of a regression through the origin of `y_t` on `y_{t-1}`. The pairs
#' of all series form a table (response `y` = value at `t`, covariate `lag` =
#' value at `t - 1`), fitted by [synth_glm()] with formula `y ~ 0 + lag` and
#' the surrogate pairs (the surrogate series at the same two times) as its
#' proxy and synthetic sources. Every `method` of [synth_glm()] is
#' available, with its variance, J test and effective sample size.
#'
#' @section Pairs:
#' Within each series, rows are sorted by `time`, and two rows adjacent in
#' that order form a pair. The time values only order the rows: a time
#' stamp absent from the table does **not** break a pair (the rows on
#' either side of it are paired), so include every time point as a row,
#' with `value` `NA` where it is unobserved (the surrogate columns must be
#' present on every row anyway). When numeric or date times are unequally
#' spaced within a series, a warning of class
#' `synthinfer_warning_irregular_times` says so. A pair is labeled when
#' **both** of its values are observed; a gap in the middle of a series
#' thus only removes the pairs that touch it. Every pair, labeled or not,
#' enters the surrogate blocks.
#'
#' @section What the interval accounts for:
#' The variance treats the pairs as uncorrelated observations. For the
#' labeled block that is exact under a correctly specified AR(1): the
#' score \eqn{(y_t - \rho y_{t-1}) y_{t-1}} is a martingale difference, so
#' scores of different pairs are uncorrelated (also across a gap), whatever
#' the innovations' variance. The surrogate series need not follow an
#' AR(1): what enters the estimate is their score weighted by the labeling
#' indicator minus its mean, and when pairs are labeled independently of
#' each other and of the series, such terms are uncorrelated across pairs
#' even if the surrogate scores are autocorrelated. When instead time
#' points are observed independently (each with probability `q`), adjacent
#' pairs share a point and their labels are correlated (correlation
#' `q / (1 + q)`), so with autocorrelated surrogate scores the variance is
#' an approximation; the simulations of
#' `vignette("beyond-regression", package = "synthinfer")` measure its
#' coverage in that design. Observation must not depend on the values
#' (missing completely at random), and the surrogate series must be
#' generated the same way at observed and unobserved time points. With
#' `intercept = FALSE` the model assumes a zero-mean series; use
#' `intercept = TRUE` otherwise (then `rho` is the coefficient of
#' \eqn{y_t = c + \rho y_{t-1} + \varepsilon_t}).
#'
#' @section Bad input:
#' Errors (class `synthinfer_error_input`) name the cause: a non-numeric
#' `value` or surrogate column, missing times or series ids, duplicated
#' times within a series (the series and time are named), a series with
#' fewer than two time points (it has no pair), and no labeled pair at all
#' (no two consecutive time points of a series both observed).
#'
#' @param data A data frame in long format: one row per time point of each
#'   series.
#' @param value Name of the column holding the series' values, `NA` where
#'   unobserved.
#' @param series `NULL` (one series) or the name of the column identifying
#'   the series.
#' @param time Name of the column of time stamps (numeric, date or ordered
#'   factor), unique within a series.
#' @param proxy `NULL`, or the column holding an LLM proxy of `value` at
#'   every time point: a map `c(value = "col")` (named by the `value`
#'   column) as in [synth_glm()], or the bare column name.
#' @param synthetic `NULL`, or the column(s) holding synthetic series: a
#'   map or column name as for `proxy`, or a list of them for several
#'   sources.
#' @param method,alpha As in [synth_glm()]. `"classical"` is least squares
#'   on the labeled pairs with the sandwich (HC0) variance.
#' @param intercept Whether the AR(1) has an intercept (`FALSE`: zero-mean
#'   series).
#' @param ... Passed to [synth_glm()]: `se`, `threads`.
#' @return An object of class `c("synth_ar1", "synth_glm")`: a [synth_glm()]
#'   fit whose coefficient is `"ar1"` (and `"(Intercept)"` with
#'   `intercept = TRUE`), so `tidy()`, `glance()`, `confint()`, `summary()`
#'   work as for [synth_glm()]. Extra elements: `pairs` (the pair table:
#'   `series`, `time` (of the later point), `y`, `lag` and the surrogate
#'   pairs), `n_pairs`, `n_series`.
#' @references Byun, Y., Gupta, S., Lipton, Z. C., Childers, R. L. and
#'   Wilder, B. (2025). Valid inference with imperfect synthetic data.
#'   Advances in Neural Information Processing Systems (NeurIPS).
#'   arXiv:2508.06635.
#' @seealso [synth_glm()], [synth_ate()].
#' @export
#' @examples
#' set.seed(2)
#' n_series <- 20; len <- 60
#' d <- do.call(rbind, lapply(seq_len(n_series), function(s) {
#'   y <- as.numeric(stats::arima.sim(list(ar = 0.6), len))
#'   data.frame(id = s, t = seq_len(len), y_full = y,
#'              y_llm = y + rnorm(len, sd = 0.5))
#' }))
#' d$y <- ifelse(runif(nrow(d)) < 0.4, d$y_full, NA)   # 40% of points observed
#' fit <- synth_ar1(d, "y", series = "id", time = "t", proxy = c(y = "y_llm"),
#'                  threads = 1)
#' tidy(fit)
#' tidy(synth_ar1(d, "y", series = "id", time = "t", method = "classical"))
synth_ar1 <- function(data, value, series = NULL, time, proxy = NULL, synthetic = NULL,
                      method = "gmm", alpha = 0.1, intercept = FALSE, ...) {
  if (!is.data.frame(data)) stop_arg("data", "must be a data frame, not ", class(data)[1], ".")
  if (nrow(data) == 0L) stop_arg("data", "has no rows.")
  value <- one_column(value, "value", data)
  y <- numeric_values(data, value, "value", "column")
  sid <- if (is.null(series)) rep(1L, nrow(data)) else ar1_ids(data, one_column(series, "series", data))
  tcol <- one_column(time, "time", data)
  tt <- ar1_times(data[[tcol]], tcol)
  if (!is.logical(intercept) || length(intercept) != 1L || is.na(intercept)) {
    stop_arg("intercept", "must be TRUE or FALSE.")
  }
  cols <- list(proxy = surrogate_columns(proxy, "proxy", value, data),
               synthetic = surrogate_columns(synthetic, "synthetic", value, data, several = TRUE))
  ord <- order(sid, tt)
  ar1_check_series(sid[ord], tt[ord], data[[tcol]][ord], if (is.null(series)) NULL else data[[series]][ord])
  pairs <- ar1_pairs(y[ord], sid[ord], ord, data, cols)
  if (!any(pairs$labeled)) {
    stop_arg("value", "has no labeled pair: no two consecutive time points of a series are both ",
             "observed, and the AR(1) moment needs the value at t and at t - 1. Observe (label) ",
             "consecutive time points.")
  }
  ar1_check_spacing(tt[ord], sid[ord])
  tab <- pairs$table
  if (!length(cols$proxy) && !length(cols$synthetic)) tab <- tab[pairs$labeled, , drop = FALSE]
  syn_names <- if (length(cols$synthetic) > 1L) paste0("synthetic", seq_along(cols$synthetic)) else
    rep("synthetic", length(cols$synthetic))
  fit <- synth_glm(if (intercept) y ~ lag else y ~ 0 + lag, tab, stats::gaussian(),
                   proxy = if (length(cols$proxy)) c(y = "y_proxy", lag = "lag_proxy"),
                   synthetic = if (length(syn_names)) lapply(syn_names, function(s) {
                     c(y = paste0("y_", s), lag = paste0("lag_", s))
                   }),
                   method = method, alpha = alpha, ...)
  fit <- relabel_fit(fit, c(if (intercept) "(Intercept)", "ar1"), "synth_ar1", match.call())
  pairs$table$series <- if (is.null(series)) 1L else data[[series]][ord][pairs$later]
  pairs$table$time <- data[[tcol]][ord][pairs$later]
  fit$pairs <- pairs$table[c("series", "time", setdiff(names(pairs$table), c("series", "time")))]
  fit$n_pairs <- nrow(pairs$table)
  fit$n_series <- length(unique(sid))
  fit
}

# Integer ids of the series column (no NA), in the sorted order of its values.
ar1_ids <- function(data, col) {
  s <- data[[col]]
  if (!is.atomic(s) && !is.factor(s) || !is.null(dim(s))) stop_arg("series", "column `", col, "` must be an atomic vector.")
  if (anyNA(s)) {
    stop_arg("series", "column `", col, "` is missing at row(s) ", format_positions(which(is.na(s))),
             "; every row must belong to a series.")
  }
  as.integer(factor(s))
}

# Time stamps as numbers for sorting: numeric, Date, POSIXct or an ordered
# factor, no NA.
ar1_times <- function(t, col) {
  ok <- (is.numeric(t) && !is.object(t)) || inherits(t, c("Date", "POSIXct", "ordered"))
  if (!ok) {
    stop_arg("time", "column `", col, "` must be numeric, a date (Date, POSIXct) or an ordered ",
             "factor, not ", class(t)[1], ": it orders the rows of each series.")
  }
  if (anyNA(t)) {
    stop_arg("time", "column `", col, "` is missing at row(s) ", format_positions(which(is.na(t))),
             "; every row needs a time stamp.")
  }
  as.double(if (is.factor(t)) as.integer(t) else t)
}

# Sorted ids and times: no duplicated time within a series, and at least two
# time points per series.
ar1_check_series <- function(sid, tt, t_orig, s_orig) {
  label <- function(i) if (is.null(s_orig)) "the series" else paste0("series `", format(s_orig[i]), "`")
  same <- which(sid[-1L] == sid[-length(sid)] & tt[-1L] == tt[-length(tt)])
  if (length(same)) {
    i <- same[1L] + 1L
    stop_arg("time", "is duplicated within a series: ", label(i), " has time ", format(t_orig[i]),
             " more than once", if (length(same) > 1L) paste0(" (", length(same), " duplicates in all)"),
             ". Each series needs one row per time point; aggregate or remove the duplicates.")
  }
  counts <- tabulate(sid)
  short <- which(counts < 2L)
  if (length(short)) {
    i <- match(short[1L], sid)
    stop_arg("data", "has a series with fewer than two time points: ", label(i), " has ", counts[short[1L]],
             " row", if (length(short) > 1L) paste0(" (", length(short), " such series in all)"),
             ", so it forms no (t - 1, t) pair. Drop it or add its other time points (value NA where ",
             "unobserved).")
  }
}

# The pair table from the sorted values: one row per pair of adjacent rows
# of a series; y and lag NA unless both ends are observed.
ar1_pairs <- function(v, sid, ord, data, cols) {
  n <- length(v)
  later <- which(sid[-1L] == sid[-n]) + 1L
  earlier <- later - 1L
  labeled <- !is.na(v[later]) & !is.na(v[earlier])
  tab <- list(y = ifelse(labeled, v[later], NA_real_), lag = ifelse(labeled, v[earlier], NA_real_))
  add <- function(col, name) {
    s <- as.double(data[[col]][ord])
    tab[[paste0("y_", name)]] <<- s[later]
    tab[[paste0("lag_", name)]] <<- s[earlier]
  }
  for (col in cols$proxy) add(col, "proxy")
  syn_names <- if (length(cols$synthetic) > 1L) paste0("synthetic", seq_along(cols$synthetic)) else "synthetic"
  for (k in seq_along(cols$synthetic)) add(cols$synthetic[k], syn_names[k])
  list(table = as.data.frame(tab), labeled = labeled, later = later)
}

# Warn when numeric or date times are unequally spaced within a series:
# adjacent rows are paired whatever their distance.
ar1_check_spacing <- function(tt, sid) {
  n <- length(tt)
  same <- sid[-1L] == sid[-n]
  gaps <- (tt[-1L] - tt[-n])[same]
  if (!length(gaps)) return(invisible())
  irregular <- abs(gaps - min(gaps)) > 1e-8 * max(1, abs(min(gaps)))
  if (any(irregular)) {
    series <- unique(sid[-1L][same][irregular])
    warn_classed("synthinfer_warning_irregular_times", sprintf(paste0(
      "Time stamps are unequally spaced within %d series (steps from %s to %s): adjacent rows are paired ",
      "whatever their distance, so the AR(1) coefficient mixes lags of different lengths. If time ",
      "points are missing from the table, add them as rows with `value` NA."),
      length(series), format(min(gaps)), format(max(gaps))), series = series)
  }
  invisible()
}

#' @export
print.synth_ar1 <- function(x, ...) print_with_header(ar1_header(x), x, ...)

ar1_header <- function(fit) {
  sprintf("<synth_ar1> AR(1) coefficient, %d pairs in %d series, %s",
          fit$n_pairs, fit$n_series, synth_method_label(fit$method))
}

#' @export
summary.synth_ar1 <- function(object, ...) summary_estimand(object, "synth_ar1")

#' @export
print.summary.synth_ar1 <- function(x, ...) print_with_header(ar1_header(x$fit), x, ...)

#' @export
predict.synth_ar1 <- function(object, ...) no_predict("an AR(1) fit", "rho")
