# Two R files defining the same top-level function silently shadow each other
# (the one collated last wins). Guard against it whenever the sources are at hand.
test_that("no top-level R function is defined twice", {
  r_dir <- file.path(testthat::test_path(), "..", "..", "R")
  skip_if_not(dir.exists(r_dir), "package sources not available")
  defs <- unlist(lapply(list.files(r_dir, pattern = "[.]R$", full.names = TRUE), function(f) {
    exprs <- parse(f, keep.source = FALSE)
    names <- vapply(exprs, function(e) {
      if (is.call(e) && as.character(e[[1]]) %in% c("<-", "=") && is.name(e[[2]]) &&
          is.call(e[[3]]) && identical(e[[3]][[1]], as.name("function"))) {
        as.character(e[[2]])
      } else {
        NA_character_
      }
    }, character(1))
    stats::setNames(names[!is.na(names)], rep(basename(f), sum(!is.na(names))))
  }))
  dup <- defs[defs %in% defs[duplicated(defs)]]
  expect(length(dup) == 0, paste("defined more than once:",
                                 paste(sprintf("%s (%s)", dup, names(dup)), collapse = ", ")))
})
