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
#' The trials run in parallel in the Rust core. Each (fraction, trial) draws
#' its labeled subset from its own random stream keyed by `seed`, so the
#' results depend on `seed` only, never on `threads`. Intervals are Wald
#' intervals from each method's sandwich variance, as in [synth_glm()]. Because the truth is the full-data estimate, not
#' a population value, coverage near `1 - alpha` is expected when the labeled
#' fraction is small; as the fraction grows the labeled estimate and the truth
#' share more units and intervals over-cover.
#'
#' @param data A data frame in which every unit has a human label (no missing
#'   response).
#' @param formula,family,proxy,synthetic The model and the surrogate columns,
#'   as in [synth_glm()].
#' @param methods Methods to compare: any of `"gmm"`, `"gmm_proxy"`,
#'   `"ppi++"`, `"ppi"`, `"classical"`, `"naive"`, `"ppi++synth"`,
#'   `"reppi"` (see [synth_glm()]), and
#'   `"ppi++synth_oracle"`: PPI++Synth (see [ppi_synth]) with, for each trial
#'   and coefficient, the grid weight whose estimate is closest to the truth.
#'   The oracle is **not a valid method** (it looks at the truth); it is the
#'   upper bound of the PPI++Synth family that Byun et al. plot, and is
#'   always listed last.
#' @param fractions Labeled fractions to evaluate, each in (0, 1).
#' @param trials Number of random labeled subsets per fraction.
#' @param alpha Intervals have nominal coverage `1 - alpha`.
#' @param seed Seed of the labeled subsets (a whole number).
#' @param threads Number of threads (see [default_threads()]).
#' @return A tibble of class `synth_comparison` with one row per method,
#'   fraction and coefficient: `method`, `fraction`, `n_labeled`, `term`,
#'   `truth` (full-data classical estimate), `mse`, `coverage`, `width`,
#'   `trials` (successful fits), `failed` (fits that failed and are left out
#'   of the averages) and `j_reject` (GMM methods: the share of trials whose
#'   Hansen J test rejected at the 1% level, near 0.01 when the surrogate
#'   blocks are compatible; `NA` for other methods). The per-trial J warnings
#'   of [synth_glm()] are not raised; instead one warning is given when a
#'   method's rejection rate is higher than a 1% test can explain. Has `print`
#'   and [autoplot()][ggplot2::autoplot] methods.
#' @references Byun, Y., Gupta, S., Lipton, Z. C., Childers, R. L. and
#'   Wilder, B. (2025). Valid inference with imperfect synthetic data.
#'   Advances in Neural Information Processing Systems (NeurIPS 2025).
#'   arXiv:2508.06635.
#'
#'   Angelopoulos, A. N., Duchi, J. C. and Zrnic, T. (2024). PPI++: efficient
#'   prediction-powered inference. arXiv:2311.01453.
#'
#'   Ji, W., Lei, L. and Zrnic, T. (2025). Predictions as surrogates:
#'   revisiting surrogate outcomes in the age of AI. arXiv:2501.09731.
#' @export
#' @examples
#' set.seed(1)
#' d <- simulate_synthetic(1000, fraction = 1, regime = "good")
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
  methods <- check_methods(methods, extra = oracle_method)
  fractions <- check_numeric_vector(fractions, "fractions")
  if (any(fractions <= 0 | fractions >= 1)) {
    stop_arg("fractions", "must lie in (0, 1); see position(s) ",
             format_positions(which(fractions <= 0 | fractions >= 1)), ".")
  }
  if (anyDuplicated(fractions)) stop_arg("fractions", "must not contain duplicates.")
  trials <- check_count(trials, "trials", min = 1L)
  alpha <- check_probability(alpha, "alpha")
  # Seeds beyond R's integer range are fine (the core takes a 64-bit seed).
  if (!is.numeric(seed) || length(seed) != 1L || is.na(seed) || seed < 0 ||
      seed != round(seed) || seed >= 2^53) {
    stop_arg("seed", "must be a single whole number >= 0.")
  }
  seed <- as.double(seed)
  threads <- check_threads(threads)

  design <- synth_design(formula, data, family, proxy, synthetic)
  if (!all(design$labeled)) {
    stop_arg("data", "must have a human label for every unit: the response is missing in ",
             sum(!design$labeled), " row(s) (e.g. ",
             format_positions(which(!design$labeled)), "). compare_methods() ",
             "hides labels itself.")
  }
  if (anyNA(design$X)) {
    stop_arg("data", "has missing covariates in row(s) ",
             format_positions(which(rowSums(is.na(design$X)) > 0)),
             "; every unit must be complete.")
  }
  # Without synthetic sources "gmm" is the proxy-only GMM: report it under
  # that name, once.
  if ("gmm" %in% methods && !length(design$synthetic)) {
    if ("gmm_proxy" %in% methods) {
      message("Without synthetic sources \"gmm\" is \"gmm_proxy\"; it is compared once, as \"gmm_proxy\".")
    }
    methods <- unique(replace(methods, methods == "gmm", "gmm_proxy"))
  }
  needs_proxy <- intersect(methods, c("gmm_proxy", "ppi++", "ppi", "ppi++synth", "reppi", oracle_method))
  if (length(needs_proxy) && is.null(design$proxy)) {
    stop_arg("proxy", "is required for method(s) ", paste0('"', needs_proxy, '"', collapse = ", "), ".")
  }
  needs_synth <- intersect(methods, c("ppi++synth", oracle_method))
  if (length(needs_synth) && !length(design$synthetic)) {
    stop_arg("synthetic", "is required for method(s) ", paste0('"', needs_synth, '"', collapse = ", "), ".")
  }
  oracle <- oracle_method %in% methods
  methods <- c(setdiff(methods, oracle_method), if (oracle) oracle_method)
  n <- length(design$y)
  p <- length(design$terms)
  too_few <- fractions[round(fractions * n) <= p]
  if (length(too_few)) {
    stop_arg("fractions", "labels too few units for ", p, " coefficient(s) at ",
             paste(format(too_few), collapse = ", "), " (", n, " units).")
  }
  sources <- c(if (!is.null(design$proxy)) list(design$proxy), design$synthetic)
  res <- run_interruptible("Comparing methods", function(progress) {
    rs_compare_glm(
      design$X, ncol(design$X), design$y, lapply(sources, `[[`, "X"),
      lapply(sources, `[[`, "y"), !is.null(design$proxy), design$family,
      setdiff(methods, oracle_method), oracle, fractions, trials, seed, alpha, threads, progress)
  })

  n_trials <- trials # tibble() below evaluates `failed` after creating column `trials`
  # Scores come ordered fraction, method, coefficient (coefficient fastest).
  cells <- expand.grid(term = design$terms, method = methods, fraction = fractions,
                       stringsAsFactors = FALSE)
  out <- tibble::tibble(
    method = cells$method, fraction = cells$fraction,
    n_labeled = as.integer(round(cells$fraction * n)), term = cells$term,
    truth = rep(res$truth, length(methods) * length(fractions)),
    mse = nan_to_na(res$mse), coverage = nan_to_na(res$coverage),
    width = nan_to_na(res$width), trials = res$n_ok, failed = n_trials - res$n_ok,
    j_reject = res$j_reject)
  warn_j_rate(out)
  failed <- nzchar(res$first_error)
  if (any(failed)) {
    where <- expand.grid(method = methods, fraction = fractions, stringsAsFactors = FALSE)[failed, ]
    warning(sprintf(paste0("Some fits failed and are left out of the averages (column `failed`), ",
                           "e.g. %s at fraction %s: %s"),
                    where$method[1], format(where$fraction[1]), res$first_error[failed][1]),
            call. = FALSE)
  }
  structure(out, class = c("synth_comparison", class(out)), alpha = alpha,
            n = n, trials_requested = trials, seed = seed)
}

