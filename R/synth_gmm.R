# synth_gmm(): GMM with synthetic data (Byun et al.) for moments the user
# writes as an R function. R evaluates the moment function and its Jacobians
# at each trial point; the Rust core (synthinfer_core::gmm::user) stacks the
# blocks, forms the moment covariance, solves with its Cholesky factor and
# returns the Gauss-Newton step, the objective, and at the end the J test and
# the covariances (textbook and finite-sample).

synth_gmm_methods <- c("gmm", "gmm_proxy", "classical")

#' GMM with synthetic data for user-defined moments
#'
#' Estimates the parameters `theta` of any moment condition
#' `E[psi(theta; data_i)] = 0` (a ratio of means, a variance, a structural
#' or moment-matching model, ...) when only some rows carry a
#' human label and every row carries an LLM proxy and, optionally,
#' LLM-generated synthetic units: the two-step GMM estimator of Byun et al.,
#' as [synth_glm()] computes it for GLMs, with the moment blocks built from
#' your moment function.
#'
#' @section Moment blocks:
#' With `S_i` the label indicator, `psi` your moment function and, for each
#' surrogate source `m` (the proxy, then each synthetic source), `data^m`
#' the copy of `data` whose mapped columns are replaced by the source's
#' columns (`proxy = c(y = "y_llm")`: column `y` replaced by `y_llm`), the
#' stacked moment vector of row `i` is
#' `[S_i psi(theta; data_i); for each m: S_i psi(eta_m; data^m_i),
#' psi(eta_m; data^m_i)]`, with one nuisance parameter `eta_m` (as long as
#' `theta`) per source. Step 1 minimises the identity-weighted criterion
#' (with as many moments as parameters, `theta` is then the labeled-only
#' estimate); step 2 uses the inverse of the step-1 moment covariance
#' (uncentred) as weight. Both are minimised by Gauss-Newton with a
#' backtracking line search; a step below `1e-10` (relative) ends it, and
#' failing to get there is an error (class `synthinfer_error_numeric`),
#' never a silent result. `method = "gmm_proxy"` uses the proxy only,
#' `"classical"` the labeled rows only (GMM on the target block, with the
#' sandwich variance when the moments exactly identify `theta`).
#'
#' Variance, effective sample size, Hansen's J test and the `se` choices are
#' those of [synth_glm()]: `se = "small_sample"` is Windmeijer's correction
#' with HC3-type leverage multipliers (the leverage of labeled row `t` being
#' `tr((D'D)^{-1} D' D_t)`, `D_t` the Jacobian of its moments in `theta` and
#' `D` their sum, which is the GLM hat value for GLM moments), scaled by
#' `n_lab / (n_lab - K)` with t quantiles on `n_lab - K` degrees of freedom,
#' `K = p (1 + M)`. Its finite-sample behaviour was studied for GLMs only;
#' for other moments it is a reasonable default, not a validated one.
#'
#' @section Writing the moment function:
#' `moments(theta, data)` gets a parameter vector (named as `start`) and a
#' data frame, and returns a numeric matrix with one row per row of that
#' data frame and one column per moment (a vector for one moment): row `i`
#' must depend on row `i` of `data` only. It is called on the labeled rows
#' of `data` and on each surrogate copy of `data` (all rows), so it must not
#' read columns that are missing there: map every labeled variable it reads
#' in `proxy` and `synthetic`. Non-finite values are an error naming the
#' rows and columns. `jacobian(theta, data)`, if given, returns the `k x p`
#' Jacobian of the column means of `moments(theta, data)` on that data;
#' without it a central-difference Jacobian is used. Moments that are not
#' differentiable in `theta` (indicators, as in a quantile) need a smoothed
#' or kernel `jacobian` and may not converge.
#'
#' @param moments A function `(theta, data)` returning the `n x k` matrix
#'   of per-row moment contributions of one block; see the section on
#'   writing it.
#' @param data A data frame with one row per unit.
#' @param start Start values of `theta` (length `p`, at most the number of
#'   moments `k`); its names, if any, name the coefficients. Every
#'   surrogate parameter `eta_m` starts there too.
#' @param proxy,synthetic Surrogate sources as in [synth_glm()]: `proxy` a
#'   named character vector mapping columns of `data` that the moment
#'   function reads to the columns holding their LLM predictions
#'   (`c(y = "y_llm")`), `synthetic` a map as for `proxy` or a list of maps,
#'   one per synthetic source.
#' @param labeled Logical vector, one entry per row: which rows carry a
#'   human label. Default: the rows where every variable named in the
#'   `proxy` and `synthetic` maps is not `NA` (every row without maps).
#' @param jacobian `NULL` (central differences) or a function
#'   `(theta, data)` returning the `k x p` Jacobian of the column means of
#'   `moments(theta, data)`.
#' @param method `"gmm"` (labels, proxy and synthetic sources),
#'   `"gmm_proxy"` (labels and proxy) or `"classical"` (labeled rows only).
#'   `"gmm"` without synthetic sources is `"gmm_proxy"`.
#' @param alpha Error level of the reported intervals.
#' @param se `"small_sample"` (default) or `"asymptotic"`, as in
#'   [synth_glm()]; `"classical"` always uses the asymptotic variance.
#' @param ... Not used; must be empty.
#' @return An object of class `c("synth_gmm", "synth_glm")`, with the
#'   fields of a [synth_glm()] fit (`coefficients`, `vcov`, `method`,
#'   `alpha`, `nobs_labeled`, `nobs_unlabeled`, `n_sources`, `j_statistic`,
#'   `j_df`, `j_p_value`, `df`, `se_type`, `surrogate_coefficients`,
#'   `n_effective`, `design`) and its methods: `coef()`, `vcov()`,
#'   `confint()`, `summary()`, `print()`, `nobs()`, `tidy()`, `glance()`
#'   (with `family` `NA`). A J test rejecting at the 1% level raises a
#'   warning of class `synthinfer_warning_j_test`; fewer than 8 labeled rows
#'   per parameter, one of class `synthinfer_warning_few_labels`.
#' @references Byun, Y., Gupta, S., Lipton, Z. C., Childers, R. L. and
#'   Wilder, B. (2025). Valid inference with imperfect synthetic data.
#'   Advances in Neural Information Processing Systems (NeurIPS).
#'   arXiv:2508.06635.
#'
#'   Windmeijer, F. (2005). A finite sample correction for the variance of
#'   linear efficient two-step GMM estimators. Journal of Econometrics 126,
#'   25-51.
#' @seealso [synth_glm()] for GLMs (faster, with PPI methods).
#' @export
#' @examples
#' # The ratio of two means, E[y] / E[x]: the moment y - theta * x.
#' set.seed(1)
#' n <- 600
#' x <- rexp(n) + 1
#' y_full <- 2 * x + rnorm(n)
#' d <- data.frame(x,
#'   y = ifelse(runif(n) < 0.25, y_full, NA),      # 25% human labels
#'   y_llm = y_full + rnorm(n, sd = 0.6),           # LLM prediction, every row
#'   y_syn = 1.8 * x + 0.5 * (y_full - 2 * x) + rnorm(n, sd = 0.8))
#' ratio <- function(theta, data) data$y - theta * data$x
#' fit <- synth_gmm(ratio, d, start = c(ratio = 1), proxy = c(y = "y_llm"),
#'                  synthetic = c(y = "y_syn"))
#' fit
#' tidy(fit)
#' glance(fit)
synth_gmm <- function(moments, data, start, proxy = NULL, synthetic = NULL, labeled = NULL,
                      jacobian = NULL, method = c("gmm", "gmm_proxy", "classical"),
                      alpha = 0.1, se = c("small_sample", "asymptotic"), ...) {
  if (...length() > 0L) {
    stop_arg("...", "must be empty; unused argument(s): ",
             paste(names(list(...)), collapse = ", "), ".")
  }
  if (!is.function(moments)) {
    stop_arg("moments", "must be a function(theta, data) returning a matrix of moments, not ",
             class(moments)[1], ".")
  }
  if (!is.null(jacobian) && !is.function(jacobian)) {
    stop_arg("jacobian", "must be NULL or a function(theta, data), not ", class(jacobian)[1], ".")
  }
  if (!is.data.frame(data)) stop_arg("data", "must be a data frame, not ", class(data)[1], ".")
  if (nrow(data) == 0L) stop_arg("data", "has no rows.")
  if (missing(start)) stop_arg("start", "is required: start values of the parameters.")
  terms <- gmm_terms(start)
  start <- check_numeric_vector(start, "start")
  method <- check_gmm_method(method)
  alpha <- check_probability(alpha, "alpha")
  se <- check_se(se)
  maps <- gmm_maps(proxy, synthetic, data)
  labeled <- gmm_labeled(labeled, maps, data)
  if (method == "gmm" && !length(maps$synthetic)) {
    if (is.null(maps$proxy)) stop_arg("proxy", "or `synthetic` is required for method \"gmm\".")
    method <- "gmm_proxy"
  }
  if (method == "gmm_proxy" && is.null(maps$proxy)) {
    stop_arg("proxy", "is required for method \"gmm_proxy\".")
  }
  sources <- switch(method, gmm = c(if (!is.null(maps$proxy)) list(maps$proxy), maps$synthetic),
                    gmm_proxy = list(maps$proxy), classical = list())
  pr <- gmm_problem(moments, jacobian, data, labeled, sources, terms,
                    has_proxy = !is.null(maps$proxy) && method != "classical")
  n_lab <- length(pr$rows)
  check_gmm_user_labels(pr, method, n_lab)
  pr <- gmm_shape(pr, start)
  res <- gmm_user_fit(pr, start, small_sample = method != "classical" && se == "small_sample")
  classical_var <- if (method == "classical") diag(res$vcov) else
    tryCatch(diag(gmm_user_fit(gmm_target_only(pr), start, FALSE)$vcov), error = function(e) rep(NA_real_, pr$p))
  fit <- structure(list(
    coefficients = stats::setNames(res$phi[seq_len(pr$p)], terms),
    vcov = res$vcov,
    method = method,
    family = NA_character_,
    alpha = alpha,
    nobs_labeled = n_lab,
    nobs_unlabeled = pr$n - n_lab,
    n_sources = length(sources),
    j_statistic = if (res$j_df > 0) res$j_stat else NA_real_,
    j_df = if (res$j_df > 0) res$j_df else NA_integer_,
    j_p_value = if (res$j_df > 0) res$j_pvalue else NA_real_,
    lambda = NA_real_,
    df = res$df,
    se_type = if (method == "classical") "asymptotic" else se,
    mix_alpha = NULL,
    surrogate_coefficients = res$phi[-seq_len(pr$p)],
    n_effective = stats::setNames(n_lab * classical_var / diag(res$vcov), terms),
    design = list(proxy_map = maps$proxy, synthetic_map = maps$synthetic,
                  synthetic = if (method == "gmm") maps$synthetic else list(),
                  labeled = labeled, terms = terms, n_moments = pr$k),
    call = match.call()
  ), class = c("synth_gmm", "synth_glm"))
  warn_j_test(fit)
}

