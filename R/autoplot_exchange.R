# autoplot() methods of the exchangeability results (ggplot2 is suggested,
# not imported).

need_ggplot2 <- function() {
  if (!requireNamespace("ggplot2", quietly = TRUE)) {
    abort_classed("synthinfer_error_input",
                  "autoplot() needs the ggplot2 package: install.packages(\"ggplot2\").")
  }
}

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
  need_ggplot2()
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

#' Forest plot of exchangeability intervals
#'
#' One row per target: the exchangeability interval `[conf.low, conf.high]`
#' as a segment, the synthetic estimate `synth_est` as a point and, when the
#' interval was intersected with real data (`real_estimate`), the real-data
#' interval `[real_low, real_high]` as a second segment.
#'
#' @param object An `exchangeable_ci` object.
#' @param ... Ignored.
#' @return A ggplot object.
#' @exportS3Method ggplot2::autoplot
#' @examples
#' if (requireNamespace("ggplot2", quietly = TRUE)) {
#'   tasks <- simulate_tasks(45, seed = 2)
#'   ci <- exchangeable_ci(tasks, target = 41:45, alpha = 0.1, bounds = c(0, 1))
#'   ggplot2::autoplot(ci)
#' }
autoplot.exchangeable_ci <- function(object, ...) {
  need_ggplot2()
  .data <- ggplot2::.data
  x <- object
  task <- factor(as.character(x$task), levels = rev(unique(as.character(x$task))))
  kinds <- c("task exchangeability", "real data")
  seg <- data.frame(task = task, interval = factor(kinds[1], levels = kinds),
                    low = x$conf.low, high = x$conf.high)
  if (all(c("real_low", "real_high") %in% names(x))) {
    seg <- rbind(seg, data.frame(task = task, interval = factor(kinds[2], levels = kinds),
                                 low = x$real_low, high = x$real_high))
  }
  lvl <- format(100 * (1 - attr(x, "alpha")))
  ggplot2::ggplot(seg, ggplot2::aes(y = .data$task, colour = .data$interval)) +
    ggplot2::geom_errorbar(ggplot2::aes(xmin = .data$low, xmax = .data$high), width = 0.3,
                           orientation = "y",
                           position = ggplot2::position_dodge(width = if (nrow(seg) > nrow(x)) 0.5 else 0)) +
    ggplot2::geom_point(data = data.frame(task = task, synth_est = x$synth_est),
                        ggplot2::aes(x = .data$synth_est, y = .data$task), inherit.aes = FALSE) +
    ggplot2::labs(x = "estimate", y = "target task", colour = NULL,
                  title = sprintf("%s%% task-exchangeability intervals (point = synthetic estimate)", lvl)) +
    ggplot2::theme_minimal() +
    ggplot2::theme(legend.position = "bottom")
}

# The outline of a ball region projected on two coordinates: the synthetic
# box shifted by the center, widened by the ellipse with semi-axes
# radius * scale (a rounded rectangle), clipped to the bounds of the table.
ball_outline <- function(rows, n = 121) {
  theta <- seq(0, 2 * pi, length.out = n) # n = 4k + 1 includes the four axis points
  side <- function(r, cosine) {
    ifelse(cosine >= 0, r$synth_high, r$synth_low) + r$center + r$radius * r$scale * cosine
  }
  x <- side(rows[1, ], cos(theta))
  y <- side(rows[2, ], sin(theta))
  # Clip as the table's bounds did: the table's extreme endpoints.
  x <- pmin(pmax(x, rows$conf.low[1]), rows$conf.high[1])
  y <- pmin(pmax(y, rows$conf.low[2]), rows$conf.high[2])
  data.frame(x = x, y = y)
}

