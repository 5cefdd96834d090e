#' Joint confidence regions for vector-valued targets
#'
#' Algorithm 3 of Tan and Zrnic (2026): a region for a target with `D`
#' coordinates (for example approval among co-partisans and among the
#' opposition), observed only through synthetic data, calibrated on
#' historical tasks under task exchangeability.
#'
#' @section The long task table:
#' `tasks` has one row per task and coordinate, with a `coordinate` column
#' (character or numeric) and the columns of [exchangeable_ci()] (`task`,
#' `synth_est`, `synth_se`, `gap_est`, `gap_se`, ...). Every task must have
#' one row for each of the same `D` coordinates. The standard errors are taken
#' per coordinate; coordinates are combined by Bonferroni, so no covariance
#' between them is needed.
#'
#' @section Shapes and how to read the result:
#' * `"bonferroni"`: Algorithm 1 per coordinate at `alpha / D` (the paper's
#'   Pew analysis). The region is the rectangle of the per-coordinate
#'   intervals `[conf.low, conf.high]`.
#' * `"box"`: the nested family `C_s = c + s K`, `K` the box with half-widths
#'   `scale`. Each historical task's gap region is the box of its
#'   per-coordinate gap intervals at `a2 / D`; its score is the smallest `s`
#'   with that box inside `C_s`, here `max_d max(|l_d - c_d|, |u_d - c_d|) /
#'   scale_d`. The calibrated `radius` is the `ceiling((1 - a3)(T + 1))`-th
#'   smallest score, and the region is the synthetic box (per-coordinate Wald
#'   intervals at `a1 / D`) plus `C_radius` (a Minkowski sum): again a
#'   rectangle, `[conf.low, conf.high]` per coordinate. Needs only
#'   `a3 >= 1 / (T + 1)`, since the score is one-sided.
#' * `"ball"`: as `"box"` with `K` the ellipsoid
#'   `sum_d (v_d / scale_d)^2 <= 1` (score: the same with a Euclidean norm
#'   instead of the maximum). The region is
#'   `{theta : sum_d (dist_d / scale_d)^2 <= radius^2}`, with `dist_d` the
#'   distance from `theta_d - center_d` to `[synth_low_d, synth_high_d]`;
#'   `conf.low`, `conf.high` give its bounding rectangle.
#'
#' The default `center` and `scale` are the per-coordinate mean and standard
#' deviation of the historical gap estimates. Theorem 3 assumes a fixed
#' family; these data-driven defaults depend on the historical tasks but not
#' on the target, so the guarantee is then approximate. Pass values fixed in
#' advance (e.g. from earlier tasks) for the exact guarantee.
#'
#' @inheritParams exchangeable_ci
#' @param tasks Long task table (see section "The long task table").
#' @param target Task id(s) in `tasks$task`, or a long data frame of target
#'   rows with `task`, `coordinate`, `synth_est`, `synth_se`.
#' @param shape The shape of the region: `"bonferroni"`, `"box"` or
#'   `"ball"` (see section "Shapes and how to read the result"). (Called
#'   `method` in synthinfer 0.1.0.)
#' @param center,scale For `"box"` and `"ball"`: numeric vectors of length
#'   `D` (in coordinate order; names matching the coordinates are used), or
#'   `NULL` for the data-driven defaults.
#' @param ... For `"bonferroni"`, further arguments of [exchangeable_ci()]:
#'   `weights`, `real_estimate`, `gamma` or `method`; must be empty for
#'   `"box"` and `"ball"`. With more than one coordinate, `real_estimate` is
#'   a data frame with `task`, `coordinate`, `real_est` and `real_se` (one
#'   row per target and coordinate).
#' @param band For `"bonferroni"`: `NULL`, or saved gap bands with one row per
#'   coordinate (a `coordinate` column), as [exchangeable_band()] makes from
#'   a long table; each coordinate's interval is then its synthetic interval
#'   shifted by its band (see [exchangeable_ci()]), and `target` may be
#'   omitted (every row of `tasks` is a target).
#' @return A tibble of class `exchangeable_region` with one row per target
#'   and coordinate: `task`, `coordinate`, `estimate`, `conf.low`,
#'   `conf.high`, `synth_est`, `synth_low`, `synth_high`, and for `"box"` and
#'   `"ball"` also `center`, `scale`, `radius`, `rank`; for `"bonferroni"` the
#'   per-coordinate columns of [exchangeable_ci()].
#' @references Tan, Z. and Zrnic, T. (2026). Valid inference with synthetic
#'   data via task exchangeability.
#' @export
#' @examples
#' a <- simulate_tasks(41, seed = 1)
#' b <- simulate_tasks(41, seed = 2)
#' a$coordinate <- "first"
#' b$coordinate <- "second"
#' tasks <- rbind(a, b)
#' exchangeable_region(tasks, target = 41, alpha = 0.1, bounds = c(0, 1))
#' ball <- exchangeable_region(tasks, target = 41, shape = "ball", bounds = c(0, 1))
#' ball
#' glance(ball)
#' if (requireNamespace("ggplot2", quietly = TRUE)) ggplot2::autoplot(ball)
exchangeable_region <- function(tasks, target, alpha = 0.1,
                                shape = c("bonferroni", "box", "ball"),
                                split = NULL, bounds = NULL, center = NULL,
                                scale = NULL, paired = TRUE, ..., band = NULL) {
  if (!is.null(band)) {
    return(warn_once_each(region_band(tasks, if (missing(target)) NULL else target, alpha,
                                      shape, split, bounds, band, ...)))
  }
  warn_once_each(region_fit(tasks, target, alpha, shape, split, bounds, center, scale, paired, ...))
}

