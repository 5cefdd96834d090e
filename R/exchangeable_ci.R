#' Confidence intervals for a task seen only through synthetic data
#'
#' Task-exchangeability inference (Tan and Zrnic, 2026): the target task has
#' only synthetic data; historical tasks have real and synthetic data. Their
#' real-minus-synthetic gaps, ranked, calibrate the target's synthetic
#' interval. Valid when the target and the historical tasks are exchangeable
#' draws from a common population of tasks; the guarantee is marginal over
#' that population, not conditional on one task.
#'
#' @section The task table:
#' `tasks` has one row per task and the columns `task` (id), `n_real`,
#' `n_synth`, `real_est`, `real_se`, `synth_est`, `synth_se`, `gap_est`,
#' `gap_se` (gap = real minus synthetic), as returned by `task_summaries()`.
#' Historical tasks need `gap_est` and `gap_se` (`gap_est` alone for
#' `method = "finite_sample"`); a missing `gap_est` column is an error, not
#' silently replaced by `real_est - synth_est` (whose standard error would
#' not be `gap_se` for paired data). Targets need `synth_est` and `synth_se`.
#' Sample-size columns, when present, are checked (a standard error needs at
#' least two observations). Extra columns are ignored. Vector targets use a
#' long table with a `coordinate` column and [exchangeable_region()].
#'
#' @section Methods:
#' * `"population"` (Algorithm 1): interval for the target's population value
#'   `theta`. With `[L, U]` the synthetic Wald interval at `a1` and
#'   `[l_j, u_j]` the historical gap intervals at `a2`, the result is
#'   `[L + l_(k_L), U + u_(k_U)]`, `k_L = floor((T + 1) a3 / 2)`,
#'   `k_U = ceiling((T + 1)(1 - a3 / 2))`; coverage at least `1 - alpha`.
#' * `"task_only"` (Algorithm 5): as Algorithm 1 with gap intervals at
#'   `a2 / T`; valid when only the tasks (not their data sets) are exchangeable,
#'   for example when historical sample sizes were chosen systematically.
#' * `"finite_sample"` (Algorithm 4): interval for the value the target's
#'   (unobserved) real sample would give. The synthetic estimate and the
#'   historical point gaps enter as points and the whole `alpha` goes to the
#'   order statistics; coverage lies in `[1 - alpha, 1 - alpha + 2 / (T + 1))`
#'   without ties. `split` is ignored.
#'
#' `weights` (Algorithm 2) replace the order statistics by weighted
#' quantiles: historical task `j` gets `w_j` in `[0, 1]`, the target weight 1,
#' and an atom at infinity of weight `1 / (sum w + 1)` keeps the guarantee.
#' Unit weights give Algorithm 1 exactly; smaller weights down-weight tasks
#' believed less similar to the target (coverage then degrades gracefully
#' with the distance from exchangeability, Theorem 2).
#'
#' With `real_estimate`, from a small real sample of the target, the result is the
#' intersection of the real-data Wald interval at `gamma * alpha` and the
#' exchangeability interval at `(1 - gamma) * alpha` (section 4.4). An empty
#' intersection (at least one of the two then misses) gives `NA` bounds and a
#' warning. When the intersection excludes the bias-corrected estimate, the
#' estimate moves to the nearest end of the intersection (as with `bounds`). A
#' zero real-data standard error gives a warning: the real interval is then a
#' point and so is the result.
#'
#' @section Error budget:
#' The default `split` is `(0.1, 0.2, 0.7) * alpha`. The gap band is finite
#' only when `a3 >= 2 / (T + 1)` (`T` the number of historical tasks, or the
#' sum of weights); when `0.7 alpha` falls short, `a3` is raised to
#' `2 / (T + 1)` and the rest is shared by `a1` and `a2` in the ratio 1:2. A
#' user-given `split` (three shares summing to 1, or three levels summing to
#' `alpha`) whose `a3` is too small is an error that says how many historical
#' tasks it needs.
#'
#' @section Calibrate once, apply later:
#' With `band` (from [exchangeable_band()], [gap_band()], a published band
#' read by [as_gap_band()], or `c(lower, upper)`), no historical task is
#' needed: the interval is the target's synthetic interval at level
#' `1 - alpha1` shifted by the band, `[L + delta_lower, U + delta_upper]`,
#' then clipped to `bounds`. The band must have been made at this `alpha`
#' with this `split` (the band's own is used; a different `split` or
#' `alpha`, or a different `method`, is an error). A band that does not carry
#' its split (`gap_band()`, `c(lower, upper)`) needs `split`. The point
#' estimate needs the band's `mean_gap` (otherwise `NA`), and the width
#' decomposition is `NA`.
#'
#' @section Bounds:
#' An interval that lies wholly outside `bounds`, or a synthetic estimate
#' outside them, gives a warning: clipping then collapses the interval to a
#' point at the bound, which has no coverage guarantee; usually `bounds` or
#' the estimates are on the wrong scale (percent versus proportion).
#'
#' @section Zero standard errors:
#' A zero `synth_se` (or `gap_se`), as zero-variance data produce, gives a
#' point interval for that step: the interval is still computed, with a
#' warning naming the task, because its guarantee for that step fails.
#'
#' @param tasks Task table (see section "The task table").
#' @param target Task id(s) in `tasks$task` (those rows become targets, their
#'   real columns are ignored, all other rows are historical tasks), or a data
#'   frame of target rows with at least `task`, `synth_est` and `synth_se`
#'   (then every row of `tasks` with a different id is historical). With
#'   `band`, may be omitted: every row of `tasks` is then a target.
#' @param alpha Error level in (0, 1); intervals have coverage `1 - alpha`.
#' @param split `NULL` for the default split, or `c(a1, a2, a3)` (see
#'   section "Error budget").
#' @param method `"population"`, `"finite_sample"` or `"task_only"` (see
#'   section "Methods").
#' @param weights `NULL`, or one weight in `[0, 1]` per historical task, in
#'   the order of the historical rows of `tasks` or named by task id.
#' @param real_estimate `NULL`, or the target's real-sample estimate and
#'   standard error: `c(estimate, std.error)` (names `est`, `se` are also
#'   read) for one target, or a data frame with `task`, `real_est`,
#'   `real_se`. (Called `real` in synthinfer 0.1.0.)
#' @param gamma Share of `alpha` spent on the real-data interval when
#'   `real_estimate` is given, in (0, 1).
#' @param bounds `NULL` or `c(lower, upper)`: the parameter's range (e.g.
#'   `c(0, 1)` for proportions); intervals and estimates are clipped to it.
#' @param paired `TRUE` uses the table's `gap_se` (paired real and synthetic
#'   units); `FALSE` treats real and synthetic samples as independent and uses
#'   `sqrt(real_se^2 + synth_se^2)`.
#' @param band `NULL`, or a gap band made earlier to use instead of
#'   historical tasks (see section "Calibrate once, apply later").
#' @return A tibble of class `exchangeable_ci`, one row per target: `task`,
#'   `estimate` (synthetic estimate plus the mean historical gap),
#'   `conf.low`, `conf.high`, `synth_est`, `synth_low`, `synth_high` (the
#'   synthetic interval at `a1`), `gap_low`, `gap_high` (the gap band),
#'   `k_lower`, `k_upper` (ranks used), `a1`, `a2`, `a3`, `n_tasks`, `width`
#'   (after clipping) and its decomposition before clipping: `width_synth`
#'   (synthetic interval), `width_gap` (widening by the per-task gap
#'   intervals) and `width_spread` (spread of the historical point gaps at the
#'   same ranks). With `real_estimate`: `real_low`, `real_high` (the
#'   real-data interval at `gamma * alpha`). With `band`,
#'   `n_tasks`, `k_lower`, `k_upper` are the band's (`NA` when unknown).
#' @references Tan, Z. and Zrnic, T. (2026). Valid inference with synthetic
#'   data via task exchangeability.
#' @seealso [exchangeable_region()] for vector targets,
#'   [exchangeable_loo()] to evaluate on held-out tasks, [gap_band()].
#' @export
#' @examples
#' tasks <- simulate_tasks(41, seed = 2)
#' ci <- exchangeable_ci(tasks, target = 41, alpha = 0.1, bounds = c(0, 1))
#' ci
#' tasks$p[41] # the truth in this simulation
#' exchangeable_ci(tasks, target = 41, method = "finite_sample")
#' # calibrate once on the historical tasks, apply to the target later
#' band <- exchangeable_band(tasks[1:40, ], alpha = 0.1)
#' exchangeable_ci(tasks[41, ], alpha = 0.1, band = band, bounds = c(0, 1))
exchangeable_ci <- function(tasks, target, alpha = 0.1, split = NULL,
                            method = c("population", "finite_sample", "task_only"),
                            weights = NULL, real_estimate = NULL, gamma = 0.5,
                            bounds = NULL, paired = TRUE, band = NULL) {
  method_given <- !missing(method)
  method <- check_choice(method, c("population", "finite_sample", "task_only"), "method")
  alpha <- check_probability(alpha, "alpha")
  tasks <- check_task_table(tasks)
  if (has_coordinates(tasks)) {
    stop_arg("tasks", "has a `coordinate` column (vector targets): use exchangeable_region().")
  }
  check_unique_tasks(tasks, "tasks")
  paired <- check_flag(paired, "paired")
  bounds <- check_bounds(bounds)
  if (!is.null(band)) {
    if (!is.null(weights)) stop_arg("weights", "cannot be combined with `band`: the band's weights were fixed when it was made.")
    if (!is.null(real_estimate)) {
      stop_arg("real_estimate", "cannot be combined with `band` (the band is not calibrated at (1 - gamma) alpha).")
    }
    return(exchange_ci_band(tasks, if (missing(target)) NULL else target, alpha, split,
                            method, method_given, bounds, band))
  }
  parts <- split_target(tasks, target)
  if (nrow(parts$hist) == 0L) stop_arg("tasks", "has no historical tasks besides the target(s).")
  gaps <- history_gaps(parts$hist, need_se = method != "finite_sample", paired = paired)
  weights <- check_task_weights(weights, parts$hist$task)
  real <- check_real_estimate(real_estimate, parts$targets, method)
  # A zero real-data standard error makes the real interval a point: the
  # intersection is then that point, with no guarantee.
  if (!is.null(real)) warn_zero_se(real$se, parts$targets$task, "real_se", "target task(s)")
  if (!is.null(real)) gamma <- check_probability(gamma, "gamma")
  exchange_ci_engine(gaps, parts$targets, alpha, split, method, weights, real,
                     gamma, bounds)
}

