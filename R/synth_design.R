# Building the numeric design of synth_glm(): model matrices of the observed
# data and of every surrogate source (LLM proxies, synthetic samples), with
# one set of terms, factor levels and contrasts shared by all of them.

#' Numeric design of a GMM / PPI problem with surrogate data
#'
#' Turns a formula, a data frame and the maps naming the surrogate columns
#' into the matrices every [synth_glm()] method works on. Internal building
#' block, exported for packages and simulation code that fit many label masks
#' on one data set: build the design once with `synth_design()`, then call
#' [synth_fit_design()] for each mask.
#'
#' Rows whose response is not missing are the labeled ones. Each surrogate
#' version of the data is the data frame with the mapped columns substituted
#' (`proxy = c(y = "y_llm", x1 = "x1_llm")` replaces `y` by `y_llm` and `x1`
#' by `x1_llm`), expanded with the same terms, factor levels and contrasts as
#' the observed data, so factors and interactions work as in [stats::glm()].
#' Variables that a map leaves out are observed on every row and used as they
#' are; they must not be missing. Every map must name the response.
#'
#' @param formula A model formula such as `y ~ x1 + x2`; `y ~ 1` is the mean.
#'   The response must be a column of `data`, not an expression.
#' @param data A data frame with one row per real unit.
#' @param family A family object, function or name: `gaussian` (linear
#'   regression), `binomial` (logistic) or `poisson`, with canonical links.
#' @param proxy `NULL` or a named character vector mapping formula variables
#'   to the columns holding their LLM predictions on every row.
#' @param synthetic `NULL`, a map as for `proxy` for one synthetic source (an
#'   LLM-generated unit per real unit), or a list of such maps for several.
#'   **Generation requirement**: each synthetic unit must be produced by the
#'   same mechanism whether or not its real unit is labeled, conditioning
#'   only on what is observed on every row (e.g. the text and predicted
#'   covariates, never the true covariates or labels of labeled units only).
#'   Otherwise the GMM moment blocks of the source are incompatible and the
#'   estimate is biased; see [synth_glm()] (its J-test warning) and the
#'   getting-started vignette. The same holds for `proxy`.
#' @return A list of class `"synth_design"` with `y` (response, `NA` where
#'   unlabeled), `X` (model matrix; entries of predicted covariates may be
#'   `NA` on unlabeled rows), `x_complete` (whether `X` has no `NA`),
#'   `labeled` (logical), `labeled_rows` (positions of the labeled rows,
#'   `which(labeled)`), `proxy` (`NULL` or
#'   `list(X, y)`), `synthetic` (list of `list(X, y)`), `family` (name),
#'   `terms` (coefficient names), and what [predict.synth_glm()] needs
#'   (`model_terms`, `xlevels`, `contrasts`).
#' @references Byun, Y., Gupta, S., Lipton, Z. C., Childers, R. L. and
#'   Wilder, B. (2025). Valid inference with imperfect synthetic data.
#'   Advances in Neural Information Processing Systems (NeurIPS).
#'   arXiv:2508.06635.
#' @seealso [synth_glm()], [synth_fit_design()].
#' @export
#' @examples
#' d <- data.frame(y = c(1.2, NA, 0.4, NA, 2.2, 1.1), x = c(0, 1, 2, 3, 4, 5),
#'                 y_llm = c(1, 0.8, 0.5, 1.9, 2, 1.3))
#' des <- synth_design(y ~ x, d, proxy = c(y = "y_llm"))
#' des$labeled
#' des$proxy$X
synth_design <- function(formula, data, family = stats::gaussian(), proxy = NULL,
                         synthetic = NULL) {
  if (!inherits(formula, "formula") || length(formula) != 3L) {
    stop_arg("formula", "must be a two-sided formula such as `y ~ x`.")
  }
  if (!is.data.frame(data)) {
    stop_arg("data", "must be a data frame, not ", class(data)[1], ".")
  }
  if (nrow(data) == 0L) stop_arg("data", "has no rows.")
  family <- if (missing(family)) default_family() else check_family(family)
  response <- formula[[2L]]
  if (!is.name(response) || !(as.character(response) %in% names(data))) {
    stop_arg("formula", "must have a column of `data` as its response (found `",
             deparse(response), "`).")
  }
  yname <- as.character(response)
  # `y ~ .` means the observed covariates: the surrogate columns are excluded
  # from the expansion.
  # Only `.` needs the data (and without the surrogate columns).
  observed <- if ("." %in% all.names(formula[[3L]])) {
    surrogate_cols <- unlist(c(if (is.character(proxy)) proxy,
                               if (is.list(synthetic)) synthetic else if (is.character(synthetic)) synthetic))
    data[setdiff(names(data), surrogate_cols)]
  }
  # Calling handlers (here and below) re-raise the error as a classed one;
  # cheaper to establish than tryCatch(), which matters in loops of fits.
  model_terms <- withCallingHandlers(stats::terms(formula, data = observed),
                                     error = function(e) stop_arg("formula", "cannot be used: ", conditionMessage(e)))
  if (!is.null(attr(model_terms, "offset"))) {
    stop_arg("formula", "must not contain offset(): offsets are not supported.")
  }
  vars <- all.vars(attr(model_terms, "variables"))
  missing_vars <- not_in(vars, names(data))
  if (length(missing_vars)) {
    stop_arg("formula", "uses variable(s) not in `data`: ",
             paste0("`", missing_vars, "`", collapse = ", "), ".")
  }
  maps <- surrogate_maps(proxy, synthetic, vars, yname, data)

  # model.frame()/model.matrix() errors (a one-level factor, a bad
  # transformation) are about the data given: classed input errors.
  observed_mm <- withCallingHandlers(model_matrix(model_terms, data),
                                     error = function(e) stop_arg("data", "cannot be expanded by the formula: ",
                                                                  conditionMessage(e)))
  y <- response_values(observed_mm$response, yname, family)
  # One pass in the core: the labeled rows (mask and positions), NaN, and
  # the labels' support. Unlabeled rows are NA; NaN is the result of a
  # computation gone wrong (0/0, log(-1)), not a missing label, and must not
  # silently unlabel a row.
  scan <- rs_scan_response(y, family$family)
  if (scan$any_nan) {
    stop_arg("data", "response `", yname, "` is NaN at row(s) ", format_positions(which(is.nan(y))),
             ": mark unlabeled rows with NA; NaN usually comes from a failed computation.")
  }
  labeled <- scan$labeled
  X <- observed_mm$X
  xlevels <- observed_mm$xlevels
  contrasts <- observed_mm$contrasts
  if (ncol(X) == 0L) {
    stop_arg("formula", "has no coefficients to estimate (use `y ~ 1` for the mean).")
  }
  covariates <- not_in(vars, yname)
  predicted <- unique(unlist(lapply(maps$all, names)))
  for (v in not_in(covariates, predicted)) {
    if (!all_finite(data[[v]])) {
      stop_arg("data", "column `", v, "` has missing or infinite values, but no surrogate map ",
               "predicts it; covariates without a proxy must be observed on every row.")
    }
  }
  if (!scan$in_support) check_family_support(y[labeled], family, paste0("response `", yname, "`"))
  # A plain-column matrix is the intercept and the covariates just checked,
  # so it is finite unless a map predicts a covariate (NA allowed there).
  x_known_finite <- observed_mm$plain && !any(covariates %in% predicted)

  surrogate <- function(map, what) {
    if (identical(names(map), yname)) {
      # Only the response is surrogate: the model matrix is the observed one
      # (same terms, levels and contrasts), so it is shared, not rebuilt.
      sX <- X
      sy <- response_values(data[[map[[yname]]]], map[[yname]], family)
      x_finite <- x_known_finite || all_finite(sX)
    } else {
      sdata <- data
      for (v in names(map)) sdata[[v]] <- data[[map[[v]]]]
      smm <- tryCatch(
        model_matrix(model_terms, sdata, xlev = xlevels, contrasts = contrasts,
                     plain_ok = observed_mm$plain),
        error = function(e) stop_arg(what, "columns do not fit the model's variables: ",
                                     conditionMessage(e)))
      sX <- smm$X
      sy <- response_values(smm$response, map[[yname]], family)
      x_finite <- all_finite(sX)
    }
    # Values in the family's support are finite, so one test usually settles
    # both; otherwise the missing-value error takes precedence.
    sy_supported <- in_family_support(sy, family)
    bad <- if ((sy_supported || all_finite(sy)) && x_finite) integer() else
      which(!is.finite(sy) | rowSums(!is.finite(sX)) > 0)
    if (length(bad)) {
      stop_arg(what, "columns (", paste0("`", unname(map), "`", collapse = ", "),
               ") have missing or infinite values at row(s) ", format_positions(bad),
               "; surrogates must be available on every row.")
    }
    if (!sy_supported) check_family_support(sy, family, paste0(what, " column `", map[[yname]], "`"))
    # A shared matrix needs no rank check of its own: synth_fit_design()
    # checks the labeled rows, and a subset of full rank implies full rank.
    if (!identical(names(map), yname)) check_full_rank(sX, paste0("the `", what, "` data"))
    list(X = sX, y = as.double(sy))
  }
  design <- list(
    y = as.double(y),
    X = X,
    # Whether X has no NA (covariates predicted on unlabeled rows leave NA),
    # known without a scan on the plain route; the fit then skips its own.
    x_complete = x_known_finite || !anyNA(X),
    labeled = labeled,
    # The labeled rows' positions, for fits with this mask.
    labeled_rows = scan$rows,
    proxy = if (!is.null(maps$proxy)) surrogate(maps$proxy, "proxy"),
    synthetic = lapply(seq_along(maps$synthetic), function(k) {
      what <- if (length(maps$synthetic) > 1) sprintf("synthetic[[%d]]", k) else "synthetic"
      surrogate(maps$synthetic[[k]], what)
    }),
    family = family$family,
    terms = colnames(X),
    response = yname,
    model_terms = model_terms,
    xlevels = xlevels,
    contrasts = contrasts,
    proxy_map = maps$proxy,
    synthetic_map = maps$synthetic
  )
  class(design) <- "synth_design"
  design
}

