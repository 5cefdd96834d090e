# The real data sets live outside the package, in ../shared/data beside the
# project root (see DESIGN.md). Tests that need them skip cleanly when absent.
shared_data_path <- function(file) {
  candidates <- c(
    Sys.getenv("SYNTHINFER_SHARED_DATA"),
    file.path(testthat::test_path(), "..", "..", "..", "shared", "data"),
    file.path(testthat::test_path(), "..", "..", "..", "..", "shared", "data")
  )
  for (dir in candidates[nzchar(candidates)]) {
    p <- file.path(dir, file)
    if (file.exists(p)) return(normalizePath(p))
  }
  testthat::skip(paste("shared data file not available:", file))
}
