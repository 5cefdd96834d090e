#' Per-task summaries of unit-level real and synthetic data
#'
#' Reduces unit-level data, where each unit carries a real value, a synthetic
#' value or both, to one row per task: the real and synthetic estimates, their
#' standard errors and the real-minus-synthetic gap. This is the task table
#' that the task-exchangeability intervals calibrate on.
#'
#' @section Estimands and standard errors:
#' * `"mean"`: the Hajek weighted mean `sum(w y) / sum(w)` with the
#'   linearisation (design-based) standard error
#'   `sqrt(n / (n - 1) * sum(w_i^2 (y_i - m)^2)) / sum(w)`. The factor
#'   `n / (n - 1)` is chosen so that with unit weights the standard error is
#'   exactly `sd(y) / sqrt(n)`, with the `n - 1` divisor of [stats::sd()].
#' * `"median"` or a number `p` in (0, 1): the weighted `p`-quantile, the
#'   smallest value at which the weighted empirical distribution function
#'   reaches `p`, averaged with the next value where that function is flat at
#'   `p`. With unit weights this is `quantile(y, p, type = 2)` and the median
#'   is [stats::median()]. Standard errors are bootstrap standard deviations
#'   over `reps` resamples, run in Rust on `threads` threads.
#' * A function `function(x, w)` returning one number: evaluated in R on each
#'   task's values `x` with weights `w`; standard errors by the bootstrap in R.
#'
#' Bootstrap resamples are drawn by Rust from `seed` (see the argument), per task and replicate,
#' so results do not depend on `threads`, and a user function sees exactly the
#' resamples the built-in quantiles use. Units keep their weights when
#' resampled.
#'
#' @section Paired and unpaired designs:
#' With `paired = TRUE` each unit (row) carries a real and a synthetic value
#' (a synthetic twin generated for that unit) and one weight. Rows missing
#' either value are dropped, with a warning that counts them, so both sides
#' use the same units and `gap_est = real_est - synth_est`. For the mean the
#' gap's standard error is that of the weighted mean of the unit differences,
#' which accounts for the correlation between a unit and its twin; for other
#' estimands the bootstrap resamples units jointly.
#'
#' With `paired = FALSE` real and synthetic values are separate samples: a row
#' counts toward the real sample when its real value is present and toward the
#' synthetic sample when its synthetic value is present; the gap standard error
#' is `sqrt(real_se^2 + synth_se^2)`.
#'
#' @section Weights:
#' Weights must be finite and non-negative; rows with weight zero are dropped
#' before anything else (they count in no `n`). A task needs at least two
#' units with positive weight on each side; otherwise an error names it.
#' When the weights of a task put nearly all their mass on one unit (Kish's
#' effective sample size `sum(w)^2 / sum(w^2)` below 2), its standard errors
#' rest on about one observation and come out near 0: a warning of class
#' `synthinfer_warning_effective_size` names the task.
#'
#' @param data A data frame with one row per unit.
#' @param task Name(s) of the column(s) identifying the task, as strings or
#'   bare names. With several columns, each task is a combination; the result
#'   keeps the key columns (except one whose name is an output column, such as
#'   `task`) and labels `task` as their values joined by `" / "`.
#' @param real,synthetic Names of the numeric (or logical) columns with the
#'   real and synthetic values; `NA` marks a missing value.
#' @param weights `NULL` (unit weights) or the name of a column of
#'   non-negative survey weights.
#' @param paired Whether each row pairs a real value with its synthetic twin.
#' @param estimand `"mean"`, `"median"`, a quantile level in (0, 1), or a
#'   function `function(x, w)` returning a single number.
#' @param reps Number of bootstrap replicates (estimands other than the mean).
#' @param seed `NULL` (the default) draws the bootstrap's seed from R's
#'   random number generator, so [set.seed()] before the call makes it
#'   reproducible; a whole number >= 0 is used as given. The mean needs no
#'   bootstrap and leaves R's generator alone. (The default was `1` in
#'   synthinfer 0.1.0.)
#' @param threads Number of threads for the bootstrap.
#' @return A tibble with one row per task, sorted by task, with columns
#'   (the key columns when `task` names several, then) `task`, `n_real`,
#'   `n_synth`, `real_est`, `real_se`, `synth_est`, `synth_se`, `gap_est`,
#'   `gap_se`, where gap = real - synthetic.
#' @references Tan, Z. and Zrnic, T. (2026). Valid inference with synthetic
#'   data via task exchangeability.
#' @export
#' @examples
#' set.seed(1)
#' units <- data.frame(group = rep(c("a", "b", "c"), each = 50),
#'                     y = rbinom(150, 1, 0.5))
#' units$y_llm <- pmin(1, units$y + rbinom(150, 1, 0.2))
#' task_summaries(units, task = group, real = y, synthetic = y_llm)
#' task_summaries(units, "group", "y", "y_llm", estimand = "median",
#'                reps = 200, threads = 1)
task_summaries <- function(data, task, real, synthetic, weights = NULL, paired = TRUE,
                           estimand = "mean", reps = 1000, seed = NULL,
                           threads = default_threads()) {
  if (!is.data.frame(data)) {
    stop_arg("data", "must be a data frame, not ", class(data)[1], ".")
  }
  env <- parent.frame()
  task_cols <- column_arg(substitute(task), env, data, "task", multiple = TRUE)
  real_col <- column_arg(substitute(real), env, data, "real")
  synth_col <- column_arg(substitute(synthetic), env, data, "synthetic")
  weight_col <- column_arg(substitute(weights), env, data, "weights", null_ok = TRUE)
  if (!is.logical(paired) || length(paired) != 1L || is.na(paired)) {
    stop_arg("paired", "must be TRUE or FALSE.")
  }
  est <- parse_estimand(estimand)
  reps <- check_count(reps, "reps", min = 2L)
  # Only the bootstrap draws random numbers: the mean leaves R's generator alone.
  seed <- if (est$kind == "mean") resolve_seed(if (is.null(seed)) 0 else seed) else resolve_seed(seed)
  threads <- check_threads(threads)

  if (nrow(data) == 0L) stop_arg("data", "has no rows.")
  real_y <- unit_values(data[[real_col]], real_col, "real")
  synth_y <- unit_values(data[[synth_col]], synth_col, "synthetic")
  w <- unit_weights(data, weight_col)
  keys <- task_keys(data, task_cols)
  code <- keys$code
  keep <- w > 0
  units <- select_units(code[keep], real_y[keep], synth_y[keep], w[keep], paired,
                        keys$label)
  check_task_sizes(units, keys$label, paired)
  if (!is.null(weight_col)) warn_effective_size(units, keys$label, paired)

  n_tasks <- length(keys$label)
  rows <- if (est$kind == "function") {
    bootstrap_user_estimand(units, keys$label, est$fun, paired, reps, seed)
  } else {
    run_interruptible("Bootstrapping task summaries", function(progress) {
      if (paired) {
        rs_task_summaries_paired(units$real_task, units$real, units$synth, units$real_w,
                                 n_tasks, est$kind, est$p, reps, seed, threads, progress)
      } else {
        rs_task_summaries_unpaired(units$real_task, units$real, units$real_w,
                                   units$synth_task, units$synth, units$synth_w,
                                   n_tasks, est$kind, est$p, reps, seed, threads, progress)
      }
    })
  }
  check_summaries_finite(rows, keys$label, is.function(estimand))
  # warn_zero_se() is shared with the exchange functions (R/exchange_tasks.R)
  for (col in c("real_se", "synth_se", "gap_se")) {
    warn_zero_se(rows[[col]], keys$label, col, "task(s)")
  }
  out <- tibble::as_tibble(c(list(task = keys$label), rows))
  if (length(task_cols) > 1L) {
    # Key columns are kept beside the joined label, unless a key's name
    # clashes with an output column (e.g. a key called "task").
    extra <- keys$distinct[setdiff(names(keys$distinct), names(out))]
    out <- tibble::as_tibble(c(extra, out))
  }
  out
}

