# Independent brute-force versions of the paper's algorithms, written with
# sort() and explicit ranks, used as reference values for the real-data tests
# (they share no code with the package's Rust implementation).

# Default error split (0.1, 0.2, 0.7) * alpha, with a3 raised to 2 / (T + 1)
# and the rest shared 1:2 by a1 and a2.
ref_split <- function(alpha, n_hist) {
  a3 <- max(0.7 * alpha, 2 / (n_hist + 1))
  rest <- alpha - a3
  c(a1 = rest / 3, a2 = 2 * rest / 3, a3 = a3)
}

ref_ranks <- function(n_hist, a) {
  c(lower = floor((n_hist + 1) * a / 2 + 1e-9),
    upper = ceiling((n_hist + 1) * (1 - a / 2) - 1e-9))
}

# Algorithm 1 for one target row given historical rows (gap_est, gap_se).
ref_alg1 <- function(hist, target, alpha) {
  a <- ref_split(alpha, nrow(hist))
  k <- ref_ranks(nrow(hist), a[["a3"]])
  z2 <- qnorm(1 - a[["a2"]] / 2)
  z1 <- qnorm(1 - a[["a1"]] / 2)
  lower_gap <- sort(hist$gap_est - z2 * hist$gap_se)[k[["lower"]]]
  upper_gap <- sort(hist$gap_est + z2 * hist$gap_se)[k[["upper"]]]
  c(target$synth_est - z1 * target$synth_se + lower_gap,
    target$synth_est + z1 * target$synth_se + upper_gap)
}

# Algorithm 4: point synthetic estimate plus order statistics of point gaps.
ref_alg4 <- function(hist, target, alpha) {
  k <- ref_ranks(nrow(hist), alpha)
  g <- sort(hist$real_est - hist$synth_est)
  target$synth_est + c(g[k[["lower"]]], g[k[["upper"]]])
}

# Leave-one-task-out over a scalar task table with one of the above.
ref_loo <- function(tasks, alpha, algorithm) {
  ci <- t(vapply(seq_len(nrow(tasks)), function(i) {
    algorithm(tasks[-i, ], tasks[i, ], alpha)
  }, numeric(2)))
  data.frame(task = tasks$task, low = ci[, 1], high = ci[, 2], truth = tasks$real_est,
             covered = ci[, 1] <= tasks$real_est & tasks$real_est <= ci[, 2])
}
