#' Plot a method comparison
#'
#' Coverage, mean interval width and mean squared error of each method
#' against the labeled fraction, one panel column per coefficient. The
#' coverage panels carry a dashed line at the nominal level.
#'
#' @param object A `synth_comparison` from [compare_methods()].
#' @param metrics Which rows of panels to draw: any of `"coverage"`,
#'   `"width"`, `"mse"`.
#' @param ... Unused.
#' @return A ggplot object.
#' @exportS3Method ggplot2::autoplot
#' @examples
#' if (requireNamespace("ggplot2", quietly = TRUE)) {
#'   set.seed(1)
#'   d <- simulate_synthetic(600, fraction = 1, regime = "good")
#'   cmp <- compare_methods(d, y ~ x1, proxy = c(y = "y_llm"),
#'     synthetic = c(y = "y_syn", x1 = "x1_syn"),
#'     fractions = c(0.1, 0.2), trials = 10, threads = 1)
#'   ggplot2::autoplot(cmp)
#' }
autoplot.synth_comparison <- function(object, metrics = c("coverage", "width", "mse"), ...) {
  if (!requireNamespace("ggplot2", quietly = TRUE)) {
    stop("autoplot() needs the ggplot2 package: install.packages(\"ggplot2\").", call. = FALSE)
  }
  if (!is.character(metrics) || !length(metrics) ||
      !all(metrics %in% c("coverage", "width", "mse"))) {
    stop_arg("metrics", 'must be a subset of c("coverage", "width", "mse").')
  }
  metrics <- unique(metrics)
  long <- do.call(rbind, lapply(metrics, function(m) {
    data.frame(method = object$method, fraction = object$fraction, term = object$term,
               metric = m, value = object[[m]])
  }))
  long$metric <- factor(long$metric, levels = metrics)
  nominal <- data.frame(metric = factor("coverage", levels = metrics),
                        value = 1 - attr(object, "alpha"))
  # Columns of `long`, found by ggplot2's data mask; the NULLs only tell R
  # CMD check that these names are not undefined globals.
  fraction <- value <- method <- metric <- term <- NULL
  p <- ggplot2::ggplot(long, ggplot2::aes(x = fraction, y = value, colour = method)) +
    ggplot2::geom_line() +
    ggplot2::geom_point() +
    ggplot2::facet_grid(ggplot2::vars(metric), ggplot2::vars(term),
                        scales = "free_y") +
    ggplot2::labs(x = "labeled fraction", y = NULL, colour = "method")
  if ("coverage" %in% metrics) {
    p <- p + ggplot2::geom_hline(data = nominal, ggplot2::aes(yintercept = value),
                                 linetype = "dashed")
  }
  p
}