# exchangeable_region(band = ): the Bonferroni rectangle from one saved band
# per coordinate.
region_band <- function(tasks, target, alpha, shape, split, bounds, band, ...) {
  shape <- check_choice(shape, c("bonferroni", "box", "ball"), "shape")
  if (shape != "bonferroni") {
    stop_arg("band", "applies to shape = \"bonferroni\" only; the scores of \"box\" and ",
             "\"ball\" need the historical tasks.")
  }
  if (...length() > 0L) stop_arg("...", "must be empty with `band`.")
  alpha <- check_probability(alpha, "alpha")
  tasks <- check_task_table(tasks)
  if (!has_coordinates(tasks)) stop_arg("tasks", "needs a `coordinate` column for vector targets.")
  bounds <- check_bounds(bounds)
  coords <- task_coordinates(tasks)
  d <- length(coords)
  targets <- if (is.null(target)) tasks else split_target(tasks, target)$targets
  wide <- widen_tasks(targets, coords, "target")
  sel <- select_band(band, alpha, bonferroni_split(alpha, split), "population", FALSE, level = d)
  if (!has_coordinates(sel$band)) stop_arg("band", "needs a `coordinate` column: one band per coordinate.")
  at <- vapply(coords, function(k) {
    i <- which(as.character(sel$band$coordinate) == as.character(k))
    if (length(i) != 1L) {
      stop_arg("band", "must have exactly one row for coordinate \"", k, "\" at alpha = ",
               format(alpha), ", not ", length(i), ".")
    }
    i
  }, integer(1))
  synth_est <- vapply(wide$rows, task_column, numeric(length(wide$ids)), col = "synth_est", arg = "target")
  synth_se <- vapply(seq_len(d), function(k) {
    engine_synth_se(wide$rows[[k]], sel$band$method[at[k]])
  }, numeric(length(wide$ids)))
  res <- band_call(sel$band[at, , drop = FALSE], sel$levels[at], synth_est, synth_se, bounds)
  out <- tibble::as_tibble(c(list(task = rep(wide$ids, each = d), coordinate = rep(coords, times = length(wide$ids))),
                             res))
  warn_outside_bounds(out$task, out$synth_est, out$conf.low, out$conf.high, bounds)
  new_exchangeable_region(out, alpha, "bonferroni")
}

