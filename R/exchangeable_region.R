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
#' @section Methods and how to read the result:
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
#' @param method `"bonferroni"`, `"box"` or `"ball"`.
#' @param center,scale For `"box"` and `"ball"`: numeric vectors of length
#'   `D` (in coordinate order; names matching the coordinates are used), or
#'   `NULL` for the data-driven defaults.
#' @param ... For `"bonferroni"`, further arguments of [exchangeable_ci()]
#'   such as `weights` or `real`; must be empty for `"box"` and `"ball"`.
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
#' exchangeable_region(tasks, target = 41, method = "ball", bounds = c(0, 1))
exchangeable_region <- function(tasks, target, alpha = 0.1,
                                method = c("bonferroni", "box", "ball"),
                                split = NULL, bounds = NULL, center = NULL,
                                scale = NULL, paired = TRUE, ..., band = NULL) {
  if (!is.null(band)) {
    return(region_band(tasks, if (missing(target)) NULL else target, alpha, method, split,
                       bounds, band, ...))
  }
  region_fit(tasks, target, alpha, method, split, bounds, center, scale, paired, ...)
}

# exchangeable_region(band = ): the Bonferroni rectangle from one saved band
# per coordinate.
region_band <- function(tasks, target, alpha, method, split, bounds, band, ...) {
  method <- check_choice(method, c("bonferroni", "box", "ball"), "method")
  if (method != "bonferroni") {
    stop_arg("band", "applies to method = \"bonferroni\" only; the scores of \"box\" and ",
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
  ids <- widen_tasks(targets, coords, "target")$ids
  sel <- select_band(band, alpha, bonferroni_split(alpha, split), "population", FALSE, level = d)
  if (!has_coordinates(sel$band)) stop_arg("band", "needs a `coordinate` column: one band per coordinate.")
  per <- lapply(coords, function(k) {
    i <- which(as.character(sel$band$coordinate) == as.character(k))
    if (length(i) != 1L) {
      stop_arg("band", "must have exactly one row for coordinate \"", k, "\" at alpha = ",
               format(alpha), ", not ", length(i), ".")
    }
    t <- targets[targets$coordinate == k, , drop = FALSE]
    ci <- band_engine(t, sel$band[i, , drop = FALSE], sel$levels[[i]], bounds, alpha / d)
    tibble::add_column(tibble::as_tibble(unclass_ci(ci)), coordinate = k, .after = "task")
  })
  out <- do.call(rbind, per)
  out <- out[order(match(out$task, ids), match(out$coordinate, coords)), , drop = FALSE]
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

# The work of exchangeable_region(); `truth` (a targets x D matrix) adds the
# joint coverage of each target's region, for exchangeable_loo().
region_fit <- function(tasks, target, alpha, method, split = NULL, bounds = NULL,
                       center = NULL, scale = NULL, paired = TRUE, ..., truth = NULL) {
  method <- check_choice(method, c("bonferroni", "box", "ball"), "method")
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
  if (method == "bonferroni") {
    return(region_bonferroni(parts$hist, parts$targets, coords, alpha, split, bounds,
                             paired, ...))
  }
  if (...length() > 0L) {
    stop_arg("...", "must be empty for method = \"", method, "\"; got ",
             paste(names(list(...)), collapse = ", "), ".")
  }
  gaps <- lapply(hist$rows, history_gaps, need_se = TRUE, paired = paired)
  gap_est <- vapply(gaps, `[[`, numeric(length(hist$ids)), "est")
  gap_se <- vapply(gaps, `[[`, numeric(length(hist$ids)), "se")
  dim(gap_est) <- dim(gap_se) <- c(length(hist$ids), length(coords))
  center <- region_parameter(center, colMeans(gap_est), coords, "center")
  scale <- region_parameter(scale, region_default_scale(gap_est), coords, "scale")
  if (any(scale <= 0)) stop_arg("scale", "must be positive.")
  synth <- lapply(targets$rows, function(r) {
    check_sample_sizes(r, "n_synth", "target")
    se <- task_column(r, "synth_se", "target", nonneg = TRUE)
    warn_zero_se(se, r$task, "synth_se", "target task(s)")
    list(est = task_column(r, "synth_est", "target"), se = se)
  })
  synth_est <- vapply(synth, `[[`, numeric(length(targets$ids)), "est")
  synth_se <- vapply(synth, `[[`, numeric(length(targets$ids)), "se")
  alphas <- resolve_split(alpha, split, length(hist$ids), sides = 1)
  region_engine(gap_est, gap_se, synth_est, synth_se, targets$ids, coords, alphas,
                method, center, scale, bounds, alpha, truth)
}

# Validated matrices -> result tibble (and coverage when `truth` is given).
region_engine <- function(gap_est, gap_se, synth_est, synth_se, ids, coords, alphas,
                          method, center, scale, bounds, alpha, truth = NULL) {
  m <- length(ids)
  d <- length(coords)
  res <- rs_exchange_region(as.double(gap_est), as.double(gap_se), nrow(gap_est), d,
                            as.double(synth_est), as.double(synth_se),
                            as.double(alphas), method, center, scale, bounds,
                            if (is.null(truth)) numeric() else as.double(truth))
  out <- tibble::tibble(
    task = rep(ids, times = d), coordinate = rep(coords, each = m),
    estimate = res$estimate, conf.low = res$low, conf.high = res$high,
    synth_est = as.double(synth_est), synth_low = res$synth_low, synth_high = res$synth_high,
    center = rep(center, each = m), scale = rep(scale, each = m),
    radius = res$radius, rank = res$rank,
    a1 = alphas[["a1"]], a2 = alphas[["a2"]], a3 = alphas[["a3"]],
    n_tasks = nrow(gap_est), width = res$high - res$low)
  out <- out[order(match(out$task, ids)), , drop = FALSE]
  if (!is.null(truth)) attr(out, "joint_covered") <- stats::setNames(res$covered, ids)
  new_exchangeable_region(out, alpha, method)
}

region_bonferroni <- function(hist, targets, coords, alpha, split, bounds, paired, ...) {
  d <- length(coords)
  per <- lapply(coords, function(k) {
    h <- hist[hist$coordinate == k, , drop = FALSE]
    t <- targets[targets$coordinate == k, , drop = FALSE]
    h$coordinate <- NULL
    t$coordinate <- NULL
    ci <- exchangeable_ci(h, t, alpha = alpha / d, split = bonferroni_split(alpha, split),
                          bounds = bounds, paired = paired, ...)
    ci <- tibble::as_tibble(unclass_ci(ci))
    tibble::add_column(ci, coordinate = k, .after = "task")
  })
  out <- do.call(rbind, per)
  ids <- unique(targets$task)
  out <- out[order(match(out$task, ids), match(out$coordinate, coords)), , drop = FALSE]
  new_exchangeable_region(out, alpha, "bonferroni")
}

unclass_ci <- function(x) {
  x <- as_plain_tibble(x, "exchangeable_ci")
  attributes(x)[c("alpha", "method", "weighted", "real", "band")] <- NULL
  x
}

new_exchangeable_region <- function(x, alpha, method) {
  attr(x, "alpha") <- alpha
  attr(x, "method") <- method
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

region_parameter <- function(x, default, coords, arg) {
  if (is.null(x)) return(as.double(default))
  v <- check_numeric_vector(x, arg)
  if (!is.null(names(x)) && all(as.character(coords) %in% names(x))) {
    v <- v[match(as.character(coords), names(x))]
  }
  if (length(v) != length(coords)) {
    stop_arg(arg, "must have one value per coordinate (", length(coords), "), not ", length(v), ".")
  }
  v
}

region_default_scale <- function(gap_est) {
  if (nrow(gap_est) < 2L) {
    stop_arg("scale", "must be given with a single historical task (no spread to estimate).")
  }
  s <- apply(gap_est, 2, stats::sd)
  if (any(s <= 0)) {
    stop_arg("scale", "must be given: the historical gaps do not vary in coordinate(s) ",
             paste(which(s <= 0), collapse = ", "), ".")
  }
  s
}

#' @export
format.exchangeable_region <- function(x, ...) {
  if (!has_columns(x, c("task", "coordinate", "estimate", "conf.low", "conf.high"))) {
    return(format(as_plain_tibble(x, "exchangeable_region"), ...))
  }
  lvl <- format(100 * (1 - attr(x, "alpha")))
  head <- sprintf("Task-exchangeability joint %s%% region (%s, Algorithm 3)", lvl,
                  attr(x, "method"))
  rows <- sprintf("  %s / %s: %.4g [%.4g, %.4g]", format(x$task), format(x$coordinate),
                  x$estimate, x$conf.low, x$conf.high)
  if (attr(x, "method") == "ball" && "radius" %in% names(x)) {
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
                 method = attr(x, "method"), alpha = attr(x, "alpha"))
}