#' Picture of a joint region on two coordinates
#'
#' For two chosen coordinates, each target's region: the rectangle
#' `[conf.low, conf.high]` of the two coordinates for `"bonferroni"` and
#' `"box"`, the ellipse around the shifted synthetic box for `"ball"` (its
#' projection on the two coordinates, a rounded rectangle that is an ellipse
#' when the synthetic intervals are points; the table's `conf.low`,
#' `conf.high` are its bounding box), with the point estimate `estimate`
#' marked. One panel per target.
#'
#' @param object An `exchangeable_region` object.
#' @param coordinates The two coordinates to draw (values of the
#'   `coordinate` column); `NULL` for the first two.
#' @param ... Ignored.
#' @return A ggplot object.
#' @exportS3Method ggplot2::autoplot
#' @examples
#' if (requireNamespace("ggplot2", quietly = TRUE)) {
#'   a <- simulate_tasks(41, seed = 1)
#'   b <- simulate_tasks(41, seed = 2)
#'   a$coordinate <- "first"
#'   b$coordinate <- "second"
#'   tasks <- rbind(a, b)
#'   ggplot2::autoplot(exchangeable_region(tasks, target = 41, shape = "ball"))
#'   ggplot2::autoplot(exchangeable_region(tasks, target = 41),
#'                     coordinates = c("second", "first"))
#' }
autoplot.exchangeable_region <- function(object, coordinates = NULL, ...) {
  need_ggplot2()
  .data <- ggplot2::.data
  x <- object
  coords <- unique(as.character(x$coordinate))
  if (is.null(coordinates)) {
    if (length(coords) < 2L) stop_arg("object", "has one coordinate: there is no 2-D picture.")
    coordinates <- coords[1:2]
  }
  coordinates <- as.character(coordinates)
  if (length(coordinates) != 2L || anyNA(coordinates) || !all(coordinates %in% coords) ||
      coordinates[1] == coordinates[2]) {
    stop_arg("coordinates", "must be two different coordinates of the region, among ",
             format_ids(coords), ".")
  }
  shape <- attr(x, "shape")
  ids <- unique(as.character(x$task))
  pick <- function(id) {
    r <- x[as.character(x$task) == id, , drop = FALSE]
    r[match(coordinates, as.character(r$coordinate)), , drop = FALSE]
  }
  parts <- lapply(ids, function(id) {
    r <- pick(id)
    outline <- if (shape == "ball") {
      ball_outline(r)
    } else {
      data.frame(x = r$conf.low[1] + c(0, 1, 1, 0) * (r$conf.high[1] - r$conf.low[1]),
                 y = r$conf.low[2] + c(0, 0, 1, 1) * (r$conf.high[2] - r$conf.low[2]))
    }
    list(region = cbind(task = id, outline),
         point = data.frame(task = id, x = r$estimate[1], y = r$estimate[2]))
  })
  region <- do.call(rbind, lapply(parts, `[[`, "region"))
  point <- do.call(rbind, lapply(parts, `[[`, "point"))
  lvl <- format(100 * (1 - attr(x, "alpha")))
  p <- ggplot2::ggplot(region, ggplot2::aes(x = .data$x, y = .data$y)) +
    ggplot2::geom_polygon(fill = "steelblue", alpha = 0.25, colour = "steelblue") +
    ggplot2::geom_point(data = point, shape = 4, size = 2.5) +
    ggplot2::labs(x = coordinates[1], y = coordinates[2],
                  title = sprintf("Joint %s%% region (%s); x = point estimate", lvl, shape)) +
    ggplot2::theme_minimal()
  if (length(ids) > 1L) p <- p + ggplot2::facet_wrap(ggplot2::vars(.data$task))
  p
}

#' Plot of gap bands
#'
#' One segment per band `[delta_lower, delta_upper]` (per level, and per
#' coordinate in panels), with the mean historical gap marked when known:
#' how far the real values of a new task may lie from its synthetic ones.
#'
#' @param object A `gap_band` object.
#' @param ... Ignored.
#' @return A ggplot object.
#' @exportS3Method ggplot2::autoplot
#' @examples
#' if (requireNamespace("ggplot2", quietly = TRUE)) {
#'   band <- exchangeable_band(simulate_tasks(40, seed = 1), alpha = c(0.05, 0.1, 0.2))
#'   ggplot2::autoplot(band)
#' }
autoplot.gap_band <- function(object, ...) {
  need_ggplot2()
  .data <- ggplot2::.data
  x <- object
  lab <- ifelse(is.na(x$alpha), "level unknown", paste0(format(100 * (1 - x$alpha)), "%"))
  d <- data.frame(level = factor(lab, levels = unique(lab)), low = x$delta_lower,
                  high = x$delta_upper, mean_gap = x$mean_gap,
                  panel = if ("coordinate" %in% names(x)) as.character(x$coordinate) else "")
  p <- ggplot2::ggplot(d, ggplot2::aes(y = .data$level)) +
    ggplot2::geom_errorbar(ggplot2::aes(xmin = .data$low, xmax = .data$high), width = 0.3,
                           orientation = "y") +
    ggplot2::geom_vline(xintercept = 0, linetype = "dashed", colour = "grey50") +
    ggplot2::labs(x = "gap (real minus synthetic)", y = "level",
                  title = "Task-exchangeability gap band(s)") +
    ggplot2::theme_minimal()
  if (any(!is.na(d$mean_gap))) {
    p <- p + ggplot2::geom_point(data = d[!is.na(d$mean_gap), , drop = FALSE],
                                 ggplot2::aes(x = .data$mean_gap))
  }
  if (any(nzchar(d$panel))) p <- p + ggplot2::facet_wrap(ggplot2::vars(.data$panel))
  p
}
