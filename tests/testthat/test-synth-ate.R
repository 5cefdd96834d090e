# synth_ate(): the ATE as the synth_glm() mean of AIPW pseudo-outcomes.
# References are computed here independently: propensity by glm(), outcome
# regressions by lm() / glm() on the other folds, the two-step GMM of linear
# moments in closed form (helper-linear-gmm.R), coverage by simulation.

ate_data <- function(n = 600, frac = 0.3, seed = 1, binary = FALSE) {
  set.seed(seed)
  x <- rnorm(n)
  x2 <- runif(n)
  treat <- rbinom(n, 1, plogis(-0.2 + 0.6 * x))
  if (binary) {
    y_full <- rbinom(n, 1, plogis(-0.3 + 0.8 * x + treat * 0.7))
    y_llm <- ifelse(runif(n) < 0.8, y_full, 1 - y_full)
    y_syn <- plogis(-0.5 + 0.5 * x + 1.5 * (y_full - 0.5))
  } else {
    y_full <- 1 + x + 0.5 * x2 + treat * (0.5 + 0.3 * x) + rnorm(n)
    y_llm <- y_full + rnorm(n, sd = 0.6)
    y_syn <- 0.8 * y_full + rnorm(n, sd = 0.8)
  }
  data.frame(x, x2, treat, y = ifelse(runif(n) < frac, y_full, NA), y_full, y_llm, y_syn,
             p_known = plogis(-0.2 + 0.6 * x))
}

# AIPW pseudo-outcome of `y` with regressions of `fml` per arm fitted on the
# rows of the other folds that have `y` (glm() with `family`).
hand_aipw <- function(d, yname, fml, e, folds, family = gaussian()) {
  m <- matrix(NA_real_, nrow(d), 2)
  for (k in unique(folds)) {
    for (arm in 0:1) {
      train <- d[folds != k & d$treat == arm & !is.na(d[[yname]]), ]
      train$.y <- train[[yname]]
      fit <- suppressWarnings(glm(update(fml, .y ~ .), family = family, data = train))
      m[folds == k, arm + 1] <- unname(predict(fit, d[folds == k, ], type = "response"))
    }
  }
  y <- d[[yname]]
  unname(m[, 2] - m[, 1] + d$treat * (y - m[, 2]) / e - (1 - d$treat) * (y - m[, 1]) / (1 - e))
}

test_that("classical equals the hand-computed AIPW mean over labeled units, HC0 variance x n / (n - q)", {
  d <- ate_data()
  fit <- synth_ate(y ~ treat, d, covariates = ~ x + x2, method = "classical", seed = 3)
  e <- fitted(glm(treat ~ x + x2, binomial, d))
  expect_equal(fit$propensity, unname(e), tolerance = 1e-8)
  phi <- hand_aipw(d, "y", ~ x + x2, e, fit$folds)
  lab <- !is.na(d$y)
  expect_equal(fit$pseudo_outcomes$ATE, phi, tolerance = 1e-8)
  est <- mean(phi[lab])
  expect_equal(unname(coef(fit)), est, tolerance = 1e-8)
  # Finite-sample correction for q = 2 p + 1 = 7 parameters (the ATE, 3
  # coefficients per arm's outcome regression), t quantile on n - 7 df.
  n <- sum(lab)
  expect_equal(sqrt(vcov(fit)[1, 1]), sqrt(mean((phi[lab] - est)^2) / n * n / (n - 7)), tolerance = 1e-8)
  tab <- tidy(fit)
  expect_identical(tab$term, "ATE")
  expect_equal(nrow(tab), 1L)
  expect_equal(fit$df, n - 7)
  expect_equal(tab$conf.low, est - qt(0.95, n - 7) * tab$std.error, tolerance = 1e-8)
  expect_identical(fit$outcome_model, "linear")
  expect_identical(fit$propensity_source, "estimated")
})

