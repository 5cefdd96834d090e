# S3 methods and broom verbs for "synth_glm" fits. Inference is Wald-type
# with normal quantiles, as the asymptotic theory of every method gives.

synth_method_label <- function(method) {
  switch(method,
    gmm = "two-step GMM (labels + proxy + synthetic)",
    gmm_proxy = "two-step GMM (labels + proxy)",
    "ppi++" = "PPI++ (power-tuned)",
    ppi = "PPI",
    classical = "classical (labeled rows only)",
    naive = "naive pooling (NOT valid; baseline)",
    "ppi++synth" = "PPI++Synth (proxy and synthetic mixed, cross-fitted weight)",
    reppi = "RePPI (recalibrated PPI, cross-fitted imputed score)")
}

# Wald table; t quantiles on the fit's degrees of freedom (finite for the
# GMM methods' small-sample variance, infinite, i.e. normal, otherwise).
coef_table <- function(object, level) {
  est <- object$coefficients
  se <- sqrt(diag(object$vcov))
  z <- est / se
  df <- fit_df(object)
  q <- stats::qt(1 - (1 - level) / 2, df)
  tibble::tibble(term = names(est), estimate = unname(est), std.error = unname(se),
                 statistic = unname(z), p.value = unname(2 * stats::pt(-abs(z), df)),
                 conf.low = unname(est - q * se), conf.high = unname(est + q * se))
}

# First line of print() and summary(): the class, the method and the model.
fit_header <- function(fit) {
  model <- if (inherits(fit, "synth_gmm")) "user-defined moments" else paste(fit$family, "family")
  paste0("<", class(fit)[1], "> ", synth_method_label(fit$method), ", ", model)
}

fit_df <- function(object) if (is.null(object$df)) Inf else object$df

#' Methods for synth_glm fits
#'
#' Standard accessors for [synth_glm()] fits. Intervals and tests are Wald
#' type with normal quantiles. `nobs()` counts the real units the estimate
#' uses: the labeled rows for `"classical"`, all rows otherwise.
#'
#' @param object,x A `"synth_glm"` fit.
#' @param parm Coefficients (names or indices); all by default.
#' @param level Confidence level; defaults to `1 - alpha` of the fit.
#' @param newdata Data frame with the model's covariates; `NULL` predicts on
#'   the rows the model was fitted on (`NA` where a covariate is unobserved).
#' @param type `"link"` (linear predictor) or `"response"` (mean).
#' @param conf.int Whether `tidy()` adds `conf.low` and `conf.high`.
#' @param conf.level Level of those intervals.
#' @param digits Significant digits to print.
#' @param ... Not used.
#' @return `coef()`: named estimates. `vcov()`: covariance matrix.
#'   `confint()`: matrix with lower and upper limits. `nobs()`: a count.
#'   `predict()`: numeric vector. `summary()`: an object whose print shows
#'   the coefficient table. `tidy()`: tibble with `term`, `estimate`,
#'   `std.error`, `statistic`, `p.value`, `conf.low`, `conf.high`.
#'   `glance()`: one-row tibble with `method`, `family`, `nobs_labeled`,
#'   `nobs_unlabeled`, `n_sources`, `j_statistic`, `j_df`, `j_p_value`
#'   (GMM methods, else `NA`), `lambda` (PPI methods, else `NA`) and
#'   `n_effective` (see [synth_glm()]).
#' @name synth_glm-methods
#' @examples
#' set.seed(3)
#' n <- 300
#' d <- data.frame(x = rnorm(n))
#' d$y_full <- 2 + d$x + rnorm(n)
#' d$y <- ifelse(runif(n) < 0.3, d$y_full, NA)
#' d$y_llm <- d$y_full + rnorm(n, sd = 0.5)
#' fit <- synth_glm(y ~ x, d, proxy = c(y = "y_llm"), method = "gmm_proxy", threads = 1)
#' confint(fit, level = 0.95)
#' summary(fit)
#' predict(fit, data.frame(x = c(-1, 0, 1)))
NULL

#' @rdname synth_glm-methods
#' @export
coef.synth_glm <- function(object, ...) object$coefficients

#' @rdname synth_glm-methods
#' @export
vcov.synth_glm <- function(object, ...) object$vcov

#' @rdname synth_glm-methods
#' @export
confint.synth_glm <- function(object, parm, level = 1 - object$alpha, ...) {
  level <- check_probability(level, "level")
  tab <- coef_table(object, level)
  ci <- cbind(tab$conf.low, tab$conf.high)
  pct <- paste(format(100 * c((1 - level) / 2, 1 - (1 - level) / 2), trim = TRUE,
                      scientific = FALSE, digits = 3), "%")
  dimnames(ci) <- list(tab$term, pct)
  if (!missing(parm)) ci <- ci[check_parm(parm, tab$term), , drop = FALSE]
  ci
}

#' @rdname synth_glm-methods
#' @importFrom stats coef confint nobs predict vcov
#' @export
nobs.synth_glm <- function(object, ...) {
  if (object$method == "classical") object$nobs_labeled
  else object$nobs_labeled + object$nobs_unlabeled
}

