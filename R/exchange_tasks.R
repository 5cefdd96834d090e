# Reading and checking the task table shared by exchangeable_ci(),
# exchangeable_region() and exchangeable_loo(): one row per task (or per task
# and coordinate) with n_real, n_synth, real_est, real_se, synth_est, synth_se,
# gap_est and gap_se. These helpers turn it into validated plain vectors so
# nothing reaches Rust with NA, NaN or Inf in it.

check_choice <- function(x, choices, arg) {
  if (!is.character(x) || length(x) < 1L || anyNA(x)) {
    stop_arg(arg, "must be one of ", paste0('"', choices, '"', collapse = ", "), ".")
  }
  if (identical(x, choices)) return(choices[1])
  if (length(x) != 1L || !x %in% choices) {
    stop_arg(arg, "must be one of ", paste0('"', choices, '"', collapse = ", "),
             ", not \"", paste(x, collapse = " "), "\".")
  }
  x
}

check_task_table <- function(tasks, arg = "tasks") {
  if (!is.data.frame(tasks)) {
    stop_arg(arg, "must be a data frame of task summaries (see task_summaries()), not ",
             class(tasks)[1], ".")
  }
  if (!"task" %in% names(tasks)) {
    stop_arg(arg, "needs a `task` column identifying the tasks.")
  }
  if (anyNA(tasks$task)) {
    stop_arg(arg, "has missing task ids (NA) in rows ", format_positions(which(is.na(tasks$task))), ".")
  }
  tasks
}

has_coordinates <- function(tasks) "coordinate" %in% names(tasks)

format_ids <- function(ids, max = 5L) {
  ids <- as.character(ids)
  shown <- paste0('"', utils::head(ids, max), '"', collapse = ", ")
  if (length(ids) > max) paste0(shown, ", ... (", length(ids), " in all)") else shown
}

# Column `col` of `df` as a checked double vector; errors name the column,
# the table argument and the offending tasks.
task_column <- function(df, col, arg, nonneg = FALSE) {
  if (!col %in% names(df)) {
    stop_arg(arg, "needs a `", col, "` column.")
  }
  x <- df[[col]]
  # A column of NA only (as read_arena_winrates() gives without bound_se)
  # is logical: it is missing values, not a column of the wrong type.
  if (is.logical(x) && all(is.na(x))) x <- as.double(x)
  if (!is.numeric(x)) {
    stop_arg(arg, "column `", col, "` must be numeric, not ", class(x)[1], ".")
  }
  bad <- is.na(x)
  if (any(bad)) {
    stop_arg(arg, "column `", col, "` has missing values (NA) for task(s) ",
             format_ids(df$task[bad]),
             if (col %in% c("gap_se", "synth_se")) {
               paste0(". The interval needs standard errors; method = \"finite_sample\" ",
                      "needs only the point estimates")
             }, ".")
  }
  bad <- !is.finite(x)
  if (any(bad)) {
    stop_arg(arg, "column `", col, "` has infinite values for task(s) ",
             format_ids(df$task[bad]), ".")
  }
  if (nonneg && any(x < 0)) {
    stop_arg(arg, "column `", col, "` must be >= 0; it is negative for task(s) ",
             format_ids(df$task[x < 0]), ".")
  }
  as.double(x)
}

# Standard errors need at least two observations: a single observation has no
# estimable spread (its Wald standard error is 0, a silent point interval).
check_sample_sizes <- function(df, col, arg) {
  if (!col %in% names(df)) return(invisible())
  n <- df[[col]]
  small <- !is.na(n) & n < 2
  if (any(small)) {
    stop_arg(arg, "has ", col, " < 2 for task(s) ", format_ids(df$task[small]),
             ": a standard error needs at least two observations.")
  }
  invisible()
}

# Vector targets check each coordinate's table in turn, so a task with zero
# standard errors in every coordinate would give D identical warnings: pass
# each distinct warning on once.
warn_once_each <- function(expr) {
  seen <- character()
  withCallingHandlers(expr, warning = function(w) {
    msg <- conditionMessage(w)
    if (msg %in% seen) invokeRestart("muffleWarning")
    seen <<- c(seen, msg)
  })
}

