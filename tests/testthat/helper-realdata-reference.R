# Brute-force versions of the paper's algorithms for the real-data tests,
# written with sort() and explicit ranks (no package code). Algorithm 1 reuses
# ref_alg1() of helper-exchange.R; this file adds the default error split,
# Algorithm 4 and a leave-one-task-out loop. Names start with rd_ (real data).

# Default error split (0.1, 0.2, 0.7) * alpha, with a3 raised to 2 / (T + 1)
# and the rest shared 1:2 by a1 and a2.
rd_split <- function(alpha, n_hist) {
  a3 <- max(0.7 * alpha, 2 / (n_hist + 1))
  rest <- alpha - a3
  c(a1 = rest / 3, a2 = 2 * rest / 3, a3 = a3)
}

# Algorithm 1 with the default split, for one target row.
rd_alg1 <- function(hist, target, alpha) {
  a <- rd_split(alpha, nrow(hist))
  ci <- ref_alg1(hist$gap_est, hist$gap_se, target$synth_est, target$synth_se,
                 a[["a1"]], a[["a2"]], a[["a3"]])
  unname(ci[c("low", "high")])
}

# Algorithm 4: point synthetic estimate plus order statistics of point gaps.
rd_alg4 <- function(hist, target, alpha) {
  n_hist <- nrow(hist)
  kl <- floor((n_hist + 1) * alpha / 2 + 1e-9)
  ku <- ceiling((n_hist + 1) * (1 - alpha / 2) - 1e-9)
  g <- sort(hist$real_est - hist$synth_est)
  target$synth_est + c(g[kl], g[ku])
}

# Leave-one-task-out over a scalar task table with one of the above.
rd_loo <- function(tasks, alpha, algorithm) {
  ci <- t(vapply(seq_len(nrow(tasks)), function(i) {
    algorithm(tasks[-i, ], tasks[i, ], alpha)
  }, numeric(2)))
  data.frame(task = tasks$task, low = ci[, 1], high = ci[, 2], truth = tasks$real_est,
             covered = ci[, 1] <= tasks$real_est & tasks$real_est <= ci[, 2])
}