test_that("GMM equals two-step GMM on the hand-computed pseudo-outcomes of every source", {
  d <- ate_data(seed = 2)
  fit <- synth_ate(y ~ treat, d, covariates = ~ x, proxy = c(y = "y_llm"), synthetic = "y_syn",
                   se = "asymptotic", seed = 5, threads = 1)
  e <- fitted(glm(treat ~ x, binomial, d))
  phi <- hand_aipw(d, "y", ~ x, e, fit$folds)
  # Surrogate regressions use all rows of the other folds.
  phi_p <- hand_aipw(d, "y_llm", ~ x, e, fit$folds)
  phi_s <- hand_aipw(d, "y_syn", ~ x, e, fit$folds)
  expect_equal(fit$pseudo_outcomes$ATE_proxy, phi_p, tolerance = 1e-8)
  expect_equal(fit$pseudo_outcomes$ATE_synthetic, phi_s, tolerance = 1e-8)
  ones <- rep(1, nrow(d))
  ref <- origin_gmm_reference(phi, ones, list(list(y = phi_p, x = ones), list(y = phi_s, x = ones)))
  expect_equal(unname(coef(fit)), ref$coef[1], tolerance = 1e-6)
  # The GMM variance times the nuisance correction n / (n - q), q = 2 * 2 + 1.
  n <- sum(!is.na(d$y))
  expect_equal(unname(vcov(fit)[1, 1]), ref$vcov[1, 1] * n / (n - 5), tolerance = 1e-6)
  expect_equal(fit$df, n - 5)
  expect_identical(fit$method, "gmm")
  expect_equal(glance(fit)$n_sources, 2L)
})

test_that("known propensities and no covariates: arm means of the other folds", {
  d <- ate_data(seed = 4)
  fit <- synth_ate(y ~ treat, d, proxy = "y_llm", propensity = "p_known", method = "ppi++", seed = 1)
  expect_equal(fit$propensity, d$p_known)
  expect_identical(fit$propensity_source, "known")
  phi <- hand_aipw(d, "y", ~ 1, d$p_known, fit$folds)
  expect_equal(fit$pseudo_outcomes$ATE, phi, tolerance = 1e-10)
  cl <- synth_ate(y ~ treat, d, propensity = "p_known", method = "classical", seed = 1)
  expect_equal(unname(coef(cl)), mean(phi[!is.na(d$y)]), tolerance = 1e-10)
})

test_that("binary outcomes get logistic outcome regressions (surrogate probabilities too)", {
  d <- ate_data(seed = 6, binary = TRUE)
  fit <- synth_ate(y ~ treat, d, covariates = ~ x, proxy = "y_llm", synthetic = "y_syn", seed = 2,
                   threads = 1)
  expect_identical(fit$outcome_model, "logistic")
  e <- fitted(glm(treat ~ x, binomial, d))
  expect_equal(fit$pseudo_outcomes$ATE, hand_aipw(d, "y", ~ x, e, fit$folds, binomial()), tolerance = 1e-6)
  expect_equal(fit$pseudo_outcomes$ATE_synthetic,
               hand_aipw(d, "y_syn", ~ x, e, fit$folds, quasibinomial()), tolerance = 1e-6)
  # A logical outcome is the same 0/1 outcome.
  d$y <- as.logical(d$y)
  expect_equal(coef(synth_ate(y ~ treat, d, covariates = ~ x, proxy = "y_llm", synthetic = "y_syn",
                              seed = 2, threads = 1)), coef(fit))
})

test_that("folds follow the seeding rule and are balanced within label status and treatment", {
  d <- ate_data(n = 300, seed = 7)
  set.seed(10)
  a <- synth_ate(y ~ treat, d, ~ x, proxy = "y_llm", seed = NULL, threads = 1)
  set.seed(10)
  b <- synth_ate(y ~ treat, d, ~ x, proxy = "y_llm", seed = NULL, threads = 1)
  expect_identical(a$folds, b$folds)
  expect_identical(coef(a), coef(b))
  set.seed(11)
  before <- .Random.seed
  c1 <- synth_ate(y ~ treat, d, ~ x, proxy = "y_llm", seed = 42, threads = 1)
  expect_identical(.Random.seed, before)
  c2 <- synth_ate(y ~ treat, d, ~ x, proxy = "y_llm", seed = 42, threads = 2)
  expect_identical(c1$folds, c2$folds)
  expect_equal(coef(c1), coef(c2))
  expect_false(identical(c1$folds, synth_ate(y ~ treat, d, ~ x, proxy = "y_llm", seed = 43)$folds))
  counts <- table(c1$folds, interaction(!is.na(d$y), d$treat))
  expect_true(all(apply(counts, 2, function(k) max(k) - min(k) <= 1)))
  expect_equal(sort(unique(synth_ate(y ~ treat, d, ~ x, proxy = "y_llm", folds = 3, seed = 1)$folds)), 1:3)
})

