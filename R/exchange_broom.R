# broom methods of the exchangeability results: one-row summaries from
# glance(), per-row tables from tidy(). Everything shown is read off the
# result's columns and attributes; nothing is recomputed beyond a mean.

# The value of a column that is constant within a result (the split, the
# number of historical tasks), or NA when the column is absent.
first_of <- function(x, col) if (col %in% names(x) && nrow(x)) x[[col]][[1]] else NA

#' One-row summaries of exchangeability results
#'
#' `glance()` gives one row per result: the error level `alpha`, the number
#' of historical tasks `n_tasks`, the split `a1`, `a2`, `a3`, the algorithm
#' (`method`) or region `shape`, the number of targets and the mean interval
#' width `mean_width` (the mean of `conf.high - conf.low` over the rows of
#' `tidy()`; `NA` when an interval is `NA`). For [exchangeable_loo()] the
#' coverage of the exchangeability and naive synthetic-only intervals is
#' added; for a [gap_band] the mean width of the band(s).
#'
#' @param x An `exchangeable_ci`, `exchangeable_region`, `exchangeable_loo`
#'   or `gap_band` object.
#' @param ... Ignored.
#' @return A one-row tibble.
#' @name glance.exchangeable_ci
#' @examples
#' tasks <- simulate_tasks(41, seed = 2)
#' ci <- exchangeable_ci(tasks, target = 40:41, alpha = 0.2)
#' glance(ci)
#' glance(exchangeable_loo(tasks, alpha = 0.2))
#' glance(exchangeable_band(tasks[1:40, ], alpha = c(0.1, 0.2)))
NULL

#' @importFrom generics glance
#' @rdname glance.exchangeable_ci
#' @export
glance.exchangeable_ci <- function(x, ...) {
  tibble::tibble(alpha = attr(x, "alpha"), n_tasks = first_of(x, "n_tasks"),
                 a1 = first_of(x, "a1"), a2 = first_of(x, "a2"), a3 = first_of(x, "a3"),
                 method = attr(x, "method"), n_targets = nrow(x),
                 mean_width = mean(x$conf.high - x$conf.low))
}

#' @rdname glance.exchangeable_ci
#' @export
glance.exchangeable_region <- function(x, ...) {
  tibble::tibble(alpha = attr(x, "alpha"), n_tasks = first_of(x, "n_tasks"),
                 a1 = first_of(x, "a1"), a2 = first_of(x, "a2"), a3 = first_of(x, "a3"),
                 shape = attr(x, "shape"), n_targets = length(unique(x$task)),
                 n_coordinates = length(unique(x$coordinate)),
                 radius = first_of(x, "radius"),
                 mean_width = mean(x$conf.high - x$conf.low))
}

#' @rdname glance.exchangeable_ci
#' @export
glance.exchangeable_loo <- function(x, ...) {
  first <- !duplicated(x$task)
  covered <- if ("joint_covered" %in% names(x)) x$joint_covered[first] else x$covered
  naive <- if ("naive_joint_covered" %in% names(x)) x$naive_joint_covered[first] else x$naive_covered
  tibble::tibble(alpha = attr(x, "alpha"), method = attr(x, "method"),
                 design = attr(x, "design"), n_predicted = sum(first),
                 coverage = mean(covered), mean_width = mean(x$conf.high - x$conf.low),
                 naive_coverage = mean(naive), naive_mean_width = mean(x$naive_width))
}

#' @rdname glance.exchangeable_ci
#' @export
glance.gap_band <- function(x, ...) {
  one <- function(v) if (length(unique(v)) == 1L) v[[1]] else NA
  tibble::tibble(alpha = one(x$alpha), n_tasks = one(x$n_tasks), a1 = one(x$alpha1),
                 a2 = one(x$alpha2), a3 = one(x$alpha3), method = one(x$method),
                 n_bands = nrow(x), mean_width = mean(x$delta_upper - x$delta_lower))
}

#' Per-row tables of held-out evaluations and gap bands
#'
#' `tidy()` of an [exchangeable_loo()] result: one row per held-out task (and
#' coordinate) with its interval `conf.low`, `conf.high`, the `truth` it is
#' judged against and `covered`. `tidy()` of a [gap_band]: one row per band,
#' the band as an interval for the gap (`conf.low` = `delta_lower`,
#' `conf.high` = `delta_upper`) around the mean historical gap (`estimate`).
#'
#' @param x An `exchangeable_loo` or `gap_band` object.
#' @param ... Ignored.
#' @return A tibble.
#' @name tidy.exchangeable_loo
#' @examples
#' tasks <- simulate_tasks(30, seed = 7)
#' tidy(exchangeable_loo(tasks, alpha = 0.2))
#' tidy(exchangeable_band(tasks, alpha = c(0.1, 0.2)))
NULL

#' @rdname tidy.exchangeable_loo
#' @export
tidy.exchangeable_loo <- function(x, ...) {
  out <- tibble::tibble(task = x$task)
  if ("coordinate" %in% names(x)) out$coordinate <- x$coordinate
  out$estimate <- x$estimate
  out$conf.low <- x$conf.low
  out$conf.high <- x$conf.high
  out$truth <- x$truth
  out$covered <- x$covered
  out$method <- attr(x, "method")
  out$alpha <- attr(x, "alpha")
  out
}

#' @rdname tidy.exchangeable_loo
#' @export
tidy.gap_band <- function(x, ...) {
  out <- tibble::tibble(alpha = x$alpha)
  if ("coordinate" %in% names(x)) out$coordinate <- x$coordinate
  out$estimate <- x$mean_gap
  out$conf.low <- x$delta_lower
  out$conf.high <- x$delta_upper
  out$method <- x$method
  out$n_tasks <- x$n_tasks
  out
}
