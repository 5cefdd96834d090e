# gmm::gmm() as the reference two-step GMM of the GMM tests: type =
# "twoStep" (identity weight from t0, then W = S^{-1} with S = crossprod(g) / n,
# uncentred: vcov = "iid", centeredVcov = FALSE), reported vcov
# solve(G' S^{-1} G) / n at the final estimate and J = n * objective. BFGS
# with the analytic Jacobian `gradv` and tight tolerances, so that agreement
# to 1e-6 relative is meaningful. `n` is the number of rows of the moments.
gmm_package_fit <- function(g, gradv, t0, n) {
  fit <- gmm::gmm(g, x = matrix(0, n, 1), t0 = t0, gradv = gradv, type = "twoStep",
                  wmatrix = "optimal", vcov = "iid", centeredVcov = FALSE,
                  optfct = "optim", method = "BFGS",
                  control = list(reltol = 1e-16, maxit = 5000, abstol = 0))
  list(coef = unname(coef(fit)), vcov = unname(fit$vcov),
       j = as.numeric(unclass(gmm::specTest(fit)$test)[1, 1]), df = fit$df)
}
