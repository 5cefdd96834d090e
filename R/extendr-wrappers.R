#' Deliberately panic: used by the test suite to prove that a Rust panic
#' becomes an R error and leaves the session alive.
#' @noRd
rs_panic_probe <- function(message) .Call(wrap__rs_panic_probe, message)

#' Deliberately return a core error, for the same test.
#' @noRd
rs_error_probe <- function(message) .Call(wrap__rs_error_probe, message)

#' Gap band of Algorithm 1 from historical gap-interval endpoints.
#' Returns list(lower, upper, k_lower, k_upper).
#' @noRd
rs_gap_band <- function(lower, upper, a3) .Call(wrap__rs_gap_band, lower, upper, a3)


