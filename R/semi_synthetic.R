#' Semi-synthetic synthetic labels from a proxy's confusion matrix
#'
#' For data sets with human labels and model proxy labels but **no
#' model-generated synthetic units** (such as the politeness data used by Byun
#' et al.), this builds a clearly *semi-synthetic* stand-in for the synthetic
#' block, so that GMM with synthetic data can be exercised on real data:
#'
#' 1. A random `calibration` share of the rows is set aside; on it the
#'    confusion matrix of the proxy against the human label,
#'    `P(proxy = 1 | human = h)` for `h = 0, 1`, is estimated.
#' 2. The remaining rows are returned. Each gets a synthetic label drawn
#'    independently as `Bernoulli(P(proxy = 1 | human = y_i))`, from its own
#'    human label `y_i`: a synthetic "twin" whose label errs at the proxy's
#'    observed rates. Covariates of the twin are the real unit's.
#'
#' The synthetic labels are therefore **not** model output. Given the human
#' label they are independent of the real proxy, which is more favourable to
#' the synthetic block than real model-generated twins would be (their errors
#' would typically be correlated with the proxy's). Results computed with them
#' illustrate the machinery and check validity; they are not evidence about
#' real synthetic data and should be labeled semi-synthetic wherever shown.
#'
#' @param data A data frame.
#' @param human Name of the 0/1 human-label column (no missing values).
#' @param proxy Name of the 0/1 proxy-label column (no missing values).
#' @param calibration Share of rows set aside to estimate the confusion
#'   matrix, in (0, 1).
#' @param name Name of the new synthetic-label column.
#' @param seed `NULL` (the default) or a whole number in \[0, 2^53), as in
#'   [simulate_synthetic()]. With `NULL` the calibration rows and the labels
#'   are drawn from R's random number generator, so [set.seed()] before the
#'   call reproduces them; a whole number is used as the seed and leaves R's
#'   generator as it was.
#' @return The rows of `data` not used for calibration (a tibble) with the new
#'   column `name`, and attributes `confusion` (the estimated
#'   `P(proxy = 1 | human = 0)` and `P(proxy = 1 | human = 1)`) and
#'   `calibration_rows` (row numbers of `data` used for calibration).
#' @references Byun, Y., Gupta, S., Lipton, Z. C., Childers, R. L. and
#'   Wilder, B. (2025). Valid inference with imperfect synthetic data.
#'   Advances in Neural Information Processing Systems (NeurIPS 2025).
#'   arXiv:2508.06635.
#' @export
#' @examples
#' set.seed(1)
#' d <- data.frame(y = rbinom(500, 1, 0.5), x = rbinom(500, 1, 0.3))
#' d$y_llm <- ifelse(runif(500) < 0.8, d$y, 1 - d$y)
#' s <- semi_synthetic_confusion(d, "y", "y_llm", seed = 2)
#' attr(s, "confusion")
#' with(s, table(y, y_syn))
semi_synthetic_confusion <- function(data, human, proxy, calibration = 0.2,
                                     name = paste0(human, "_syn"), seed = NULL) {
  if (!is.data.frame(data)) stop_arg("data", "must be a data frame, not ", class(data)[1], ".")
  for (arg in c("human", "proxy", "name")) {
    v <- get(arg)
    if (!is.character(v) || length(v) != 1L || is.na(v)) stop_arg(arg, "must be a column name.")
  }
  for (arg in c("human", "proxy")) {
    col <- get(arg)
    if (!col %in% names(data)) stop_arg(arg, "names no column of `data` (`", col, "`).")
    v <- data[[col]]
    if (!(is.numeric(v) || is.logical(v)) || anyNA(v) || !all(v %in% c(0, 1))) {
      stop_arg(arg, "column `", col, "` must hold 0/1 labels without missing values.")
    }
  }
  calibration <- check_probability(calibration, "calibration")
  seed <- if (!is.null(seed)) resolve_seed(seed)
  with_seed(seed, semi_synthetic_draw(data, human, proxy, calibration, name))
}

# The draws of semi_synthetic_confusion(), from R's random number generator.
semi_synthetic_draw <- function(data, human, proxy, calibration, name) {
  n <- nrow(data)
  cal <- sort(sample.int(n, round(calibration * n)))
  h <- as.double(data[[human]])
  px <- as.double(data[[proxy]])
  if (length(cal) < 2L || length(unique(h[cal])) < 2L) {
    stop_arg("calibration", "leaves too few rows to see both human labels; raise it.")
  }
  # P(proxy = 1 | human = 0) and P(proxy = 1 | human = 1) on the calibration rows.
  confusion <- c(`P(proxy=1|human=0)` = mean(px[cal][h[cal] == 0]),
                 `P(proxy=1|human=1)` = mean(px[cal][h[cal] == 1]))
  out <- tibble::as_tibble(data[-cal, , drop = FALSE])
  p_syn <- ifelse(h[-cal] == 1, confusion[[2]], confusion[[1]])
  out[[name]] <- as.double(stats::runif(nrow(out)) < p_syn)
  attr(out, "confusion") <- confusion
  attr(out, "calibration_rows") <- cal
  out
}