# Weights: NULL, or one per historical task (positional or named by task id).
check_task_weights <- function(weights, hist_ids) {
  if (is.null(weights)) return(NULL)
  w <- check_numeric_vector(weights, "weights")
  if (!is.null(names(weights))) {
    ids <- as.character(hist_ids)
    missing <- setdiff(ids, names(weights))
    if (length(missing)) {
      stop_arg("weights", "is named but has no weight for historical task(s) ", format_ids(missing), ".")
    }
    w <- w[match(ids, names(weights))]
  }
  if (length(w) != length(hist_ids)) {
    stop_arg("weights", "must have one weight per historical task (", length(hist_ids),
             "), not ", length(w), ".")
  }
  if (any(w < 0 | w > 1)) {
    stop_arg("weights", "must lie in [0, 1]; outside at position(s) ",
             format_positions(which(w < 0 | w > 1)), ".")
  }
  if (sum(w) == 0) stop_arg("weights", "are all 0: no historical task would calibrate.")
  w
}

# Real-sample summaries for the targets: NULL or list(est, se), one per target.
check_real_estimate <- function(real, targets, method) {
  if (is.null(real)) return(NULL)
  if (method == "finite_sample") {
    stop_arg("real_estimate", "combines with the population target only: a real-data interval ",
             "covers theta, not the finite-sample value of method = \"finite_sample\".")
  }
  if (is.data.frame(real)) {
    if (!"task" %in% names(real)) stop_arg("real_estimate", "needs a `task` column.")
    idx <- match(as.character(targets$task), as.character(real$task))
    if (anyNA(idx)) {
      stop_arg("real_estimate", "has no row for target(s) ", format_ids(targets$task[is.na(idx)]), ".")
    }
    real <- real[idx, , drop = FALSE]
    est_col <- if ("real_est" %in% names(real)) "real_est" else "est"
    se_col <- if ("real_se" %in% names(real)) "real_se" else "se"
    return(list(est = task_column(real, est_col, "real_estimate"),
                se = task_column(real, se_col, "real_estimate", nonneg = TRUE)))
  }
  if (is.list(real)) real <- unlist(real)
  if (!is.numeric(real) || length(real) != 2L || anyNA(real) || any(!is.finite(real))) {
    stop_arg("real_estimate", "must be c(estimate, std.error) (finite numbers) or a data frame with ",
             "`task`, `real_est`, `real_se`.")
  }
  for (nm in list(c("est", "se"), c("estimate", "std.error"))) {
    if (!is.null(names(real)) && all(nm %in% names(real))) real <- real[nm]
  }
  if (nrow(targets) != 1L) stop_arg("real_estimate", "must be a data frame when there are several targets.")
  if (real[2] < 0) stop_arg("real_estimate", "has a negative standard error.")
  list(est = as.double(real[1]), se = as.double(real[2]))
}