# The oracle-weight PPI++Synth, scored by compare_methods() only.
oracle_method <- "ppi++synth_oracle"

check_methods <- function(methods, extra = character()) {
  if (!is.character(methods) || length(methods) == 0 || anyNA(methods)) {
    stop_arg("methods", "must be a non-empty character vector.")
  }
  known <- c(synth_methods, extra)
  bad <- setdiff(methods, known)
  if (length(bad)) {
    stop_arg("methods", "contains unknown method(s) ", paste0('"', bad, '"', collapse = ", "),
             "; choose from ", paste0('"', known, '"', collapse = ", "), ".")
  }
  unique(methods)
}

# One warning (class "synthinfer_warning_j_test") for the GMM methods whose J
# test rejected, at 1%, in more trials than a valid 1% test would (beyond the
# 99.9% quantile of Binomial(trials, 0.01)).
warn_j_rate <- function(cmp) {
  rows <- cmp[!is.na(cmp$j_reject) & cmp$term == cmp$term[1], ]
  high <- rows[rows$j_reject * rows$trials > stats::qbinom(0.999, rows$trials, j_warning_level), ]
  if (!nrow(high)) return(invisible())
  msg <- sprintf(paste0(
    "Hansen's J test rejected at the 1%% level in %s of the trials of method \"%s\" at fraction %s ",
    "(a valid 1%% test rejects in about 1%%). A surrogate source is likely generated differently ",
    "on labelled and unlabelled rows or otherwise incompatible with the labelled data; the GMM ",
    "estimates are then pulled away from the truth. Regenerate it with the same mechanism on every ",
    "row, drop it, or compare \"gmm_proxy\"."),
    paste0(format(100 * high$j_reject[1], digits = 3), "%"), high$method[1], format(high$fraction[1]))
  warn_classed("synthinfer_warning_j_test", msg)
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
  if (oracle_method %in% x$method) {
    cat("# ", oracle_method, ": weight chosen knowing the truth; NOT a valid method (an upper bound)\n",
        sep = "")
  }
  print(tibble::as_tibble(unclass_comparison(x)), ...)
  invisible(x)
}

