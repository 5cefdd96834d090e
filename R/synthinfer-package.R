#' synthinfer: valid inference with imperfect synthetic data
#'
#' Two methods for statistical inference when part of the data is synthetic.
#'
#' * **Task exchangeability**: an interval for a task observed only through
#'   synthetic data, calibrated on the real-minus-synthetic gaps of historical
#'   tasks (see [gap_band()]).
#' * **GMM with synthetic data**: human labels, model proxies and
#'   model-generated synthetic units combined by two-step generalised method of
#'   moments.
#'
#' All numerics run in a Rust core; R validates inputs and returns tibbles.
#'
#' @keywords internal
#' @useDynLib synthinfer, .registration = TRUE
"_PACKAGE"

.onLoad <- function(libname, pkgname) {
  # Keep Rust's panic hook from printing extendr's error-conversion panics
  # (src/rust/src/lib.rs): users see only the R error message. Called
  # through .Call() so that tools/wrappers.R can load a fresh build.
  .Call(wrap__rs_quiet_error_panics)
}