warn_zero_se <- function(se, ids, col, what) {
  zero <- se == 0
  if (any(zero)) {
    # Long (coordinate) tables repeat a task id once per coordinate.
    ids <- unique(ids[zero])
    zero <- rep(TRUE, length(ids))
    warning(sprintf(paste0(
      "`%s` is 0 for %s %s: zero-variance data (e.g. all answers identical) ",
      "make that interval a single point, and its coverage guarantee fails."),
      col, what, format_ids(ids[zero])), call. = FALSE)
  }
}

# Historical gap estimates and standard errors. With paired = FALSE the gap
# standard error is rebuilt from independent real and synthetic samples,
# sqrt(real_se^2 + synth_se^2); with paired = TRUE the table's gap_se (which
# task_summaries() computes from the unit-level differences) is used.
history_gaps <- function(hist, need_se, paired, arg = "tasks") {
  if (!"gap_est" %in% names(hist)) {
    stop_arg(arg, "needs a `gap_est` column (real minus synthetic estimate) for the ",
             "historical tasks. If the real and synthetic samples are independent, add ",
             "gap_est = real_est - synth_est and use paired = FALSE; for paired units ",
             "task_summaries() gives gap_est and its paired gap_se.")
  }
  gap_est <- task_column(hist, "gap_est", arg)
  if (!need_se) return(list(est = gap_est, se = rep(0, length(gap_est))))
  check_sample_sizes(hist, "n_real", arg)
  check_sample_sizes(hist, "n_synth", arg)
  gap_se <- if (isTRUE(paired)) {
    task_column(hist, "gap_se", arg, nonneg = TRUE)
  } else {
    sqrt(task_column(hist, "real_se", arg, nonneg = TRUE)^2 +
           task_column(hist, "synth_se", arg, nonneg = TRUE)^2)
  }
  warn_zero_se(gap_se, hist$task, "gap_se", "historical task(s)")
  list(est = gap_est, se = gap_se)
}

# Split `tasks` into historical rows and target rows. `target` is either task
# ids present in `tasks` or a data frame of target rows; in both cases rows of
# `tasks` whose id is a target never calibrate.
split_target <- function(tasks, target) {
  if (is.data.frame(target)) {
    if (!"task" %in% names(target)) stop_arg("target", "needs a `task` column.")
    if (anyNA(target$task)) stop_arg("target", "has missing task ids (NA).")
    hist <- tasks[!as.character(tasks$task) %in% as.character(target$task), , drop = FALSE]
    return(list(hist = hist, targets = target))
  }
  if (length(target) >= 1L && anyNA(target)) stop_arg("target", "contains missing values (NA).")
  # Ids are matched as text, so any atomic vector of ids works (also dates,
  # whose class makes is.numeric() FALSE).
  if (!is.atomic(target) || is.matrix(target) || length(target) < 1L) {
    stop_arg("target", "must be task id(s) present in `tasks` or a data frame of target rows.")
  }
  ids <- as.character(tasks$task)
  target <- unique(as.character(target))
  unknown <- setdiff(target, ids)
  if (length(unknown)) {
    stop_arg("target", "contains task id(s) not found in `tasks$task`: ", format_ids(unknown), ".")
  }
  is_target <- ids %in% target
  targets <- tasks[is_target, , drop = FALSE]
  list(hist = tasks[!is_target, , drop = FALSE], targets = targets)
}

check_unique_tasks <- function(df, arg) {
  dup <- duplicated(as.character(df$task))
  if (any(dup)) {
    stop_arg(arg, "has more than one row for task(s) ", format_ids(unique(df$task[dup])),
             "; for vector targets use a `coordinate` column and exchangeable_region().")
  }
}

check_bounds <- function(bounds) {
  if (is.null(bounds) || is.numeric(bounds) && length(bounds) == 0L) return(numeric())
  bounds <- check_numeric_vector(bounds, "bounds")
  if (length(bounds) != 2L || bounds[1] >= bounds[2]) {
    stop_arg("bounds", "must be c(lower, upper) with lower < upper, e.g. c(0, 1).")
  }
  bounds
}

check_flag <- function(x, arg) {
  if (!is.logical(x) || length(x) != 1L || is.na(x)) stop_arg(arg, "must be TRUE or FALSE.")
  x
}