#' @rdname synth_gmm
#' @param object A `"synth_gmm"` fit.
#' @export
predict.synth_gmm <- function(object, ...) {
  stop_arg("object", "is a synth_gmm() fit of user-defined moments, which has no predictions.")
}

gmm_terms <- function(start) {
  p <- length(start)
  nm <- names(start)
  if (!is.null(nm) && all(nzchar(nm)) && !anyNA(nm) && !anyDuplicated(nm)) return(nm)
  if (p == 1L) "theta" else paste0("theta", seq_len(p))
}

check_gmm_method <- function(method) {
  if (identical(method, synth_gmm_methods)) return("gmm")
  if (!is.character(method) || length(method) != 1L || !(method %in% synth_gmm_methods)) {
    stop_arg("method", "must be one of ", paste0("\"", synth_gmm_methods, "\"", collapse = ", "), ".")
  }
  method
}

# The proxy and synthetic maps: named character vectors from columns of
# `data` (the variables the moment function reads) to columns of `data`.
gmm_maps <- function(proxy, synthetic, data) {
  check <- function(map, what) {
    if (!is.character(map) || !length(map) || is.null(names(map)) || any(names(map) == "") ||
        anyNA(map) || anyDuplicated(names(map))) {
      stop_arg(what, "must be a named character vector such as c(y = \"y_llm\"), ",
               "mapping columns of `data` to the columns that replace them.")
    }
    absent <- setdiff(c(names(map), map), names(data))
    if (length(absent)) {
      stop_arg(what, "refers to column(s) missing from `data`: ",
               paste0("`", absent, "`", collapse = ", "), ".")
    }
    map
  }
  if (!is.null(proxy)) proxy <- check(proxy, "proxy")
  if (is.null(synthetic)) {
    synthetic <- list()
  } else {
    if (is.character(synthetic)) synthetic <- list(synthetic)
    if (!is.list(synthetic) || !length(synthetic)) {
      stop_arg("synthetic", "must be a named character vector or a list of them.")
    }
    synthetic <- lapply(seq_along(synthetic), function(k) {
      check(synthetic[[k]], if (length(synthetic) > 1L) sprintf("synthetic[[%d]]", k) else "synthetic")
    })
  }
  list(proxy = proxy, synthetic = synthetic)
}

