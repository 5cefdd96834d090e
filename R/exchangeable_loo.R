#' Evaluate the exchangeability interval on held-out tasks
#'
#' Every task in turn is the target and the others calibrate
#' (leave-one-task-out), or, with `calibrate`/`predict`, the `predict` tasks
#' are targets calibrated on the `calibrate` tasks (a temporal split, say).
#' Each interval is compared with the held-out task's real estimate
#' `real_est`, the finite-sample value, as in the paper's real-data
#' evaluations (conservative for the population target). Beside it the naive
#' synthetic-only Wald interval, which treats synthetic data as real, shows
#' what ignoring the synthetic bias costs.
#'
#' For a long table with a `coordinate` column (vector targets), each
#' held-out task gets the joint region [exchangeable_region()] would make
#' from its calibration tasks (with the default center and scale of a box or
#' ball computed from those tasks), and the naive interval is the
#' synthetic-only Bonferroni rectangle at `alpha / D`; coverage is joint (all
#' coordinates at once; the ball's own, not its bounding box's) and widths
#' are per coordinate. All held-out tasks are evaluated in one call into the
#' compiled core.
#'
#' @inheritParams exchangeable_ci
#' @param tasks Task table with `real_est` for every task to be predicted (see
#'   [exchangeable_ci()] and [exchangeable_region()]).
#' @param method `NULL` for `"population"`, or a method of
#'   [exchangeable_ci()]: for scalar tasks the interval's algorithm, for
#'   vector tasks with `shape = "bonferroni"` each coordinate's.
#' @param shape For vector tasks: `NULL` for `"bonferroni"`, or a shape of
#'   [exchangeable_region()]. (Vector tasks took it as `method` in
#'   synthinfer 0.1.0.)
#' @param calibrate,predict `NULL`, task ids, or logical vectors along the
#'   rows of `tasks` (scalar tables) selecting the calibration and target
#'   tasks. If only one is given the other is the remaining tasks; if both are
#'   `NULL`, leave-one-task-out over all tasks.
#' @param ... For vector tasks with `shape = "box"` or `"ball"`, the
#'   `center` and `scale` of [exchangeable_region()]; nothing else (empty for
#'   scalar tasks and for `"bonferroni"`).
#' @param band `NULL`, or a saved gap band (scalar tasks; see
#'   [exchangeable_ci()]) to evaluate as it is on the `predict` tasks (all
#'   tasks by default): nothing is recalibrated, and `calibrate` must be
#'   `NULL`. For example a band published from earlier surveys, checked on
#'   new ones.
#' @return A tibble of class `exchangeable_loo`, one row per predicted task
#'   (and coordinate): `task`, (`coordinate`), `estimate`, `conf.low`,
#'   `conf.high`, `truth`, `covered`, `width`, `synth_est`, `naive_low`,
#'   `naive_high`, `naive_covered`, `naive_width`; for vector tasks also
#'   `joint_covered` and `naive_joint_covered`. `summary()` gives coverage and
#'   mean and median width for both intervals; `glance()` one row with both
#'   coverages, `tidy()` the per-task intervals, `autoplot()` the forest plot.
#' @references Tan, Z. and Zrnic, T. (2026). Valid inference with synthetic
#'   data via task exchangeability.
#' @export
#' @examples
#' tasks <- simulate_tasks(30, seed = 7)
#' loo <- exchangeable_loo(tasks, alpha = 0.2, bounds = c(0, 1))
#' summary(loo)
#' # temporal split: calibrate on the first 25 tasks, predict the last 5
#' exchangeable_loo(tasks, alpha = 0.2, calibrate = 1:25)
#' # a fixed band, made on the first 25 tasks, evaluated on the last 5
#' band <- exchangeable_band(tasks[1:25, ], alpha = 0.2)
#' exchangeable_loo(tasks, alpha = 0.2, predict = 26:30, band = band)
exchangeable_loo <- function(tasks, alpha = 0.1, method = NULL, calibrate = NULL,
                             predict = NULL, split = NULL, bounds = NULL,
                             paired = TRUE, ..., band = NULL, shape = NULL) {
  alpha <- check_probability(alpha, "alpha")
  tasks <- check_task_table(tasks)
  if (nrow(tasks) == 0L) stop_arg("tasks", "has no rows: there is no task to evaluate.")
  bounds <- check_bounds(bounds)
  paired <- check_flag(paired, "paired")
  vector <- has_coordinates(tasks)
  if (vector) {
    method_given <- !is.null(shape)
    shape <- if (is.null(shape)) "bonferroni" else check_choice(shape, c("bonferroni", "box", "ball"), "shape")
    coordinate_method <- loo_coordinate_method(method, shape)
    method <- shape
  } else {
    if (!is.null(shape)) stop_arg("shape", "is for vector tasks (a `coordinate` column) only.")
    method_given <- !is.null(method)
    method <- if (is.null(method)) "population" else
      check_choice(method, c("population", "finite_sample", "task_only"), "method")
    check_unique_tasks(tasks, "tasks")
  }
  if (!is.null(band)) {
    return(loo_band(tasks, alpha, method, method_given, calibrate, predict, split, bounds,
                    band, vector, ...))
  }
  sets <- loo_sets(tasks, calibrate, predict)
  warn_zero_se_once(tasks, sets, if (vector) coordinate_method else method)
  if (!vector && ...length() > 0L) stop_arg("...", "must be empty for scalar tasks.")
  out <- muffle_zero_se(if (vector) {
    loo_vector(tasks, sets, alpha, shape, coordinate_method, split, bounds, paired,
               loo_region_family(shape, ...))
  } else {
    loo_scalar(tasks, sets, alpha, method, split, bounds, paired)
  })
  new_exchangeable_loo(out, alpha, method,
                       if (is.null(calibrate) && is.null(predict)) "leave-one-task-out" else "split")
}

