#' Simulate real, proxy and synthetic data for GMM with synthetic data
#'
#' Generates `n` real units with covariates and a human label (a linear or
#' logistic regression), a model "proxy" label for every real unit, and one
#' synthetic unit (covariates and label) per real unit, generated "conditioned
#' on" that unit. The quality of the synthetic units follows one of four
#' regimes, the settings in which the GMM estimator of Byun et al. is studied:
#'
#' * `"good"`: the synthetic unit tracks its real unit; the synthetic
#'   residual is correlated (correlation `strength`) with the real residual.
#'   GMM should then be clearly tighter than GMM with the proxy alone.
#' * `"noise"`: the synthetic units are pure noise, independent of the real
#'   data (standard normal covariates; a standard normal label, or a fair coin
#'   for `binomial`). GMM should be no wider than without them.
#' * `"biased"`: the synthetic labels are pushed in one direction (shifted by
#'   +2 for `gaussian`, 90% ones for `binomial`), independently of the real
#'   residual. Pooling them as real data is then badly biased; GMM is not.
#' * `"anticorrelated"`: the synthetic residual is negatively correlated
#'   (correlation `-strength`) with the real one. This carries as much
#'   information as the good regime, which GMM exploits.
#'
#' The proxy label is the same in every regime: for `gaussian`
#' `0.9 x'beta + 0.6 e + N(0, 0.8^2)` (`e` the real residual), for `binomial`
#' the human label flipped with probability 0.2.
#'
#' For `binomial` the correlation between real and synthetic labels is
#' induced through the uniform variable that draws the label: the synthetic
#' label reuses the real unit's uniform with probability `strength` and a
#' fresh one otherwise; the anticorrelated label is one minus such a label
#' (a synthetic source that systematically answers the opposite).
#'
#' @param n Number of real units (at least 20).
#' @param labeled Fraction of real units with a human label, in (0, 1].
#' @param family `"gaussian"` (linear model, unit error variance) or
#'   `"binomial"` (logistic model).
#' @param regime Quality of the synthetic data: `"good"`, `"noise"`,
#'   `"biased"` or `"anticorrelated"` (see Details).
#' @param coefficients True regression coefficients: the intercept first,
#'   then one per covariate `x1`, `x2`, ... (standard normal).
#' @param strength Correlation between real and synthetic residuals in the
#'   `"good"` regime (its negative in `"anticorrelated"`), in (0, 1).
#' @return A tibble with one row per real unit and columns `y` (the human
#'   label, `NA` for unlabeled units), `y_full` (the human label of every unit,
#'   for Monte Carlo evaluations such as [compare_methods()]), `labeled`,
#'   the covariates `x1`, ..., `y_llm` (proxy label), `x1_syn`, ..., and
#'   `y_syn` (the synthetic unit). Attributes `coefficients` (the truth) and
#'   `regime`. Uses R's random number generator: call [set.seed()] first for
#'   reproducible data.
#' @references Byun, Y., Gupta, S., Lipton, Z. C., Childers, R. L. and
#'   Wilder, B. (2025). Valid inference with imperfect synthetic data.
#'   Advances in Neural Information Processing Systems (NeurIPS 2025).
#'   arXiv:2508.06635.
#' @export
#' @examples
#' set.seed(1)
#' d <- simulate_synthetic(500, labeled = 0.2, regime = "good")
#' head(d)
#' # The synthetic residual tracks the real one in the good regime:
#' with(d, cor(y_full - (0.5 + x1 - 0.5 * x2), y_syn - 0.9 * (0.5 + x1_syn - 0.5 * x2_syn)))
simulate_synthetic <- function(n, labeled = 0.1, family = c("gaussian", "binomial"),
                               regime = c("good", "noise", "biased", "anticorrelated"),
                               coefficients = c(0.5, 1, -0.5), strength = 0.8) {
  n <- check_count(n, "n", min = 20L)
  labeled <- check_probability(labeled, "labeled", open = FALSE)
  if (labeled == 0) stop_arg("labeled", "must be positive: some units need a human label.")
  family <- match.arg(family)
  regime <- match.arg(regime)
  coefficients <- check_numeric_vector(coefficients, "coefficients", min_length = 2L)
  strength <- check_probability(strength, "strength")

  p <- length(coefficients) - 1L
  xnames <- paste0("x", seq_len(p))
  X <- matrix(stats::rnorm(n * p), n, p, dimnames = list(NULL, xnames))
  eta <- drop(coefficients[1] + X %*% coefficients[-1])
  # The synthetic unit's covariates: its real unit's, perturbed (as an LLM
  # rewriting a text would), or unrelated noise in the "noise" regime.
  X_syn <- if (regime == "noise") matrix(stats::rnorm(n * p), n, p) else
    X + matrix(stats::rnorm(n * p, sd = 0.5), n, p)
  # Synthetic outcomes follow a deliberately different model (coefficients
  # shrunk by 10%): each surrogate source has its own parameter in the GMM.
  eta_syn <- drop(0.9 * (coefficients[1] + X_syn %*% coefficients[-1]))
  rho <- switch(regime, good = strength, anticorrelated = -strength, 0)

  if (family == "gaussian") {
    e <- stats::rnorm(n)
    y <- eta + e
    y_llm <- 0.9 * eta + 0.6 * e + stats::rnorm(n, sd = 0.8)
    y_syn <- switch(regime,
      noise = stats::rnorm(n),
      biased = eta_syn + 2 + stats::rnorm(n),
      eta_syn + rho * e + sqrt(1 - rho^2) * stats::rnorm(n))
  } else {
    u <- stats::runif(n)
    y <- as.double(u < stats::plogis(eta))
    y_llm <- ifelse(stats::runif(n) < 0.2, 1 - y, y)
    # Reuse the real unit's uniform with probability |rho|; the
    # anticorrelated label is the mirror image (1 - label) of a good one.
    u_syn <- ifelse(stats::runif(n) < abs(rho), u, stats::runif(n))
    tracked <- as.double(u_syn < stats::plogis(eta_syn))
    y_syn <- switch(regime,
      noise = as.double(stats::runif(n) < 0.5),
      biased = as.double(stats::runif(n) < 0.9),
      anticorrelated = 1 - tracked,
      tracked)
  }

  is_labeled <- seq_len(n) %in% sample.int(n, max(1L, round(labeled * n)))
  # y_full first: tibble() evaluates its arguments in order, so a later
  # `y_full = y` would see the column with the hidden labels.
  out <- tibble::tibble(y_full = y, labeled = is_labeled)
  out <- tibble::add_column(out, y = ifelse(is_labeled, y, NA_real_), .before = 1)
  out[xnames] <- as.data.frame(X)
  out$y_llm <- y_llm
  out[paste0(xnames, "_syn")] <- as.data.frame(X_syn)
  out$y_syn <- y_syn
  attr(out, "coefficients") <- stats::setNames(coefficients, c("(Intercept)", xnames))
  attr(out, "regime") <- regime
  out
}
