#' Conditions signalled by synthinfer
#'
#' Every error synthinfer raises carries a class, so code running many fits
#' can catch exactly the failures it expects and let the others through:
#'
#' * `synthinfer_error_input`: an argument or the data given cannot be used
#'   (wrong type, missing values, too few labeled rows, ...). The condition's
#'   `arg` field names the argument when there is one.
#' * `synthinfer_error_numeric`: the data are valid but the computation
#'   cannot deliver a result (a singular moment covariance, a fit that does
#'   not converge, perfect separation).
#' * `synthinfer_error_internal`: a failure inside the Rust core that input
#'   checks should have prevented; please report it.
#'
#' All three also have classes `synthinfer_error`, `error` and `condition`.
#' A computation stopped with the interrupt key (Ctrl-C, Esc) signals R's own
#' `interrupt` condition. Warnings are classed too (for example
#' `synthinfer_warning_few_labels`, `synthinfer_warning_j_test`): the help page
#' of the function that raises one names its class.
#'
#' @name synthinfer-conditions
#' @examples
#' d <- data.frame(y = c(1.2, NA, 0.7, 2.1), x = c(0, 1, 2, 3))
#' res <- tryCatch(synth_glm(y ~ x, d, method = "classical", alpha = 2),
#'                 synthinfer_error_input = function(e) conditionMessage(e))
#' res
NULL

# Raise an error of class `class` (plus "synthinfer_error"); further named
# fields (`...`) travel with the condition.
abort_classed <- function(class, message, ...) {
  stop(structure(class = c(class, "synthinfer_error", "error", "condition"),
                 list(message = message, call = NULL, ...)))
}

# Call into the Rust core and turn its errors into classed conditions. The
# binding tags each core error with its class ("[synthinfer_error_numeric]
# singular matrix: ...", src/rust/src/convert.rs); an untagged error comes
# from argument conversion or a caught panic and is internal. A cancelled
# computation becomes R's interrupt condition. Every generated wrapper in
# R/extendr-wrappers.R goes through here (tools/wrappers.R writes them so).
# A caller may set `rust_context$prefix` (with on.exit() restoring it) to
# put its context before every message, which spares it a tryCatch() of its
# own around the call (see rust_fit()).
# A calling handler, not tryCatch(): the replacement error is raised from
# inside the handler, which unwinds just the same, and establishing it costs
# a third of a tryCatch() (the handler is set up on every call into Rust,
# several times per fit).
rust_call <- function(expr) {
  withCallingHandlers(expr, error = function(e) {
    # The wrappers' arguments are evaluated lazily, inside this handler: an
    # input check among them (stop_arg()) raises its own classed error, which
    # must keep its class rather than be relabelled internal.
    if (inherits(e, "synthinfer_error")) return()
    msg <- conditionMessage(e)
    if (identical(msg, interrupted_message)) raise_interrupt()
    prefix <- rust_context$prefix
    tag <- regmatches(msg, regexpr("^\\[synthinfer_error_[a-z]+\\] ", msg))
    if (length(tag)) {
      abort_classed(substr(tag, 2L, nchar(tag) - 2L), paste0(prefix, substring(msg, nchar(tag) + 1L)))
    }
    abort_classed("synthinfer_error_internal", paste0(prefix, msg))
  })
}
rust_context <- new.env(parent = emptyenv())