gmm_labeled <- function(labeled, maps, data) {
  n <- nrow(data)
  if (is.null(labeled)) {
    vars <- unique(unlist(lapply(c(list(maps$proxy), maps$synthetic), names)))
    labeled <- rep(TRUE, n)
    for (v in vars) labeled <- labeled & !is.na(data[[v]])
    return(labeled)
  }
  if (!is.logical(labeled) || length(labeled) != n || anyNA(labeled)) {
    stop_arg("labeled", "must be a logical vector without NA, one entry per row of `data` (", n, ").")
  }
  labeled
}

# The problem: the data of each block, the user's functions, the shape.
# Block 1 is the labeled rows of `data`; block 1 + m the copy of `data` with
# source m's columns in place of the mapped ones (all rows).
gmm_problem <- function(moments, jacobian, data, labeled, sources, terms, has_proxy) {
  rows <- which(labeled)
  if (!length(rows)) {
    stop_arg("labeled", "marks no row as labeled (by default the rows where the mapped variables are ",
             "observed), so nothing anchors the estimate to real data.")
  }
  n_syn <- length(sources) - has_proxy
  source_names <- c(if (has_proxy) "proxy",
                    if (n_syn == 1L) "synthetic source" else sprintf("synthetic source %d", seq_len(n_syn)))
  copies <- lapply(sources, function(map) {
    d <- data
    for (v in names(map)) d[[v]] <- data[[map[[v]]]]
    d
  })
  pr <- list(moments = moments, jacobian = jacobian, rows = rows, n = nrow(data), p = length(terms),
             terms = terms, has_proxy = has_proxy,
             data = c(list(data[rows, , drop = FALSE]), copies),
             where = c("on the labeled rows of `data`",
                       sprintf("on the %s copy of `data`", source_names)))
  # The source copies' labeled rows, for a user Jacobian of those means.
  pr$data_labeled <- lapply(copies, function(d) d[rows, , drop = FALSE])
  pr
}