# The response column and model matrix of `data` under `model_terms`:
# list(response, X (double, no row names), xlevels, contrasts, plain).
# `xlev` and `contrasts` fix the factor coding to the observed data's.
# When every term is a plain numeric column (`plain = TRUE`; the common
# case), the matrix is filled straight from the columns: model.frame() and
# model.matrix() would copy every column, attach a row name per row and
# allocate the matrix twice, a tenth of a second at a million rows.
# `plain_ok = FALSE` (or the internal option `synthinfer.plain_design =
# FALSE`, which the tests use as the reference) forces the general route.
model_matrix <- function(model_terms, data, xlev = NULL, contrasts = NULL, plain_ok = TRUE) {
  columns <- if (plain_ok && getOption("synthinfer.plain_design", TRUE)) {
    plain_numeric_columns(model_terms, data)
  }
  response <- as.character(attr(model_terms, "variables")[[2L]])
  if (!is.null(columns)) {
    intercept <- attr(model_terms, "intercept") == 1L
    X <- bind_numeric_columns(data, columns, intercept,
                              c(if (intercept) "(Intercept)", attr(model_terms, "term.labels")))
    # No factor among the columns: no levels and no contrasts. The levels
    # are .getXlevels()'s exact empty value: NULL without covariates, an
    # empty named list with plain numeric ones.
    xlevels <- if (length(columns)) stats::setNames(list(), character()) else NULL
    return(list(response = data[[response]], X = X, xlevels = xlevels, contrasts = NULL, plain = TRUE))
  }
  mf <- stats::model.frame(model_terms, data, na.action = stats::na.pass, xlev = xlev,
                           drop.unused.levels = FALSE)
  X <- stats::model.matrix(model_terms, mf, contrasts.arg = contrasts)
  storage.mode(X) <- "double"
  # Row names of a model matrix are one string per row: dropped.
  dimnames(X) <- list(NULL, colnames(X))
  # The response is a plain column name, so it is the model frame's first
  # column; model.response() would attach a million row names to it.
  list(response = mf[[1L]], X = X, xlevels = stats::.getXlevels(model_terms, mf),
       contrasts = attr(X, "contrasts"), plain = FALSE)
}

