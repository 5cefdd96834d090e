# Politeness data: human labels, GPT-4o labels as proxies, and a
# SEMI-SYNTHETIC synthetic block from semi_synthetic_confusion() (no LLM
# synthetic texts exist for these data). A small compare_methods() run checks
# validity and that the proxy/synthetic methods tighten the intervals.

politeness_semi_synthetic <- function() {
  raw <- politeness
  d <- data.frame(polite = raw$Prediction_human, hedging = raw$Feature_3,
                  first_plural = raw$Feature_10,
                  polite_gpt = as.double(raw[["Prediction_gpt-4o"]] == "polite"))
  set.seed(7)
  semi_synthetic_confusion(d, "polite", "polite_gpt")
}

test_that("the semi-synthetic confusion matrix matches a direct count", {
  s <- politeness_semi_synthetic()
  raw <- politeness
  cal <- attr(s, "calibration_rows")
  expect_equal(nrow(s) + length(cal), nrow(raw))
  gpt <- raw[["Prediction_gpt-4o"]][cal] == "polite"
  hum <- raw$Prediction_human[cal]
  expect_equal(unname(attr(s, "confusion")), c(mean(gpt[hum == 0]), mean(gpt[hum == 1])))
  # GPT-4o labels are informative: polite texts are called polite far more often.
  expect_gt(diff(attr(s, "confusion")), 0.4)
})

test_that("ppi++ and gmm are valid and narrower than classical (hedging, first person plural)", {
  s <- politeness_semi_synthetic()
  for (x in c("hedging", "first_plural")) {
    cmp <- suppressWarnings(compare_methods(
      reformulate(x, "polite"), s, family = binomial(), proxy = c(polite = "polite_gpt"),
      synthetic = c(polite = "polite_syn"), fractions = c(0.1, 0.2), trials = 40,
      seed = 3, threads = 2))
    expect_true(all(cmp$trials + cmp$failed == 40))
    # 40 trials: the sd of a 90% coverage is sqrt(.9 * .1 / 40) = 0.047, so
    # 0.75 is > 3 sd below nominal (the full-data truth shares units with each
    # labeled subset, which pushes coverage up, not down).
    expect_true(all(cmp$coverage >= 0.75), info = x)
    w <- function(m) cmp$width[cmp$method == m & cmp$term == x]
    expect_true(all(w("ppi++") < w("classical")), info = x)
    expect_true(all(w("gmm") < w("classical")), info = x)
  }
})