# The number of moments k, from the target block at the start values.
gmm_shape <- function(pr, start) {
  pr$k <- ncol(gmm_block_moments(pr, 1L, start))
  if (pr$k < pr$p) {
    stop_arg("start", sprintf(paste0("has %d parameter(s) but `moments` returns %d moment(s); ",
                                     "the moments must be at least as many as the parameters."), pr$p, pr$k))
  }
  pr
}

# The same problem without surrogate sources (the classical estimator).
gmm_target_only <- function(pr) {
  pr$data <- pr$data[1L]
  pr$data_labeled <- list()
  pr$where <- pr$where[1L]
  pr
}

# GMM fits p parameters for the labels and p per source, all of whose
# moments are observed on the labeled rows only.
check_gmm_user_labels <- function(pr, method, n_lab) {
  m <- length(pr$data) - 1L
  k <- pr$p * (1L + m)
  if (method != "classical" && n_lab == pr$n) {
    stop_arg("labeled", "marks every row as labeled, so the surrogate moments duplicate the ",
             "labeled ones and carry no extra information; use method = \"classical\".")
  }
  if (n_lab <= k) {
    stop_arg("labeled", sprintf(paste0(
      "marks %d row(s); with %d surrogate source(s) GMM fits %d parameters (%d for the labels ",
      "and %d per source) from moments observed on the labeled rows only, so it needs more ",
      "than %d labeled rows. Label more rows or use fewer surrogate sources."),
      n_lab, m, k, pr$p, pr$p, k))
  }
  if (method != "classical" && n_lab < 8L * k) {
    warn_classed("synthinfer_warning_few_labels", sprintf(paste0(
      "Only %d labeled rows for %d GMM parameters: below 8 labels per parameter the interval's ",
      "finite-sample correction has not been validated and may under-cover. Label more rows or ",
      "use fewer surrogate sources."), n_lab, k))
  }
  invisible(k)
}

