# Run the testthat suite against the installed package and write the numbers
# of passed and failed tests (not expectations) to the file given as argument.
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args)) args[[1]] else tempfile()
# The full suite: tests that skip under R CMD check (skip_on_cran(), slow
# simulations) run here.
Sys.setenv(NOT_CRAN = "true")
library(testthat)
library(synthinfer)
res <- testthat::test_dir("tests/testthat", package = "synthinfer",
                          load_package = "installed", stop_on_failure = FALSE,
                          reporter = testthat::SummaryReporter$new(show_praise = FALSE))
df <- as.data.frame(res)
failed <- df$failed > 0 | df$error
skipped <- df$skipped & !failed
passed <- !failed & !skipped
if (any(failed)) {
  cat("\nFailed tests:\n")
  cat(sprintf("  %s: %s\n", df$file[failed], df$test[failed]), sep = "")
}
writeLines(paste(sum(passed), sum(failed)), out)
cat(sprintf("R tests: %d passed, %d failed, %d skipped\n", sum(passed), sum(failed), sum(skipped)))
