# autoplot() and augment() for synth_glm fits: the estimates of several
# methods on one design, and the fit's values on the rows.

#' Plot a synth_glm fit's coefficients, by method
#'
#' A forest plot, one panel per coefficient: the estimate and its interval at
#' level `level` for each method in `methods`. The other methods are refitted
#' on the fit's own design and labeled rows, with the fit's `se` choice, so
#' the plot compares estimators on the same data.
#'
#' @param object A `"synth_glm"` fit.
#' @param methods Methods to show (see [synth_glm()]); the fit's own method
#'   by default. A method the design cannot run (e.g. `"ppi++"` without a
#'   proxy) is an error naming it.
#' @param level Confidence level of the intervals; the fit's `1 - alpha` by
#'   default.
#' @param threads Threads of the refits.
#' @param ... Unused.
#' @return A ggplot object; its data (`$data`) holds `method`, `term`,
#'   `estimate`, `conf.low` and `conf.high`.
#' @exportS3Method ggplot2::autoplot
#' @examples
#' if (requireNamespace("ggplot2", quietly = TRUE)) {
#'   set.seed(5)
#'   d <- simulate_synthetic(600, fraction = 0.2, regime = "good")
#'   fit <- synth_glm(y ~ x1, d, proxy = c(y = "y_llm"),
#'                    synthetic = c(y = "y_syn", x1 = "x1_syn"), threads = 1)
#'   ggplot2::autoplot(fit, methods = c("classical", "ppi++", "gmm_proxy", "gmm"),
#'                     threads = 1)
#' }
autoplot.synth_glm <- function(object, methods = object$method, level = 1 - object$alpha,
                               threads = default_threads(), ...) {
  if (!requireNamespace("ggplot2", quietly = TRUE)) {
    abort_classed("synthinfer_error_input",
                  "autoplot() needs the ggplot2 package: install.packages(\"ggplot2\").")
  }
  methods <- check_methods(methods)
  level <- check_probability(level, "level")
  threads <- check_threads(threads)
  tab <- do.call(rbind, lapply(methods, function(m) {
    fit <- if (identical(m, object$method)) object else refit_method(object, m, threads)
    cbind(method = m, coef_table(fit, level)[c("term", "estimate", "conf.low", "conf.high")])
  }))
  tab$method <- factor(tab$method, levels = rev(methods))
  tab$term <- factor(tab$term, levels = object$design$terms)
  # Columns of `tab`, found by ggplot2's data mask; the NULLs only tell R
  # CMD check that these names are not undefined globals.
  estimate <- conf.low <- conf.high <- method <- term <- NULL
  ggplot2::ggplot(tab, ggplot2::aes(x = estimate, y = method, xmin = conf.low, xmax = conf.high)) +
    ggplot2::geom_pointrange() +
    ggplot2::facet_wrap(ggplot2::vars(term), scales = "free_x") +
    ggplot2::labs(x = sprintf("estimate and %s%% interval", format(100 * level)), y = NULL)
}

# `fit`'s design and labeled rows fitted with `method` (J-test warnings of
# the refit included).
refit_method <- function(fit, method, threads) {
  labeled <- rep(FALSE, length(fit$design$y))
  labeled[fit$labeled_rows] <- TRUE
  se <- if (fit$method %in% c("gmm", "gmm_proxy", "reppi")) fit$se_type else "small_sample"
  fit_design(fit$design, method, fit$alpha, labeled, se, threads, fit$weights)
}

#' Augment data with a synth_glm fit's values
#'
#' As broom's `augment()` for `glm` ([generics::augment()]): the fitted values
#' and residuals of each row of the data the model was fitted on.
#'
#' @param x A `"synth_glm"` fit.
#' @param data `NULL` (default) for a tibble with the response only, or the
#'   data frame the model was fitted on, whose columns are kept.
#' @param newdata `NULL`, or a data frame with the model's covariates: then
#'   the result has one row per row of `newdata`, its columns and `.fitted`
#'   (and `.resid` where `newdata` has the response).
#' @param type.predict `"link"` (linear predictor, default, as for `glm`) or
#'   `"response"` (mean) for `.fitted`.
#' @param ... Must be empty.
#' @return A tibble with one row per row of the data: the columns of `data`
#'   (or the response), `.fitted`, `.resid` (response residual
#'   `y - mean`, `NA` on unlabeled rows) and `.labeled` (whether the row
#'   counted as labeled in the fit). `.fitted` is `NA` on rows whose
#'   covariates are unobserved. With `newdata`, one row per row of it.
#' @importFrom generics augment
#' @method augment synth_glm
#' @export
#' @examples
#' set.seed(6)
#' d <- data.frame(x = rnorm(200))
#' d$y <- ifelse(runif(200) < 0.3, 1 + d$x + rnorm(200), NA)
#' d$y_llm <- 1 + d$x + rnorm(200, sd = 0.5)
#' fit <- synth_glm(y ~ x, d, proxy = c(y = "y_llm"), method = "ppi++", threads = 1)
#' head(augment(fit, d))
augment.synth_glm <- function(x, data = NULL, newdata = NULL, type.predict = c("link", "response"), ...) {
  type.predict <- match.arg(type.predict)
  # Anything else (a misspelt `newdata`) would be ignored silently and the
  # training rows returned in its place.
  if (...length() > 0L) {
    stop_arg("...", "must be empty: augment() of a synth_glm fit takes `data`, `newdata` and ",
             "`type.predict`, but got ", paste0("`", names(list(...)), "`", collapse = ", "), ".")
  }
  des <- x$design
  if (!is.null(newdata)) {
    if (!is.data.frame(newdata)) stop_arg("newdata", "must be a data frame.")
    out <- tibble::as_tibble(newdata)
    out$.fitted <- unname(predict.synth_glm(x, newdata, type = type.predict))
    y <- newdata[[des$response]]
    if (is.numeric(y) || is.logical(y)) {
      out$.resid <- as.double(y) - mean_of(x$family, unname(predict.synth_glm(x, newdata, type = "link")))
    }
    return(out)
  }
  n <- length(des$y)
  if (!is.null(data) && (!is.data.frame(data) || nrow(data) != n)) {
    stop_arg("data", "must be the data frame the model was fitted on (", n, " rows).")
  }
  eta <- predict.synth_glm(x, type = "link")
  mu <- mean_of(x$family, eta)
  labeled <- rep(FALSE, n)
  labeled[x$labeled_rows] <- TRUE
  out <- if (is.null(data)) stats::setNames(tibble::tibble(des$y), des$response) else tibble::as_tibble(data)
  out$.fitted <- if (type.predict == "link") eta else mu
  out$.resid <- ifelse(labeled, des$y - mu, NA_real_)
  out$.labeled <- labeled
  out
}

# The mean of a canonical-link family at linear predictor `eta`.
mean_of <- function(family, eta) {
  switch(family, gaussian = eta, binomial = stats::plogis(eta), poisson = exp(eta))
}

#' @importFrom generics augment
#' @export
generics::augment