# The user's moments of block `b` at `par`, checked: a double matrix with one
# row per row of the block's data and `pr$k` columns. With `strict = FALSE`
# (line-search trial points) non-finite values give NULL instead of an error.
gmm_block_moments <- function(pr, b, par, strict = TRUE, data = pr$data[[b]]) {
  names(par) <- pr$terms
  where <- pr$where[[b]]
  value <- tryCatch(pr$moments(par, data), error = function(e) {
    stop_arg("moments", "failed ", where, ": ", conditionMessage(e))
  })
  if (is.data.frame(value)) value <- as.matrix(value)
  n_b <- nrow(data)
  if (is.null(dim(value)) && is.numeric(value) && length(value) == n_b) dim(value) <- c(n_b, 1L)
  if (!is.numeric(value) || length(dim(value)) != 2L || nrow(value) != n_b) {
    got <- if (is.numeric(value) && length(dim(value)) == 2L) sprintf("a %d x %d matrix", nrow(value), ncol(value))
      else if (is.numeric(value)) sprintf("a vector of length %d", length(value)) else class(value)[1]
    stop_arg("moments", sprintf(paste0("must return a numeric matrix with one row per row of the data it ",
                                       "is given and one column per moment; %s it returned %s for %d rows."),
                                where, got, n_b))
  }
  if (!is.null(pr$k) && ncol(value) != pr$k) {
    stop_arg("moments", sprintf("returned %d column(s) %s but %d on the labeled rows: the number of moments must not change.",
                                ncol(value), where, pr$k))
  }
  storage.mode(value) <- "double"
  if (!all_finite(value)) {
    if (!strict) return(NULL)
    bad <- which(!is.finite(value), arr.ind = TRUE)
    stop_arg("moments", sprintf(paste0("returned non-finite values %s at theta = (%s): row(s) %s, column(s) %s. ",
                                       "Every variable the moments read must be observed there (map labeled ",
                                       "variables in `proxy` / `synthetic`, or set `labeled`)."),
                                where, paste(format(par, digits = 4), collapse = ", "),
                                format_positions(sort(unique(if (b == 1L) pr$rows[bad[, 1]] else bad[, 1]))),
                                format_positions(sort(unique(bad[, 2])))))
  }
  value
}

gmm_split <- function(pr, phi) {
  lapply(seq_along(pr$data), function(b) phi[(b - 1L) * pr$p + seq_len(pr$p)])
}

gmm_eval <- function(pr, phi, strict = TRUE) {
  pars <- gmm_split(pr, phi)
  vals <- vector("list", length(pars))
  for (b in seq_along(pars)) {
    v <- gmm_block_moments(pr, b, pars[[b]], strict)
    if (is.null(v)) return(NULL)
    vals[[b]] <- v
  }
  vals
}

# Central-difference derivatives of block b's rows at `par`: an
# n_b x k x p array.
gmm_row_derivatives <- function(pr, b, par) {
  h <- .Machine$double.eps^(1 / 3) * pmax(abs(par), 1)
  out <- NULL
  for (j in seq_len(pr$p)) {
    up <- par
    dn <- par
    up[j] <- par[j] + h[j]
    dn[j] <- par[j] - h[j]
    d <- (gmm_block_moments(pr, b, up) - gmm_block_moments(pr, b, dn)) / (up[j] - dn[j])
    if (is.null(out)) out <- array(0, c(nrow(d), ncol(d), pr$p))
    out[, , j] <- d
  }
  out
}

# The user's Jacobian of block b's column means on `data`, checked.
gmm_user_jacobian <- function(pr, b, par, data) {
  names(par) <- pr$terms
  where <- pr$where[[b]]
  value <- tryCatch(pr$jacobian(par, data), error = function(e) {
    stop_arg("jacobian", "failed ", where, ": ", conditionMessage(e))
  })
  if (pr$k == 1L && is.null(dim(value)) && is.numeric(value)) value <- matrix(value, 1L)
  if (pr$p == 1L && is.null(dim(value)) && is.numeric(value)) value <- matrix(value, ncol = 1L)
  if (!is.numeric(value) || !identical(dim(value), c(pr$k, pr$p))) {
    stop_arg("jacobian", sprintf("must return a %d x %d matrix (moments x parameters) %s.", pr$k, pr$p, where))
  }
  storage.mode(value) <- "double"
  if (!all_finite(value)) stop_arg("jacobian", "returned non-finite values ", where, ".")
  value
}

