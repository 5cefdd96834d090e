# synth_ate(): the average treatment effect from a few human-labeled outcomes,
# LLM proxies and synthetic outcomes. The AIPW pseudo-outcome of every
# outcome source is built here (propensity, cross-fitted outcome
# regressions); its mean is then a synth_glm() mean (formula ATE ~ 1), which
# supplies every method, the variance, the J test and n_effective.

# Propensities closer than this to 0 or 1 are treated as a lack of overlap.
ate_overlap_bound <- 0.01

#' Average treatment effect with human labels, LLM proxies and synthetic outcomes
#'
#' Estimates the average treatment effect (ATE) of a binary treatment
#' observed on every unit when the outcome carries a human label on a few
#' units only, and LLM predictions (`proxy`) or LLM-generated synthetic
#' outcomes (`synthetic`) are available on every unit. Each outcome source
#' is turned into its augmented inverse-probability-weighted (AIPW)
#' pseudo-outcome
#' \deqn{\phi_i = m_1(x_i) - m_0(x_i) + T_i (Y_i - m_1(x_i)) / e(x_i) -
#'   (1 - T_i)(Y_i - m_0(x_i)) / (1 - e(x_i)),}
#' and the ATE is the mean of the real outcome's pseudo-outcome, estimated
#' by [synth_glm()] with formula `ATE ~ 1` (the surrogate pseudo-outcomes as
#' its proxy and synthetic sources). This is the AIPW extension of Byun et
#' al. (2025): the moments are the AIPW score of the labeled outcome and, for
#' each surrogate source, the AIPW score of its outcome on the labeled rows
#' and on all rows. Every `method` of [synth_glm()] is available, with its
#' variance (the small-sample correction of the GMM methods included), its
#' J test and its effective sample size.
#'
#' @section Nuisance models:
#' * Propensity `e(x)`: a logistic regression of the treatment on
#'   `covariates` over **all** rows (the treatment is observed everywhere),
#'   or, with `propensity = "col"`, the known propensities in that column
#'   (a randomised experiment). Without `covariates` the estimated
#'   propensity is the share of treated units.
#' * Outcome regressions `m_1`, `m_0`: fitted separately in the treated and
#'   the control arm on `covariates` (with an intercept), **cross-fitted**:
#'   the rows are split at random into `folds` folds (stratified by label
#'   status and treatment), and the regressions that predict the rows of a
#'   fold are fitted on the other folds, on their labeled rows for the real
#'   outcome and on all their rows for a surrogate outcome. The regression
#'   is linear, or logistic when the labeled outcomes are all 0 or 1 (then
#'   also for a surrogate whose values lie in `[0, 1]`, e.g. predicted
#'   probabilities; a surrogate outside `[0, 1]` gets a linear one).
#'
#' The fold assignment is random: it follows the seeding rule (`seed =
#' NULL` draws the seed from R's generator, so `set.seed()` before the call
#' reproduces it; a whole number is used as given and leaves R's generator
#' alone).
#'
#' @section What the interval accounts for:
#' The interval is [synth_glm()]'s interval for the mean of the
#' pseudo-outcomes, which it treats as independent observations, with a
#' finite-sample correction for the nuisance models. It accounts for the
#' sampling variability of the pseudo-outcomes and for the surrogate
#' sources' estimated coefficients. The estimation error of the nuisance
#' models is negligible to first order because the AIPW score is orthogonal
#' to them: with cross-fitted outcome regressions it enters the estimate
#' through the product of the propensity and outcome-regression errors,
#' negligible when that product shrinks faster than `n_labeled^(-1/2)` (the
#' usual rate condition; met for instance when the propensity is known, or
#' is a correctly specified logistic model). With a few dozen labeled units
#' per arm it is not negligible (the uncorrected 90% intervals covered about
#' 88% in `vignette("beyond-regression")`), so, as HC1 and the t interval do
#' for a regression, every method's variance is multiplied by
#' `n / (n - q)` and the interval uses t quantiles on at most `n - q`
#' degrees of freedom, where `n` is the number of labeled units and
#' `q = 2 p + 1` the parameters that the real outcome's pseudo-outcome
#' spends on them: the ATE and the `p` coefficients (intercept included) of
#' each arm's outcome regression. Below 5 labeled units per coefficient in
#' an arm a warning (class `synthinfer_warning_few_labels`) says that even
#' the corrected interval may be too narrow. The estimate is consistent when
#' either the propensity or the outcome regressions are correctly specified
#' (double robustness); with both misspecified it is biased and the interval
#' does not cover.
#'
#' **Labels.** The human labels must be missing completely at random: which
#' units are labeled must not depend on their outcome, treatment,
#' covariates or surrogates (e.g. a simple random sample of units sent to
#' annotators, at a known or unknown rate). No weighting for a
#' covariate-dependent labeling is applied, so such a selection biases the
#' estimate. As in [synth_glm()], the proxy and synthetic outcomes must be
#' generated by the same mechanism on labeled and unlabeled units; their
#' quality affects only the width of the interval.
#'
#' @section Bad input:
#' Errors (class `synthinfer_error_input`) name the cause: a treatment that
#' is not 0/1 (or logical) on every row, no labeled treated or no labeled
#' control unit, too few labeled units per arm for the cross-fitted outcome
#' regressions (use fewer `folds` or `covariates`), known propensities
#' outside (0, 1), and propensities (known or estimated) below 0.01 or above
#' 0.99, which leave no overlap between the arms (the rows are named;
#' restrict `data` to units with overlap, which changes the estimand to the
#' ATE on them, or use fewer covariates).
#'
#' @param formula `outcome ~ treatment`: the outcome column (numeric or
#'   logical, `NA` where unlabeled) and the treatment column (0/1 or logical,
#'   observed on every row).
#' @param data A data frame with one row per unit.
#' @param covariates `NULL` or a one-sided formula such as `~ x1 + x2`: the
#'   covariates of the propensity and outcome regressions, observed on every
#'   row (factors and transformations allowed).
#' @param proxy `NULL`, or the column holding an LLM prediction of the
#'   outcome on every row: a map `c(outcome = "col")` as in [synth_glm()],
#'   or the bare column name.
#' @param synthetic `NULL`, or the column(s) holding synthetic outcomes on
#'   every row: a map or column name as for `proxy`, or a list of them for
#'   several synthetic sources.
#' @param method,alpha As in [synth_glm()] (`"gmm"`, `"gmm_proxy"`,
#'   `"ppi++"`, `"ppi"`, `"classical"`, `"naive"`, `"ppi++synth"`).
#'   `"classical"` is the AIPW estimator on the labeled units alone.
#' @param propensity `NULL` (estimate it by logistic regression on all
#'   rows) or the name of a column of known propensities `P(T = 1 | x)` in
#'   (0, 1).
#' @param folds Number of cross-fitting folds for the outcome regressions
#'   (at least 2).
#' @param seed See the seeding rule above: `NULL` or a whole number.
#' @param ... Passed to [synth_glm()]: `se`, `threads`.
#' @return An object of class `c("synth_ate", "synth_glm")`: a [synth_glm()]
#'   fit whose single coefficient is `"ATE"`, so `tidy()`, `glance()`,
#'   `confint()`, `summary()`, `coef()` and `vcov()` work as for
#'   [synth_glm()]. Extra elements: `pseudo_outcomes` (a data frame, one
#'   column per outcome source, the real one `NA` where unlabeled),
#'   `propensity` (per row), `propensity_source` (`"estimated"` or
#'   `"known"`), `outcome_model` (`"linear"` or `"logistic"`), `folds` (the
#'   fold of each row), `seed` and `nuisance_df` (`n - q`, see "What the
#'   interval accounts for"; `df` is the smaller of it and [synth_glm()]'s).
#' @references Byun, Y., Gupta, S., Lipton, Z. C., Childers, R. L. and
#'   Wilder, B. (2025). Valid inference with imperfect synthetic data.
#'   Advances in Neural Information Processing Systems (NeurIPS).
#'   arXiv:2508.06635.
#'
#'   Chernozhukov, V., Chetverikov, D., Demirer, M., Duflo, E., Hansen, C.,
#'   Newey, W. and Robins, J. (2018). Double/debiased machine learning for
#'   treatment and structural parameters. The Econometrics Journal 21,
#'   C1-C68.
#' @seealso [synth_glm()], [synth_ar1()],
#'   `vignette("beyond-regression", package = "synthinfer")`.
#' @export
#' @examples
#' set.seed(1)
#' n <- 2000
#' x <- rnorm(n)
#' treat <- rbinom(n, 1, plogis(0.4 * x))
#' y_full <- 1 + x + treat * (0.5 + 0.3 * x) + rnorm(n)
#' d <- data.frame(x, treat,
#'   y = ifelse(runif(n) < 0.1, y_full, NA),      # 10% human labels
#'   y_llm = y_full + rnorm(n, sd = 0.6),          # LLM prediction
#'   y_syn = 0.8 * y_full + rnorm(n, sd = 0.8))    # synthetic outcome
#' fit <- synth_ate(y ~ treat, d, covariates = ~ x, proxy = c(y = "y_llm"),
#'                  synthetic = c(y = "y_syn"), seed = 1, threads = 1)
#' tidy(fit)
#' glance(fit)
#' tidy(synth_ate(y ~ treat, d, covariates = ~ x, method = "classical", seed = 1))
synth_ate <- function(formula, data, covariates = NULL, proxy = NULL, synthetic = NULL,
                      method = "gmm", alpha = 0.1, propensity = NULL, folds = 5,
                      seed = NULL, ...) {
  if (!is.data.frame(data)) stop_arg("data", "must be a data frame, not ", class(data)[1], ".")
  if (nrow(data) == 0L) stop_arg("data", "has no rows.")
  vars <- ate_formula_vars(formula, data)
  y <- numeric_values(data, vars$outcome, "data", "outcome")
  treat <- ate_treatment(data, vars$treatment)
  X <- ate_covariates(covariates, data)
  labeled <- !is.na(y)
  ate_check_arms(labeled, treat, vars)
  cols <- list(proxy = surrogate_columns(proxy, "proxy", vars$outcome, data),
               synthetic = surrogate_columns(synthetic, "synthetic", vars$outcome, data, several = TRUE))
  folds <- check_count(folds, "folds", min = 2L)
  e <- ate_propensity(propensity, data, treat, X)
  seed <- resolve_seed(seed)
  fold <- with_local_seed(seed, ate_folds(labeled, treat, folds))
  logistic <- all(y[labeled] %in% c(0, 1))

  pseudo <- list(ATE = aipw_pseudo_outcome(y, treat, X, e, fold, labeled, logistic,
                                         paste0("`", vars$outcome, "` on its labeled units")))
  for (k in seq_along(cols$proxy)) pseudo$ATE_proxy <- aipw_surrogate(data, cols$proxy[k], treat, X, e, fold, logistic)
  syn_names <- if (length(cols$synthetic) > 1L) paste0("ATE_synthetic", seq_along(cols$synthetic)) else
    rep("ATE_synthetic", length(cols$synthetic))
  for (k in seq_along(cols$synthetic)) {
    pseudo[[syn_names[k]]] <- aipw_surrogate(data, cols$synthetic[k], treat, X, e, fold, logistic)
  }
  pseudo <- as.data.frame(pseudo)
  warn_few_arm_labels(labeled, treat, ncol(X), vars)
  fit <- synth_glm(ATE ~ 1, pseudo, stats::gaussian(),
                   proxy = if (length(cols$proxy)) c(ATE = "ATE_proxy"),
                   synthetic = if (length(syn_names)) lapply(syn_names, function(s) c(ATE = s)),
                   method = method, alpha = alpha, ...)
  fit <- ate_nuisance_correction(fit, sum(labeled), ncol(X))
  fit <- relabel_fit(fit, "ATE", "synth_ate", match.call())
  fit$pseudo_outcomes <- pseudo
  fit$propensity <- e
  fit$propensity_source <- if (is.null(propensity)) "estimated" else "known"
  fit$outcome_model <- if (logistic) "logistic" else "linear"
  fit$folds <- fold
  fit$seed <- seed
  fit
}

