# The paper's Pew analysis (section 5.2): 2-D tasks (co-partisan, opposition
# approval) per (item, wave, region) cell, generator GPT-4o, cells with both
# parties' n >= 100, Bonferroni rectangle = Algorithm 1 per coordinate at
# alpha / 2, alpha = 0.10, coverage judged against the held-out cell's real
# weighted approval rate.
#
# Figures (computed once with the package, and identical to the base-R
# brute force in helper-realdata-reference.R):
#   48 tasks (12 waves x 4 regions); co-partisan n median 568.5 (255-1898),
#   opposition n median 515 (243-2058), 65,804 respondent pairs.
#   Leave-one-out: joint coverage 48/48 = 1; mean widths co 0.4750,
#   opp 0.2522; the naive synthetic-only rectangle covers 0/48.
#   Temporal (calibrate on the 10 earliest waves, predict W149, W156):
#   joint coverage 8/8; mean widths co 0.5085, opp 0.2801; naive 0/8.
# The paper reports joint coverage of all tasks and naive coverage of none
# (leave-one-out), and coverage of all eight forecast cells on both
# coordinates with the naive intervals missing all (temporal); these agree.

pew_tasks <- function() {
  read_pew_cells(pew_approval, generator = "gpt_4.o")
}

# GPT-4o answers unanimously in many opposition cells (synth_se = 0), which
# the exchange functions rightly warn about; the warnings are expected here.
quiet_loo <- function(...) suppressWarnings(exchangeable_loo(...))

# Per-coordinate brute-force Algorithm 1 at alpha / 2 for the target tasks.
rd_pew <- function(p, calibrate, predict, alpha = 0.1) {
  do.call(rbind, lapply(predict, function(id) {
    do.call(rbind, lapply(c("co", "opp"), function(cc) {
      pc <- p[p$coordinate == cc, ]
      hist <- pc[pc$task %in% setdiff(calibrate, id), ]
      ci <- rd_alg1(hist, pc[pc$task == id, ], alpha / 2)
      data.frame(task = id, coordinate = cc, low = ci[1], high = ci[2])
    }))
  }))
}

test_that("Pew task table: 48 cells of GPT-4o with both parties' n >= 100", {
  p <- pew_tasks()
  expect_equal(length(unique(p$task)), 48L)
  expect_equal(nrow(p), 96L)
  expect_equal(median(p$n_real[p$coordinate == "co"]), 568.5)
  expect_equal(range(p$n_real[p$coordinate == "opp"]), c(243L, 2058L))
  expect_equal(sum(p$n_real), 65804L)
  expect_true(any(p$synth_se == 0))
})

test_that("Pew leave-one-out at alpha = 0.10 reproduces the paper's 2-D analysis", {
  p <- pew_tasks()
  loo <- quiet_loo(p, alpha = 0.1)
  s <- summary(loo)
  joint <- s$coverage[s$interval == "exchangeability" & s$coordinate == "joint"]
  expect_equal(joint, 1)
  expect_gte(joint, 0.85)  # sanity bound whatever the exact figure
  width <- function(cc) s$mean_width[s$interval == "exchangeability" & s$coordinate == cc]
  expect_equal(width("co"), 0.4750356, tolerance = 1e-6)
  expect_equal(width("opp"), 0.2522223, tolerance = 1e-6)
  expect_equal(s$coverage[s$interval == "synthetic-only" & s$coordinate == "joint"], 0)
  # every endpoint equals the brute-force Algorithm 1 per coordinate at alpha / 2
  ids <- unique(p$task)
  ref <- rd_pew(p, ids, ids)
  got <- tibble::as_tibble(unclass(loo))
  m <- match(paste(ref$task, ref$coordinate), paste(got$task, got$coordinate))
  expect_false(anyNA(m))
  expect_equal(got$conf.low[m], ref$low, tolerance = 1e-10)
  expect_equal(got$conf.high[m], ref$high, tolerance = 1e-10)
})

test_that("Pew temporal split: calibrate on ten earliest waves, predict W149 and W156", {
  p <- pew_tasks()
  waves <- sort(unique(p$wave_number))
  early <- unique(p$task[p$wave_number %in% waves[1:10]])
  late <- unique(p$task[p$wave_number %in% waves[11:12]])
  expect_equal(sort(unique(p$wave[p$task %in% late])), c("W149", "W156"))
  fit <- quiet_loo(p, alpha = 0.1, calibrate = early, predict = late)
  got <- tibble::as_tibble(unclass(fit))
  expect_equal(length(unique(got$task)), 8L)
  expect_true(all(got$joint_covered))
  expect_false(any(got$naive_covered))
  s <- summary(fit)
  width <- function(cc) s$mean_width[s$interval == "exchangeability" & s$coordinate == cc]
  expect_equal(width("co"), 0.5085291, tolerance = 1e-6)
  expect_equal(width("opp"), 0.2800872, tolerance = 1e-6)
  ref <- rd_pew(p, early, late)
  m <- match(paste(ref$task, ref$coordinate), paste(got$task, got$coordinate))
  expect_equal(got$conf.low[m], ref$low, tolerance = 1e-10)
  expect_equal(got$conf.high[m], ref$high, tolerance = 1e-10)
})