# A user's split for the Bonferroni rectangle as shares of the level: levels
# summing to the joint alpha are the user's, so they are divided by alpha
# here rather than compared with the per-coordinate level alpha / D.
bonferroni_split <- function(alpha, split) {
  if (is.null(split)) return(NULL)
  shares <- split_levels(alpha, split) / alpha
  if (inherits(split, "exchange_split")) attributes(shares) <- attributes(split)
  shares
}

# The levels passed to the core for a region: the Bonferroni rectangle
# splits each coordinate's alpha / D (a user's split as shares of the level),
# a box or ball the joint alpha.
region_split_arg <- function(alpha, split, shape, d) {
  if (shape == "bonferroni") return(split_arg(alpha / d, bonferroni_split(alpha, split)))
  split_arg(alpha, split)
}

# The work of exchangeable_region().
region_fit <- function(tasks, target, alpha, shape, split = NULL, bounds = NULL,
                       center = NULL, scale = NULL, paired = TRUE, ...) {
  shape <- check_choice(shape, c("bonferroni", "box", "ball"), "shape")
  alpha <- check_probability(alpha, "alpha")
  tasks <- check_task_table(tasks)
  if (!has_coordinates(tasks)) {
    stop_arg("tasks", "needs a `coordinate` column for vector targets; for scalar targets use exchangeable_ci().")
  }
  paired <- check_flag(paired, "paired")
  bounds <- check_bounds(bounds)
  coords <- task_coordinates(tasks)
  parts <- split_target(tasks, target)
  if (nrow(parts$hist) == 0L) stop_arg("tasks", "has no historical tasks besides the target(s).")
  hist <- widen_tasks(parts$hist, coords, "tasks")
  targets <- widen_tasks(parts$targets, coords, "target")
  if (shape == "bonferroni") {
    return(region_bonferroni(hist, targets, coords, alpha, split, bounds, paired, ...))
  }
  if (...length() > 0L) {
    stop_arg("...", "must be empty for shape = \"", shape, "\"; got ",
             paste(names(list(...)), collapse = ", "), ".")
  }
  gaps <- history_matrices(hist, need_se = TRUE, paired = paired)
  family <- region_family(center, scale, coords)
  synth_est <- vapply(targets$rows, task_column, numeric(length(targets$ids)),
                      col = "synth_est", arg = "target")
  synth_se <- vapply(targets$rows, engine_synth_se, numeric(length(targets$ids)),
                     method = "population")
  sp <- split_arg(alpha, split)
  res <- rs_exchange_region(gaps$est, gaps$se, as.double(synth_est), as.double(synth_se),
                            length(coords), alpha, sp$levels, sp$raise, shape, family$center,
                            family$scale, bounds)
  core_note(res$note)
  out <- tibble::as_tibble(c(region_keys(targets$ids, coords), res$table))
  # The box and ball are clipped to `bounds` side by side like the rectangle:
  # a side that collapses onto a bound has no guarantee either.
  warn_outside_bounds(out$task, out$synth_est, out$conf.low, out$conf.high, bounds)
  new_exchangeable_region(out, alpha, shape)
}

# The task and coordinate columns of a region table: rows target by target,
# coordinates in order (the order of the core's tables).
region_keys <- function(ids, coords) {
  list(task = rep(ids, each = length(coords)), coordinate = rep(coords, times = length(ids)))
}

# Historical gap estimates and standard errors as T x D matrices (D = the
# per-coordinate tables of widen_tasks()).
history_matrices <- function(hist, need_se, paired) {
  gaps <- lapply(hist$rows, history_gaps, need_se = need_se, paired = paired)
  n <- length(hist$ids)
  est <- vapply(gaps, `[[`, numeric(n), "est")
  se <- vapply(gaps, `[[`, numeric(n), "se")
  dim(est) <- dim(se) <- c(n, length(hist$rows))
  list(est = est, se = se)
}