unclass_comparison <- function(x) {
  class(x) <- setdiff(class(x), "synth_comparison")
  attr(x, "alpha") <- attr(x, "n") <- attr(x, "trials_requested") <- attr(x, "seed") <- NULL
  x
}

#' Summarise a method comparison over coefficients
#'
#' @param object A `synth_comparison` from [compare_methods()].
#' @param reference Method whose mean width the others are divided by
#'   (`relative_width`), or `NULL` for none. Defaults to `"classical"` when it
#'   was compared.
#' @param ... Unused.
#' @return A tibble with one row per method and fraction: `method`,
#'   `fraction`, `coverage`, `width`, `mse` (each averaged over the
#'   coefficients), `relative_width`, and `min_coverage` (the lowest coverage
#'   of any coefficient).
#' @export
#' @examples
#' set.seed(1)
#' d <- simulate_synthetic(800, fraction = 1, regime = "good")
#' cmp <- compare_methods(d, y ~ x1, proxy = c(y = "y_llm"),
#'   synthetic = c(y = "y_syn", x1 = "x1_syn"), fractions = c(0.1, 0.2),
#'   trials = 10, threads = 1)
#' summary(cmp)
summary.synth_comparison <- function(object, reference = NULL, ...) {
  if (is.null(reference) && "classical" %in% object$method) reference <- "classical"
  if (!is.null(reference) &&
      (!is.character(reference) || length(reference) != 1L || !reference %in% object$method)) {
    stop_arg("reference", "must be one of the compared methods: ",
             paste0('"', unique(object$method), '"', collapse = ", "), ".")
  }
  cells <- unique(as.data.frame(unclass_comparison(object))[c("method", "fraction")])
  rows <- lapply(seq_len(nrow(cells)), function(i) {
    g <- object[object$method == cells$method[i] & object$fraction == cells$fraction[i], ]
    tibble::tibble(method = cells$method[i], fraction = cells$fraction[i],
                   coverage = mean(g$coverage), width = mean(g$width), mse = mean(g$mse),
                   min_coverage = min(g$coverage))
  })
  out <- do.call(rbind, rows)
  out$relative_width <- if (is.null(reference)) NA_real_ else {
    ref <- out[out$method == reference, ]
    out$width / ref$width[match(out$fraction, ref$fraction)]
  }
  out[c("method", "fraction", "coverage", "min_coverage", "width", "relative_width", "mse")]
}
