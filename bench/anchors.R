# Plain-R anchors for the benchmarks and the data frames synthinfer reads.
# These are deliberately straightforward implementations, written here from
# the algorithm descriptions in DESIGN.md, not tuned.

# --- data frames for synth_glm() --------------------------------------------

ppi_case_frame <- function(case, meta) {
  p <- meta$p
  X <- rbind(read_array(case, "X_lab", p), read_array(case, "X_unl", p))
  df <- data.frame(
    y = c(read_array(case, "Y_lab"), rep(NA_real_, meta$n_unl)),
    y_llm = c(read_array(case, "Yhat_lab"), read_array(case, "Yhat_unl")))
  if (p > 1) df[paste0("x", seq_len(p - 1))] <- as.data.frame(X[, -1, drop = FALSE])
  df
}

gmm_case_frame <- function(case, meta) {
  p <- meta$p
  X <- read_array(case, "X", p)
  Xs <- read_array(case, "Xs", p)
  xs <- paste0("x", seq_len(p - 1))
  df <- data.frame(y = read_array(case, "Y"), y_llm = read_array(case, "Yhat"),
                   y_syn = read_array(case, "Ys"))
  df[xs] <- as.data.frame(X[, -1, drop = FALSE])
  df[paste0(xs, "_syn")] <- as.data.frame(Xs[, -1, drop = FALSE])
  df
}

# --- two-step GMM with the gmm package -------------------------------------

# Columns: S, X (p), Y (0 where unlabeled), Yhat, Xs (p), Ys.
gmm_case_matrix <- function(case, meta) {
  Y <- read_array(case, "Y")
  Y[is.na(Y)] <- 0
  cbind(read_array(case, "S"), read_array(case, "X", meta$p), Y,
        read_array(case, "Yhat"), read_array(case, "Xs", meta$p),
        read_array(case, "Ys"))
}

# The moment vector of DESIGN.md for a linear model with a proxy label and one
# synthetic source: g_i = [S psi(X, Y; b); S psi(X, Yhat; e1); psi(X, Yhat; e1);
# S psi(Xs, Ys; e2); psi(Xs, Ys; e2)], psi = x (y - x'b).
gmm_anchor_fit <- function(x, p, alpha = 0.1) {
  S <- x[, 1]
  X <- x[, 1 + seq_len(p)]
  Y <- x[, p + 2]
  Yhat <- x[, p + 3]
  Xs <- x[, p + 3 + seq_len(p)]
  Ys <- x[, 2 * p + 4]
  ib <- seq_len(p); ie1 <- p + ib; ie2 <- 2 * p + ib
  g <- function(theta, x) {
    r1 <- X * drop(Y - X %*% theta[ib])
    r2 <- X * drop(Yhat - X %*% theta[ie1])
    r3 <- Xs * drop(Ys - Xs %*% theta[ie2])
    cbind(S * r1, S * r2, r2, S * r3, r3)
  }
  n <- nrow(x)
  sxx <- -crossprod(X * S, X) / n
  xx <- -crossprod(X) / n
  ssxx <- -crossprod(Xs * S, Xs) / n
  sx2 <- -crossprod(Xs) / n
  zero <- matrix(0, p, p)
  G <- rbind(cbind(sxx, zero, zero), cbind(zero, sxx, zero), cbind(zero, xx, zero),
             cbind(zero, zero, ssxx), cbind(zero, zero, sx2))
  gradv <- function(theta, x) G
  # Starting values: least squares on each block's own rows.
  lab <- S == 1
  t0 <- c(stats::lm.fit(X[lab, ], Y[lab])$coefficients,
          stats::lm.fit(X, Yhat)$coefficients,
          stats::lm.fit(Xs, Ys)$coefficients)
  # The same estimator as DESIGN.md: W = inverse of the uncentred (1/n) sum
  # g g' (gmm's default centres it), and nlminb: with gmm's default optim
  # the 15-parameter problem stops early (estimates off by ~0.4 standard
  # errors), while nlminb reaches the exact closed-form linear GMM solution.
  fit <- gmm::gmm(g, x, t0 = unname(t0), gradv = gradv, type = "twoStep",
                  wmatrix = "optimal", vcov = "iid", centeredVcov = FALSE,
                  optfct = "nlminb")
  est <- stats::coef(fit)[ib]
  se <- sqrt(diag(stats::vcov(fit)))[ib]
  z <- stats::qnorm(1 - alpha / 2)
  list(lower = unname(est - z * se), upper = unname(est + z * se))
}

# --- Algorithm 1, leave one task out, in plain R ---------------------------

# Every task in turn is the target; the other T tasks are its history. The
# error budget is split (0.1, 0.2, 0.7) * alpha as in DESIGN.md.
plain_loo <- function(tasks, alpha = 0.1, split = c(0.1, 0.2, 0.7)) {
  a <- alpha * split
  n_hist <- nrow(tasks) - 1
  # Round-off guard: (T + 1) a3 / 2 is often a whole number in exact
  # arithmetic (1000 * 0.07 / 2 = 35) but not in floating point.
  k_lower <- floor((n_hist + 1) * a[3] / 2 + 1e-9)
  k_upper <- ceiling((n_hist + 1) * (1 - a[3] / 2) - 1e-9)
  z1 <- stats::qnorm(1 - a[1] / 2)
  z2 <- stats::qnorm(1 - a[2] / 2)
  gap_l <- tasks$gap_est - z2 * tasks$gap_se
  gap_u <- tasks$gap_est + z2 * tasks$gap_se
  lower <- upper <- numeric(nrow(tasks))
  for (j in seq_len(nrow(tasks))) {
    dl <- if (k_lower < 1) -Inf else sort(gap_l[-j])[k_lower]
    du <- if (k_upper > n_hist) Inf else sort(gap_u[-j])[k_upper]
    lower[j] <- tasks$synth_est[j] - z1 * tasks$synth_se[j] + dl
    upper[j] <- tasks$synth_est[j] + z1 * tasks$synth_se[j] + du
  }
  list(lower = lower, upper = upper,
       covered = tasks$real_est >= lower & tasks$real_est <= upper)
}