# Names of the data columns behind the terms, in term order, when each term
# is one plain numeric column of `data` (double or integer, no class, no
# dim): then the model matrix is the intercept and these columns as they
# are. NULL when any term is a factor, logical, transformation, interaction
# or the response itself, which need model.frame() and model.matrix().
plain_numeric_columns <- function(model_terms, data) {
  variables <- as.list(attr(model_terms, "variables"))[-1L]
  if (!all(vapply(variables, is.name, NA)) || attr(model_terms, "response") != 1L) return(NULL)
  labels <- attr(model_terms, "term.labels")
  if (!length(labels)) return(character())
  if (any(attr(model_terms, "order") != 1L)) return(NULL)
  # A first-order term has a single variable: the row of its 1 in `factors`.
  factors <- attr(model_terms, "factors")
  rows <- vapply(seq_along(labels), function(j) which(factors[, j] != 0)[1L], 1L)
  if (anyNA(rows) || any(rows == 1L)) return(NULL)
  columns <- vapply(variables[rows], as.character, "")
  plain <- vapply(columns, function(v) {
    x <- data[[v]]
    (is.double(x) || is.integer(x)) && !is.object(x) && is.null(dim(x))
  }, NA)
  if (all(plain)) columns else NULL
}

# n x p double matrix of an intercept column (when asked) and the data
# columns `columns`, with model.matrix()'s column names and "assign"
# attribute. cbind() writes each column once into one allocation (the
# intercept as a recycled 1): filling a matrix(1, n, p) column by column
# writes twice and indexes every row.
bind_numeric_columns <- function(data, columns, intercept, names) {
  if (!length(columns)) {
    if (intercept) return(intercept_matrix(nrow(data)))
    X <- matrix(1, nrow(data), 0L)
  } else {
    X <- do.call(cbind, unname(c(if (intercept) list(1), lapply(columns, function(v) data[[v]]))))
    if (!is.double(X)) storage.mode(X) <- "double"
  }
  dimnames(X) <- list(NULL, names)
  attr(X, "assign") <- seq_len(ncol(X)) - intercept
  X
}

