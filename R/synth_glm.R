# synth_glm(): GLMs fitted on a few human labels plus LLM proxies and
# synthetic samples, by two-step GMM (Byun et al.), PPI / PPI++ and the
# classical and naive baselines. The numerics run in the Rust core
# (synthinfer_core::estimate::synth_glm, one call); this file validates and
# assembles.

synth_methods <- c("gmm", "gmm_proxy", "ppi++", "ppi", "classical", "naive", "ppi++synth", "reppi")

#' Regression with human labels, LLM proxies and synthetic data
#'
#' Fits a linear, logistic or Poisson regression (or a mean, `y ~ 1`) when
#' only some rows carry a human label, every row carries an LLM prediction
#' (the proxy) and, optionally, an LLM-generated synthetic unit generated
#' conditionally on each real unit. The default, `method = "gmm"`, is the
#' two-step GMM estimator of Byun et al.: its confidence intervals are valid
#' whatever the quality of the proxies and synthetic data, and narrower the
#' more their residuals track the real ones.
#'
#' @section Methods:
#' With `S_i` the label indicator and `psi` the GLM score
#' `x (y - mu(x'b))`, the GMM moment vector is
#' `[S_i psi(X_i, Y_i; theta); for each surrogate source m:
#' S_i psi(X^m_i, Y^m_i; eta_m), psi(X^m_i, Y^m_i; eta_m)]` with parameters
#' `(theta, eta_1, ..., eta_M)`.
#' * `"gmm"`: the labeled block, the proxy and every synthetic source.
#'   Step 1 minimises the identity-weighted criterion (theta is then the
#'   labeled-only fit); step 2 uses the inverse of the step-1 moment
#'   covariance (uncentred) as weight, minimised by Gauss-Newton with a line
#'   search. The variance is `(G' S^{-1} G)^{-1} / n` with the Jacobian `G`
#'   and moment covariance `S` at the estimate; Hansen's J statistic tests the
#'   `p M` over-identifying restrictions.
#' * `"gmm_proxy"`: GMM with the proxy only (no synthetic block). `"gmm"`
#'   on a design without synthetic sources is this method, and the fit
#'   reports it as `"gmm_proxy"`.
#' * `"ppi++"`: prediction-powered inference with the power-tuned `lambda`
#'   of Angelopoulos et al. (2023), using the proxy; conventions (tuning,
#'   variance) as in ppi-python 0.2.3, the labeled rows being its labeled
#'   set and the unlabeled rows its unlabeled set. When `proxy` also
#'   predicts covariates (beyond ppi-python), the estimate minimises the
#'   rectified loss for every family and the variance uses the labeled
#'   rows' true-covariate Hessian.
#' * `"ppi"`: the same with `lambda = 1`.
#' * `"ppi++synth"`: PPI++ whose imputed label mixes the proxy and the
#'   synthetic prediction with a weight `alpha` chosen by cross-fitting
#'   (Byun et al.'s PPI++Synth baseline); see [ppi_synth].
#' * `"reppi"`: recalibrated prediction-powered inference (RePPI) of Ji, Lei
#'   and Zrnic (2025), using the proxy. An imputed score
#'   `g(x~, yhat) ~ E[psi(X, Y; theta0) | proxy]` is learned on the labeled
#'   rows at the labeled-only fit `theta0`: for each score component `j`, a
#'   least-squares regression of `psi_j` on `x~_j` times
#'   `(1, yhat, x~, yhat x~)` (`x~` the proxy covariates without the
#'   intercept, `yhat` the proxy response; for a mean, on `(1, yhat)`),
#'   cross-fitted over 5 folds (the labeled rows in row order go
#'   round-robin into the folds, so the fit needs no random numbers; each
#'   fold's regression and its `theta0` are fitted on the other folds, and
#'   the unlabeled rows get the folds' average). The learned score is then
#'   recalibrated, `M = Cov(psi, g) Cov(g)^{-1} / (1 + n/N)` over the `n`
#'   labeled rows (`N` unlabeled), and the estimate solves
#'   `(1/n) sum_labeled [psi(theta) - M g] + (1/N) sum_unlabeled M g = 0`,
#'   with variance `H^{-1} [Cov(psi - M g) + (n/N) M Cov_unlabeled(g) M']
#'   H^{-1} / n`. `M = 0` is the classical fit, so RePPI is asymptotically
#'   never less precise than the labeled rows alone, however poor the
#'   proxy; for a mean it is, up to the cross-fitting of the slope, the
#'   regression estimator of two-phase sampling. The learner is linear, so
#'   the gain over `"ppi++"` comes from the recalibration (a rescaled or
#'   negatively related proxy, covariate-dependent proxy errors), not from
#'   flexible machine learning as in the paper. In our simulations (linear
#'   model, 200 labels, 800 unlabeled rows, 400 replications) its mean
#'   squared error relative to the labeled-only fit was 0.34-0.41 with a
#'   good proxy (PPI++ the same), 0.74-0.79 with a proxy negatively related
#'   to the label with a covariate-dependent error (PPI++ 1.00), and
#'   1.01-1.04 with a useless proxy (the finite-sample cost of the fitted
#'   learner and recalibration). That variance treats `M`, the learners and
#'   `theta` as known and is optimistic with few labels; it is what
#'   `se = "asymptotic"` reports. The default, `se = "small_sample"`,
#'   corrects it: see the section on few labels.
#' * `"classical"`: the labeled rows only, with the sandwich (HC0) variance.
#' * `"naive"`: the labeled rows pooled with the synthetic rows (or, without
#'   synthetic data, with the proxy on the unlabeled rows) as if they were
#'   real, sandwich variance. **Not valid**: for comparison only.
#'
#' @section Generating the synthetic data:
#' Each synthetic unit must be produced by the same mechanism whether or not
#' its real unit is labeled, conditioning only on what every row has. For
#' a synthetic source `m`, the GMM blocks `S_i psi(eta_m)` and `psi(eta_m)`
#' share one `eta_m`; if, say, labeled units were prompted with their true
#' covariates and the others with predicted ones, no single `eta_m` solves
#' both, and the off-diagonal weights pull `theta` away from the truth: the
#' interval is invalid although each block looks fine. Hansen's J test
#' detects this with a power that grows with the number of labels but can be
#' low with a few hundred (in our logistic simulation, 0.11 with 100 labels
#' and 0.60 with 400, where coverage had already fallen to 0.61 and 0.23;
#' `bench/label_dependent_synthetic.R` in the sources), so the generation
#' rule, not the test, is the protection. A rejection at the
#' 1% level raises a warning of class `synthinfer_warning_j_test`
#' (`suppressWarnings(classes = )` or a calling handler muffles it in
#' simulations). PPI methods with such a surrogate are biased too, and have
#' no J test to flag it.
#'
#' @section Effective sample size:
#' `glance()` reports `n_effective`, the number of labeled rows the classical
#' estimator would need to match this fit's precision: `n_labeled` times the
#' ratio of classical to this method's variance, averaged over the
#' coefficients. Per-coefficient values are in `fit$n_effective` and
#' `summary(fit)`.
#'
#' @section Few labels: the default variance of the GMM methods:
#' The textbook two-step GMM variance `(G' S^{-1} G)^{-1} / n` treats the
#' estimated weight matrix as known. With a few dozen to a few hundred labels
#' that is optimistic: in our few-labels study (`bench/gmm_small_sample.R`;
#' means, linear, logistic and Poisson slopes; 50-200 labels and five times
#' as many unlabeled rows; one proxy and one synthetic source; good, noisy
#' proxy, anticorrelated, weakly related synthetic data and a skewed
#' covariate; 2,000 replications per cell) its nominal 90% interval covered
#' as little as 0.69 (Poisson slope, skewed covariate, 50 labels).
#' `se = "small_sample"` (the default) corrects it in three ways: Windmeijer's
#' (2005) correction for the estimated weight matrix; HC3-type leverage
#' multipliers `1 / (1 - h_i)^2` on the labeled rows' moment products (`h_i`
#' the row's leverage in the labeled-rows GLM fit; MacKinnon and White,
#' 1985), against the downward bias of outer-product variances on
#' high-leverage rows; and a degrees-of-freedom correction, the covariance
#' times `n_lab / (n_lab - K)` with t quantiles on `n_lab - K` degrees of
#' freedom, `K = p (1 + M)` being the number of parameters whose moments
#' live on the labeled rows (`p` coefficients, `M` surrogate sources). In
#' the 48 cells of the four stress scenarios its 90% and 95% intervals
#' covered at least the nominal level minus two Monte Carlo standard errors
#' (lowest: 0.893 and 0.946), and in the skewed-covariate cells all but one
#' 95% cell (0.9395 against 0.9403), while keeping most of the gain: with
#' good synthetic data and 200 labels the interval is 0.5-0.65 times as wide
#' as the labeled-only one. The candidates compared (textbook, degrees of
#' freedom alone, Windmeijer with and without HC2 or HC3 leverage
#' multipliers, iterated GMM, a bootstrap of the whole two-step estimator)
#' and the full tables are in
#' `vignette("gmm-few-labels", package = "synthinfer")`.
#' `se = "asymptotic"` gives the textbook variance with normal quantiles (as
#' `gmm::gmm`). GMM needs more than `K` labeled rows (an error says so);
#' below `8 K` labels a warning (class `synthinfer_warning_few_labels`) says
#' that the correction has not been validated there.
#'
#' @section Few labels: the default variance of RePPI:
#' RePPI's plain sandwich (Methods) ignores that the recalibration `M`, the
#' fold learners and `theta` are estimated on the same few labeled rows;
#' with 200 labels its nominal 90% intervals covered 0.85-0.90.
#' `se = "small_sample"` (the default) corrects it in the same spirit as
#' GMM's: the centred labeled residuals `psi(theta) - M g` are multiplied
#' by `1 / ((1 - h_i) sqrt(1 - l_i))`, HC3-type for `h_i`, the row's
#' leverage in the labeled GLM fit at the estimate, and HC2-type for `l_i`,
#' its leverage in the least-squares regression of the score on the
#' centred learned scores that defines `M` (`(g_i - mean g)' [(n - 1)
#' Cov(g)]^{-1} (g_i - mean g)`); their cross-product is divided by `n - K`
#' instead of `n - 1`, and intervals use t quantiles on `df = n - K`
#' degrees of freedom (`fit$df`), with `K = 2 p + q` the parameters the
#' labeled rows pay for: `p` coefficients, `p` recalibration coefficients
#' per score component and the `q = 2 (1 + p')` learner features per
#' component (`p'` proxy covariates besides the intercept; `K = 12` for an
#' intercept and two covariates, `K = 4` for a mean). The unlabeled part of
#' the variance is unchanged. RePPI needs more than `K` labeled rows (an
#' error says so); below `4 K` labels (48 for `K = 12`) a warning (class
#' `synthinfer_warning_few_labels`) says that the correction has not been
#' validated there. In the few-labels study (`bench/reppi_few_labels.R`:
#' linear with heteroskedastic errors and logistic, good and useless proxy,
#' 50-500 of 2,000 rows labeled, 2,000 replications per cell) the plain
#' sandwich's 90% intervals covered as little as 0.79 (0.83 at 100 labels),
#' the corrected ones at least 0.89 in all 48 cells, at 1.32, 1.13, 1.06 and
#' 1.02 times the width at 50, 100, 200 and 500 labels; with a good proxy
#' they stay 0.68-0.72 times as wide as the labeled-only interval from 100
#' labels on. The tables are in `bench/results/reppi_few_labels.md`. `se = "asymptotic"` gives the plain
#' sandwich with normal quantiles.
#'
#' Other methods are unaffected by `se`: their intervals are Wald intervals
#' with normal quantiles.
#'
#' @section Sampling weights:
#' `weights` are sampling (survey) weights, one per row of `data`, as
#' [stats::lm()] takes them: a column of `data` given unquoted
#' (`weights = w`), a vector, or a column name as a string. They must be
#' finite and non-negative, with at least one positive; they are normalised
#' to mean 1 (no estimate depends on their scale). Every method weights every
#' moment block: a mean over the labeled or the unlabeled rows becomes the
#' Hajek mean `sum w_i z_i / sum w_i`, a GLM score sum `sum w_i psi_i`, and
#' GMM's moment vector `gbar = sum_i w_i g_i / n`. The variance is the
#' design-based (linearisation, with-replacement) sandwich: the moment
#' covariance is `S = sum_i w_i^2 g_i g_i' / n`, and a Hajek mean over `m`
#' rows has variance `sum w_i^2 (z_i - zbar)^2 / (sum w_i)^2`, times
#' `m / (m - 1)` where the unweighted method uses sample covariances (PPI and
#' PPI++ regressions, as ppi-python). With unit weights every method gives
#' the unweighted fit. Labels must be missing at random with respect to the
#' weighted sample (the labeled rows a random subsample of the rows).
#' * `"classical"` is the weighted GLM on the labeled rows with the HC0
#'   sandwich variance: `sandwich::vcovHC(glm(..., weights = w), type =
#'   "HC0")` exactly. `survey::svyglm()` with `svydesign(ids = ~1, weights =
#'   ~w)` gives the same estimate and this variance times
#'   `n_lab / (n_lab - 1)` (its with-replacement degrees-of-freedom factor).
#' * `"ppi"`, `"ppi++"`, `"ppi++synth"`: the imputed and rectifier means are
#'   Hajek means over the unlabeled and the labeled rows; PPI++'s `lambda`
#'   is ppi-python's formula with each covariance replaced by its
#'   design-based analogue scaled to one row (only efficiency depends on it).
#' * `"gmm"`, `"gmm_proxy"`: both steps use the weighted moments and `S`.
#'   The small-sample variance (`se = "small_sample"`) extends directly:
#'   Windmeijer's correction differentiates the weighted `S`, the HC3
#'   leverages are those of the weighted labeled-rows GLM fit (`h_i = w_i
#'   v_i x_i' (sum w v x x')^{-1} x_i`), and `n_lab` in the
#'   degrees-of-freedom correction counts the labeled rows with a positive
#'   weight.
#' * `"naive"`: the weighted pooled GLM with the HC0 sandwich.
#'
#' Integer weights give the same point estimate as repeating each row that
#' many times for the exactly identified estimators (`"classical"`,
#' `"naive"`, `"ppi"`), not for GMM or PPI++ (whose weight matrix or
#' `lambda` reads the moment covariance, which treats a weight as a sampling
#' weight, not as a frequency). Under weights, `nobs_labeled` and
#' `nobs_unlabeled` count the rows with a positive weight, and
#' `n_effective` takes as reference Kish's effective number of labeled
#' rows, `(sum w)^2 / sum w^2` over them: it is the number of labels from a
#' simple random sample that the weighted classical estimator would need to
#' match the fit (Kish's approximation).
#'
#' The linearisation variance is a large-sample approximation, and very
#' unequal weights make it optimistic: in a simulation with informative
#' Poisson sampling (about 1,000 sampled units, 40% labeled), inclusion
#' probabilities between 0.05 and 0.15 gave 90% intervals covering 0.885-0.95
#' for every method, but probabilities between 0.02 and 0.15 (weights varying
#' 7.5-fold) gave about 0.86 for every method, the classical weighted GLM
#' included. Compare `glance(fit)$nobs_labeled` with Kish's effective number
#' of labeled rows (`sum(w)^2 / sum(w^2)` over them): when the second is much
#' smaller, label more rows, trim extreme weights, or read the interval as
#' approximate.
#'
#' @section Degenerate labeled data:
#' Data on which no finite estimate or no honest interval exists are errors
#' (class `synthinfer_error_numeric`) naming the cause: separated logistic
#' data, Poisson responses that are zero on every labeled row (or every
#' labeled row of a factor level), a singular moment covariance, a negative
#' small-sample variance. A linear model that fits the labeled responses
#' exactly (a constant response, or one that is a linear function of the
#' covariates) leaves no residual variance, so the `"classical"`, `"ppi++"`,
#' `"ppi++synth"` and `"reppi"` intervals shrink to (almost) no width: a
#' warning of class `synthinfer_warning_exact_fit` says so. The PPI methods
#' need more unlabeled rows than coefficients. The `"classical"`, `"ppi"`,
#' `"ppi++"` and `"ppi++synth"` intervals have no finite-sample correction:
#' below 8 labeled rows per coefficient a warning (class
#' `synthinfer_warning_few_labels`) says that they may cover far less than
#' their nominal level (in a linear simulation with 2 coefficients, nominal
#' 90% intervals covered 0.72 with 8 labels and 0.80 with 16).
#'
#' @param formula,data,family,proxy,synthetic See [synth_design()]. Rows with
#'   a non-missing response are labeled.
#' @param method One of `"gmm"`, `"gmm_proxy"`, `"ppi++"`, `"ppi"`,
#'   `"classical"`, `"naive"`, `"ppi++synth"`, `"reppi"`; see Methods.
#' @param se Variance of the GMM methods (`"gmm"`, `"gmm_proxy"`) and of
#'   `"reppi"`: `"small_sample"` (default; for GMM Windmeijer-corrected with
#'   HC3 leverage multipliers, degrees-of-freedom scaled, t quantiles; for
#'   RePPI leverage-corrected labeled residuals divided by `n - K`, t quantiles
#'   on `n - K` degrees of freedom) or `"asymptotic"` (textbook two-step
#'   variance or RePPI's plain sandwich, normal quantiles). See the
#'   sections on few labels.
#' @param alpha Error level of the reported intervals: `confint()` and
#'   `tidy()` default to level `1 - alpha`.
#' @param weights `NULL` (unweighted) or sampling weights, one per row of
#'   `data`: an unquoted column of `data` or a numeric vector (evaluated in
#'   `data` first, as in [stats::lm()], so a column of `data` masks a
#'   variable of the same name), or a column name as a string. See the
#'   section on sampling weights.
#' @param threads Number of threads for the row reductions (results do not
#'   depend on it).
#' @param ... Not used; must be empty.
#' @return An object of class `"synth_glm"` with methods for `coef()`,
#'   `vcov()`, `confint()`, `summary()`, `print()`, `nobs()`, `predict()`,
#'   `tidy()` and `glance()`. Elements: `coefficients`, `vcov`, `method`,
#'   `family`, `alpha`, `nobs_labeled`, `nobs_unlabeled`, `j_statistic`,
#'   `j_df`, `j_p_value` (GMM), `lambda` (PPI), `mix_alpha` (PPI++Synth's
#'   weight per fold), `df`, `se_type`, `n_effective`, `design`,
#'   `labeled_rows` (positions of the labeled rows). [autoplot()][ggplot2::autoplot]
#'   draws its coefficients beside other methods' (see [autoplot.synth_glm()]),
#'   and [augment()][augment.synth_glm] adds fitted values and residuals to the data.
#'
#'   A GMM fit whose Hansen J test rejects at the 1% level raises a warning
#'   of class `synthinfer_warning_j_test` naming the likely cause (a
#'   surrogate source generated differently on labeled rows, or otherwise
#'   incompatible with the labeled block) and the remedies.
#' @references Byun, Y., Gupta, S., Lipton, Z. C., Childers, R. L. and
#'   Wilder, B. (2025). Valid inference with imperfect synthetic data.
#'   Advances in Neural Information Processing Systems (NeurIPS).
#'   arXiv:2508.06635.
#'
#'   Windmeijer, F. (2005). A finite sample correction for the variance of
#'   linear efficient two-step GMM estimators. Journal of Econometrics 126,
#'   25-51.
#'
#'   MacKinnon, J. G. and White, H. (1985). Some heteroskedasticity-consistent
#'   covariance matrix estimators with improved finite sample properties.
#'   Journal of Econometrics 29, 305-325.
#'
#'   Angelopoulos, A. N., Duchi, J. C. and Zrnic, T. (2023). PPI++:
#'   Efficient prediction-powered inference. arXiv:2311.01453.
#'
#'   Ji, W., Lei, L. and Zrnic, T. (2025). Predictions as surrogates:
#'   revisiting surrogate outcomes in the age of AI. arXiv:2501.09731.
#' @seealso [synth_design()] and [synth_fit_design()] to refit one design
#'   under many label masks.
#' @export
#' @examples
#' set.seed(1)
#' n <- 400
#' x <- rnorm(n)
#' y <- 1 + 0.5 * x + rnorm(n)
#' d <- data.frame(x,
#'   y = ifelse(runif(n) < 0.2, y, NA),         # 20% human labels
#'   y_llm = y + rnorm(n, sd = 0.7),            # LLM prediction, every row
#'   y_syn = 0.9 + 0.4 * x + 0.6 * (y - 1 - 0.5 * x) + rnorm(n, sd = 0.8))
#' fit <- synth_glm(y ~ x, d, proxy = c(y = "y_llm"), synthetic = c(y = "y_syn"),
#'                  threads = 1)
#' fit
#' tidy(fit)
#' glance(fit)
#' tidy(synth_glm(y ~ x, d, proxy = c(y = "y_llm"), method = "ppi++", threads = 1))
synth_glm <- function(formula, data, family = stats::gaussian(), proxy = NULL,
                      synthetic = NULL, method = c("gmm", "gmm_proxy", "ppi++", "ppi", "classical", "naive", "ppi++synth", "reppi"),
                      alpha = 0.1, se = c("small_sample", "asymptotic"), weights = NULL,
                      threads = default_threads(), ...) {
  if (...length() > 0L) {
    abort_classed("synthinfer_error_input", paste0("Unused argument(s) in `...`: ",
                                                   paste(names(list(...)), collapse = ", ")), arg = "...")
  }
  method <- check_method(method)
  alpha <- check_probability(alpha, "alpha")
  threads <- check_threads(threads)
  se <- check_se(se)
  # The default family is checked once per session (default_family()).
  if (missing(family)) family <- default_family()
  design <- synth_design(formula, data, family, proxy, synthetic)
  if (!missing(weights)) {
    weights <- weights_in_data(substitute(weights), data, parent.frame(), function() weights)
    if (!is.null(weights)) weights <- check_weights(weights, length(design$y))
  }
  fit <- fit_design(design, method, alpha, design$labeled, se, threads, weights, design$labeled_rows)
  fit$call <- match.call()
  fit
}

