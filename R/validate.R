# Input checks shared by the user-facing functions. Each names the offending
# argument so the error tells the user what to fix; none returns silently on
# NA, NaN or Inf.

# An input error (class "synthinfer_error_input", see R/errors.R) naming the
# argument `arg`, which also travels as the condition's `arg` field.
stop_arg <- function(arg, ...) {
  abort_classed("synthinfer_error_input", sprintf("`%s` %s", arg, paste0(...)), arg = arg)
}

check_numeric_vector <- function(x, arg, min_length = 1L, finite = TRUE) {
  if (!is.numeric(x) || is.object(x) && !inherits(x, "numeric")) {
    stop_arg(arg, "must be a numeric vector, not ", class(x)[1], ".")
  }
  if (length(x) < min_length) {
    stop_arg(arg, "must have at least ", min_length, " element",
             if (min_length == 1) "" else "s", ", not ", length(x), ".")
  }
  if (anyNA(x)) {
    stop_arg(arg, "contains missing values (NA) at position(s) ",
             format_positions(which(is.na(x))), ".")
  }
  if (finite && any(!is.finite(x))) {
    stop_arg(arg, "contains infinite values at position(s) ",
             format_positions(which(!is.finite(x))), ".")
  }
  as.double(x)
}

# Sampling weights for `n` rows: a numeric vector, finite, non-negative, not
# all zero, one per row; returned as doubles normalised to mean 1 (every
# estimator is invariant to the scale of the weights).
check_weights <- function(w, n) {
  if (!is.numeric(w) || is.object(w) && !inherits(w, "numeric") || is.matrix(w)) {
    stop_arg("weights", "must be a numeric vector or the name of a numeric column of `data`, not ",
             class(w)[1], ".")
  }
  if (length(w) != n) {
    stop_arg("weights", "must have one entry per row of `data` (", n, "), not ", length(w), ".")
  }
  w <- as.double(w)
  bad <- which(is.na(w))
  if (length(bad)) {
    stop_arg("weights", "contains missing values (NA) at position(s) ", format_positions(bad), ".")
  }
  bad <- which(!is.finite(w))
  if (length(bad)) {
    stop_arg("weights", "contains infinite values at position(s) ", format_positions(bad), ".")
  }
  bad <- which(w < 0)
  if (length(bad)) {
    stop_arg("weights", "must be non-negative; negative at position(s) ", format_positions(bad), ".")
  }
  total <- sum(w)
  if (!(total > 0)) stop_arg("weights", "are all zero: at least one row must have a positive weight.")
  w / (total / n)
}

check_probability <- function(x, arg, open = TRUE) {
  if (!is.numeric(x) || length(x) != 1L || is.na(x)) {
    stop_arg(arg, "must be a single number.")
  }
  ok <- if (open) x > 0 && x < 1 else x >= 0 && x <= 1
  if (!ok) {
    stop_arg(arg, "must lie in ", if (open) "(0, 1)" else "[0, 1]", ", not ", format(x), ".")
  }
  as.double(x)
}

check_count <- function(x, arg, min = 0L) {
  if (!is.numeric(x) || length(x) != 1L || is.na(x) || x != round(x) || x < min) {
    stop_arg(arg, "must be a single whole number >= ", min, ".")
  }
  if (x > .Machine$integer.max) {
    stop_arg(arg, "must be at most ", .Machine$integer.max, " (R's largest integer), not ",
             format(x), ".")
  }
  as.integer(x)
}

# More threads than the process can run at once cannot finish sooner and, in
# the thousands, can stall the machine: clamp to the usable cores (CPU
# affinity and cgroup quota included) with a message of class
# "synthinfer_threads_clamped".
check_threads <- function(threads) {
  threads <- check_count(threads, "threads", min = 1L)
  cap <- usable_cores()
  if (threads > cap) {
    msg <- sprintf("`threads` = %d is more than the %d core(s) this session can use; using %d.",
                   threads, cap, cap)
    message(structure(class = c("synthinfer_threads_clamped", "message", "condition"),
                      list(message = paste0(msg, "\n"), call = NULL)))
    threads <- cap
  }
  threads
}

# TRUE when `x` has no NA, NaN or (if numeric) infinite value. A plain
# double vector or matrix is scanned once in the core, without the
# full-length logical vectors of is.na()/is.infinite().
all_finite <- function(x) {
  if (!is.numeric(x)) return(!anyNA(x))
  # Plain doubles (vectors or matrices): one pass in the core, no temporary.
  if (is.double(x) && !is.object(x)) return(rs_all_in_support(x, "gaussian"))
  !anyNA(x) && !any(is.infinite(x))
}