# A NaN or infinite summary would flow silently into every interval built
# on the task table. With finite inputs it arises only from overflow (values
# or weights beyond ~1e154, whose squares exceed double precision) or from a
# user's estimand function.
check_summaries_finite <- function(rows, labels, user_estimand) {
  cols <- c("real_est", "real_se", "synth_est", "synth_se", "gap_est", "gap_se")
  bad <- Reduce(`|`, lapply(rows[cols], function(v) !is.finite(v)))
  if (any(bad)) {
    abort_classed("synthinfer_error_numeric", paste0(
      "The summaries of task(s) ", format_positions(paste0('"', labels[bad], '"')),
      " are not finite numbers: ",
      if (user_estimand) "the `estimand` function returned NaN or Inf, or " else "",
      "the values or weights are too large for double precision; rescale them."))
  }
}

# estimand -> list(kind = "mean" | "quantile" | "function", p, fun)
parse_estimand <- function(estimand) {
  if (is.function(estimand)) {
    # It is called as fun(x, w): say so up front rather than let R report
    # "unused argument (w)" from inside the bootstrap.
    f <- names(formals(args(estimand)))
    if (length(f) < 2L && !"..." %in% f) {
      stop_arg("estimand", "must be a function of two arguments, the values and the ",
               "weights (x, w), returning one number; this one takes ", length(f), ".")
    }
    return(list(kind = "function", p = NA_real_, fun = estimand))
  }
  if (is.character(estimand) && length(estimand) == 1L && !is.na(estimand)) {
    if (estimand == "mean") return(list(kind = "mean", p = 0.5))
    if (estimand == "median") return(list(kind = "quantile", p = 0.5))
  }
  if (is.numeric(estimand) && length(estimand) == 1L && !is.na(estimand)) {
    return(list(kind = "quantile", p = check_probability(estimand, "estimand")))
  }
  stop_arg("estimand", "must be \"mean\", \"median\", a quantile level in (0, 1) ",
           "or a function(x, w) returning one number.")
}

