# PPI and PPI++ against ppi-python 0.2.3 (PyPI). tools/reference/
# ppi_python_reference.py generated the data sets (seeded numpy) and ran
# ppi_mean_ci / ppi_ols_ci / ppi_logistic_ci / ppi_poisson_ci with the
# power-tuned lambda (lam = None) and with lam = 1, alpha = 0.1; the
# intervals are stored in fixtures/ppi_reference.csv. Python is not needed
# to run these tests.

ppi_reference <- utils::read.csv(test_path("fixtures", "ppi_reference.csv"),
                                 stringsAsFactors = FALSE)

ppi_cases <- list(
  mean = list(formula = y ~ 1, family = gaussian()),
  ols = list(formula = y ~ x1 + x2, family = gaussian()),
  logistic = list(formula = y ~ x1, family = binomial()),
  poisson = list(formula = y ~ x1, family = poisson())
)

for (dataset in names(ppi_cases)) {
  for (method in c("ppi++", "ppi")) {
    test_that(sprintf("%s on the %s data set equals ppi-python 0.2.3", method, dataset), {
      case <- ppi_cases[[dataset]]
      d <- utils::read.csv(test_path("fixtures", sprintf("ppi_%s_data.csv", dataset)))
      fit <- synth_glm(case$formula, d, case$family, proxy = c(y = "y_llm"),
                       method = method, alpha = 0.1, threads = 1)
      ref <- ppi_reference[ppi_reference$dataset == dataset & ppi_reference$method == method, ]
      ci <- confint(fit)
      expect_identical(rownames(ci), ref$term)
      expect_equal(unname(ci[, 1]), ref$conf.low, tolerance = 1e-6)
      expect_equal(unname(ci[, 2]), ref$conf.high, tolerance = 1e-6)
      # ppi-python's interval is centred on its point estimate.
      expect_equal(unname(coef(fit)), (ref$conf.low + ref$conf.high) / 2, tolerance = 1e-6)
      if (method == "ppi") expect_identical(fit$lambda, 1) else expect_true(fit$lambda > 0 && fit$lambda < 1)
      expect_identical(glance(fit)$lambda, fit$lambda)
    })
  }
}

test_that("PPI++ with tuned lambda is tighter than PPI and than the classical mean", {
  # lambda = 0 would be the classical interval; the tuned lambda minimises
  # the estimated variance, so it beats both lambda = 1 and lambda = 0 here.
  d <- utils::read.csv(test_path("fixtures", "ppi_mean_data.csv"))
  tuned <- synth_glm(y ~ 1, d, proxy = c(y = "y_llm"), method = "ppi++", threads = 1)
  plain <- synth_glm(y ~ 1, d, proxy = c(y = "y_llm"), method = "ppi", threads = 1)
  # Closed form of the classical variance with numpy's divisor n.
  y <- d$y[!is.na(d$y)]
  classical_var <- mean((y - mean(y))^2) / length(y)
  expect_lt(vcov(tuned)[1, 1], vcov(plain)[1, 1])
  expect_lt(vcov(tuned)[1, 1], classical_var)
})