# The Bonferroni rectangle: Algorithm 1 per coordinate at alpha / D, in one
# call; `weights`, `real_estimate`, `gamma` and `method` as in
# exchangeable_ci() (real estimates are matched to the targets by task and
# coordinate).
region_bonferroni <- function(hist, targets, coords, alpha, split, bounds, paired,
                              weights = NULL, real_estimate = NULL, gamma = 0.5,
                              method = "population") {
  if (is.character(method) && length(method) == 1L && method %in% c("bonferroni", "box", "ball")) {
    stop_arg("method", "chooses the algorithm of each coordinate's interval; the region's shape \"",
             method, "\" is now given as `shape = \"", method, "\"`.")
  }
  method <- check_choice(method, c("population", "finite_sample", "task_only"), "method")
  d <- length(coords)
  gaps <- history_matrices(hist, need_se = method != "finite_sample", paired = paired)
  weights <- check_task_weights(weights, hist$ids)
  real <- region_real_estimate(real_estimate, targets, coords, method)
  if (!is.null(real)) {
    gamma <- check_probability(gamma, "gamma")
    warn_zero_se(real$se, rep(targets$ids, d), "real_se", "target task(s)")
  }
  m <- length(targets$ids)
  synth_est <- vapply(targets$rows, task_column, numeric(m), col = "synth_est", arg = "target")
  synth_se <- vapply(targets$rows, engine_synth_se, numeric(m), method = method)
  res <- explain_bonferroni_level(
    exchange_ci_call(gaps$est, gaps$se, weights, synth_est, synth_se, alpha / d,
                     bonferroni_split(alpha, split), method, bounds, real, gamma, dim = d),
    alpha, d)
  out <- tibble::as_tibble(c(region_keys(targets$ids, coords), res$table))
  warn_outside_bounds(out$task, out$synth_est, out$conf.low, out$conf.high, bounds)
  warn_empty(out$task, res$empty)
  new_exchangeable_region(out, alpha, "bonferroni")
}

# The core calibrates each coordinate of the Bonferroni rectangle at
# alpha / D and names that level `alpha` when it is too small: without this
# note a user who gave alpha = 0.9 reads "`alpha` = 0.45".
explain_bonferroni_level <- function(expr, alpha, d) {
  if (d == 1L) return(expr)
  tryCatch(expr, synthinfer_error_input = function(e) {
    if (grepl("infinite", conditionMessage(e), fixed = TRUE)) {
      e$message <- paste0(conditionMessage(e), sprintf(paste0(
        " (Here `alpha` is the level of each coordinate, alpha / D = %s / %d, of the ",
        "Bonferroni rectangle; shape = \"box\" or \"ball\" calibrate at the joint alpha ",
        "and need fewer historical tasks.)"), format(alpha), d))
    }
    stop(e)
  })
}

# The targets' real-data estimates for the Bonferroni rectangle: one per
# target and coordinate, as m x D (column-major, the order of synth_est).
# Every coordinate has its own real estimate, so for D > 1 they come as a
# data frame with a `coordinate` column; a single c(estimate, std.error), or
# a table without coordinates, would put the first coordinate's estimate on
# every coordinate (which once happened silently, intersecting each
# coordinate with the wrong real-data interval).
region_real_estimate <- function(real_estimate, targets, coords, method) {
  if (is.null(real_estimate)) return(NULL)
  d <- length(coords)
  if (d == 1L && !(is.data.frame(real_estimate) && "coordinate" %in% names(real_estimate))) {
    return(check_real_estimate(real_estimate, targets$rows[[1]], method))
  }
  if (!is.data.frame(real_estimate) || !"coordinate" %in% names(real_estimate)) {
    stop_arg("real_estimate", "must be a data frame with `task`, `coordinate`, `real_est` and ",
             "`real_se` for vector targets: each coordinate has its own real estimate.")
  }
  if (anyDuplicated(paste(real_estimate$task, real_estimate$coordinate, sep = "\r"))) {
    stop_arg("real_estimate", "has more than one row for some (task, coordinate) pair.")
  }
  parts <- lapply(seq_len(d), function(k) {
    rows <- real_estimate[as.character(real_estimate$coordinate) == as.character(coords[k]), ,
                          drop = FALSE]
    if (!nrow(rows)) stop_arg("real_estimate", "has no row for coordinate \"", coords[k], "\".")
    check_real_estimate(rows, targets$rows[[k]], method)
  })
  list(est = unlist(lapply(parts, `[[`, "est")), se = unlist(lapply(parts, `[[`, "se")))
}

