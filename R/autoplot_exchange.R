#' Forest plot of a held-out evaluation
#'
#' The paper's forest plot: one row per held-out task, sorted by its true
#' (real-data) value, with the exchangeability interval, the naive
#' synthetic-only interval beside it, and the truth marked. Vector tasks get
#' one panel per coordinate.
#'
#' @param object An `exchangeable_loo` object.
#' @param ... Ignored.
#' @return A ggplot object.
#' @exportS3Method ggplot2::autoplot
#' @examples
#' if (requireNamespace("ggplot2", quietly = TRUE)) {
#'   loo <- exchangeable_loo(simulate_tasks(25, seed = 6), alpha = 0.2,
#'                           bounds = c(0, 1))
#'   ggplot2::autoplot(loo)
#' }
autoplot.exchangeable_loo <- function(object, ...) {
  if (!requireNamespace("ggplot2", quietly = TRUE)) {
    stop("autoplot() needs the ggplot2 package.", call. = FALSE)
  }
  .data <- ggplot2::.data # the tidy-eval pronoun, bound locally for R CMD check
  x <- object
  panel <- if ("coordinate" %in% names(x)) as.character(x$coordinate) else rep("", nrow(x))
  # Order tasks by truth within each panel; the row key keeps panels apart.
  key <- paste(panel, x$task, sep = "\r")
  ord <- order(panel, x$truth)
  key_levels <- unique(key[ord])
  lvl <- format(100 * (1 - attr(x, "alpha")))
  n <- nrow(x)
  long <- data.frame(
    key = factor(rep(key, 2), levels = key_levels),
    panel = rep(panel, 2),
    interval = factor(rep(c("task exchangeability", "synthetic only"), each = n),
                      levels = c("task exchangeability", "synthetic only")),
    low = c(x$conf.low, x$naive_low), high = c(x$conf.high, x$naive_high),
    covered = c(x$covered, x$naive_covered))
  truth <- data.frame(key = factor(key, levels = key_levels), panel = panel, truth = x$truth)
  dodge <- ggplot2::position_dodge(width = 0.6)
  p <- ggplot2::ggplot(long, ggplot2::aes(y = .data$key, colour = .data$interval)) +
    ggplot2::geom_errorbar(ggplot2::aes(xmin = .data$low, xmax = .data$high),
                           width = 0.4, orientation = "y", position = dodge) +
    ggplot2::geom_point(data = truth, ggplot2::aes(x = .data$truth, y = .data$key),
                        inherit.aes = FALSE, shape = 4, size = 1.8) +
    ggplot2::scale_y_discrete(labels = function(k) sub("^.*\r", "", k)) +
    ggplot2::labs(x = "estimate", y = "task (sorted by truth)", colour = NULL,
                  title = sprintf("%s%% intervals on held-out tasks (x = truth)", lvl)) +
    ggplot2::theme_minimal() +
    ggplot2::theme(legend.position = "bottom")
  if (any(nzchar(panel))) {
    p <- p + ggplot2::facet_wrap(ggplot2::vars(.data$panel), scales = "free")
  }
  p
}