# The user's `split` as levels summing to `alpha_ex` (numeric() for the
# default split) and whether a too small a3 may be raised: the core chooses
# the split (default, the user's, or raised) from these.
split_arg <- function(alpha_ex, split) {
  if (is.null(split)) return(list(levels = numeric(), raise = FALSE))
  raise <- inherits(split, "exchange_split") && isTRUE(attr(split, "raise_a3"))
  list(levels = as.double(split_levels(alpha_ex, split)), raise = raise)
}

# Validated synthetic standard errors of the targets (zeros for the
# finite-sample algorithm, which uses point estimates only).
engine_synth_se <- function(targets, method) {
  if (method == "finite_sample") return(rep(0, nrow(targets)))
  check_sample_sizes(targets, "n_synth", "target")
  se <- task_column(targets, "synth_se", "target", nonneg = TRUE)
  warn_zero_se(se, targets$task, "synth_se", "target task(s)")
  se
}

# A note from the core (a raised a3) reaches the user as a message.
core_note <- function(note) {
  if (length(note) && nzchar(note)) message(note)
}

# The real-data intersection can be empty: then at least one interval misses.
warn_empty <- function(ids, empty) {
  if (any(empty)) {
    warning(sprintf(paste0(
      "The real-data and exchangeability intervals do not overlap for target(s) %s: ",
      "at least one of them misses (doubt exchangeability); conf.low/conf.high are NA."),
      format_ids(unique(ids[empty]))), call. = FALSE)
  }
}