new_exchangeable_loo <- function(out, alpha, method, design) {
  attr(out, "alpha") <- alpha
  attr(out, "method") <- method
  attr(out, "design") <- design
  class(out) <- c("exchangeable_loo", class(out))
  out
}

# A fixed band evaluated on the `predict` tasks (all by default).
loo_band <- function(tasks, alpha, method, method_given, calibrate, predict, split, bounds,
                     band, vector, ...) {
  if (vector) stop_arg("band", "is supported for scalar tasks only in exchangeable_loo().")
  if (!is.null(calibrate)) {
    stop_arg("calibrate", "cannot be combined with `band`: the band replaces the calibration tasks.")
  }
  if (...length() > 0L) stop_arg("...", "must be empty for scalar tasks.")
  ids <- as.character(tasks$task)
  pred <- if (is.null(predict)) ids else loo_pick(tasks, predict, "predict")
  if (!length(pred)) stop_arg("predict", "selects no task to predict.")
  targets <- tasks[match(pred, ids), , drop = FALSE]
  ci <- exchange_ci_band(targets, NULL, alpha, split, method, method_given, bounds, band)
  truth <- task_column(targets, "real_est", "tasks")
  res <- rs_held_out(ci$estimate, ci$conf.low, ci$conf.high, ci$synth_est,
                     naive_se(targets, attr(ci, "method")), truth, alpha, bounds)
  out <- tibble::as_tibble(c(list(task = targets$task), res))
  new_exchangeable_loo(out, alpha, attr(ci, "method"), "fixed band")
}

# Zero standard errors are reported once for the whole evaluation rather
# than once per held-out fit.
warn_zero_se_once <- function(tasks, sets, method) {
  if (method == "finite_sample") return(invisible())
  pred <- loo_rows(tasks, sets, "predict")
  if (is.numeric(pred$synth_se)) {
    warn_zero_se(pred$synth_se[!is.na(pred$synth_se)], pred$task[!is.na(pred$synth_se)],
                 "synth_se", "target task(s)")
  }
  cal <- loo_rows(tasks, sets, "calibrate")
  if (is.numeric(cal$gap_se)) {
    warn_zero_se(cal$gap_se[!is.na(cal$gap_se)], cal$task[!is.na(cal$gap_se)],
                 "gap_se", "historical task(s)")
  }
  invisible()
}

