# The rebuttal's extensions beyond regression (Byun et al., NeurIPS 2025
# rebuttal): the AIPW average treatment effect and the AR(1) coefficient under
# missing data, selection probability 1-5%, 200 trials per cell. For each
# cell and method: MSE, coverage of the nominal 90% interval, mean width, mean
# number of labeled units (ATE) or labeled pairs (AR(1)). Methods: "gmm"
# (labels + proxy + synthetic), "gmm_proxy", "ppi++" (proxy), "ppi++synth"
# (proxy and synthetic mixed) and "classical" (human labels only).
#
# ATE design: n = 5000 units; covariates x1 ~ N(0, 1), x2 ~ Bernoulli(0.5)
# (strata); covariate-dependent randomisation e(x) = logistic(-0.3 + 0.7 x1 -
# 0.4 x2); heterogeneous effects across strata: Y = 1 + x1 + 0.5 x2 +
# T (1 + 0.5 x1 + x2) + u_a + u_b + u_c (three N(0, 0.7^2) error parts), so the
# ATE is 1.5. Proxy: the mean plus u_a plus N(0, 0.5^2) noise (an LLM
# prediction that captures part of the noise); synthetic: 0.8 times the mean
# plus u_b plus N(0, 0.5^2) (a biased generated outcome capturing another
# part). Each unit is labeled independently with probability sel_prob.
# synth_ate(y ~ T, covariates = ~ x1 + x2): estimated propensity, outcome
# regressions cross-fitted over 5 folds.
#
# AR(1) design: 100 independent zero-mean AR(1) series of length 100 (9,900
# consecutive pairs), rho = 0.5, N(0, 1) innovations, stationary start.
# Proxy: the series plus N(0, 0.6^2) measurement error (not an AR(1));
# synthetic ("auxiliary series"): an AR(1) with rho = 0.4 driven by
# 0.8 x the real innovations plus independent N(0, 0.6^2) ones. Each time
# point is observed independently with probability sqrt(sel_prob), so a
# share sel_prob of the pairs is labeled (both ends observed); adjacent
# pairs share a point, so the pairs' labels are correlated (see
# ?synth_ar1). synth_ar1(value, series, time).
#
# Run from the package root after `make install`:
#   R_LIBS=.lib Rscript bench/beyond_regression.R [TRIALS]
# (200 trials: about 10 minutes on one core.) Writes
# bench/results/beyond_regression.csv and inst/extdata/beyond_regression.csv,
# which vignette("beyond-regression") reads.
suppressPackageStartupMessages(library(synthinfer))
args <- commandArgs(trailingOnly = TRUE)
trials <- if (length(args)) as.integer(args[[1]]) else 200L
sel_probs <- c(0.01, 0.02, 0.03, 0.04, 0.05)
methods <- c("gmm", "gmm_proxy", "ppi++", "ppi++synth", "classical")

simulate_ate <- function(n = 5000) {
  x1 <- rnorm(n)
  x2 <- rbinom(n, 1, 0.5)
  treat <- rbinom(n, 1, plogis(-0.3 + 0.7 * x1 - 0.4 * x2))
  mu <- 1 + x1 + 0.5 * x2 + treat * (1 + 0.5 * x1 + x2)
  u <- matrix(rnorm(3 * n, sd = 0.7), n)
  data.frame(x1, x2, treat, y_full = mu + rowSums(u),
             y_llm = mu + u[, 1] + rnorm(n, sd = 0.5),
             y_syn = 0.8 * mu + u[, 2] + rnorm(n, sd = 0.5))
}

simulate_ar1 <- function(n_series = 100, len = 100, rho = 0.5) {
  do.call(rbind, lapply(seq_len(n_series), function(s) {
    eps <- rnorm(len)
    y <- z <- numeric(len)
    y[1] <- rnorm(1, sd = 1 / sqrt(1 - rho^2))
    z[1] <- 0.8 * y[1]
    for (t in 2:len) {
      y[t] <- rho * y[t - 1] + eps[t]
      z[t] <- 0.4 * z[t - 1] + 0.8 * eps[t] + rnorm(1, sd = 0.6)
    }
    data.frame(id = s, t = seq_len(len), y_full = y, y_llm = y + rnorm(len, sd = 0.6), y_syn = z)
  }))
}