# Block Jacobians at phi: list(target, per source: labeled-row means,
# all-row means); with `rows = TRUE` also the blocks' row derivatives
# (attribute "rows", as double vectors).
gmm_jacobians <- function(pr, phi, rows = FALSE) {
  pars <- gmm_split(pr, phi)
  jac <- list()
  deriv <- list()
  for (b in seq_along(pars)) {
    if (!is.null(pr$jacobian)) {
      jac <- c(jac, if (b > 1L) list(gmm_user_jacobian(pr, b, pars[[b]], pr$data_labeled[[b - 1L]])),
               list(gmm_user_jacobian(pr, b, pars[[b]], pr$data[[b]])))
    }
    if (!rows && !is.null(pr$jacobian)) next
    d <- gmm_row_derivatives(pr, b, pars[[b]])
    deriv[[b]] <- as.double(d)
    if (is.null(pr$jacobian)) {
      mean_jac <- function(r) matrix(colMeans(matrix(d[r, , , drop = FALSE], length(r))), pr$k, pr$p)
      jac <- c(jac, if (b > 1L) list(mean_jac(pr$rows)), list(mean_jac(seq_len(dim(d)[1]))))
    }
  }
  if (rows) attr(jac, "rows") <- deriv
  jac
}

# Gauss-Newton minimisation of gbar' W gbar from `phi` (W = weight^-1, or
# the identity for NULL), with a backtracking (Armijo) line search. Returns
# list(phi, vals (the blocks at phi), s (moment covariance at phi, with
# want_s)).
gmm_minimise <- function(pr, phi, weight, want_s, stage) {
  vals <- gmm_eval(pr, phi)
  for (iter in seq_len(gmm_max_iter)) {
    # Evaluated before the call: an error of the user's functions must not
    # surface inside rust_call() (arguments are lazy).
    jac <- gmm_jacobians(pr, phi)
    st <- rs_gmm_user_step(vals, pr$rows, pr$n, jac, weight, phi, want_s, pr$has_proxy)
    if (st$converged) return(list(phi = phi, vals = vals, s = st$s, iterations = iter - 1L))
    t <- 1
    repeat {
      cand <- phi + t * st$step
      cv <- gmm_eval(pr, cand, strict = FALSE)
      v <- if (is.null(cv)) Inf else rs_gmm_user_objective(cv, pr$rows, pr$n, weight, pr$has_proxy)
      if (is.finite(v) && v <= st$objective + 1e-4 * t * st$slope) break
      t <- t / 2
      if (t < 1e-10) {
        # No decrease along the Gauss-Newton direction: at the minimum up to
        # rounding if the step is tiny, otherwise a failure.
        if (max(abs(st$step)) <= 1e-6 * (1 + max(abs(phi)))) {
          return(list(phi = phi, vals = vals, s = st$s, iterations = iter))
        }
        abort_classed("synthinfer_error_numeric", sprintf(paste0(
          "GMM %s did not converge: no decrease of the objective along the Gauss-Newton direction ",
          "(iteration %d). The moments may not be differentiable in the parameters, or `jacobian` ",
          "may be wrong; try other start values."), stage, iter))
      }
    }
    phi <- cand
    vals <- cv
  }
  abort_classed("synthinfer_error_numeric", sprintf(paste0(
    "GMM %s did not converge in %d Gauss-Newton iterations; try other start values, ",
    "or check that the moments identify the parameters."), stage, gmm_max_iter))
}

gmm_max_iter <- 200L

# The two-step fit: list(phi, vcov (theta block), df, j_stat, j_df, j_pvalue).
gmm_user_fit <- function(pr, start, small_sample) {
  m <- length(pr$data) - 1L
  phi0 <- rep(start, 1L + m)
  one <- gmm_minimise(pr, phi0, NULL, want_s = TRUE, stage = "step 1")
  two <- gmm_minimise(pr, one$phi, one$s, want_s = FALSE, stage = "step 2")
  jac1 <- gmm_jacobians(pr, one$phi, rows = small_sample)
  jac2 <- gmm_jacobians(pr, two$phi)
  d2 <- NULL
  if (small_sample) d2 <- as.double(gmm_row_derivatives(pr, 1L, two$phi[seq_len(pr$p)]))
  res <- rs_gmm_user_result(one$vals, unclass_jac(jac1), two$vals, jac2, attr(jac1, "rows"), d2,
                            pr$rows, pr$n, pr$has_proxy)
  idx <- seq_len(pr$p)
  vc <- if (small_sample) res$covariance_small_sample else res$covariance
  vc <- vc[idx, idx, drop = FALSE]
  dimnames(vc) <- list(pr$terms, pr$terms)
  list(phi = two$phi, vcov = vc, df = if (small_sample) res$df else Inf,
       j_stat = res$j_stat, j_df = res$j_df, j_pvalue = res$j_pvalue)
}

unclass_jac <- function(jac) {
  attr(jac, "rows") <- NULL
  jac
}
