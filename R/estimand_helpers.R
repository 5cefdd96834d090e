# Helpers shared by the estimands that reduce to synth_glm() on a derived
# per-unit table (synth_ate(), synth_ar1()): reading the surrogate columns,
# renaming the fitted term, and R-side draws under the seeding rule.

# The surrogate columns of one variable `var`, given as `proxy` or
# `synthetic` in synth_glm()'s map convention: a map c(var = "col"), a bare
# column name "col", or (`several = TRUE`, for `synthetic`) a list of them.
# Returns a character vector of column names (length 0 for NULL), checked to
# be numeric and finite on every row of `data`.
surrogate_columns <- function(x, arg, var, data, several = FALSE) {
  if (is.null(x)) return(character())
  items <- if (several && is.list(x)) x else list(x)
  if (!length(items)) stop_arg(arg, "must be NULL, a column name or a map such as c(", var, " = \"col\").")
  cols <- vapply(seq_along(items), function(k) {
    what <- if (length(items) > 1L) sprintf("%s[[%d]]", arg, k) else arg
    map <- items[[k]]
    if (!is.character(map) || length(map) != 1L || is.na(map) || !nzchar(map)) {
      stop_arg(what, "must be one column name or a map such as c(", var, " = \"", var, "_llm\")",
               if (several) " (a list of them for several sources)" else "",
               "; only the outcome has surrogates here, every other variable is observed on every row.")
    }
    if (!is.null(names(map)) && !identical(names(map), var)) {
      stop_arg(what, "maps `", names(map), "`, but only `", var, "` has surrogate values here ",
               "(use c(", var, " = \"", map, "\")).")
    }
    if (!(map %in% names(data))) {
      stop_arg(what, "refers to column `", map, "`, which is not in `data`.")
    }
    v <- data[[map]]
    if (is.logical(v)) v <- as.double(v)
    if (!is.numeric(v) || is.object(v) && !inherits(v, "numeric")) {
      stop_arg(what, "column `", map, "` must be numeric, not ", class(data[[map]])[1], ".")
    }
    if (!all_finite(v)) {
      stop_arg(what, "column `", map, "` has missing or infinite values at row(s) ",
               format_positions(which(!is.finite(v))), "; surrogates must be available on every row.")
    }
    unname(map)
  }, "")
  cols
}

# A numeric column of `data` (logical read as 0/1), or an input error.
numeric_values <- function(data, col, arg, what) {
  v <- data[[col]]
  if (is.logical(v)) v <- as.double(v)
  if (!is.numeric(v) || is.object(v) && !inherits(v, "numeric") || !is.null(dim(v))) {
    stop_arg(arg, what, " `", col, "` must be numeric, not ", class(data[[col]])[1], ".")
  }
  if (any(is.nan(v))) {
    stop_arg(arg, what, " `", col, "` is NaN at row(s) ", format_positions(which(is.nan(v))),
             ": mark unobserved values with NA; NaN usually comes from a failed computation.")
  }
  if (any(is.infinite(v))) {
    stop_arg(arg, what, " `", col, "` is infinite at row(s) ", format_positions(which(is.infinite(v))), ".")
  }
  as.double(v)
}

# One column name of `data`, or an input error naming `arg`.
one_column <- function(x, arg, data) {
  if (!is.character(x) || length(x) != 1L || is.na(x)) {
    stop_arg(arg, "must be the name of one column of `data`.")
  }
  if (!(x %in% names(data))) stop_arg(arg, "names column `", x, "`, which is not in `data`.")
  x
}

# Renames the coefficients of a synth_glm fit (coefficients, vcov,
# n_effective) and sets its class and call: the estimands below fit a
# synth_glm on a derived table whose terms are internal names.
relabel_fit <- function(fit, terms, class, call) {
  names(fit$coefficients) <- terms
  dimnames(fit$vcov) <- list(terms, terms)
  if (!is.null(fit$n_effective)) names(fit$n_effective) <- terms
  fit$call <- call
  class(fit) <- c(class, class(fit))
  fit
}

# Evaluates `expr` with R's generator seeded from `seed` (a resolved seed,
# see resolve_seed()) and restores the caller's generator afterwards, so a
# given seed leaves R's random number stream alone.
with_local_seed <- function(seed, expr) {
  genv <- globalenv()
  old <- if (exists(".Random.seed", envir = genv, inherits = FALSE)) get(".Random.seed", envir = genv)
  on.exit(if (is.null(old)) rm(".Random.seed", envir = genv) else assign(".Random.seed", old, envir = genv))
  set.seed(as.integer(seed %% .Machine$integer.max))
  expr
}

# The header line of print() and summary() for a relabeled fit: the
# synth_glm printout with its first line replaced.
print_with_header <- function(header, x, ...) {
  out <- utils::capture.output(print_parent(x, ...))
  out[1L] <- header
  cat(out, sep = "\n")
  invisible(x)
}

# Prints `x` with the method of the next class after the estimand's own
# (synth_glm or summary.synth_glm).
print_parent <- function(x, ...) {
  cls <- class(x)
  class(x) <- cls[-1L]
  print(x, ...)
}

# summary() of a relabeled fit: synth_glm's summary, classed
# "summary.<cls>" first so that its print method shows the header.
summary_estimand <- function(object, cls) {
  s <- summary.synth_glm(object)
  class(s) <- c(paste0("summary.", cls), class(s))
  s
}

# predict() of an estimand that is not a regression.
no_predict <- function(what, coefficient) {
  stop_arg("object", "is ", what, ": it has no regression to predict from (see coef() for ",
           coefficient, ").")
}