unit_values <- function(x, col, arg) {
  if (!(is.numeric(x) || is.logical(x)) || is.object(x) && !is.numeric(unclass(x))) {
    stop_arg(arg, "column '", col, "' must be numeric or logical, not ", class(x)[1], ".")
  }
  x <- as.double(x)
  bad <- !is.na(x) & !is.finite(x)
  if (any(bad)) {
    stop_arg(arg, "column '", col, "' has infinite values in row(s) ",
             format_positions(which(bad)), ".")
  }
  x
}

unit_weights <- function(data, col) {
  if (is.null(col)) return(rep(1, nrow(data)))
  w <- data[[col]]
  if (!is.numeric(w)) {
    stop_arg("weights", "column '", col, "' must be numeric, not ", class(w)[1], ".")
  }
  w <- as.double(w)
  if (anyNA(w) || any(!is.finite(w))) {
    stop_arg("weights", "column '", col, "' has missing or infinite values in row(s) ",
             format_positions(which(!is.finite(w))), ".")
  }
  if (any(w < 0)) {
    stop_arg("weights", "column '", col, "' has negative values in row(s) ",
             format_positions(which(w < 0)), ".")
  }
  w
}

# The real and synthetic samples that enter the summaries, with 0-based task
# codes. Paired: complete rows only (one sample of pairs).
select_units <- function(code, real, synth, w, paired, labels) {
  has_real <- !is.na(real)
  has_synth <- !is.na(synth)
  if (paired) {
    complete <- has_real & has_synth
    if (any(!complete)) {
      warning(sprintf(paste0(
        "`paired = TRUE` dropped %d row(s) with a missing real or synthetic value ",
        "(in %s)."), sum(!complete), name_tasks(labels[sort(unique(code[!complete])) + 1L])),
        call. = FALSE)
    }
    has_real <- has_synth <- complete
  }
  list(real_task = code[has_real], real = real[has_real], real_w = w[has_real],
       synth_task = code[has_synth], synth = synth[has_synth], synth_w = w[has_synth])
}

check_task_sizes <- function(units, labels, paired) {
  n_tasks <- length(labels)
  count <- function(code) tabulate(code + 1L, nbins = n_tasks)
  sides <- list(real = count(units$real_task), synthetic = count(units$synth_task))
  for (side in names(sides)) {
    small <- which(sides[[side]] < 2L)
    if (length(small)) {
      stop_arg("data", sprintf(paste0(
        "has too few units: %s %s fewer than 2 %s values with positive weight%s: a standard error ",
        "needs at least 2. Drop or merge such tasks."),
        name_tasks(labels[small]), if (length(small) == 1L) "has" else "have",
        if (paired) "paired" else side,
        if (paired) " (rows with both values present)" else ""))
    }
  }
}

# Kish's effective sample size, (sum w)^2 / sum(w^2), of each task's units on
# each side. Two units with positive weight pass check_task_sizes(), but when
# the weights put nearly all the mass on one unit the linearised standard
# error rests on about one observation: it is then close to 0 (a point
# interval) although the data vary, with no coverage guarantee.
warn_effective_size <- function(units, labels, paired) {
  kish <- function(code, w) {
    # Dividing by each task's largest weight keeps w^2 from overflowing.
    w <- w / stats::ave(w, code, FUN = max)
    n <- rep(NA_real_, length(labels))
    s1 <- tapply(w, code, sum)
    s2 <- tapply(w^2, code, sum)
    n[as.integer(names(s1)) + 1L] <- s1^2 / s2
    n
  }
  sides <- list(real = kish(units$real_task, units$real_w))
  if (!paired) sides$synthetic <- kish(units$synth_task, units$synth_w)
  n_eff <- do.call(pmin, c(unname(sides), na.rm = TRUE))
  small <- which(n_eff < 2)
  if (length(small)) {
    warn_classed("synthinfer_warning_effective_size", sprintf(paste0(
      "The weights put nearly all their mass on one unit in %s (effective sample size %s, ",
      "below 2): the standard errors rest on about one observation and come out near 0, ",
      "so intervals built on them have no coverage guarantee. Check the weights, or merge ",
      "such tasks."), name_tasks(labels[small]),
      paste(format(n_eff[small], digits = 3), collapse = ", ")),
      tasks = labels[small], effective_size = n_eff[small])
  }
}