new_exchangeable_region <- function(x, alpha, shape) {
  attr(x, "alpha") <- alpha
  attr(x, "shape") <- shape
  class(x) <- c("exchangeable_region", setdiff(class(x), "exchangeable_region"))
  x
}

task_coordinates <- function(tasks) {
  if (anyNA(tasks$coordinate)) stop_arg("tasks", "has missing values in `coordinate`.")
  unique(tasks$coordinate)
}

# Long rows -> per-coordinate data frames, rows in the same task order; every
# task must have each coordinate exactly once.
widen_tasks <- function(df, coords, arg) {
  if (!"coordinate" %in% names(df)) stop_arg(arg, "needs a `coordinate` column.")
  ids <- unique(df$task)
  key <- paste(df$task, df$coordinate, sep = "\r")
  if (anyDuplicated(key)) {
    stop_arg(arg, "has more than one row for some (task, coordinate) pair, e.g. task ",
             format_ids(df$task[duplicated(key)][1]), ".")
  }
  extra <- setdiff(unique(df$coordinate), coords)
  if (length(extra)) stop_arg(arg, "has unknown coordinate(s) ", format_ids(extra), ".")
  rows <- lapply(coords, function(k) {
    r <- df[df$coordinate == k, , drop = FALSE]
    missing <- setdiff(as.character(ids), as.character(r$task))
    if (length(missing)) {
      stop_arg(arg, "has no row for coordinate \"", k, "\" of task(s) ", format_ids(missing), ".")
    }
    r[match(as.character(ids), as.character(r$task)), , drop = FALSE]
  })
  list(ids = ids, rows = rows)
}

# The user's center and scale of a box or ball, checked and in coordinate
# order; numeric() where not given, for the core's defaults (the mean and
# standard deviation of the historical gaps, from the tasks it calibrates on).
region_family <- function(center, scale, coords) {
  center <- region_parameter(center, coords, "center")
  scale <- region_parameter(scale, coords, "scale")
  if (any(scale <= 0)) stop_arg("scale", "must be positive.")
  list(center = center, scale = scale)
}

region_parameter <- function(x, coords, arg) {
  if (is.null(x)) return(numeric())
  v <- check_numeric_vector(x, arg)
  if (!is.null(names(x)) && all(as.character(coords) %in% names(x))) {
    v <- v[match(as.character(coords), names(x))]
  }
  if (length(v) != length(coords)) {
    stop_arg(arg, "must have one value per coordinate (", length(coords), "), not ", length(v), ".")
  }
  as.double(v)
}

#' @export
format.exchangeable_region <- function(x, ...) {
  if (!has_columns(x, c("task", "coordinate", "estimate", "conf.low", "conf.high"))) {
    return(format(as_plain_tibble(x, "exchangeable_region"), ...))
  }
  lvl <- format(100 * (1 - attr(x, "alpha")))
  head <- sprintf("Task-exchangeability joint %s%% region (%s, Algorithm 3)", lvl,
                  attr(x, "shape"))
  rows <- sprintf("  %s / %s: %.4g [%.4g, %.4g]", format(x$task), format(x$coordinate),
                  x$estimate, x$conf.low, x$conf.high)
  if (attr(x, "shape") == "ball" && "radius" %in% names(x)) {
    head <- paste0(head, sprintf("; radius %.4g (bounding box shown)", x$radius[1]))
  }
  c(head, rows, "  (tidy() or tibble::as_tibble() give every column)")
}

#' @export
print.exchangeable_region <- function(x, ...) {
  cat(format(x, ...), sep = "\n")
  invisible(x)
}

#' @method tidy exchangeable_region
#' @export
tidy.exchangeable_region <- function(x, ...) {
  tibble::tibble(task = x$task, coordinate = x$coordinate, estimate = x$estimate,
                 conf.low = x$conf.low, conf.high = x$conf.high,
                 shape = attr(x, "shape"), alpha = attr(x, "alpha"))
}