test_that("every synth_glm method runs and the S3 methods work", {
  d <- ate_data(seed = 8)
  for (m in c("gmm", "gmm_proxy", "ppi++", "ppi", "classical", "naive", "ppi++synth")) {
    fit <- synth_ate(y ~ treat, d, ~ x, proxy = "y_llm", synthetic = "y_syn", method = m, seed = 1,
                     threads = 1)
    expect_s3_class(fit, c("synth_ate", "synth_glm"))
    expect_identical(tidy(fit)$term, "ATE")
    expect_identical(rownames(confint(fit)), "ATE")
    expect_equal(nrow(glance(fit)), 1L)
  }
  expect_output(print(fit), "<synth_ate> average treatment effect")
  expect_output(print(summary(fit)), "ATE")
  expect_error(predict(fit), class = "synthinfer_error_input")
  # Several synthetic sources.
  d$y_syn2 <- d$y_full + rnorm(nrow(d), sd = 1.5)
  fit2 <- synth_ate(y ~ treat, d, ~ x, proxy = "y_llm", synthetic = list("y_syn", c(y = "y_syn2")),
                    seed = 1, threads = 1)
  expect_named(fit2$pseudo_outcomes, c("ATE", "ATE_proxy", "ATE_synthetic1", "ATE_synthetic2"))
  expect_equal(glance(fit2)$n_sources, 3L)
})

test_that("nominal 90% intervals cover the ATE (simulation)", {
  reps <- 200
  covered <- matrix(NA, reps, 2, dimnames = list(NULL, c("gmm", "classical")))
  for (r in seq_len(reps)) {
    d <- ate_data(n = 300, frac = 0.3, seed = 1000 + r)
    for (m in colnames(covered)) {
      ci <- suppressWarnings(confint(synth_ate(y ~ treat, d, ~ x + x2, proxy = "y_llm",
                                               synthetic = "y_syn", method = m, seed = r, threads = 1)))
      covered[r, m] <- ci[1] <= 0.5 && 0.5 <= ci[2]
    }
  }
  # Three Monte Carlo standard errors of a 0.9 proportion over `reps` runs.
  tol <- 3 * sqrt(0.9 * 0.1 / reps)
  expect_true(all(colMeans(covered) >= 0.9 - tol), info = paste(colMeans(covered), collapse = " "))
  expect_true(all(colMeans(covered) <= 0.9 + tol), info = paste(colMeans(covered), collapse = " "))
})

test_that("bad input gives classed errors naming the cause", {
  d <- ate_data(n = 200, seed = 9)
  err <- function(expr, pattern) expect_error(expr, pattern, class = "synthinfer_error_input")
  d3 <- d; d3$treat[5] <- 2
  err(synth_ate(y ~ treat, d3, proxy = "y_llm"), "treatment `treat` must be binary.*row\\(s\\) 5 \\(e.g. 2\\)")
  d3 <- d; d3$treat <- ifelse(d$treat == 1, "a", "b")
  err(synth_ate(y ~ treat, d3, proxy = "y_llm"), "must be binary, 0/1 or logical.*character")
  d3 <- d; d3$treat[3] <- NA
  err(synth_ate(y ~ treat, d3, proxy = "y_llm"), "treatment `treat` is missing at row\\(s\\) 3")
  d3 <- d; d3$y[d3$treat == 1] <- NA
  err(synth_ate(y ~ treat, d3, proxy = "y_llm"), "no labeled treated unit")
  d3 <- d; d3$y[d3$treat == 0] <- NA
  err(synth_ate(y ~ treat, d3, proxy = "y_llm"), "no labeled control unit")
  d3 <- d; d3$p_known[c(4, 9)] <- c(0, 1.2)
  err(synth_ate(y ~ treat, d3, propensity = "p_known", proxy = "y_llm"),
      "must lie strictly between 0 and 1.*row 4 \\(row\\(s\\) 4, 9\\)")
  d3 <- d; d3$p_known[7] <- 0.005
  err(synth_ate(y ~ treat, d3, propensity = "p_known", proxy = "y_llm"),
      "below 0.01 or above 0.99 at row\\(s\\) 7: the treated and control units do not overlap")
  # Estimated propensities without overlap: the treatment is (almost) a
  # function of the covariate.
  d3 <- d; d3$treat <- as.numeric(d3$x > 0); d3$treat[1:2] <- c(1 - d3$treat[1], 1 - d3$treat[2])
  err(synth_ate(y ~ treat, d3, covariates = ~ x, proxy = "y_llm"), "estimated propensity is below 0.01")
  err(synth_ate(y ~ x + treat, d, proxy = "y_llm"), "must be `outcome ~ treatment`")
  err(synth_ate(y ~ zz, d, proxy = "y_llm"), "not in `data`: `zz`")
  err(synth_ate(y ~ treat, d, covariates = ~ x + nope), "not in `data`: `nope`")
  d3 <- d; d3$x[2] <- NA
  err(synth_ate(y ~ treat, d3, covariates = ~ x), "covariates.*missing or infinite values at row\\(s\\) 2")
  d3 <- d; d3$y_llm[6] <- NA
  err(synth_ate(y ~ treat, d3, proxy = "y_llm"), "`proxy` column `y_llm` has missing or infinite values at row\\(s\\) 6")
  err(synth_ate(y ~ treat, d, proxy = c(x = "y_llm")), "maps `x`, but only `y` has surrogate values")
  err(synth_ate(y ~ treat, d, synthetic = "nope"), "column `nope`, which is not in `data`")
  d3 <- d; d3$y <- as.character(d3$y)
  err(synth_ate(y ~ treat, d3, proxy = "y_llm"), "outcome `y` must be numeric")
  err(synth_ate(y ~ treat, d, proxy = "y_llm", folds = 1), "`folds` must be a single whole number >= 2")
  d3 <- d; d3$y <- NA; d3$y[which(d3$treat == 1)[1:3]] <- 1; d3$y[which(d3$treat == 0)[1:3]] <- 0
  err(synth_ate(y ~ treat, d3, covariates = ~ x, proxy = "y_llm"), "Too few units to fit the outcome regression")
  err(synth_ate(y ~ treat, d, proxy = "y_llm", seed = -1), "`seed` must be NULL")
})

