# The GMM methods' small-sample interval and the messages around few labels
# (the few-labels study itself is bench/gmm_small_sample.R).

few_label_data <- function(n_lab = 60, n_unl = 300, seed = 1, family = "gaussian") {
  set.seed(seed)
  n <- n_lab + n_unl
  x <- rnorm(n)
  if (family == "gaussian") {
    e <- rnorm(n)
    y <- 0.5 + x + e
    y_llm <- y + rnorm(n, sd = 0.5)
    y_syn <- 0.45 + 0.9 * x + 0.8 * e + rnorm(n, sd = 0.6)
  } else {
    y <- rbinom(n, 1, plogis(0.5 * x))
    y_llm <- ifelse(runif(n) < 0.5, y, 1 - y)
    y_syn <- rbinom(n, 1, plogis(0.4 * x))
  }
  data.frame(x, y = ifelse(seq_len(n) <= n_lab, y, NA), y_llm, y_syn)
}

test_that("the default GMM interval uses t quantiles on n_lab - K degrees of freedom", {
  d <- few_label_data()
  fit <- synth_glm(y ~ x, d, proxy = c(y = "y_llm"), synthetic = c(y = "y_syn"), threads = 1)
  # K = p (1 + M) = 2 * 3 parameters whose moments live on the 60 labeled rows.
  expect_identical(fit$df, 54)
  expect_identical(fit$se_type, "small_sample")
  se <- sqrt(diag(vcov(fit)))
  ci <- confint(fit, level = 0.95)
  expect_equal(unname(ci[, 2] - ci[, 1]), unname(2 * qt(0.975, 54) * se))
  td <- tidy(fit)
  expect_equal(td$p.value, unname(2 * pt(-abs(coef(fit) / se), 54)))
  # Same point estimate as the textbook variant, a larger variance.
  asym <- synth_glm(y ~ x, d, proxy = c(y = "y_llm"), synthetic = c(y = "y_syn"),
                    se = "asymptotic", threads = 1)
  expect_identical(coef(asym), coef(fit))
  expect_identical(asym$df, Inf)
  expect_true(all(diag(vcov(fit)) > diag(vcov(asym))))
  expect_equal(unname(confint(asym, level = 0.9)[, 2] - coef(asym)),
               unname(qnorm(0.95) * sqrt(diag(vcov(asym)))))
  # Methods other than GMM ignore `se`.
  cl <- synth_glm(y ~ x, d, proxy = c(y = "y_llm"), method = "classical", threads = 1)
  expect_identical(cl$df, Inf)
  expect_error(synth_glm(y ~ x, d, proxy = c(y = "y_llm"), se = "hc3"), "`se` must be")
})

test_that("too few labels for the GMM parameters is an error with the numbers", {
  d <- few_label_data(n_lab = 6, n_unl = 100)
  expect_error(synth_glm(y ~ x, d, proxy = c(y = "y_llm"), synthetic = c(y = "y_syn"), threads = 1),
               "fits 6 parameters .* needs more than 6 labeled rows; there are 6")
  # Between K and 8 K labels: a classed warning that names the remedy.
  d <- few_label_data(n_lab = 30, n_unl = 150)
  expect_warning(synth_glm(y ~ x, d, proxy = c(y = "y_llm"), synthetic = c(y = "y_syn"), threads = 1),
                 "Only 30 labeled rows for 6 GMM parameters", class = "synthinfer_warning_few_labels")
  expect_no_warning(synth_glm(y ~ x, d, proxy = c(y = "y_llm"), method = "ppi++", threads = 1))
})