# One fit per method: estimate, interval, labeled count; NA when a method
# fails on a draw (e.g. too few labels for the cross-fitted regressions).
fit_methods <- function(fit_one, truth) {
  do.call(rbind, lapply(methods, function(m) {
    fit <- tryCatch(suppressWarnings(fit_one(m)), synthinfer_error = function(e) NULL)
    if (is.null(fit)) {
      return(data.frame(method = m, estimate = NA, conf.low = NA, conf.high = NA, n_labeled = NA))
    }
    tab <- tidy(fit)[tidy(fit)$term %in% c("ATE", "ar1"), ]
    data.frame(method = m, estimate = tab$estimate, conf.low = tab$conf.low,
               conf.high = tab$conf.high, n_labeled = fit$nobs_labeled)
  }))
}

run_trial <- function(estimand, sel, trial) {
  set.seed(100000 * match(estimand, c("ATE", "AR(1)")) + 1000 * round(100 * sel) + trial)
  if (estimand == "ATE") {
    d <- simulate_ate()
    d$y <- ifelse(runif(nrow(d)) < sel, d$y_full, NA)
    out <- fit_methods(function(m) {
      synth_ate(y ~ treat, d, covariates = ~ x1 + x2, proxy = c(y = "y_llm"),
                synthetic = c(y = "y_syn"), method = m, seed = trial, threads = 1)
    }, 1.5)
    truth <- 1.5
  } else {
    d <- simulate_ar1()
    d$y <- ifelse(runif(nrow(d)) < sqrt(sel), d$y_full, NA)
    out <- fit_methods(function(m) {
      synth_ar1(d, "y", series = "id", time = "t", proxy = c(y = "y_llm"),
                synthetic = c(y = "y_syn"), method = m, threads = 1)
    }, 0.5)
    truth <- 0.5
  }
  cbind(estimand = estimand, sel_prob = sel, trial = trial, truth = truth, out)
}

t0 <- Sys.time()
raw <- do.call(rbind, lapply(c("ATE", "AR(1)"), function(estimand) {
  do.call(rbind, lapply(sel_probs, function(sel) {
    do.call(rbind, lapply(seq_len(trials), function(r) run_trial(estimand, sel, r)))
  }))
}))
elapsed <- as.numeric(difftime(Sys.time(), t0, units = "secs"))

cells <- split(raw, list(raw$estimand, raw$sel_prob, raw$method), drop = TRUE)
res <- do.call(rbind, lapply(cells, function(x) {
  ok <- !is.na(x$estimate)
  cover <- x$conf.low[ok] <= x$truth[ok] & x$truth[ok] <= x$conf.high[ok]
  data.frame(estimand = x$estimand[1], sel_prob = x$sel_prob[1], method = x$method[1],
             trials = sum(ok), failed = sum(!ok),
             mse = mean((x$estimate[ok] - x$truth[ok])^2),
             mse_mcse = stats::sd((x$estimate[ok] - x$truth[ok])^2) / sqrt(sum(ok)),
             coverage = mean(cover), coverage_mcse = sqrt(mean(cover) * (1 - mean(cover)) / sum(ok)),
             width = mean(x$conf.high[ok] - x$conf.low[ok]),
             n_labeled = mean(x$n_labeled[ok]))
}))
res <- res[order(res$estimand, res$sel_prob, match(res$method, methods)), ]
rownames(res) <- NULL
dir.create("bench/results", showWarnings = FALSE)
utils::write.csv(res, "bench/results/beyond_regression.csv", row.names = FALSE)
utils::write.csv(res, "inst/extdata/beyond_regression.csv", row.names = FALSE)
cat(sprintf("%d trials per cell, %.0f s\n", trials, elapsed))
print(res, digits = 4)