# `outcome ~ treatment`, both columns of `data`.
ate_formula_vars <- function(formula, data) {
  ok <- inherits(formula, "formula") && length(formula) == 3L &&
    is.name(formula[[2L]]) && is.name(formula[[3L]])
  if (!ok) {
    stop_arg("formula", "must be `outcome ~ treatment`, two columns of `data` (covariates go in ",
             "`covariates = ~ x1 + x2`).")
  }
  vars <- list(outcome = as.character(formula[[2L]]), treatment = as.character(formula[[3L]]))
  absent <- setdiff(unlist(vars), names(data))
  if (length(absent)) {
    stop_arg("formula", "uses column(s) not in `data`: ", paste0("`", absent, "`", collapse = ", "), ".")
  }
  if (vars$outcome == vars$treatment) stop_arg("formula", "has the same column as outcome and treatment.")
  vars
}

# The treatment as 0/1 doubles: logical, or numeric with values 0 and 1,
# observed on every row.
ate_treatment <- function(data, col) {
  t <- data[[col]]
  if (is.logical(t)) t <- as.double(t)
  if (anyNA(t)) {
    stop_arg("data", "treatment `", col, "` is missing at row(s) ", format_positions(which(is.na(t))),
             ": the treatment must be observed on every row (drop those rows).")
  }
  bad <- if (is.numeric(t) && !is.object(t)) which(!(t %in% c(0, 1))) else seq_along(t)
  if (length(bad)) {
    shown <- if (is.numeric(t) && !is.object(t)) paste0(" (e.g. ", format(t[bad[1]]), ")") else
      paste0(" (it is ", class(data[[col]])[1], ")")
    stop_arg("data", "treatment `", col, "` must be binary, 0/1 or logical, but is not at row(s) ",
             format_positions(bad), shown, ". Recode it as 0 (control) / 1 (treated); the ATE ",
             "compares two arms.")
  }
  as.double(t)
}