# Validated inputs -> one call into the core -> result tibble. `gap_est`,
# `gap_se` are T x D, `synth_est`, `synth_se` (and the real columns) m x D
# (D = 1 for scalar targets; the Bonferroni rectangle of
# exchangeable_region() passes alpha / D). Returns the core's table with the
# target ids in front.
exchange_ci_call <- function(gap_est, gap_se, weights, synth_est, synth_se, alpha, split,
                             method, bounds, real = NULL, gamma = 0.5, dim = 1L) {
  alpha_ex <- if (is.null(real)) alpha else (1 - gamma) * alpha
  sp <- split_arg(alpha_ex, split)
  res <- rs_exchange_ci(as.double(gap_est), as.double(gap_se),
                        if (is.null(weights)) numeric() else weights,
                        as.double(synth_est), as.double(synth_se), dim, alpha, sp$levels,
                        sp$raise, method, bounds,
                        if (is.null(real)) numeric() else as.double(real$est),
                        if (is.null(real)) numeric() else as.double(real$se), gamma)
  core_note(res$note)
  res
}

exchange_ci_engine <- function(gaps, targets, alpha, split, method, weights, real,
                               gamma, bounds) {
  synth_est <- task_column(targets, "synth_est", "target")
  res <- exchange_ci_call(gaps$est, gaps$se, weights, synth_est,
                          engine_synth_se(targets, method), alpha, split, method, bounds,
                          real, gamma)
  out <- tibble::as_tibble(c(list(task = targets$task), res$table))
  warn_outside_bounds(out$task, out$synth_est, out$conf.low, out$conf.high, bounds)
  warn_empty(out$task, res$empty)
  new_exchangeable_ci(out, alpha = alpha, method = method,
                      weighted = !is.null(weights), real = !is.null(real))
}

