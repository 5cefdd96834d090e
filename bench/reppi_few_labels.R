# Few-labels study of RePPI's interval (synth_glm(method = "reppi")):
# coverage and width of nominal 90% intervals for the three coefficients of
# a linear and a logistic model, with se = "asymptotic" (the plain sandwich,
# normal quantiles) and se = "small_sample" (leverage-corrected residuals,
# n - K divisor, t quantiles on n - K df), at 50, 100, 200 and 500 labels
# out of n = 2000 rows, with a good and a useless (independent) proxy.
# Both variances come from the same fit (the core returns both).
#
# Run from the package root after `make install`:
#   R_LIBS=.lib Rscript bench/reppi_few_labels.R [reps]
# Writes bench/results/reppi_few_labels.csv and prints a markdown table.
suppressPackageStartupMessages(library(synthinfer))
args <- commandArgs(trailingOnly = TRUE)
reps <- if (length(args)) as.integer(args[1]) else 1000L
# Optional filters: families, proxies, label counts (comma-separated).
pick <- function(k, all) if (length(args) >= k) strsplit(args[k], ",")[[1]] else all
n <- 2000L
beta <- c(0.5, 1, -0.5)
alpha <- 0.1

simulate <- function(family, proxy, n_lab) {
  x1 <- rnorm(n)
  x2 <- rbinom(n, 1, 0.4)
  eta <- beta[1] + beta[2] * x1 + beta[3] * x2
  if (family == "gaussian") {
    y <- eta + rnorm(n) * (1 + 0.5 * abs(x1))   # heteroskedastic errors
    y_llm <- if (proxy == "good") 0.2 + 0.9 * y + rnorm(n, sd = 0.5) else rnorm(n, 1, 1.5)
  } else {
    y <- rbinom(n, 1, plogis(eta))
    y_llm <- if (proxy == "good") ifelse(runif(n) < 0.85, y, 1 - y) else rbinom(n, 1, 0.5)
  }
  lab <- seq_len(n) %in% sample.int(n, n_lab)
  data.frame(x1, x2, y = ifelse(lab, y, NA), y_llm)
}

one_cell <- function(family, proxy, n_lab) {
  fam <- if (family == "gaussian") gaussian() else binomial()
  out <- matrix(NA_real_, reps, 3 * 5)
  for (r in seq_len(reps)) {
    d <- simulate(family, proxy, n_lab)
    des <- synth_design(y ~ x1 + x2, d, fam, proxy = c(y = "y_llm"))
    rows <- which(des$labeled)
    f <- tryCatch(synthinfer:::rust_fit(des, "reppi", rows, 1L), error = function(e) NULL)
    cl <- tryCatch(synthinfer:::rust_fit(des, "classical", rows, 1L), error = function(e) NULL)
    if (is.null(f) || is.null(cl)) next
    se_a <- sqrt(diag(f$covariance_asymptotic))
    se_s <- sqrt(diag(f$covariance))
    err <- f$coefficients - beta
    z <- qnorm(1 - alpha / 2)
    tq <- qt(1 - alpha / 2, f$df)
    out[r, ] <- c(abs(err) <= z * se_a, abs(err) <= tq * se_s,
                  2 * z * se_a, 2 * tq * se_s, 2 * z * sqrt(diag(cl$covariance)))
  }
  ok <- stats::complete.cases(out)
  o <- out[ok, , drop = FALSE]
  data.frame(family = family, proxy = proxy, n_labeled = n_lab, term = c("(Intercept)", "x1", "x2"),
             reps = sum(ok), failed = sum(!ok),
             coverage_asymptotic = colMeans(o[, 1:3]), coverage_small_sample = colMeans(o[, 4:6]),
             width_asymptotic = colMeans(o[, 7:9]), width_small_sample = colMeans(o[, 10:12]),
             width_classical = colMeans(o[, 13:15]), row.names = NULL)
}

set.seed(20261202)
cells <- expand.grid(n_lab = as.integer(pick(4, c(50L, 100L, 200L, 500L))), proxy = pick(3, c("good", "useless")),
                     family = pick(2, c("gaussian", "binomial")), stringsAsFactors = FALSE)
t0 <- Sys.time()
res <- do.call(rbind, lapply(seq_len(nrow(cells)), function(i) {
  r <- one_cell(cells$family[i], cells$proxy[i], cells$n_lab[i])
  message(sprintf("%s %s %d done (%.0f s)", cells$family[i], cells$proxy[i], cells$n_lab[i],
                  as.numeric(difftime(Sys.time(), t0, units = "secs"))))
  r
}))
dir.create("bench/results", showWarnings = FALSE)
if (length(args) <= 1) utils::write.csv(res, "bench/results/reppi_few_labels.csv", row.names = FALSE)
fmt <- function(x) formatC(x, format = "f", digits = 3)
cat("| family | proxy | labels | term | reps | cover asym | cover small | width asym | width small | width classical |\n")
cat("|---|---|---|---|---|---|---|---|---|---|\n")
for (i in seq_len(nrow(res))) with(res[i, ], cat(sprintf("| %s | %s | %d | %s | %d | %s | %s | %s | %s | %s |\n",
  family, proxy, n_labeled, term, reps, fmt(coverage_asymptotic), fmt(coverage_small_sample),
  fmt(width_asymptotic), fmt(width_small_sample), fmt(width_classical))))
