# Column arguments given as strings or as bare column names.
#
# `task_summaries(d, task = "region")` and `task_summaries(d, task = region)`
# mean the same. A bare name is taken as a column of `data` when `data` has
# a column of that name (the column wins over a variable of the same name,
# as in data-masking verbs); otherwise the expression is evaluated in the
# caller's frame and must give column names as a character vector.

column_arg <- function(expr, env, data, arg, multiple = FALSE, null_ok = FALSE) {
  value <- if (is.call(expr) && identical(expr[[1]], as.name("c"))) {
    unlist(lapply(as.list(expr)[-1], bare_or_value, env = env, data = data))
  } else {
    bare_or_value(expr, env, data)
  }
  if (null_ok && is.null(value)) return(NULL)
  if (!is.character(value) || length(value) == 0L || anyNA(value) ||
      (!multiple && length(value) != 1L)) {
    stop_arg(arg, "must be ", if (multiple) "one or more column names" else "one column name",
             " of `data`, as ", if (multiple) "strings" else "a string", " or bare name",
             if (multiple) "s" else "", ".")
  }
  missing_cols <- setdiff(value, names(data))
  if (length(missing_cols)) {
    stop_arg(arg, "names column(s) ", paste0("'", missing_cols, "'", collapse = ", "),
             " that `data` does not have.")
  }
  value
}

bare_or_value <- function(expr, env, data) {
  if (is.symbol(expr)) {
    name <- as.character(expr)
    # A bare name that is neither a column nor a variable is reported as a
    # missing column rather than as R's "object not found".
    if (name %in% names(data) || !exists(name, envir = env)) return(name)
  }
  eval(expr, env)
}