muffle_zero_se <- function(expr) {
  withCallingHandlers(expr, warning = function(w) {
    if (grepl("zero-variance data", conditionMessage(w), fixed = TRUE)) {
      invokeRestart("muffleWarning")
    }
  })
}

# Task ids from ids or a logical selector along the rows of `tasks`.
loo_pick <- function(tasks, sel, arg) {
  if (is.null(sel)) return(NULL)
  if (is.logical(sel)) {
    if (length(sel) != nrow(tasks) || anyNA(sel)) {
      stop_arg(arg, "as a logical vector must have one non-missing value per row of `tasks`.")
    }
    return(unique(as.character(tasks$task[sel])))
  }
  if (!is.atomic(sel) || is.matrix(sel)) {
    stop_arg(arg, "must be task ids (a character or numeric vector) or a logical vector, ",
             "one value per row of `tasks`; not ", class(sel)[1], ".")
  }
  sel <- unique(as.character(sel))
  unknown <- setdiff(sel, as.character(tasks$task))
  if (length(unknown)) stop_arg(arg, "contains task id(s) not in `tasks$task`: ", format_ids(unknown), ".")
  sel
}

# Calibration and prediction task ids from ids or logical selectors.
loo_sets <- function(tasks, calibrate, predict) {
  ids <- unique(as.character(tasks$task))
  cal <- loo_pick(tasks, calibrate, "calibrate")
  pred <- loo_pick(tasks, predict, "predict")
  # Plain leave-one-task-out: every row calibrates and is predicted, so the
  # scalar path skips the id matching (which dominates at 10^6 tasks).
  if (is.null(cal) && is.null(pred)) return(list(calibrate = ids, predict = ids, all = TRUE))
  if (is.null(pred)) pred <- setdiff(ids, cal)
  if (is.null(cal)) cal <- setdiff(ids, pred)
  if (!length(pred)) stop_arg("predict", "selects no task to predict.")
  if (!length(setdiff(cal, pred[1]))) stop_arg("calibrate", "selects no calibration task.")
  list(calibrate = cal, predict = pred, all = FALSE)
}

# Rows of `tasks` whose id is in `set` (all rows for plain leave-one-task-out).
loo_rows <- function(tasks, sets, set) {
  if (isTRUE(sets$all)) return(tasks)
  tasks[as.character(tasks$task) %in% sets[[set]], , drop = FALSE]
}

# The synthetic standard errors of the naive synthetic-only interval. The
# finite-sample algorithm needs only point estimates, so a task table without
# them (all missing) is fine there: the naive interval is then NA.
naive_se <- function(targets, method) {
  if (method == "finite_sample" && all(is.na(targets$synth_se))) return(rep(NaN, nrow(targets)))
  task_column(targets, "synth_se", "tasks", nonneg = TRUE)
}

# Scalar tasks: every predicted task calibrated on the calibration tasks
# (without itself when it is one of them), compared with its truth, in one
# call into the core.
loo_scalar <- function(tasks, sets, alpha, method, split, bounds, paired) {
  cal_rows <- loo_rows(tasks, sets, "calibrate")
  gaps <- history_gaps(cal_rows, need_se = method != "finite_sample", paired = paired)
  cal_ids <- as.character(cal_rows$task)
  targets <- if (isTRUE(sets$all)) tasks else tasks[match(sets$predict, as.character(tasks$task)), , drop = FALSE]
  truth <- task_column(targets, "real_est", "tasks") # checked before any fitting
  held <- if (isTRUE(sets$all)) seq_along(cal_ids) else match(sets$predict, cal_ids)
  synth_est <- task_column(targets, "synth_est", "target")
  if (method != "finite_sample") engine_synth_se(targets, method)
  sp <- split_arg(alpha, split)
  res <- run_interruptible("Leave-one-task-out", function(progress) {
    rs_exchange_loo(gaps$est, gaps$se, as.double(held), synth_est, naive_se(targets, method),
                    truth, alpha, sp$levels, sp$raise, method, bounds, 1L, progress)
  })
  core_note(res$note)
  out <- tibble::as_tibble(c(list(task = targets$task), res$table))
  warn_outside_bounds(out$task, out$synth_est, out$conf.low, out$conf.high, bounds)
  out
}