#' Fit one synth_glm method on a prepared design
#'
#' The fitting half of [synth_glm()]: `synth_glm(...)` is
#' `synth_fit_design(synth_design(...), method, alpha)`. Building the design
#' once and refitting with different `labeled` masks is how simulation code
#' (e.g. hiding labels at random in a fully labeled data set) avoids
#' rebuilding model matrices.
#'
#' @param design A [synth_design()] object.
#' @param method,alpha,se,threads As in [synth_glm()]; `method` must be a
#'   single name here.
#' @param weights `NULL` or a numeric vector of sampling weights, one per
#'   row (here a vector only, not a column name); see [synth_glm()].
#' @param labeled Logical vector, one entry per row: which rows count as
#'   labeled. Defaults to the rows with a non-missing response; any mask
#'   may be given if the response (and covariates) are present on its rows.
#' @return A `"synth_glm"` object, as from [synth_glm()].
#' @export
#' @examples
#' set.seed(2)
#' n <- 300
#' d <- data.frame(x = rnorm(n))
#' d$y <- rbinom(n, 1, plogis(0.3 + d$x))
#' d$y_llm <- ifelse(runif(n) < 0.85, d$y, 1 - d$y)
#' des <- synth_design(y ~ x, d, binomial, proxy = c(y = "y_llm"))
#' mask <- runif(n) < 0.3
#' coef(synth_fit_design(des, "ppi++", labeled = mask, threads = 1))
synth_fit_design <- function(design, method, alpha = 0.1, labeled = design$labeled,
                             se = c("small_sample", "asymptotic"),
                             threads = default_threads(), weights = NULL) {
  if (!inherits(design, "synth_design")) {
    stop_arg("design", "must come from synth_design().")
  }
  method <- check_method(method, several = FALSE)
  alpha <- check_probability(alpha, "alpha")
  threads <- check_threads(threads)
  se <- check_se(se)
  n <- length(design$y)
  if (!is.logical(labeled) || length(labeled) != n || anyNA(labeled)) {
    stop_arg("labeled", "must be a logical vector without NA, one entry per row (", n, ").")
  }
  if (!is.null(weights)) weights <- check_weights(weights, n)
  # Positions recomputed: `design$labeled` may have been edited by hand.
  fit_design(design, method, alpha, labeled, se, threads, weights)
}

