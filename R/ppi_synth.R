#' PPI++Synth: prediction-powered inference with a proxy and synthetic mix
#'
#' `synth_glm(method = "ppi++synth")` is the PPI++Synth baseline of Byun et
#' al. (2025): PPI++ (Angelopoulos et al., 2023) whose imputed label mixes
#' the LLM proxy and the synthetic prediction. It needs `proxy` and
#' `synthetic`.
#'
#' @section Estimator:
#' With weight `alpha` in `[0, 1]`, each row's imputed data are
#' `alpha * (proxy) + (1 - alpha) * (synthetic)`, entry by entry of the
#' model-matrix row and of the response (a covariate that neither source
#' predicts is the observed one in both and stays so; for a binomial family
#' the mixed response is a probability in `[0, 1]`). PPI++ then runs with
#' this imputation in place of the proxy, with its power-tuned `lambda` and
#' its variance (see [synth_glm()], method `"ppi++"`). `alpha = 1` is PPI++
#' with the proxy exactly; `alpha = 0` uses the synthetic prediction alone.
#' With several synthetic sources the synthetic prediction is their
#' row-wise mean.
#'
#' @section Choice of alpha by cross-fitting:
#' The labeled rows and the unlabeled rows are each dealt, in row order,
#' into 5 folds. For each fold, `alpha` is the value of the grid
#' `0, 0.1, ..., 1` that minimises the trace of the estimated PPI++
#' covariance computed on the other four folds only (moments at their
#' labeled-only fit, `lambda` tuned there). The fold's rows are imputed with
#' that weight, and the final PPI++ estimate and variance use all rows with
#' these per-fold imputations. The weights are in `fit$mix_alpha`.
#'
#' Why the interval stays valid: a fold's weight is chosen without its own
#' rows, so given the other folds its imputed label is a fixed function of
#' its surrogates, and PPI's rectifier remains unbiased within the fold -
#' the data never choose the weight applied to themselves. As the sample
#' grows, every fold's weight tends to the same variance-minimising value,
#' so the estimator behaves as PPI++ with one fixed imputation and inherits
#' its asymptotic coverage. In our simulations (`tests/testthat`, Gaussian
#' and logistic designs, 400 replications) the 90% intervals covered at the
#' nominal level within Monte Carlo error.
#'
#' @section Oracle weight:
#' Byun et al.'s main figures use an *oracle* weight, the grid value whose
#' estimate is closest to the truth, as the best any PPI++Synth could do.
#' It needs the truth, so it is available only in [compare_methods()]
#' (method `"ppi++synth_oracle"`), labeled there as not a valid method.
#'
#' @references Byun, Y., Gupta, S., Lipton, Z. C., Childers, R. L. and
#'   Wilder, B. (2025). Valid inference with imperfect synthetic data.
#'   Advances in Neural Information Processing Systems (NeurIPS).
#'   arXiv:2508.06635.
#'
#'   Angelopoulos, A. N., Duchi, J. C. and Zrnic, T. (2023). PPI++:
#'   Efficient prediction-powered inference. arXiv:2311.01453.
#' @seealso [synth_glm()], [compare_methods()].
#' @name ppi_synth
#' @examples
#' set.seed(4)
#' n <- 600
#' x <- rnorm(n)
#' e <- rnorm(n)
#' y <- 1 + 0.5 * x + e
#' d <- data.frame(x,
#'   y = ifelse(runif(n) < 0.2, y, NA),
#'   y_llm = y + rnorm(n),
#'   y_syn = 1 + 0.4 * x + 0.7 * e + rnorm(n, sd = 0.5))
#' fit <- synth_glm(y ~ x, d, proxy = c(y = "y_llm"), synthetic = c(y = "y_syn"),
#'                  method = "ppi++synth", threads = 1)
#' fit
#' fit$mix_alpha
NULL