# The algorithm of each coordinate's interval in the Bonferroni rectangle
# of vector tasks (`method`); the region's shape is `shape`.
loo_coordinate_method <- function(method, shape) {
  if (is.null(method)) return("population")
  if (is.character(method) && length(method) == 1L && method %in% c("bonferroni", "box", "ball")) {
    stop_arg("method", "chooses each coordinate's algorithm; for vector tasks (a `coordinate` ",
             "column) choose the region with `shape` (\"bonferroni\", \"box\" or \"ball\").")
  }
  if (shape != "bonferroni") {
    stop_arg("method", "chooses each coordinate's algorithm of shape = \"bonferroni\"; ",
             "it does not apply to shape = \"", shape, "\".")
  }
  check_choice(method, c("population", "finite_sample", "task_only"), "method")
}

# The box's or ball's `center` and `scale` from `...`, checked (numeric()
# where not given, for the defaults of each held-out task's calibration
# tasks). Nothing else may come through `...` for vector tasks.
loo_region_family <- function(shape, ...) {
  dots <- list(...)
  dots <- dots[!vapply(dots, is.null, logical(1))] # NULL: not given, as in exchangeable_region()
  given <- names(dots)
  if (is.null(given)) given <- rep("", length(dots))
  allowed <- if (shape == "bonferroni") character() else c("center", "scale")
  bad <- !given %in% allowed | duplicated(given)
  if (any(bad)) {
    got <- ifelse(nzchar(given[bad]), paste0("`", given[bad], "`"), "an unnamed argument")
    stop_arg("...", "may give only `center` and `scale`, and only for shape = \"box\" or ",
             "\"ball\", in exchangeable_loo() on vector tasks (each coordinate's algorithm is ",
             "`method`); got ", paste(unique(got), collapse = ", "),
             if (shape == "bonferroni") " with shape = \"bonferroni\"", ".")
  }
  list(center = dots$center, scale = dots$scale)
}

# The rows of the tasks of `set` ("calibrate" or "predict") as one data
# frame per coordinate, tasks in the order of the set.
widen_task_set <- function(tasks, sets, set, coords) {
  wide <- widen_tasks(loo_rows(tasks, sets, set), coords, "tasks")
  at <- match(sets[[set]], as.character(wide$ids))
  list(ids = wide$ids[at], rows = lapply(wide$rows, function(r) r[at, , drop = FALSE]))
}