# The fit behind synth_glm() and synth_fit_design(), on arguments they have
# validated: checks what depends on the label mask, then makes the one call
# into the core (estimate::synth_glm), which returns every reported number.
# `rows`: the positions of `labeled` when known (the design's own mask,
# whose rows have a response by construction), else NULL.
fit_design <- function(design, method, alpha, labeled, se, threads, weights = NULL, rows = NULL) {
  p <- ncol(design$X)
  # The labeled rows by position, computed once: each logical subscript of
  # a million-row vector would convert the mask again.
  own_mask <- !is.null(rows)
  if (!own_mask) rows <- which(labeled)
  n <- length(labeled)
  # Under weights, the labeled rows that carry information: positive weight.
  info_rows <- if (is.null(weights)) rows else rows[weights[rows] > 0]
  n_lab <- length(info_rows)
  if (n_lab == 0L && length(rows)) {
    stop_arg("weights", "are zero on every labeled row, so nothing anchors the estimate to real data.")
  }
  if (n_lab == 0L) {
    abort_classed("synthinfer_error_input", paste0(
      "No labeled rows: `labeled` marks no row (by default the rows with a response), so nothing ",
      "anchors the estimate to real data."), arg = "labeled")
  }
  if (n_lab <= p) {
    abort_classed("synthinfer_error_input", sprintf(paste0(
      "Too few labeled rows: %d labeled row(s) for %d coefficient(s); ",
      "at least %d are needed (more in practice)."), n_lab, p, p + 1L))
  }
  qx_lab <- check_labeled_rows(design, labeled, rows, info_rows, response_known = own_mask)
  needs_proxy <- method %in% c("gmm_proxy", "ppi++", "ppi", "ppi++synth", "reppi") ||
    (method == "naive" && !length(design$synthetic))
  if (needs_proxy && is.null(design$proxy)) {
    stop_arg("proxy", "is required for method \"", method, "\".")
  }
  if (method == "gmm" && is.null(design$proxy) && !length(design$synthetic)) {
    stop_arg("proxy", "or `synthetic` is required for method \"gmm\".")
  }
  if (method == "ppi++synth" && !length(design$synthetic)) {
    stop_arg("synthetic", "is required for method \"ppi++synth\".")
  }
  if (!is.null(weights) && method == "reppi") {
    stop_arg("weights", "cannot be used with method \"reppi\": it does not take sampling weights yet; ",
             "use method = \"ppi++\" or \"gmm\", which do.")
  }
  # PPI fits the proxy on the unlabeled rows: with no more of them than
  # coefficients that fit is exact, its residuals vanish and the unlabeled
  # part of the variance is zero, a silently narrow interval around an
  # estimate driven by a handful of rows.
  n_unl_min <- max(2L, p + 1L)
  if (n - length(rows) < n_unl_min && method %in% c("ppi", "ppi++", "ppi++synth", "reppi")) {
    abort_classed("synthinfer_error_input", sprintf(paste0(
      "PPI needs at least 2 unlabeled rows, and more unlabeled rows than coefficients (%d) ",
      "so that the proxy's fit on them leaves residuals to estimate its variance; there are %d. ",
      "Use method = \"classical\"%s."), p, n - length(rows),
      if (method == "reppi") "" else " or \"gmm\""))
  }
  if (!is.null(weights) && method %in% c("ppi", "ppi++", "ppi++synth") &&
      sum(weights[-rows] > 0) < n_unl_min) {
    stop_arg("weights", "must be positive on at least 2 unlabeled rows for PPI, and on more ",
             "unlabeled rows than coefficients (", p, ").")
  }
  # PPI (lambda = 1) and naive read the surrogates' residuals too; GMM stops
  # on its singular moment covariance.
  if (design$family == "gaussian" && method %in% c("classical", "ppi++", "ppi++synth", "reppi")) {
    warn_exact_fit(design, info_rows, qx_lab)
  }
  if (length(rows) == n && method %in% c("gmm", "gmm_proxy")) {
    abort_classed("synthinfer_error_input", paste0(
      "Every row is labeled, so the surrogate moments duplicate the labeled ones ",
      "and carry no extra information; use method = \"classical\"."))
  }
  # Zero weights on every unlabeled row: as if every row were labeled (the
  # moment covariance is then singular, with a message that would not name
  # the weights).
  if (!is.null(weights) && method %in% c("gmm", "gmm_proxy") && !any(weights[-rows] > 0)) {
    stop_arg("weights", "are zero on every unlabeled row, so the surrogate moments duplicate the ",
             "labeled ones and carry no extra information; give the unlabeled rows a positive ",
             "weight or use method = \"classical\".")
  }
  # Without synthetic sources, "gmm" is the proxy-only GMM: say so.
  if (method == "gmm" && !length(design$synthetic)) method <- "gmm_proxy"
  if (method %in% c("gmm", "gmm_proxy")) {
    design <- drop_constant_sources(design, method)
    check_gmm_labels(design, method, n_lab, p)
  }
  res <- rust_fit(design, method, rows, se, threads, weights)
  if (method == "reppi" && is.finite(res$df)) warn_reppi_labels(n_lab, n_lab - res$df, p)
  if (method %in% c("classical", "ppi", "ppi++", "ppi++synth")) {
    warn_wald_labels(n_lab, p, method, if (!is.null(weights)) weights[info_rows])
  }
  warn_j_test(new_synth_glm(res, design, method, alpha, se, rows, weights))
}

