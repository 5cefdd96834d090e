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
#' The covariates `x1`, `x2`, ... are independent standard normal. A
#' synthetic unit's covariates are its real unit's plus independent
#' `N(0, 0.5^2)` noise (fresh standard normal draws in the `"noise"` regime),
#' and its label follows the model with all coefficients shrunk by 10%
#' (`0.9 x_syn'beta`): each surrogate source has its own parameter in the GMM.
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
#' The labeled units, `max(1, round(fraction * n))` of them, are a simple
#' random sample of the `n` units. The data are drawn by the Rust core, by
#' the same generator as the package's internal coverage study of the
#' [synth_glm()] estimators.
#'
#' @param n Number of real units (at least 20).
#' @param fraction Share of the real units that carry a human label, in
#'   (0, 1].
#' @param family `"gaussian"` (linear model, unit error variance) or
#'   `"binomial"` (logistic model).
#' @param regime Quality of the synthetic data: `"good"`, `"noise"`,
#'   `"biased"` or `"anticorrelated"` (see Details).
#' @param coefficients True regression coefficients: the intercept first,
#'   then one per covariate `x1`, `x2`, ... (standard normal).
#' @param strength Correlation between real and synthetic residuals in the
#'   `"good"` regime (its negative in `"anticorrelated"`), in (0, 1).
#' @param seed `NULL` (the default) or a whole number in \[0, 2^53): the
#'   seeding rule of every synthinfer function that draws random numbers.
#'   With `NULL` the seed is drawn from R's random number generator, so
#'   [set.seed()] before the call reproduces the result; a whole number is
#'   used as the seed and leaves R's generator as it was. Results never
#'   depend on the number of threads.
#' @return A tibble with one row per real unit and columns `y` (the human
#'   label, `NA` for unlabeled units), `y_full` (the human label of every unit,
#'   for Monte Carlo evaluations such as [compare_methods()]), `labeled` (the
#'   logical mask of the labeled units), the covariates `x1`, ..., `y_llm`
#'   (proxy label), `x1_syn`, ..., and `y_syn` (the synthetic unit).
#'   Attributes `coefficients` (the truth) and `regime`.
#' @references Byun, Y., Gupta, S., Lipton, Z. C., Childers, R. L. and
#'   Wilder, B. (2025). Valid inference with imperfect synthetic data.
#'   Advances in Neural Information Processing Systems (NeurIPS 2025).
#'   arXiv:2508.06635.
#' @export
#' @examples
#' d <- simulate_synthetic(500, fraction = 0.2, regime = "good", seed = 1)
#' head(d)
#' # The synthetic residual tracks the real one in the good regime:
#' with(d, cor(y_full - (0.5 + x1 - 0.5 * x2), y_syn - 0.9 * (0.5 + x1_syn - 0.5 * x2_syn)))
simulate_synthetic <- function(n, fraction = 0.1, family = c("gaussian", "binomial"),
                               regime = c("good", "noise", "biased", "anticorrelated"),
                               coefficients = c(0.5, 1, -0.5), strength = 0.8, seed = NULL) {
  design <- check_population_design(n, fraction, match.arg(family), match.arg(regime),
                                    coefficients, strength, all_labeled = TRUE)
  s <- rs_simulate_synthetic(design, resolve_seed(seed))
  xnames <- paste0("x", seq_len(ncol(s$x)))
  out <- tibble::tibble(y = ifelse(s$labeled, s$y_full, NA_real_), y_full = s$y_full,
                        labeled = s$labeled)
  out[xnames] <- as.data.frame(s$x)
  out$y_llm <- s$y_llm
  out[paste0(xnames, "_syn")] <- as.data.frame(s$x_syn)
  out$y_syn <- s$y_syn
  attr(out, "coefficients") <- stats::setNames(design$coefficients, c("(Intercept)", xnames))
  attr(out, "regime") <- design$regime
  out
}

# The checks shared by simulate_synthetic() and the internal coverage study,
# which needs unlabeled units (all_labeled = FALSE); `family` and `regime`
# are checked by the caller. Returns the design as the core reads it.
check_population_design <- function(n, fraction, family, regime, coefficients, strength,
                                    all_labeled) {
  n <- check_count(n, "n", min = 20L)
  fraction <- check_probability(fraction, "fraction", open = !all_labeled)
  if (fraction == 0) stop_arg("fraction", "must be positive: some units need a human label.")
  coefficients <- check_numeric_vector(coefficients, "coefficients", min_length = 2L)
  strength <- check_probability(strength, "strength")
  list(n = n, fraction = fraction, family = family, regime = regime,
       coefficients = coefficients, strength = strength)
}