test_that("the nuisance correction, by hand: every method's variance x n / (n - 2p - 1), t on n - 2p - 1 df", {
  # Fails for the uncorrected variance (HC0, normal quantiles): with 24
  # labeled units and p = 2 the factor is 24 / 19 and the t quantile 1.729.
  d <- ate_data(n = 80, frac = 0.3, seed = 12)
  n <- sum(!is.na(d$y))
  q <- 2 * 2 + 1
  e <- fitted(glm(treat ~ x, binomial, d))
  for (m in c("classical", "ppi++", "gmm")) {
    fit <- suppressWarnings(synth_ate(y ~ treat, d, covariates = ~ x, proxy = "y_llm", synthetic = "y_syn",
                                      method = m, seed = 4, threads = 1))
    base <- suppressWarnings(synth_glm(ATE ~ 1, fit$pseudo_outcomes, proxy = c(ATE = "ATE_proxy"),
                                       synthetic = c(ATE = "ATE_synthetic"), method = m, threads = 1))
    expect_equal(unname(vcov(fit)[1, 1]), unname(vcov(base)[1, 1]) * n / (n - q), tolerance = 1e-10)
    expect_equal(fit$nuisance_df, n - q)
    expect_equal(fit$df, min(base$df, n - q))
    expect_equal(tidy(fit)$conf.high - coef(fit)[[1]], qt(0.95, fit$df) * tidy(fit)$std.error,
                 tolerance = 1e-10)
    expect_equal(fit$n_effective, base$n_effective, ignore_attr = TRUE, tolerance = 1e-10)
  }
  cl <- suppressWarnings(synth_ate(y ~ treat, d, covariates = ~ x, method = "classical", seed = 4))
  phi <- hand_aipw(d, "y", ~ x, e, cl$folds)[!is.na(d$y)]
  expect_equal(tidy(cl)$std.error, sqrt(sum((phi - mean(phi))^2) / (n * (n - q))), tolerance = 1e-8)
  expect_equal(cl$df, n - q)
})

test_that("too few labeled units per arm for the outcome regressions: a classed warning", {
  d <- ate_data(n = 80, frac = 0.3, seed = 12)
  n_arm <- table(d$treat[!is.na(d$y)])
  expect_true(any(n_arm < 5 * 3))
  expect_warning(synth_ate(y ~ treat, d, covariates = ~ x + x2, method = "classical", seed = 4),
                 class = "synthinfer_warning_few_labels", regexp = "labeled unit.*Label more units")
  expect_true(all(n_arm >= 5 * 1))
  expect_no_warning(synth_ate(y ~ treat, d, method = "classical", seed = 4))
})