# The labeled rows' data must be complete and of full rank. The rank check
# (a QR of the labeled rows) is skipped for the mean, whose one column is
# the intercept, of rank one.
check_labeled_rows <- function(design, labeled, rows, info_rows = rows, response_known = FALSE) {
  if (!response_known && anyNA(design$y[rows])) {
    stop_arg("labeled", "marks row(s) without a response as labeled: ",
             format_positions(which(labeled & is.na(design$y))), ".")
  }
  X <- design$X
  if (is_intercept_only(design)) return(invisible(NULL))
  X_lab <- X[rows, , drop = FALSE]
  if (anyNA(X_lab)) {
    stop_arg("labeled", "marks row(s) with missing covariates as labeled: ",
             format_positions(which(labeled & rowSums(is.na(X)) > 0)), ".")
  }
  if (!all(is.finite(X_lab))) {
    stop_arg("data", "has infinite covariate values at row(s) ",
             format_positions(which(labeled & rowSums(!is.finite(X)) > 0)), ".")
  }
  # Returns the QR of the informative labeled rows (for warn_exact_fit()).
  if (length(info_rows) < length(rows)) {
    check_full_rank(X[info_rows, , drop = FALSE], "the labeled rows with a positive weight",
                    "Drop them from the formula or label more rows.")
  } else {
    check_full_rank(X_lab, "the labeled rows", "Drop them from the formula or label more rows.")
  }
}

