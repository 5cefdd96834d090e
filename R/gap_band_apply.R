# Applying a saved or published gap band to new targets: the `band` path of
# exchangeable_ci(), exchangeable_region() (per coordinate) and
# exchangeable_loo(). A band holds only at the level and split it was made
# with, so every mismatch is an error rather than a silently wrong interval.

# The band rows that apply at `alpha` with the user's `split` and `method`,
# each with its levels c(a1, a2, a3) and method resolved. `level` is the
# Bonferroni divisor (D for the coordinates of a rectangle).
select_band <- function(band, alpha, split, method, method_given, level = 1) {
  b <- as_gap_band(band)
  known <- !is.na(b$alpha)
  if (any(known)) {
    keep <- known & abs(b$alpha - alpha) < 1e-9
    if (!any(keep)) {
      stop_arg("band", sprintf(paste0(
        "was made for alpha = %s, not %s: its guarantee holds only at the level ",
        "it was calibrated for. Use one of those levels, or recalibrate on the historical ",
        "tasks with exchangeable_band(alpha = %s)."),
        paste(vapply(unique(b$alpha[known]), format, ""), collapse = ", "), format(alpha),
        format(alpha)))
    }
    b <- b[keep, , drop = FALSE]
  }
  b$method <- vapply(seq_len(nrow(b)), function(i) {
    band_method(b$method[i], method, method_given)
  }, character(1))
  levels <- lapply(seq_len(nrow(b)), function(i) {
    band_levels(b[i, , drop = FALSE], alpha / level, split)
  })
  list(band = b, levels = levels)
}

band_method <- function(made_with, method, method_given) {
  if (is.na(made_with)) return(method)
  if (method_given && method != made_with) {
    stop_arg("method", sprintf(paste0(
      "is \"%s\", but the band was made with method = \"%s\": apply it with its own method ",
      "or recalibrate."), method, made_with))
  }
  made_with
}

# The split c(a1, a2, a3) of a band row: the band's own, checked against a
# user's `split` when both are known; the user's when the band does not
# carry it (a gap_band() result or c(lower, upper)).
band_levels <- function(row, alpha, split) {
  if (row$method == "finite_sample") {
    if (!is.na(row$alpha3) && abs(row$alpha3 - alpha) > 1e-9) {
      stop_arg("band", sprintf("spends alpha3 = %s, but the finite-sample interval at this level needs alpha3 = %s.",
                               format(row$alpha3), format(alpha)))
    }
    return(c(a1 = 0, a2 = 0, a3 = alpha))
  }
  made <- c(a1 = row$alpha1, a2 = row$alpha2, a3 = row$alpha3)
  user <- if (!is.null(split)) split_levels(alpha, split)
  if (!anyNA(made)) {
    if (!is.null(user) && any(abs(user - made) > 1e-9)) {
      stop_arg("split", sprintf(paste0(
        "gives c(%s), but the band was made with the split c(%s): a band holds ",
        "only with the split it was calibrated with (its alpha1 is the level of the ",
        "synthetic interval it widens). Drop `split` to use the band's own."),
        paste(vapply(user, format, ""), collapse = ", "),
        paste(vapply(made, format, ""), collapse = ", ")))
    }
    return(made)
  }
  if (is.null(user)) {
    stop_arg("split", "is needed: the band does not say how alpha was divided when it was ",
             "made. Give the c(a1, a2, a3) it was calibrated with.")
  }
  if (!is.na(made[["a3"]]) && abs(user[["a3"]] - made[["a3"]]) > 1e-9) {
    stop_arg("split", "gives a3 = ", format(user[["a3"]]), ", but the band was made with alpha3 = ",
             format(made[["a3"]]), ".")
  }
  user
}

# Intervals from band rows (one per coordinate, `levels` their splits) for
# targets with synthetic columns `synth_est`, `synth_se` (m x D): one call
# into the core; rows target by target, coordinates in order. What the band
# does not carry (the width decomposition, the point estimate without
# `mean_gap`, the ranks without `n_tasks`) comes back NA.
band_call <- function(rows, levels, synth_est, synth_se, bounds) {
  rs_exchange_band(rows$delta_lower, rows$delta_upper,
                   as.double(rows$mean_gap), as.double(rows$n_tasks),
                   as.double(do.call(rbind, levels)), rows$method,
                   as.double(synth_est), as.double(synth_se), bounds)
}

band_engine <- function(targets, row, alphas, bounds, alpha) {
  method <- row$method
  synth_est <- task_column(targets, "synth_est", "target")
  res <- band_call(row, list(alphas), synth_est, engine_synth_se(targets, method), bounds)
  out <- tibble::as_tibble(c(list(task = targets$task), res))
  warn_outside_bounds(out$task, out$synth_est, out$conf.low, out$conf.high, bounds)
  new_exchangeable_ci(out, alpha = alpha, method = method, weighted = FALSE, real = FALSE,
                      band = TRUE)
}

# exchangeable_ci(band = ): all rows of `tasks` are targets when `target` is
# missing; other rows are not used (said in a warning).
exchange_ci_band <- function(tasks, target, alpha, split, method, method_given, bounds, band) {
  parts <- if (is.null(target)) list(hist = tasks[0, , drop = FALSE], targets = tasks) else split_target(tasks, target)
  if (nrow(parts$hist)) {
    warning(sprintf(paste0(
      "`band` replaces the historical tasks: the %d row(s) of `tasks` that are not ",
      "targets are not used."), nrow(parts$hist)), call. = FALSE)
  }
  sel <- select_band(band, alpha, split, method, method_given)
  if (has_coordinates(sel$band) || nrow(sel$band) != 1L) {
    stop_arg("band", "has ", nrow(sel$band), " bands at alpha = ", format(alpha),
             if (has_coordinates(sel$band)) " (one per coordinate: use exchangeable_region())",
             "; a scalar target needs exactly one.")
  }
  band_engine(parts$targets, sel$band, sel$levels[[1]], bounds, alpha)
}
