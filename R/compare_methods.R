#' Compare estimators by hiding labels of a fully labeled data set
#'
#' The Monte Carlo evaluation of Byun et al. (2025) and of the
#' prediction-powered inference literature, run on your own data. Every unit
#' of `data` carries a human label, so the classical estimate from all units is
#' taken as the truth. Each trial keeps the human labels of a random
#' `fraction` of the units only (the others become unlabeled units that still
#' have their proxy and synthetic data), fits every method, and checks its
#' interval against the truth. Reported per method, fraction and coefficient:
#' mean squared error, coverage and mean width of the intervals.
#'
#' The labeled subsets are drawn in the Rust core from one random stream per
#' (fraction, trial), keyed by `seed`; the results therefore depend on `seed`
#' only, never on `threads`. Because the truth is the full-data estimate, not
#' a population value, coverage near `1 - alpha` is expected when the labeled
#' fraction is small; as the fraction grows the labeled estimate and the truth
#' share more units and intervals over-cover.
#'
#' @param data A data frame in which every unit has a human label (no missing
#'   response).
#' @param formula,family,proxy,synthetic The model and the surrogate columns,
#'   as in [synth_glm()].
#' @param methods Methods to compare: any of `"gmm"`, `"gmm_proxy"`,
#'   `"ppi++"`, `"ppi"`, `"classical"`, `"naive"`.
#' @param fractions Labeled fractions to evaluate, each in (0, 1).
#' @param trials Number of random labeled subsets per fraction.
#' @param alpha Intervals have nominal coverage `1 - alpha`.
#' @param seed Seed of the labeled subsets (a whole number).
#' @param threads Number of threads (see [default_threads()]).
#' @return A tibble of class `synth_comparison` with one row per method,
#'   fraction and coefficient: `method`, `fraction`, `n_labeled`, `term`,
#'   `truth` (full-data classical estimate), `mse`, `coverage`, `width`,
#'   `trials` (successful fits) and `failed` (fits that failed and are left out
#'   of the averages). Has `print` and [autoplot()][ggplot2::autoplot] methods.
#' @references Byun et al. (2025). Valid inference with imperfect synthetic
#'   data. Advances in Neural Information Processing Systems (NeurIPS 2025).
#'
#'   Angelopoulos, A. N., Duchi, J. C. and Zrnic, T. (2024). PPI++: efficient
#'   prediction-powered inference. arXiv:2311.01453.
#' @export
#' @examples
#' set.seed(1)
#' d <- simulate_synthetic(1000, labeled = 1, regime = "good")
#' cmp <- compare_methods(d, y ~ x1 + x2, proxy = c(y = "y_llm"),
#'   synthetic = c(y = "y_syn", x1 = "x1_syn", x2 = "x2_syn"),
#'   fractions = c(0.1, 0.2), trials = 20, threads = 1)
#' cmp
compare_methods <- function(data, formula, family = stats::gaussian(), proxy = NULL,
                            synthetic = NULL,
                            methods = c("classical", "ppi++", "gmm_proxy", "gmm"),
                            fractions = c(0.05, 0.1, 0.15, 0.2), trials = 200,
                            alpha = 0.1, seed = 1, threads = default_threads()) {
  if (!is.data.frame(data)) stop_arg("data", "must be a data frame, not ", class(data)[1], ".")
  methods <- check_methods(methods)
  fractions <- check_numeric_vector(fractions, "fractions")
  if (any(fractions <= 0 | fractions >= 1)) {
    stop_arg("fractions", "must lie in (0, 1); see position(s) ",
             format_positions(which(fractions <= 0 | fractions >= 1)), ".")
  }
  if (anyDuplicated(fractions)) stop_arg("fractions", "must not contain duplicates.")
  trials <- check_count(trials, "trials", min = 1L)
  alpha <- check_probability(alpha, "alpha")
  seed <- check_count(seed, "seed", min = 0L)
  threads <- check_threads(threads)

  design <- synth_design(formula, data, family, proxy, synthetic)
  if (!all(design$labeled)) {
    stop_arg("data", "must have a human label for every unit: the response is missing in ",
             sum(!design$labeled), " row(s) (e.g. ",
             format_positions(which(!design$labeled)), "). compare_methods() ",
             "hides labels itself.")
  }
  n <- length(design$labeled)
  truth <- fit_intervals(synth_fit_design(design, "classical", alpha, threads = threads))
  terms <- truth$term
  masks <- rs_compare_masks(n, fractions, trials, seed)

  rows <- list()
  for (f in seq_along(fractions)) {
    cells <- masks[(f - 1L) * trials + seq_len(trials)]
    for (m in methods) {
      fits <- compare_fits(design, m, alpha, cells, length(terms), threads)
      s <- rs_compare_score(truth$estimate, fits$estimate, fits$lower, fits$upper)
      rows[[length(rows) + 1L]] <- tibble::tibble(
        method = m, fraction = fractions[f], n_labeled = length(cells[[1]]),
        term = terms, truth = truth$estimate,
        mse = nan_to_na(s$mse), coverage = nan_to_na(s$coverage),
        width = nan_to_na(s$width), trials = s$n_ok, failed = trials - s$n_ok)
    }
  }
  out <- do.call(rbind, rows)
  n_failed <- sum(out$failed[!duplicated(out[c("method", "fraction")])])
  if (n_failed > 0) {
    warning(sprintf("%d fit(s) failed and were left out of the averages (column `failed`).",
                    n_failed), call. = FALSE)
  }
  structure(out, class = c("synth_comparison", class(out)), alpha = alpha,
            n = n, trials_requested = trials, seed = seed)
}