# A linear model that fits the labeled responses exactly (a constant
# response, or y an exact linear function of the covariates) has zero
# residuals: the sandwich variances are zero up to rounding and every
# interval has no width, a certainty the data do not support (the GMM
# methods stop on their singular moment covariance instead). `qx`: the QR of
# the labeled rows' model matrix from check_labeled_rows(), NULL for the
# mean.
warn_exact_fit <- function(design, info_rows, qx) {
  y <- design$y[info_rows]
  resid <- if (is.null(qx)) y - mean(y) else qr.resid(qx, y)
  # Relative to the response's size, so the test does not depend on its
  # scale; a response of zeros is fitted exactly too.
  if (sqrt(sum(resid^2)) > 1e-10 * sqrt(sum(y^2))) return(invisible(FALSE))
  warn_classed("synthinfer_warning_exact_fit", paste0(
    "The model fits the labeled responses exactly (",
    if (is.null(qx)) "the response is constant on the labeled rows" else
      "zero residuals: a constant response, or one that is a linear function of the covariates",
    "), so the labeled rows' residual variance is zero and the standard errors and intervals ",
    "shrink to (almost) nothing. ",
    "Check that the response is the intended column; with real, noisy labels this does not ",
    "happen, so label more rows before trusting the interval."))
  invisible(TRUE)
}