test_that("gmm without synthetic sources is reported as the proxy-only GMM", {
  d <- few_label_data()
  fit <- synth_glm(y ~ x, d, proxy = c(y = "y_llm"), threads = 1)
  expect_identical(fit$method, "gmm_proxy")
  expect_identical(glance(fit)$method, "gmm_proxy")
  expect_output(print(fit), "labels \\+ proxy\\)")
  ref <- synth_glm(y ~ x, d, proxy = c(y = "y_llm"), method = "gmm_proxy", threads = 1)
  expect_identical(coef(fit), coef(ref))
  full <- few_label_data(n_lab = 400, n_unl = 0)
  full$y <- 0.5 + full$x + rnorm(400)
  expect_message(
    cmp <- compare_methods(y ~ x, full, proxy = c(y = "y_llm"), methods = c("gmm", "gmm_proxy"),
                           fractions = 0.3, trials = 3, seed = 1, threads = 1),
    "compared once")
  expect_identical(unique(cmp$method), "gmm_proxy")
  expect_identical(nrow(cmp), 2L) # one row per coefficient
})

test_that("a NaN response is an error, not an unlabeled row", {
  d <- few_label_data()
  d$y[5] <- NaN
  expect_error(synth_glm(y ~ x, d, proxy = c(y = "y_llm"), threads = 1), "NaN at row\\(s\\) 5")
})

test_that("naive on separated labeled rows is not blocked by the effective-n side fit", {
  set.seed(4)
  n <- 200
  x <- rnorm(n)
  lab <- seq_len(n) <= 40
  y <- ifelse(lab, as.numeric(x > 0), NA) # separated on the labeled rows
  d <- data.frame(x, y, y_syn = rbinom(n, 1, plogis(x)))
  fit <- synth_glm(y ~ x, d, binomial(), synthetic = c(y = "y_syn"), method = "naive", threads = 1)
  expect_true(all(is.finite(coef(fit))))
  expect_true(all(is.na(fit$n_effective)))
  expect_error(synth_glm(y ~ x, d, binomial(), method = "classical", threads = 1), "separated")
})

test_that("PPI without a finite minimiser of the rectified loss is an error", {
  # A proxy right half the time on 60 labels: the rectified loss at lambda = 1
  # is unbounded below for this seed (found by a scan of seeds).
  set.seed(4)
  n <- 360
  x <- rnorm(n); x2 <- rnorm(n)
  y <- rbinom(n, 1, plogis(2 * x - x2))
  d <- data.frame(x, x2, y = ifelse(seq_len(n) <= 60, y, NA),
                  y_llm = ifelse(runif(n) < 0.5, y, 1 - y))
  expect_error(synth_glm(y ~ x + x2, d, binomial(), proxy = c(y = "y_llm"), method = "ppi", threads = 1),
               "no finite minimiser.*method = \"classical\"")
  # PPI++ tunes lambda away from 1 and has a finite answer here.
  pp <- synth_glm(y ~ x + x2, d, binomial(), proxy = c(y = "y_llm"), method = "ppi++", threads = 1)
  expect_true(all(is.finite(coef(pp))) && all(is.finite(vcov(pp))))
  expect_lt(pp$lambda, 1)
})

test_that("method = 'ppi' uses lambda = 1, not the tuned lambda", {
  d <- few_label_data(n_lab = 150, n_unl = 600, seed = 8)
  d$y_llm <- d$y_llm + rnorm(nrow(d), sd = 2) # a poor proxy: tuned lambda well below 1
  pp <- synth_glm(y ~ x, d, proxy = c(y = "y_llm"), method = "ppi++", threads = 1)
  p1 <- synth_glm(y ~ x, d, proxy = c(y = "y_llm"), method = "ppi", threads = 1)
  expect_identical(p1$lambda, 1)
  expect_lt(pp$lambda, 0.9)
  # PPI for OLS in closed form: classical + (beta_U(proxy) - beta_L(proxy)).
  lab <- !is.na(d$y)
  ols <- function(yy, rows) unname(coef(lm(yy[rows] ~ d$x[rows])))
  expect_equal(unname(coef(p1)), ols(d$y, lab) + ols(d$y_llm, !lab) - ols(d$y_llm, lab),
               tolerance = 1e-10)
})

