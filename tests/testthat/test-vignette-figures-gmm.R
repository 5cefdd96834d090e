# Figures of the politeness-gmm vignette (vignettes/politeness-gmm.Rmd)
# that test-realdata-politeness.R does not assert, so the vignette cannot
# drift from the code. Values were computed once when the vignette was
# knitted (GMM standard errors and widths again when the small-sample
# variance became the default). The synthetic block is SEMI-SYNTHETIC
# (semi_synthetic_confusion()). Uses the shipped data set `politeness`.

# The politeness vignette's semi-synthetic set-up (same seeds as the vignette).
vig_politeness <- function() {
  raw <- politeness
  d <- data.frame(polite = raw$Prediction_human,
                  polite_gpt = as.double(raw[["Prediction_gpt-4o"]] == "polite"),
                  hedging = raw$Feature_3, first_plural = raw$Feature_10)
  set.seed(2025)
  semi_synthetic_confusion(d, human = "polite", proxy = "polite_gpt", calibration = 0.2)
}

vig_fit_hedging <- function(x, method) {
  synth_glm(polite ~ hedging, x, family = binomial(), proxy = c(polite = "polite_gpt"),
            synthetic = c(polite = "polite_syn"), method = method)
}

test_that("politeness-gmm vignette: one labeled subset and Hansen's J as a diagnostic", {
  s <- vig_politeness()
  expect_equal(nrow(s), 4384L)
  expect_equal(unname(attr(s, "confusion")), c(0.560, 0.934), tolerance = 5e-3)
  set.seed(7)
  one <- s
  one$polite[-sample(nrow(s), round(0.1 * nrow(s)))] <- NA
  slope <- function(m) {
    tt <- tidy(vig_fit_hedging(one, m))
    unlist(tt[tt$term == "hedging", c("estimate", "std.error")])
  }
  expect_equal(unname(slope("classical")), c(0.6018868, 0.2154608), tolerance = 1e-6)
  expect_equal(unname(slope("gmm")), c(0.4694664, 0.1589650), tolerance = 1e-6)
  # The classical fit is plain glm() on the labeled rows (independent check).
  g <- stats::glm(polite ~ hedging, binomial(), data = one[!is.na(one$polite), ])
  expect_equal(unname(slope("classical")[1]), unname(stats::coef(g)[2]), tolerance = 1e-8)

  j_p <- function(sets) vapply(sets, function(rows) {
    x <- s
    x$polite[-rows] <- NA
    # Rejections are what this diagnostic looks for: muffle the J warning.
    glance(suppressWarnings(vig_fit_hedging(x, "gmm"), classes = "synthinfer_warning_j_test"))$j_p_value
  }, numeric(1))
  set.seed(11)
  n_lab <- round(0.1 * nrow(s))
  random_sets <- replicate(200, sample(nrow(s), n_lab), simplify = FALSE)
  p_random <- j_p(random_sets)
  # 200 random subsets: the rejection rate at 5% is 0.055 (MC se 0.015).
  expect_equal(mean(p_random < 0.05), 0.055)
  selected <- replicate(200, sample(nrow(s), n_lab, prob = ifelse(s$polite_gpt == 1, 3, 1)),
                        simplify = FALSE)
  expect_equal(mean(j_p(selected) < 0.05), 1)
})

test_that("politeness-gmm vignette: the 5% row of the hedging comparison", {
  s <- vig_politeness()
  # Each (fraction, trial) draws its labeled subset from its own stream, so
  # the first fraction alone, with two of the four methods, reproduces the
  # vignette's rows for fraction 0.05 exactly.
  cmp <- compare_methods(polite ~ hedging, s, family = binomial(),
                         proxy = c(polite = "polite_gpt"), synthetic = c(polite = "polite_syn"),
                         methods = c("classical", "gmm"), fractions = 0.05, trials = 500,
                         seed = 1, threads = 2)
  row <- function(m) unlist(cmp[cmp$term == "hedging" & cmp$method == m,
                                c("mse", "coverage", "width")])
  expect_equal(unname(row("classical")), c(0.08684004, 0.910, 0.98965126), tolerance = 1e-6)
  expect_equal(unname(row("gmm")), c(0.06090716, 0.912, 0.85910016), tolerance = 1e-6)
})