#' @rdname synth_glm-methods
#' @export
predict.synth_glm <- function(object, newdata = NULL, type = c("link", "response"), ...) {
  type <- match.arg(type)
  # predict.glm()'s `se.fit` and `interval` would otherwise vanish into
  # `...`, and the caller would take point predictions for what was asked.
  if (...length() > 0L) {
    given <- names(list(...))
    given <- if (is.null(given)) "unnamed" else ifelse(given == "", "unnamed", paste0("`", given, "`"))
    stop_arg("...", "must be empty: predict() of a synth_glm fit returns point predictions only ",
             "(no standard errors or intervals), but got ", paste(given, collapse = ", "), ".")
  }
  des <- object$design
  if (is.null(newdata)) {
    X <- des$X
  } else {
    if (!is.data.frame(newdata)) stop_arg("newdata", "must be a data frame.")
    tt <- stats::delete.response(des$model_terms)
    mf <- tryCatch(
      stats::model.frame(tt, newdata, na.action = stats::na.pass, xlev = des$xlevels),
      error = function(e) stop_arg("newdata", "does not fit the model: ", conditionMessage(e)))
    X <- stats::model.matrix(tt, mf, contrasts.arg = des$contrasts)
  }
  eta <- drop(X %*% object$coefficients)
  if (type == "link") eta else mean_of(object$family, eta)
}

#' @rdname synth_glm-methods
#' @export
format.synth_glm <- function(x, ...) {
  c(fit_header(x), sprintf("%d labeled and %d unlabeled rows", x$nobs_labeled, x$nobs_unlabeled))
}

#' @rdname synth_glm-methods
#' @export
print.synth_glm <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat(format(x), sep = "\n")
  cat("\nCoefficients:\n")
  print(x$coefficients, digits = digits)
  notes <- surrogate_notes(x, digits)
  if (length(notes)) cat("\n", strwrap(notes, exdent = 2, prefix = "\n", initial = ""), "\n", sep = "")
  invisible(x)
}

#' @rdname synth_glm-methods
#' @export
summary.synth_glm <- function(object, ...) {
  structure(list(fit = object, table = coef_table(object, 1 - object$alpha),
                 glance = glance.synth_glm(object)), class = "summary.synth_glm")
}

#' @export
print.summary.synth_glm <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  f <- x$fit
  cat(fit_header(f), "\n", sep = "")
  if (!is.null(f$call)) cat("Call: ", paste(deparse(f$call), collapse = "\n"), "\n", sep = "")
  cat(sprintf("%d labeled and %d unlabeled rows\n\n", f$nobs_labeled, f$nobs_unlabeled))
  tab <- as.data.frame(x$table)
  out <- data.frame(Estimate = tab$estimate, `Std. Error` = tab$std.error,
                    `z value` = tab$statistic, `Pr(>|z|)` = tab$p.value,
                    n_eff = unname(f$n_effective), check.names = FALSE,
                    row.names = tab$term)
  names(out)[5] <- "Effective n"
  # t statistics when the fit's intervals use t quantiles (GMM, small sample).
  if (is.finite(fit_df(f))) names(out)[3:4] <- c("t value", "Pr(>|t|)")
  stats::printCoefmat(out, digits = digits, has.Pvalue = TRUE, P.values = TRUE,
                      cs.ind = 1:2, tst.ind = 3, zap.ind = 5)
  cat(sprintf("\nIntervals at level %s: see confint().\n", format(1 - f$alpha)))
  if (!is.na(f$j_statistic)) {
    cat(sprintf("Hansen J = %s on %d df, p = %s\n", format(f$j_statistic, digits = digits),
                f$j_df, format.pval(f$j_p_value, digits = digits)))
  }
  if (!is.na(f$lambda)) cat(sprintf("lambda = %s\n", format(f$lambda, digits = digits)))
  notes <- surrogate_notes(f, digits, j = FALSE)
  if (length(notes)) cat(strwrap(notes, exdent = 2), sep = "\n")
  if (f$method == "naive") {
    cat("Note: naive pooling treats synthetic data as real; its intervals are not valid.\n")
  }
  invisible(x)
}

#' @rdname synth_glm-methods
#' @importFrom generics tidy
#' @method tidy synth_glm
#' @export
tidy.synth_glm <- function(x, conf.int = TRUE, conf.level = 1 - x$alpha, ...) {
  conf.level <- check_probability(conf.level, "conf.level")
  tab <- coef_table(x, conf.level)
  if (!isTRUE(conf.int)) tab <- tab[, 1:5]
  tab
}

#' @rdname synth_glm-methods
#' @importFrom generics glance
#' @method glance synth_glm
#' @export
glance.synth_glm <- function(x, ...) {
  tibble::tibble(method = x$method, family = x$family,
                 nobs_labeled = x$nobs_labeled, nobs_unlabeled = x$nobs_unlabeled,
                 n_sources = x$n_sources,
                 j_statistic = x$j_statistic, j_df = x$j_df, j_p_value = x$j_p_value,
                 lambda = x$lambda, n_effective = mean(x$n_effective))
}

#' @importFrom generics tidy
#' @export
generics::tidy

#' @importFrom generics glance
#' @export
generics::glance