# Vector tasks: every predicted task's joint region, calibrated on the
# calibration tasks without itself when it is one of them, compared with
# its truth beside the naive rectangle, in one call into the core. `method`
# is each coordinate's algorithm (Bonferroni); `family` the checked
# center and scale of a box or ball.
loo_vector <- function(tasks, sets, alpha, shape, method, split, bounds, paired, family) {
  coords <- task_coordinates(tasks)
  d <- length(coords)
  family <- region_family(family$center, family$scale, coords)
  cal <- widen_task_set(tasks, sets, "calibrate", coords)
  targets <- widen_task_set(tasks, sets, "predict", coords)
  m <- length(targets$ids)
  point_only <- method == "finite_sample"
  gaps <- history_matrices(cal, need_se = !point_only, paired = paired)
  column <- function(col) vapply(targets$rows, task_column, numeric(m), col = col, arg = "tasks")
  truth <- column("real_est")
  synth_est <- column("synth_est")
  # The region's standard errors are checked as exchangeable_region() does
  # (sample sizes too); the naive interval needs them even for point-only
  # Bonferroni, unless none is known (see naive_se()).
  if (!point_only) lapply(targets$rows, engine_synth_se, method = method)
  synth_se <- vapply(targets$rows, naive_se, numeric(m), method = method)
  held <- match(as.character(targets$ids), as.character(cal$ids))
  sp <- region_split_arg(alpha, split, shape, d)
  # (The box and ball calibrate at the joint alpha: nothing to explain.)
  res <- explain_bonferroni_level(run_interruptible("Leave-one-task-out", function(progress) {
    rs_exchange_region_loo(gaps$est, gaps$se, as.double(held), synth_est, synth_se, truth, d,
                           alpha, sp$levels, sp$raise, shape, method, family$center,
                           family$scale, bounds, 1L, progress)
  }), alpha, if (shape == "bonferroni") d else 1L)
  core_note(res$note)
  out <- tibble::as_tibble(c(region_keys(targets$ids, coords), res$table))
  # As exchangeable_region() does, for every shape.
  warn_outside_bounds(out$task, out$synth_est, out$conf.low, out$conf.high, bounds)
  out
}

#' Summarise a held-out evaluation
#'
#' @param object An `exchangeable_loo` object.
#' @param ... Ignored.
#' @return A tibble with one row per interval type (`"exchangeability"`,
#'   `"synthetic-only"`) and, for vector tasks, per coordinate plus a
#'   `"joint"` row: `coverage`, `mean_width`, `median_width` (`NA` for the
#'   joint rows, where width is per coordinate) and `n_tasks`.
#' @export
#' @examples
#' summary(exchangeable_loo(simulate_tasks(25, seed = 7), alpha = 0.2))
summary.exchangeable_loo <- function(object, ...) {
  x <- object
  row <- function(interval, coordinate, covered, width) {
    tibble::tibble(interval = interval, coordinate = coordinate, coverage = mean(covered),
                   mean_width = mean(width), median_width = stats::median(width),
                   n_tasks = length(covered))
  }
  if (!"coordinate" %in% names(x)) {
    out <- rbind(row("exchangeability", NA, x$covered, x$width),
                 row("synthetic-only", NA, x$naive_covered, x$naive_width))
    out$coordinate <- NULL
    return(out)
  }
  first <- !duplicated(x$task)
  parts <- list(row("exchangeability", "joint", x$joint_covered[first], NA_real_),
                row("synthetic-only", "joint", x$naive_joint_covered[first], NA_real_))
  for (k in unique(x$coordinate)) {
    s <- x$coordinate == k
    parts <- c(parts, list(
      row("exchangeability", as.character(k), x$covered[s], x$width[s]),
      row("synthetic-only", as.character(k), x$naive_covered[s], x$naive_width[s])))
  }
  do.call(rbind, parts)
}

#' @export
format.exchangeable_loo <- function(x, ...) {
  if (!has_columns(x, c("task", "covered", "width", "naive_covered", "naive_width"))) {
    return(format(as_plain_tibble(x, "exchangeable_loo"), ...))
  }
  s <- summary(x)
  lvl <- format(100 * (1 - attr(x, "alpha")))
  head <- sprintf("Held-out evaluation (%s, %s), nominal %s%%:", attr(x, "design"),
                  attr(x, "method"), lvl)
  lab <- if ("coordinate" %in% names(s)) paste(s$interval, s$coordinate, sep = " / ") else s$interval
  widths <- ifelse(is.na(s$mean_width), "",
                   sprintf("  mean width %.4g  median width %.4g", s$mean_width, s$median_width))
  rows <- sprintf("  %-28s coverage %.3f%s  (n = %d)", lab, s$coverage, widths, s$n_tasks)
  c(head, rows, "  (per-task rows: tibble::as_tibble(); plot: autoplot())")
}

#' @export
print.exchangeable_loo <- function(x, ...) {
  cat(format(x, ...), sep = "\n")
  invisible(x)
}
