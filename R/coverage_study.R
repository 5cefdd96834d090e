# Internal: the Monte Carlo coverage study of GMM with synthetic data on
# simulate_synthetic() data, shared by bench/gmm_simulation.R (the full study)
# and tests/testthat/test-simulation-gmm.R (a small version). Unlike
# compare_methods(), every replication draws a fresh population sample, and
# intervals are scored against the true coefficients. Uses R's RNG: call
# set.seed() first.
coverage_study <- function(n, labeled, reps, regime, family = "gaussian",
                           methods = synth_methods, alpha = 0.1, threads = 1L) {
  fam <- switch(family, gaussian = stats::gaussian(), binomial = stats::binomial())
  rows <- vector("list", reps)
  for (r in seq_len(reps)) {
    d <- simulate_synthetic(n, labeled = labeled, family = family, regime = regime)
    truth <- attr(d, "coefficients")
    xs <- names(truth)[-1]
    design <- synth_design(stats::reformulate(xs, "y"), d, fam, proxy = c(y = "y_llm"),
                           synthetic = stats::setNames(c("y_syn", paste0(xs, "_syn")),
                                                       c("y", xs)))
    rows[[r]] <- do.call(rbind, lapply(methods, function(m) {
      td <- tryCatch(generics::tidy(synth_fit_design(design, m, alpha, threads = threads)),
                     error = function(e) NULL)
      if (is.null(td)) {
        return(data.frame(method = m, term = names(truth), error = NA_real_,
                          covered = NA, width = NA_real_))
      }
      data.frame(method = m, term = td$term, error = td$estimate - truth,
                 covered = td$conf.low <= truth & truth <= td$conf.high,
                 width = td$conf.high - td$conf.low)
    }))
  }
  all <- do.call(rbind, rows)
  key <- interaction(all$method, all$term, drop = TRUE, lex.order = TRUE)
  summ <- lapply(split(all, key), function(g) {
    ok <- !is.na(g$covered)
    tibble::tibble(regime = regime, family = family, method = g$method[1], term = g$term[1],
                   coverage = mean(g$covered[ok]), width = mean(g$width[ok]),
                   bias = mean(g$error[ok]), rmse = sqrt(mean(g$error[ok]^2)),
                   reps = sum(ok), failed = sum(!ok))
  })
  out <- do.call(rbind, summ)
  out[order(match(out$method, methods), match(out$term, names(attr(d, "coefficients")))), ]
}
