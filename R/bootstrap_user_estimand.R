# Task summaries for a user-supplied estimator function(x, w). R functions
# cannot run on Rust worker threads, so the bootstrap loop runs here; the
# resampling positions come from Rust (rs_bootstrap_indices), keyed by seed,
# task and replicate exactly as in the Rust bootstrap of quantiles.

bootstrap_user_estimand <- function(units, labels, fun, paired, reps, seed) {
  apply_fun <- function(x, w, task) {
    value <- fun(x, w)
    if (!is.numeric(value) || length(value) != 1L || !is.finite(value)) {
      stop_arg("estimand", sprintf("must return one finite number; on task '%s' it returned %s.",
                                   labels[task], deparse1(value, nlines = 1L)))
    }
    as.double(value)
  }
  rows <- lapply(seq_along(labels), function(t) {
    r_in <- units$real_task == t - 1L
    s_in <- units$synth_task == t - 1L
    x_r <- units$real[r_in]; w_r <- units$real_w[r_in]
    x_s <- units$synth[s_in]; w_s <- units$synth_w[s_in]
    idx <- rs_bootstrap_indices(seed, t - 1L, reps, length(x_r), length(x_s), paired)
    boot_r <- vapply(seq_len(reps), function(b) {
      i <- idx$real[, b]
      apply_fun(x_r[i], w_r[i], t)
    }, numeric(1))
    boot_s <- vapply(seq_len(reps), function(b) {
      i <- idx$synth[, b]
      apply_fun(x_s[i], w_s[i], t)
    }, numeric(1))
    real_est <- apply_fun(x_r, w_r, t)
    synth_est <- apply_fun(x_s, w_s, t)
    real_se <- stats::sd(boot_r)
    synth_se <- stats::sd(boot_s)
    c(n_real = length(x_r), n_synth = length(x_s), real_est = real_est, real_se = real_se,
      synth_est = synth_est, synth_se = synth_se, gap_est = real_est - synth_est,
      gap_se = if (paired) stats::sd(boot_r - boot_s) else sqrt(real_se^2 + synth_se^2))
  })
  m <- do.call(rbind, rows)
  out <- lapply(colnames(m), function(col) m[, col])
  names(out) <- colnames(m)
  out$n_real <- as.integer(out$n_real)
  out$n_synth <- as.integer(out$n_synth)
  out
}
