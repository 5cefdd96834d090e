# The paper's Arena analysis (section 5.3) on the per-model deposit, and the
# same design built from Chatbot Arena's public judge votes.
#
# Figures (computed once; identical to the brute force of
# helper-realdata-reference.R):
#   Deposit: 73 models, n_battles median 7918 (2865-20324), 555,462 pairs.
#   Algorithm 4 (finite-sample target), leave-one-model-out, alpha = 0.1:
#   coverage 67/73 = 0.918, inside Theorem 4's band [0.9, 0.9 + 2/74);
#   median width 0.0321. Algorithm 1 with conservative Bernoulli-bound SEs
#   (bound_se = TRUE): coverage 73/73, median width 0.1223. The paper: Alg 1
#   covers all models, Alg 4 lands inside the narrow band and is less than
#   half as wide; both agree.
#   Judge votes (20 models, 829-4767 battles per model), Algorithm 4 at
#   alpha = 0.1: coverage 18/20 for each judge; median widths GPT-4 0.113,
#   Claude-3 0.173, GPT-3.5 0.366; naive judge-only intervals cover 5/20,
#   7/20 and 4/20.

test_that("Arena deposit: leave-one-model-out with the finite-sample algorithm", {
  a <- read_arena_winrates(arena_winrates, bound_se = TRUE)
  expect_equal(nrow(a), 73L)
  expect_equal(median(a$n_real), 7918)
  fit <- exchangeable_loo(a, alpha = 0.1, method = "finite_sample")
  cover <- mean(fit$covered)
  expect_equal(sum(fit$covered), 67L)
  expect_gte(cover, 0.9)
  expect_lt(cover, 0.9 + 2 / 74)
  expect_equal(median(fit$width), 0.03212456, tolerance = 1e-6)
  ref <- rd_loo(a, 0.1, rd_alg4)
  expect_equal(fit$conf.low, ref$low, tolerance = 1e-12)
  expect_equal(fit$conf.high, ref$high, tolerance = 1e-12)
  # population target with the conservative SE bounds
  pop <- exchangeable_loo(a, alpha = 0.1, bounds = c(0, 1))
  expect_equal(mean(pop$covered), 1)
  expect_equal(median(pop$width), 0.1223181, tolerance = 1e-6)
  expect_lt(median(fit$width), 0.5 * median(pop$width))
})

test_that("Arena judge votes: per-model paired win rates, humans vs each LLM judge", {
  votes <- arena_votes
  units <- pairwise_winrates(votes)
  expect_warning(tables <- task_summaries(units, c("rater", "model"), "real", "synthetic"),
                 NA)
  expect_equal(nrow(tables), 60L)
  expect_setequal(unique(tables$rater), c("gpt4", "claude3", "gpt35"))
  # reference: one model's human win rate by an explicit base-R pass
  m <- "vicuna-13b"
  out_a <- c(model_a = 1, model_b = 0, tie = 0.5, "tie (bothbad)" = 0.5)[votes$winner_human]
  human <- c(out_a[votes$model_a == m], 1 - out_a[votes$model_b == m])
  judge_a <- c(model_a = 1, model_b = 0, tie = 0.5)[votes$winner_gpt4]
  judge <- c(judge_a[votes$model_a == m], 1 - judge_a[votes$model_b == m])
  row <- tables[tables$rater == "gpt4" & tables$model == m, ]
  expect_equal(row$n_real, length(human))
  expect_equal(row$real_est, mean(human))
  expect_equal(row$gap_se, sd(human - judge) / sqrt(length(human)))
  expected <- c(gpt4 = 0.113, claude3 = 0.173, gpt35 = 0.366)
  for (r in names(expected)) {
    x <- tables[tables$rater == r, c("model", "n_real", "n_synth", "real_est", "real_se",
                                     "synth_est", "synth_se", "gap_est", "gap_se")]
    names(x)[1] <- "task"
    fit <- exchangeable_loo(x, alpha = 0.1, method = "finite_sample")
    expect_equal(sum(fit$covered), 18L)
    expect_equal(median(fit$width), expected[[r]], tolerance = 0.005)
    expect_lt(mean(fit$naive_covered), 0.5)
    ref <- rd_loo(x, 0.1, rd_alg4)
    expect_equal(fit$conf.low, ref$low, tolerance = 1e-12)
  }
})