# Whether the design is the mean (`y ~ 1`): its model matrix is the
# intercept column, all ones, which synth_design() built itself.
is_intercept_only <- function(design) {
  identical(design$terms, "(Intercept)") && isTRUE(design$x_complete)
}

# GMM fits p coefficients for the labels and p per surrogate source, all of
# whose moments are observed on the labeled rows only. The few-labels study
# (bench/gmm_small_sample.R) checked the small-sample interval down to
# n_lab / K = 50 / 6; below that ratio its coverage is not established.
check_gmm_labels <- function(design, method, n_lab, p) {
  m <- length(method_sources(design, method))
  k <- p * (1L + m)
  if (n_lab <= k) {
    abort_classed("synthinfer_error_input", sprintf(paste0(
      "Too few labeled rows for GMM: with %d surrogate source(s) it fits %d parameters ",
      "(%d coefficient(s) for the labels and %d per source) from moments observed on the ",
      "labeled rows only, so it needs more than %d labeled rows; there are %d. ",
      "Label more rows, use fewer surrogate sources, or use method = \"classical\" or \"ppi++\"."),
      m, k, p, p, k, n_lab))
  }
  if (n_lab < 8L * k) {
    warn_classed("synthinfer_warning_few_labels", sprintf(paste0(
      "Only %d labeled rows for %d GMM parameters (%d surrogate source(s) x %d coefficient(s) ",
      "plus the labels' own): below 8 labels per parameter the interval's finite-sample ",
      "correction has not been validated and may under-cover. Label more rows, use fewer ",
      "surrogate sources, or use method = \"ppi++\" or \"classical\"."),
      n_lab, k, m, p))
  }
  invisible(k)
}