# The model matrix of `y ~ 1`, a column of n ones, with model.matrix()'s
# names and "assign". Loops refitting the mean on data of one size (the
# common simulation) share one copy instead of writing n ones per call; R
# copies it before any modification, so sharing is safe. Kept only for up to
# 10^5 rows: beyond that the fit dwarfs the allocation, and a large cached
# matrix would stay in memory for the session.
intercept_matrix <- function(n) {
  X <- intercept_cache$X
  if (is.null(X) || nrow(X) != n) {
    X <- matrix(1, n, 1L, dimnames = list(NULL, "(Intercept)"))
    attr(X, "assign") <- 0L
    if (n <= 1e5) intercept_cache$X <- X
  }
  X
}
intercept_cache <- new.env(parent = emptyenv())

#' @export
print.synth_design <- function(x, ...) {
  cat(sprintf("<synth_design> %s model, %d rows (%d labeled), %d coefficient(s)\n",
              x$family, length(x$y), sum(x$labeled), length(x$terms)))
  cat(sprintf("  proxy: %s; synthetic sources: %d\n",
              if (is.null(x$proxy)) "none" else "yes", length(x$synthetic)))
  invisible(x)
}

# Family object with a canonical link, from an object, function or name.
check_family <- function(family) {
  # The default, checked once per session (see default_family()).
  if (identical(family, family_cache$gaussian)) return(family)
  if (is.character(family) && length(family) == 1L) {
    family <- tryCatch(get(family, mode = "function", envir = asNamespace("stats")),
                       error = function(e) stop_arg("family", "`", family, "` is not a family."))
  }
  if (is.function(family)) family <- family()
  if (!inherits(family, "family")) {
    stop_arg("family", "must be a family such as gaussian(), binomial() or poisson().")
  }
  canonical <- c(gaussian = "identity", binomial = "logit", poisson = "log")
  if (!(family$family %in% names(canonical))) {
    stop_arg("family", "must be gaussian, binomial or poisson, not ", family$family, ".")
  }
  if (family$link != canonical[[family$family]]) {
    stop_arg("family", "must use the canonical link (", canonical[[family$family]],
             " for ", family$family, "), not ", family$link, ".")
  }
  family
}