# Clipping an interval that lies wholly outside `bounds` collapses it onto a
# bound: a point with no guarantee. Such a point, or a synthetic estimate
# outside `bounds`, usually means `bounds` (or the estimates) are on the
# wrong scale.
warn_outside_bounds <- function(ids, synth_est, low, high, bounds) {
  if (length(bounds) != 2L) return(invisible())
  collapsed <- !is.na(low) & low == high & (low == bounds[1] | low == bounds[2])
  outside <- synth_est < bounds[1] | synth_est > bounds[2]
  bad <- collapsed | outside
  if (any(bad)) {
    warning(sprintf(paste0(
      "For target(s) %s the synthetic estimate lies outside `bounds` = [%s, %s] or the ",
      "interval lies wholly outside them, so clipping collapses it to a point at a bound ",
      "(no coverage guarantee). Check that `bounds` is the parameter's range and on the ",
      "scale of the estimates (e.g. c(0, 1) for proportions, c(0, 100) for percent)."),
      format_ids(unique(ids[bad])), format(bounds[1]), format(bounds[2])), call. = FALSE)
  }
  invisible()
}

new_exchangeable_ci <- function(x, alpha, method, weighted, real, band = FALSE) {
  attr(x, "alpha") <- alpha
  attr(x, "method") <- method
  attr(x, "weighted") <- weighted
  attr(x, "real") <- real
  attr(x, "band") <- band
  class(x) <- c("exchangeable_ci", class(x))
  x
}

method_label <- function(method, weighted = FALSE) {
  lab <- switch(method,
    population = "population target (Algorithm 1)",
    task_only = "population target, tasks-only exchangeability (Algorithm 5)",
    finite_sample = "finite-sample target (Algorithm 4)",
    method)
  if (isTRUE(weighted)) paste0(lab, ", weighted (Algorithm 2)") else lab
}

# The print methods need these columns; after a user drops some of them the
# object prints as the plain tibble it is.
has_columns <- function(x, cols) all(cols %in% names(x))

as_plain_tibble <- function(x, cls) {
  class(x) <- setdiff(class(x), cls)
  x
}

#' @export
format.exchangeable_ci <- function(x, ...) {
  if (!has_columns(x, c("task", "estimate", "conf.low", "conf.high", "n_tasks", "k_lower", "k_upper"))) {
    return(format(as_plain_tibble(x, "exchangeable_ci"), ...))
  }
  lvl <- format(100 * (1 - attr(x, "alpha")))
  head <- sprintf("Task-exchangeability %s%% intervals: %s", lvl,
                  method_label(attr(x, "method"), attr(x, "weighted")))
  if (isTRUE(attr(x, "real"))) head <- paste0(head, ", intersected with real data")
  if (isTRUE(attr(x, "band"))) head <- paste0(head, ", from a saved gap band")
  rows <- sprintf("  %s: %.4g [%.4g, %.4g]  (T = %d, ranks %d/%d)",
                  format(x$task), x$estimate, x$conf.low, x$conf.high,
                  x$n_tasks, x$k_lower, x$k_upper)
  c(head, rows, "  (tidy() or tibble::as_tibble() give every column)")
}

#' @export
print.exchangeable_ci <- function(x, ...) {
  cat(format(x, ...), sep = "\n")
  invisible(x)
}

#' @importFrom generics tidy
#' @export
generics::tidy

#' Tidy an exchangeability interval
#'
#' @param x An `exchangeable_ci` object.
#' @param ... Ignored.
#' @return A tibble with `task`, `estimate`, `conf.low`, `conf.high`,
#'   `method` and `alpha`.
#' @method tidy exchangeable_ci
#' @export
#' @examples
#' tasks <- simulate_tasks(30, seed = 3)
#' tidy(exchangeable_ci(tasks, target = 30, alpha = 0.2))
tidy.exchangeable_ci <- function(x, ...) {
  tibble::tibble(task = x$task, estimate = x$estimate, conf.low = x$conf.low,
                 conf.high = x$conf.high, method = attr(x, "method"),
                 alpha = attr(x, "alpha"))
}
