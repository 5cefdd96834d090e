# CONTRIBUTING.md: every result class has print(), format(), tidy(),
# glance() and autoplot(). A new class without one of them fails here.
test_that("every result class has the full set of methods", {
  classes <- c("synth_glm", "synth_comparison", "exchangeable_ci", "exchangeable_region",
               "exchangeable_loo", "gap_band")
  ns <- asNamespace("synthinfer")
  for (cls in classes) {
    for (generic in c("print", "format", "tidy", "glance")) {
      expect_false(is.null(utils::getS3method(generic, cls, optional = TRUE, envir = ns)),
                   info = paste(generic, cls))
    }
  }
  skip_if_not_installed("ggplot2")
  gg <- asNamespace("ggplot2")
  for (cls in classes) {
    expect_false(is.null(utils::getS3method("autoplot", cls, optional = TRUE, envir = gg)),
                 info = paste("autoplot", cls))
  }
})

test_that("format() of a fit is the header that print() shows", {
  d <- data.frame(x = 1:40)
  d$y <- ifelse(d$x %% 2 == 0, d$x / 10 + sin(d$x), NA)
  fit <- synth_glm(y ~ x, d, method = "classical", threads = 1)
  f <- format(fit)
  expect_length(f, 2L)
  expect_identical(f[2], "20 labeled and 20 unlabeled rows")
  expect_identical(utils::capture.output(print(fit))[1:2], f)
})