# The checked default family, stats::gaussian(), built once per session:
# evaluating the default argument and checking it again cost a tenth of a
# small fit's time. check_family() passes this very object through.
default_family <- function() {
  if (is.null(family_cache$gaussian)) family_cache$gaussian <- check_family(stats::gaussian())
  family_cache$gaussian
}
family_cache <- new.env(parent = emptyenv())

# The response as a double vector; logical allowed for binomial.
response_values <- function(y, name, family) {
  if (is.logical(y)) y <- as.double(y)
  if (!is.numeric(y) || is.matrix(y)) {
    stop_arg("data", "column `", name, "` must be numeric",
             if (family$family == "binomial") " (0/1) or logical" else "",
             ", not ", class(y)[1], ".")
  }
  as.double(y)
}

# Whether every value of the double vector `y` lies in the family's support
# (finite, and in [0, 1] or non-negative), in one pass in the core.
in_family_support <- function(y, family) {
  length(y) == 0L || rs_all_in_support(y, family$family)
}

# Error when values fall outside the family's support.
check_family_support <- function(y, family, what) {
  if (in_family_support(y, family)) return(invisible(y))
  bad <- switch(family$family,
    gaussian = which(!is.finite(y)),
    binomial = which(!is.finite(y) | y < 0 | y > 1),
    poisson = which(!is.finite(y) | y < 0))
  if (length(bad)) {
    need <- switch(family$family, gaussian = "finite values",
                   binomial = "values in [0, 1] (0/1 labels, or probabilities for a proxy)",
                   poisson = "non-negative counts")
    abort_classed("synthinfer_error_input", sprintf(
      "%s has value(s) outside the %s family's support at row(s) %s (e.g. %s); it needs %s.",
      what, family$family, format_positions(bad), format(y[bad[1]]), need))
  }
  invisible(y)
}

# The elements of `x` not in `table`, in order: setdiff() without its
# as.vector() and unique() (called with vectors of unique names here), which
# cost more than the rest of a small fit's bookkeeping.
not_in <- function(x, table) x[match(x, table, 0L) == 0L]

# Validate the proxy / synthetic maps; returns list(proxy, synthetic, all).
surrogate_maps <- function(proxy, synthetic, vars, yname, data) {
  check_map <- function(map, what) {
    if (!is.character(map) || is.null(names(map)) || any(names(map) == "") ||
        anyNA(map) || anyDuplicated(names(map))) {
      stop_arg(what, "must be a named character vector such as c(y = \"y_llm\"), ",
               "mapping formula variables to data columns.")
    }
    unknown <- not_in(names(map), vars)
    if (length(unknown)) {
      stop_arg(what, "names variable(s) not in the formula: ",
               paste0("`", unknown, "`", collapse = ", "), ".")
    }
    absent <- not_in(map, names(data))
    if (length(absent)) {
      stop_arg(what, "refers to column(s) missing from `data`: ",
               paste0("`", unique(absent), "`", collapse = ", "), ".")
    }
    if (!(yname %in% names(map))) {
      stop_arg(what, "must map the response `", yname, "` to its surrogate column.")
    }
    map
  }
  if (!is.null(proxy)) proxy <- check_map(proxy, "proxy")
  if (!is.null(synthetic)) {
    if (is.character(synthetic)) synthetic <- list(synthetic)
    if (!is.list(synthetic) || !length(synthetic)) {
      stop_arg("synthetic", "must be a named character vector or a list of them.")
    }
    synthetic <- lapply(seq_along(synthetic), function(k) {
      check_map(synthetic[[k]], if (length(synthetic) > 1) sprintf("synthetic[[%d]]", k) else "synthetic")
    })
  } else {
    synthetic <- list()
  }
  list(proxy = proxy, synthetic = synthetic, all = c(list(proxy), synthetic))
}