# RePPI's finite-sample variance charges K = n_lab - df parameters to the
# labeled rows (the core's count: 2 p + learner features). The few-labels
# study (bench/reppi_few_labels.R) checked it down to 50 labels for K = 12, about 4 labels
# per parameter; below that its coverage is not established (each fold
# learner then fits its features on a few dozen rows).
reppi_labels_per_parameter <- 4
warn_reppi_labels <- function(n_lab, k, p) {
  if (n_lab >= reppi_labels_per_parameter * k) return(invisible(k))
  warn_classed("synthinfer_warning_few_labels", sprintf(paste0(
    "Only %d labeled rows for the %d parameters RePPI fits on them (%d coefficient(s), and per ",
    "score component %d recalibration coefficient(s) and %d learner feature(s) fitted on 4/5 of ",
    "the labeled rows): below %g labels per parameter the interval's finite-sample correction ",
    "has not been validated and may under-cover. Label more rows, predict fewer covariates, or ",
    "use method = \"ppi++\" or \"classical\"."),
    n_lab, k, p, p, k - 2L * p, reppi_labels_per_parameter))
  invisible(k)
}

# The classical and PPI intervals are Wald intervals from a sandwich
# variance with normal quantiles, without a finite-sample correction (unlike
# GMM's and RePPI's defaults). With few labels they under-cover badly: in a
# linear simulation (y = 0.3 + x + N(0, 1), 200 unlabeled rows, proxy y plus
# N(0, 1) noise, 1,000 replications) the nominal 90% interval of the slope
# covered 0.50 / 0.72 / 0.80 / 0.85 / 0.875 (classical) and 0.49 / 0.66 /
# 0.78 / 0.82 / 0.87 (PPI++) with 4 / 8 / 16 / 32 / 64 labels. Below 8
# labels per coefficient (the bound GMM warns at) a warning says so. Under
# sampling weights (`w`, those of the labeled rows) the count is Kish's
# effective number of labeled rows, (sum w)^2 / sum w^2: one row carrying
# most of the weight makes the fit rest on it alone, and its residual, near
# zero, makes the sandwich variance as optimistic as with a single label.
wald_labels_per_coefficient <- 8L
warn_wald_labels <- function(n_lab, p, method, w = NULL) {
  if (!is.null(w)) n_lab <- sum(w)^2 / sum(w^2)
  if (n_lab >= wald_labels_per_coefficient * p) return(invisible(FALSE))
  warn_classed("synthinfer_warning_few_labels", sprintf(paste0(
    "Only %s labeled rows%s for %d coefficient(s): below %d labels per coefficient the \"%s\" ",
    "interval (a sandwich variance with normal quantiles, no finite-sample correction) can ",
    "cover far less than its nominal level (about 0.72 instead of 0.90 with 8 labels for 2 ",
    "coefficients in our simulations). Label more rows%s, or read the interval as too narrow."),
    format(round(n_lab, 1)), if (is.null(w)) "" else " (Kish's effective number under the weights)",
    p, wald_labels_per_coefficient, method, if (is.null(w)) "" else ", trim extreme weights"))
  invisible(TRUE)
}

# A surrogate source whose response is the same on every row carries no
# information about the labels, and its GMM moment blocks are degenerate
# (a singular moment covariance). Drop it with a message; an error when
# nothing is left.
drop_constant_sources <- function(design, method) {
  constant <- function(s) { r <- range(s$y); r[1] == r[2] }
  dropped <- character()
  if (!is.null(design$proxy) && constant(design$proxy)) {
    # Keep the element (as NULL): removing it would let `design$proxy`
    # partially match `design$proxy_map`.
    design["proxy"] <- list(NULL)
    dropped <- "the proxy"
  }
  if (method == "gmm" && length(design$synthetic)) {
    keep <- !vapply(design$synthetic, constant, logical(1))
    if (!all(keep)) {
      dropped <- c(dropped, if (length(keep) == 1L) "the synthetic source" else
        paste0("synthetic source ", which(!keep)))
      design$synthetic <- design$synthetic[keep]
    }
  }
  if (!length(dropped)) return(design)
  left <- !is.null(design$proxy) || (method == "gmm" && length(design$synthetic))
  if (!left) {
    abort_classed("synthinfer_error_input", sprintf(paste0(
      "The surrogate response of %s is constant on every row, so it carries no ",
      "information about the labels and GMM has nothing to combine; ",
      "use method = \"classical\"."), paste(dropped, collapse = " and ")))
  }
  message(sprintf("Dropping %s from the GMM fit: its response is constant on every row, so it carries no information about the labels.",
                  paste(dropped, collapse = " and ")))
  design
}