# Model matrix of the covariates (with an intercept), finite on every row.
ate_covariates <- function(covariates, data) {
  if (is.null(covariates)) return(matrix(1, nrow(data), 1L, dimnames = list(NULL, "(Intercept)")))
  if (!inherits(covariates, "formula") || length(covariates) != 2L) {
    stop_arg("covariates", "must be NULL or a one-sided formula such as `~ x1 + x2`.")
  }
  absent <- setdiff(all.vars(covariates), names(data))
  if (length(absent)) {
    stop_arg("covariates", "uses column(s) not in `data`: ", paste0("`", absent, "`", collapse = ", "), ".")
  }
  mf <- tryCatch(stats::model.frame(covariates, data, na.action = stats::na.pass),
                 error = function(e) stop_arg("covariates", "cannot be used: ", conditionMessage(e)))
  X <- tryCatch(stats::model.matrix(covariates, mf),
                error = function(e) stop_arg("covariates", "cannot be used: ", conditionMessage(e)))
  if (!all(is.finite(X))) {
    stop_arg("covariates", "have missing or infinite values at row(s) ",
             format_positions(which(rowSums(!is.finite(X)) > 0)),
             "; covariates must be observed on every row (drop those rows).")
  }
  storage.mode(X) <- "double"
  dimnames(X) <- list(NULL, colnames(X))
  X
}