# The methods synth_fit_design() knows.
comparison_methods <- c("gmm", "gmm_proxy", "ppi++", "ppi", "classical", "naive")

check_methods <- function(methods) {
  if (!is.character(methods) || length(methods) == 0 || anyNA(methods)) {
    stop_arg("methods", "must be a non-empty character vector.")
  }
  bad <- setdiff(methods, comparison_methods)
  if (length(bad)) {
    stop_arg("methods", "contains unknown method(s) ", paste0('"', bad, '"', collapse = ", "),
             "; choose from ", paste0('"', comparison_methods, '"', collapse = ", "), ".")
  }
  unique(methods)
}

# Estimates and interval endpoints of a fitted object, in term order.
fit_intervals <- function(fit) {
  td <- generics::tidy(fit)
  list(term = td$term, estimate = td$estimate, lower = td$conf.low, upper = td$conf.high)
}

# Fit one method on each labeled subset. Returns trials x p matrices of
# estimates and endpoints, with NA rows where a fit failed (a small labeled
# subset can, e.g., be separable for a logistic model).
compare_fits <- function(design, method, alpha, cells, p, threads) {
  est <- lo <- hi <- matrix(NA_real_, length(cells), p)
  n <- length(design$labeled)
  for (t in seq_along(cells)) {
    labeled <- logical(n)
    labeled[cells[[t]]] <- TRUE
    r <- tryCatch(
      fit_intervals(synth_fit_design(design, method, alpha, labeled = labeled,
                                     threads = threads)),
      error = function(e) NULL)
    if (!is.null(r) && length(r$estimate) == p) {
      est[t, ] <- r$estimate; lo[t, ] <- r$lower; hi[t, ] <- r$upper
    }
  }
  list(estimate = est, lower = lo, upper = hi)
}

nan_to_na <- function(x) {
  x[is.nan(x)] <- NA_real_
  x
}

#' @export
format.synth_comparison <- function(x, ...) {
  sprintf(paste0("Comparison of %d method(s) on %d units: %d trials per labeled fraction, ",
                 "nominal coverage %s; truth = full-data classical estimate"),
          length(unique(x$method)), attr(x, "n"), attr(x, "trials_requested"),
          paste0(format(100 * (1 - attr(x, "alpha"))), "%"))
}

#' @export
print.synth_comparison <- function(x, ...) {
  cat("# ", format(x), "\n", sep = "")
  print(tibble::as_tibble(unclass_comparison(x)), ...)
  invisible(x)
}

unclass_comparison <- function(x) {
  class(x) <- setdiff(class(x), "synth_comparison")
  attr(x, "alpha") <- attr(x, "n") <- attr(x, "trials_requested") <- attr(x, "seed") <- NULL
  x
}
