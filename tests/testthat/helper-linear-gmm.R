# Two-step GMM for moments linear in the parameters, g_i(par) = b_i - D_i par,
# written independently of the package as a reference for the estimands fitted
# through synth_glm() (synth_ate(), synth_ar1()): step 1 identity weight, step 2
# the inverse of the uncentred moment covariance at step 1; asymptotic
# variance solve(D' S^{-1} D) / n with S at the final estimate.
# `b` is the n x q matrix of the b_i, `D_mean` the q x k mean of the D_i and
# `D_rows(par)` the n x q matrix whose row i is D_i par.
linear_gmm_reference <- function(b, D_mean, D_rows) {
  n <- nrow(b)
  b_mean <- colMeans(b)
  moments <- function(par) b - D_rows(par)
  par1 <- solve(crossprod(D_mean), crossprod(D_mean, b_mean))
  g1 <- moments(par1)
  W <- solve(crossprod(g1) / n)
  par2 <- solve(t(D_mean) %*% W %*% D_mean, t(D_mean) %*% W %*% b_mean)
  g2 <- moments(par2)
  S2 <- crossprod(g2) / n
  list(coef = drop(par2), vcov = solve(t(D_mean) %*% solve(S2) %*% D_mean) / n)
}

# Moments of the GMM mean / regression-through-the-origin with one real
# response y (NA where unlabeled) and surrogate pairs (ys, xs): the labeled
# block S x (y - th x), and per source S xs (ys - eta xs) and xs (ys - eta xs).
# For the mean x = 1. Returns the reference of linear_gmm_reference().
origin_gmm_reference <- function(y, x, sources) {
  S <- as.numeric(!is.na(y))
  y0 <- ifelse(S == 1, y, 0)
  x0 <- ifelse(S == 1, x, 0)
  M <- length(sources)
  b <- cbind(S * x0 * y0, do.call(cbind, lapply(sources, function(s) cbind(S * s$x * s$y, s$x * s$y))))
  cols <- c(list(S * x0^2), unlist(lapply(sources, function(s) list(S * s$x^2, s$x^2)), recursive = FALSE))
  # D_i: block row 1 -> parameter 1; block rows 2m, 2m + 1 -> parameter m + 1.
  param_of_row <- c(1L, rep(seq_len(M) + 1L, each = 2L))
  D_mean <- matrix(0, 1 + 2 * M, 1 + M)
  D_mean[cbind(seq_along(cols), param_of_row)] <- vapply(cols, mean, 0)
  D_rows <- function(par) do.call(cbind, lapply(seq_along(cols), function(r) cols[[r]] * par[param_of_row[r]]))
  linear_gmm_reference(b, D_mean, D_rows)
}