ate_check_arms <- function(labeled, treat, vars) {
  for (arm in c(1, 0)) {
    if (!any(labeled & treat == arm)) {
      what <- if (arm == 1) "treated" else "control"
      stop_arg("data", "has no labeled ", what, " unit (`", vars$treatment, "` = ", arm, " with `",
               vars$outcome, "` observed): the ATE needs human labels in both arms. Label some ",
               what, " units.")
    }
  }
}

# Propensities: known (a column) or a logistic regression on all rows; an
# error outside (0, 1) or without overlap.
ate_propensity <- function(propensity, data, treat, X) {
  if (is.null(propensity)) {
    fit <- suppressWarnings(stats::glm.fit(X, treat, family = stats::binomial()))
    e <- fit$fitted.values
    what <- "The estimated propensity"
    remedy <- paste0("Use fewer or coarser `covariates`, or restrict `data` to units with overlap ",
                     "(the estimand becomes the ATE on those units).")
  } else {
    col <- one_column(propensity, "propensity", data)
    e <- numeric_values(data, col, "propensity", "column")
    bad <- which(is.na(e) | e <= 0 | e >= 1)
    if (length(bad)) {
      stop_arg("propensity", "column `", col, "` must lie strictly between 0 and 1 on every row, ",
               "but is ", format(e[bad[1]]), " at row ", bad[1],
               if (length(bad) > 1L) paste0(" (row(s) ", format_positions(bad), ")"), ".")
    }
    what <- paste0("The known propensity (column `", col, "`)")
    remedy <- "Restrict `data` to units with overlap (the estimand becomes the ATE on those units)."
  }
  bad <- which(e < ate_overlap_bound | e > 1 - ate_overlap_bound)
  if (length(bad)) {
    abort_classed("synthinfer_error_input", sprintf(paste0(
      "%s is below %s or above %s at row(s) %s: the treated and control units do not overlap there, ",
      "and the AIPW weights 1/e and 1/(1 - e) explode. %s"),
      what, ate_overlap_bound, 1 - ate_overlap_bound, format_positions(bad), remedy),
      arg = "propensity", rows = bad)
  }
  e
}

# Finite-sample correction for the parameters that the real outcome's
# pseudo-outcome spends: the ATE itself and the p coefficients of each arm's
# outcome regression, q = 2 p + 1, all estimated from the n labeled units.
# As HC1 and the t interval of a regression with q coefficients, every
# method's variance is multiplied by n / (n - q) and its interval uses t
# quantiles on at most n - q degrees of freedom. n_effective, a ratio of two
# variances that get the same factor, is unchanged.
ate_nuisance_correction <- function(fit, n_labeled, p) {
  q <- 2 * p + 1
  fit$vcov <- fit$vcov * n_labeled / (n_labeled - q)
  fit$df <- min(fit_df(fit), n_labeled - q)
  fit$nuisance_df <- n_labeled - q
  fit
}

