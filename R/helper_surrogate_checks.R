# What GMM fits need of their surrogate sources, said where users meet it:
# the warning when Hansen's J test rejects, and the note print() adds.

# Level at which synth_glm() warns that the J test rejects (strict, so that a
# valid fit warns in 1% of data sets only). The Rust core counts J rejections
# at the same level in simulations (gmm::sim::J_LEVEL).
j_warning_level <- 0.01

# Warn, with class "synthinfer_warning_j_test" (muffle it with
# withCallingHandlers() in simulations), when a GMM fit's J test rejects at
# `j_warning_level`: the moment blocks that share a surrogate's parameter
# disagree, and the estimate of theta is then pulled away from the truth.
warn_j_test <- function(fit) {
  p <- fit$j_p_value
  if (!fit$method %in% c("gmm", "gmm_proxy") || is.na(p) || p >= j_warning_level) {
    return(invisible(fit))
  }
  msg <- sprintf(paste0(
    "Hansen's J test rejects the over-identifying restrictions (J = %.3g on %d df, p = %s < %s). ",
    "The likely cause is label-dependent generation, a surrogate source whose labeled and ",
    "unlabeled rows follow different laws (such as synthetic units generated from the true covariates on labeled rows and from ",
    "predicted covariates elsewhere), or an otherwise incompatible surrogate block; the estimate and ",
    "its interval are then not valid. Regenerate the synthetic data with the same mechanism on every ",
    "row (conditioning only on what every row has), drop that source, or use method = \"gmm_proxy\"."),
    fit$j_statistic, fit$j_df, format.pval(p, digits = 2), format(j_warning_level))
  if (fit$method == "gmm_proxy") {
    msg <- sub("or use method = \"gmm_proxy\".", "or use method = \"ppi++\".", msg, fixed = TRUE)
  }
  warn_classed("synthinfer_warning_j_test", msg, j_p_value = p)
  invisible(fit)
}

# Lines print() adds under a fit: the generation requirement of GMM fits that
# use synthetic data, the J test, a GMM fit less precise than the labeled
# rows alone (the surrogates carry too little information for the
# parameters they add), and PPI++Synth's weights.
# `j = FALSE` leaves out the J line (summary() prints its own).
surrogate_notes <- function(fit, digits, j = TRUE) {
  notes <- character()
  if (j && fit$method %in% c("gmm", "gmm_proxy") && !is.na(fit$j_p_value)) {
    notes <- c(notes, sprintf("Hansen J = %s on %d df, p = %s%s",
                              format(fit$j_statistic, digits = digits), fit$j_df,
                              format.pval(fit$j_p_value, digits = digits),
                              if (fit$j_p_value < j_warning_level) " (rejects: estimate not trustworthy)" else ""))
  }
  if (fit$method == "gmm" && length(fit$design$synthetic)) {
    notes <- c(notes, paste0(
      "Valid only if every synthetic unit was generated the same way whether or not its real unit ",
      "is labeled (conditioning only on what every row has)."))
  }
  n_eff <- mean(fit$n_effective)
  if (fit$method %in% c("gmm", "gmm_proxy") && is.finite(n_eff) && n_eff < fit$nobs_labeled) {
    notes <- c(notes, sprintf(paste0(
      "Note: effective sample size %.0f < %d labels: the surrogates add less information than ",
      "their %d extra parameters cost; method = \"classical\" or \"ppi++\" gives a narrower ",
      "valid interval here."), n_eff, fit$nobs_labeled, length(fit$surrogate_coefficients)))
  }
  if (length(fit$mix_alpha)) {
    notes <- c(notes, sprintf("PPI++Synth weight alpha by fold: %s",
                              paste(format(fit$mix_alpha), collapse = " ")))
  }
  notes
}
