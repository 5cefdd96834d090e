votes_frame <- function() {
  data.frame(
    model_a = c("m1", "m2", "m1", "m3", "m2", "m3", "m1"),
    model_b = c("m2", "m3", "m3", "m1", "m1", "m2", "m2"),
    winner_human = c("model_a", "tie", "model_b", "model_a", "model_b", "tie (bothbad)",
                     "model_b"),
    winner_judge = c("model_a", "model_a", "model_b", "tie", "model_b", "model_b", NA),
    stringsAsFactors = FALSE)
}

test_that("votes become per-battle outcomes, paired under real and synthetic raters", {
  v <- votes_frame()
  path <- tempfile(fileext = ".csv")
  write.csv(v, path, row.names = FALSE)
  u <- pairwise_winrates(path, winners = c(human = "winner_human", judge = "winner_judge"))
  expect_equal(nrow(u), 14L)
  expect_equal(unique(u$rater), "judge")
  # battle 2: m2 vs m3, human tie, judge m2 wins
  b2 <- u[u$battle == 2, ]
  expect_equal(b2$real, c(0.5, 0.5))
  expect_equal(b2$synthetic[b2$model == "m2"], 1)
  expect_equal(b2$synthetic[b2$model == "m3"], 0)
  # the tie (bothbad) of battle 6 is a tie
  expect_equal(u$real[u$battle == 6], c(0.5, 0.5))
  # hand-computed human win rate of m1: battles 1 (win), 3 (loss), 4 (loss),
  # 5 (win), 7 (loss) -> 2 / 5
  m1 <- u$real[u$model == "m1"]
  expect_equal(mean(m1), 2 / 5)
  unlink(path)
})

test_that("per-model task table has paired gaps; missing judge votes drop the battle", {
  v <- votes_frame()
  v$winner_gpt <- c("model_b", "model_b", "tie", "tie", "model_a", "model_a", "model_a")
  u <- pairwise_winrates(v, winners = c(human = "winner_human", judge = "winner_judge",
                                        gpt = "winner_gpt"))
  expect_warning(tt <- task_summaries(u, c("rater", "model"), "real", "synthetic"),
                 "dropped 2 row")
  expect_equal(nrow(tt), 6L)
  m1j <- tt[tt$rater == "judge" & tt$model == "m1", ]
  expect_equal(m1j$n_real, 4L)                   # battle 7 has no judge vote
  expect_equal(m1j$real_est, 2 / 4)
  # judge outcomes of m1 in battles 1, 3, 4, 5: 1, 0, 0.5, 1
  expect_equal(m1j$synth_est, 2.5 / 4)
  d <- c(1, 0, 0, 1) - c(1, 0, 0.5, 1)
  expect_equal(m1j$gap_se, sd(d) / 2)
})

test_that("pairwise_winrates validates its input", {
  v <- votes_frame()
  w <- c(human = "winner_human", judge = "winner_judge")
  expect_error(pairwise_winrates(v, winners = c("winner_human", "winner_judge")), "`winners`")
  expect_error(pairwise_winrates(v, winners = w, real = "crowd"), "`real`")
  expect_error(pairwise_winrates(v, winners = c(human = "winner_human")), "synthetic rater")
  expect_error(pairwise_winrates(v, winners = w, tie_value = 2), "`tie_value`")
  v2 <- v; v2$winner_judge[2] <- "both"
  expect_error(pairwise_winrates(v2, winners = w), "'winner_judge'.*'both'.*row\\(s\\) 2")
  v3 <- v; v3$model_b[1] <- "m1"
  expect_error(pairwise_winrates(v3, winners = w), "against itself.*1")
  expect_error(pairwise_winrates(v, winners = c(human = "winner_human", j = "nope")),
               "lacks column")
  expect_equal(pairwise_winrates(v, winners = w, tie_value = 0)$real[3], 0)
})

test_that("the per-model win-rate deposit becomes a task table", {
  rates <- data.frame(model = c("m1", "m2"), n_battles = c(400, 100),
                      human_winrate = c(0.5, 0.3), autorater_winrate = c(0.6, 0.2))
  path <- tempfile(fileext = ".csv")
  write.csv(rates, path, row.names = FALSE)
  out <- read_arena_winrates(path)
  expect_equal(out$task, c("m1", "m2"))
  expect_equal(out$gap_est, c(-0.1, 0.1))
  expect_true(all(is.na(out$real_se) & is.na(out$gap_se)))
  b <- read_arena_winrates(rates, bound_se = TRUE)
  expect_equal(b$real_se, c(sqrt(0.25 / 400), sqrt(0.21 / 100)))
  expect_equal(b$gap_se, b$real_se + b$synth_se)
  rates$human_winrate[2] <- 1.2
  expect_error(read_arena_winrates(rates), "outside \\[0, 1\\].*2")
  expect_error(read_arena_winrates(rates[, -2]), "'n_battles'")
  unlink(path)
})