# Warns (class "synthinfer_warning_few_labels") when an arm has fewer than 5
# labeled units per coefficient of its outcome regression: the study of
# vignette("beyond-regression") validates the corrected interval down to
# about 7 per coefficient (1% labels: some 20 treated units for 3
# coefficients); below, the regressions' estimation error may still make the
# interval too narrow.
ate_labels_per_coefficient <- 5L
warn_few_arm_labels <- function(labeled, treat, p, vars) {
  n_arm <- c(treated = sum(labeled & treat == 1), control = sum(labeled & treat == 0))
  few <- n_arm < ate_labels_per_coefficient * p
  if (!any(few)) return(invisible(FALSE))
  warn_classed("synthinfer_warning_few_labels", sprintf(paste0(
    "Only %s labeled unit(s) in the %s arm for an outcome regression with %d coefficient(s): ",
    "below %d labeled units per coefficient in each arm, the regressions' estimation error may ",
    "make the ATE interval too narrow, despite its finite-sample correction. Label more units ",
    "(of `%s`), or use fewer `covariates`."),
    paste(n_arm[few], collapse = " and "), paste(names(n_arm)[few], collapse = " and "), p,
    ate_labels_per_coefficient, vars$outcome), labeled_per_arm = n_arm)
  invisible(TRUE)
}

# Random folds, balanced within each (label status, treatment) stratum.
ate_folds <- function(labeled, treat, folds) {
  fold <- integer(length(treat))
  for (rows in split(seq_along(treat), interaction(labeled, treat, drop = TRUE))) {
    ids <- rep_len(sample.int(folds), length(rows))
    fold[rows] <- ids[sample.int(length(rows))]
  }
  fold
}

# AIPW pseudo-outcome of `y` with outcome regressions fitted, for the rows of
# each fold, on the rows of the other folds where `train` holds (per arm).
# Rows where `y` is NA get NA.
aipw_pseudo_outcome <- function(y, treat, X, e, fold, train, logistic, what) {
  m <- matrix(NA_real_, length(y), 2L)
  for (k in sort(unique(fold))) {
    out <- fold == k
    for (arm in c(0, 1)) {
      rows <- which(!out & train & treat == arm)
      m[out, arm + 1] <- fit_outcome_regression(X[rows, , drop = FALSE], y[rows], X[out, , drop = FALSE],
                                                logistic, sprintf("%s in the %s arm outside fold %d",
                                                                  what, if (arm == 1) "treated" else "control", k))
    }
  }
  m[, 2] - m[, 1] + treat * (y - m[, 2]) / e - (1 - treat) * (y - m[, 1]) / (1 - e)
}

aipw_surrogate <- function(data, col, treat, X, e, fold, logistic) {
  s <- data[[col]]
  if (is.logical(s)) s <- as.double(s)
  aipw_pseudo_outcome(as.double(s), treat, X, e, fold, rep(TRUE, length(s)),
                      logistic && min(s) >= 0 && max(s) <= 1, paste0("surrogate `", col, "`"))
}

# Predictions at X_new of a linear (or logistic, quasi-binomial so that
# probabilities are allowed) regression of y on X.
fit_outcome_regression <- function(X, y, X_new, logistic, where) {
  if (nrow(X) <= ncol(X) || qr(X)$rank < ncol(X)) {
    abort_classed("synthinfer_error_input", sprintf(paste0(
      "Too few units to fit the outcome regression of %s: %d unit(s) for %d coefficient(s)%s. ",
      "Use fewer `folds`, fewer `covariates`, or label more units."),
      where, nrow(X), ncol(X), if (nrow(X) > ncol(X)) " (collinear covariates there)" else ""),
      arg = "folds")
  }
  if (logistic) {
    beta <- suppressWarnings(stats::glm.fit(X, y, family = stats::quasibinomial()))$coefficients
    return(stats::plogis(drop(X_new %*% beta)))
  }
  drop(X_new %*% qr.coef(qr(X), y))
}

#' @export
print.synth_ate <- function(x, ...) print_with_header(ate_header(x), x, ...)

ate_header <- function(fit) {
  sprintf("<synth_ate> average treatment effect (AIPW, %s propensity, %s outcome model), %s",
          fit$propensity_source, fit$outcome_model, synth_method_label(fit$method))
}

#' @export
summary.synth_ate <- function(object, ...) summary_estimand(object, "synth_ate")

#' @export
print.summary.synth_ate <- function(x, ...) print_with_header(ate_header(x$fit), x, ...)

#' @export
predict.synth_ate <- function(object, ...) no_predict("an ATE fit", "the ATE")