test_that("GMM's small-sample interval covers at 60 labels where the textbook one does not", {
  # 400 replications of the study design (ordinary least squares, good
  # synthetic data, 60 labels and 300 unlabeled rows), run in Rust. The
  # Monte Carlo standard error of a 90% coverage is sqrt(.09 / 400) = 0.015;
  # we accept the small-sample coverage within 3 of them (>= 0.855) and
  # require it above the textbook interval's, which the full study puts
  # near 0.82 at this size.
  res <- synthinfer:::gmm_small_sample_study("ols", "good", n_labeled = 60, reps = 400,
                                             seed = 11, threads = 2)
  cov90 <- setNames(res$coverage90, res$rule)
  expect_gt(cov90[["windmeijer_hc3_t"]], 0.855)
  expect_lt(cov90[["windmeijer_hc3_t"]], 0.96)
  expect_gt(cov90[["windmeijer_hc3_t"]], cov90[["asymptotic_z"]])
})

test_that("print() says when GMM is less precise than the labeled rows alone", {
  set.seed(21)
  n <- 300
  x <- rnorm(n)
  y <- 1 + x + rnorm(n)
  d <- data.frame(x, y = ifelse(seq_len(n) <= 60, y, NA),
                  y_llm = rnorm(n), y_syn = rnorm(n)) # surrogates unrelated to y
  fit <- synth_glm(y ~ x, d, proxy = c(y = "y_llm"), synthetic = c(y = "y_syn"), threads = 1)
  expect_lt(mean(fit$n_effective), 60)
  expect_output(print(fit), "effective sample size .* < 60 labels")
  good <- few_label_data()
  fit2 <- synth_glm(y ~ x, good, proxy = c(y = "y_llm"), synthetic = c(y = "y_syn"), threads = 1)
  expect_gt(mean(fit2$n_effective), 60)
  expect_false(any(grepl("effective sample size", capture.output(print(fit2)))))
})

test_that("a constant surrogate source is dropped with a message, or is an error when alone", {
  d <- few_label_data(n_lab = 100, n_unl = 300)
  d$const <- 2
  expect_message(
    fit <- synth_glm(y ~ x, d, proxy = c(y = "const"), synthetic = c(y = "y_syn"), threads = 1),
    "Dropping the proxy")
  ref <- synth_glm(y ~ x, d, synthetic = c(y = "y_syn"), threads = 1)
  expect_identical(coef(fit), coef(ref))
  expect_error(synth_glm(y ~ x, d, proxy = c(y = "const"), method = "gmm_proxy", threads = 1),
               "proxy is constant on every row.*method = \"classical\"")
  expect_message(synth_glm(y ~ 1, d, proxy = c(y = "y_llm"),
                           synthetic = list(c(y = "y_syn"), c(y = "const")), threads = 1),
                 "Dropping synthetic source 2")
})

test_that("separated surrogate data are named in the error", {
  set.seed(5)
  n <- 400
  x <- rnorm(n)
  y <- rbinom(n, 1, plogis(x))
  d <- data.frame(x, y = ifelse(seq_len(n) <= 100, y, NA),
                  y_llm = ifelse(runif(n) < 0.8, y, 1 - y),
                  y_syn = as.numeric(x > 0)) # separated by x on every row
  expect_error(synth_glm(y ~ x, d, binomial(), proxy = c(y = "y_llm"), synthetic = c(y = "y_syn"),
                         threads = 1),
               "synthetic source 1 on all rows.*separated")
})

test_that("summary() labels t statistics when the intervals use t quantiles", {
  d <- few_label_data()
  gmm_fit <- synth_glm(y ~ x, d, proxy = c(y = "y_llm"), synthetic = c(y = "y_syn"), threads = 1)
  expect_output(print(summary(gmm_fit)), "t value +Pr\\(>\\|t\\|\\)")
  ppi_fit <- synth_glm(y ~ x, d, proxy = c(y = "y_llm"), method = "ppi++", threads = 1)
  expect_output(print(summary(ppi_fit)), "z value +Pr\\(>\\|z\\|\\)")
})