# The cores this session can use (CPU affinity and cgroup quota), asked of
# the core once per session: every fit checks `threads` against it.
usable_cores <- function() {
  if (is.null(thread_cap$cores)) thread_cap$cores <- rs_max_threads()
  thread_cap$cores
}
thread_cap <- new.env(parent = emptyenv())

format_positions <- function(i, max = 5L) {
  shown <- paste(utils::head(i, max), collapse = ", ")
  if (length(i) > max) paste0(shown, ", ... (", length(i), " in all)") else shown
}

#' Default number of threads
#'
#' The Rust core runs Monte Carlo replications and bootstraps in parallel.
#' The default is `getOption("synthinfer.threads", 2L)`: two threads, the
#' most CRAN allows in checks. Raise it with `options(synthinfer.threads = n)`.
#' Results never depend on the number of threads. Any `threads` value above
#' the number of cores the session can use is lowered to it, with a message
#' (without one for the built-in default of 2 on a single-core machine).
#'
#' Long computations ([exchange_coverage_study()], [compare_methods()],
#' [exchangeable_loo()]) stop within a fraction of a second when you press
#' the interrupt key (Ctrl-C, or Esc in RStudio), and show a progress bar
#' when they run for more than a few seconds. The bar is shown when
#' `getOption("synthinfer.progress")` is `TRUE`, by default in interactive
#' sessions only: set `options(synthinfer.progress = TRUE)` to see it in
#' scripts, or `FALSE` to hide it.
#'
#' @return A whole number.
#' @export
#' @examples
#' default_threads()
default_threads <- function() {
  threads <- getOption("synthinfer.threads")
  if (is.null(threads)) return(min(2L, usable_cores()))
  check_threads(threads)
}

# `parm` of a confint() method: coefficient names or positions among `terms`.
check_parm <- function(parm, terms) {
  if (is.character(parm)) {
    unknown <- setdiff(parm, terms)
    if (length(unknown)) {
      stop_arg("parm", "names no coefficient of the fit: ", paste0("\"", unknown, "\"", collapse = ", "),
               "; the coefficients are ", paste0("\"", terms, "\"", collapse = ", "), ".")
    }
    return(parm)
  }
  if (!is.numeric(parm) || anyNA(parm) || any(parm != round(parm)) || any(parm < 1 | parm > length(terms))) {
    stop_arg("parm", "must be coefficient names or positions in 1..", length(terms), ".")
  }
  as.integer(parm)
}

# A warning of class `class` (and "warning"), so callers running many fits
# can muffle exactly this one: suppressWarnings(expr, classes = class).
# Further named fields (`...`) travel with the condition.
warn_classed <- function(class, message, ...) {
  warning(structure(class = c(class, "warning", "condition"),
                    list(message = message, call = NULL, ...)))
}

# The seeding rule (CONTRIBUTING.md): `seed = NULL` draws the seed from R's
# random number generator, so set.seed() before the call reproduces it; a
# whole number in [0, 2^53) is used as given and leaves R's generator alone.
# Returns a double, which the core reads as a 64-bit seed.
resolve_seed <- function(seed) {
  if (is.null(seed)) return(as.double(sample.int(.Machine$integer.max, 1L)))
  if (!is.numeric(seed) || length(seed) != 1L || is.na(seed) || seed != round(seed) ||
      seed < 0 || seed >= 2^53) {
    stop_arg("seed", "must be NULL or a single whole number in [0, 2^53).")
  }
  as.double(seed)
}

# Evaluate `code`, which draws from R's random number generator, under the
# seeding rule, for the few draws made in R rather than in the core: with
# `seed = NULL` from R's generator as it stands (set.seed() before the call
# reproduces them); with a seed from resolve_seed() on a generator seeded
# with it, after which R's generator is restored. set.seed() takes a 32-bit
# integer: seeds beyond it are reduced modulo 2^31 - 1.
with_seed <- function(seed, code) {
  if (is.null(seed)) return(code)
  env <- globalenv()
  old <- if (exists(".Random.seed", envir = env, inherits = FALSE)) get(".Random.seed", envir = env)
  on.exit(if (is.null(old)) rm(".Random.seed", envir = env) else assign(".Random.seed", old, envir = env))
  set.seed(seed %% .Machine$integer.max)
  code
}