check_se <- function(se) {
  choices <- c("small_sample", "asymptotic")
  if (identical(se, choices)) return("small_sample")
  if (!is.character(se) || length(se) != 1L || !(se %in% choices)) {
    stop_arg("se", "must be \"small_sample\" or \"asymptotic\".")
  }
  se
}

# The one call into the core; `rows` are the positions of the labeled rows.
# The core uses y on those rows only, so the NA of unlabeled rows cross as
# they are (no copy of a million-row response). Covariates missing on
# unlabeled rows are set to 0: the core's column-wise kernels multiply them
# by a zero weight, and NA * 0 is NA. The sources go as the design holds
# them: the proxy (NULL or list(X, y)) and the synthetic sources the method
# uses (a list of list(X, y)). A core error names the method.
rust_fit <- function(design, method, rows, se, threads, weights = NULL) {
  X <- design$X
  if (!isTRUE(design$x_complete) && anyNA(X)) X[is.na(X)] <- 0
  synthetic <- if (method %in% c("gmm", "naive", "ppi++synth")) design$synthetic else list()
  # rust_call() puts the prefix before a core error's message.
  old_prefix <- rust_context$prefix
  rust_context$prefix <- paste0("Method \"", method, "\" failed: ")
  on.exit(rust_context$prefix <- old_prefix)
  rs_synth_glm(method, design$family, X, design$y, rows, design$proxy, synthetic, se,
               if (is.null(weights)) double() else weights, threads)
}

# The surrogate sources `method` uses, the proxy first: the proxy if any,
# then the synthetic sources for the methods that read them.
method_sources <- function(design, method) {
  c(if (!is.null(design$proxy)) list(design$proxy),
    if (method %in% c("gmm", "naive", "ppi++synth")) design$synthetic)
}

# synth_glm()'s `weights`, as lm() takes them: an expression evaluated in
# `data` (a column, or a vector in the calling environment), or the name of
# a column given as a string. NULL: unweighted. When the expression cannot
# be evaluated there (a wrapper passing its own argument on), the argument's
# value in its own environment (`value()`, the forced promise) is used.
weights_in_data <- function(expr, data, env, value) {
  w <- tryCatch(eval(expr, data, env), error = function(e) {
    tryCatch(value(), error = function(e2) {
      stop_arg("weights", "cannot be evaluated in `data` or the calling environment: ",
               conditionMessage(e2))
    })
  })
  if (is.character(w) && length(w) == 1L) {
    if (!(w %in% names(data))) stop_arg("weights", "names no column of `data` (\"", w, "\").")
    w <- data[[w]]
  }
  w
}

check_method <- function(method, several = TRUE) {
  if (!is.character(method) || anyNA(method) || length(method) == 0L) {
    stop_arg("method", "must be one of ", paste0("\"", synth_methods, "\"", collapse = ", "), ".")
  }
  if (several && identical(method, synth_methods)) return("gmm")
  if (length(method) != 1L || !(method %in% synth_methods)) {
    stop_arg("method", "must be one of ", paste0("\"", synth_methods, "\"", collapse = ", "),
             ", not ", paste0("\"", method, "\"", collapse = ", "), ".")
  }
  method
}

# The fit object: the core's result as it comes (renamed nothing,
# recomputed nothing) with names on the coefficients and what the methods
# need of the design.
new_synth_glm <- function(res, design, method, alpha, se, rows, weights = NULL) {
  terms <- design$terms
  names(res$coefficients) <- terms
  dimnames(res$vcov) <- list(terms, terms)
  names(res$n_effective) <- terms
  res$method <- method
  res$family <- design$family
  res$alpha <- alpha
  res$n_sources <- length(method_sources(design, method))
  res$se_type <- if (method %in% c("gmm", "gmm_proxy", "reppi")) se else "asymptotic"
  res$design <- design
  res$labeled_rows <- rows
  res$weights <- weights
  res$call <- NULL
  class(res) <- "synth_glm"
  res
}

# Error naming the model-matrix columns that are collinear with earlier ones
# on the given rows (a clear message instead of a singular-matrix error).
check_full_rank <- function(X, where, advice = "Drop them from the formula.") {
  qx <- qr(X, tol = 1e-9)
  if (qx$rank < ncol(X)) {
    aliased <- colnames(X)[qx$pivot[seq.int(qx$rank + 1L, ncol(X))]]
    # Full rank at a tolerance near rounding: not collinear, but so close
    # (a covariate such as a date or a year, with an offset of 1e9 times
    # its spread) that no fit can separate it from the intercept.
    nearly <- qr(X, tol = 1e-13)$rank == ncol(X)
    abort_classed("synthinfer_error_input", sprintf(paste0(
      "The model matrix is rank deficient on %s: column(s) %s ",
      "are linear combinations of the others (or constant)%s. %s"),
      where, paste0("`", aliased, "`", collapse = ", "),
      if (nearly) paste0(" up to rounding: a covariate whose offset is huge against its ",
                         "spread cannot be told from the intercept; center or rescale it") else "",
      advice))
  }
  invisible(qx)
}
