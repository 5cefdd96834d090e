# The shipped data sets (data/*.rda, R/data.R): shape, columns and values as
# published. Reference values are the published files' sizes (their README)
# and rows copied from the CSV files by hand, not from the .rda files.

expect_columns <- function(df, cols, types) {
  expect_s3_class(df, "data.frame")
  expect_identical(names(df), cols)
  expect_identical(unname(vapply(df, typeof, character(1))), types)
}

test_that("pew_approval: 240 cells, columns and first row as published", {
  expect_columns(pew_approval,
                 c("generator", "item", "wave", "party", "region", "n", "real_mean",
                   "gap_mean", "gap_se", "synth_mean", "synth_se"),
                 c(rep("character", 5), "integer", rep("double", 5)))
  expect_equal(nrow(pew_approval), 240L)
  expect_equal(as.vector(table(pew_approval$generator)[c("gpt_4.o", "gemini_2.0_flash")]),
               c(144L, 96L))
  first <- pew_approval[1, ]
  expect_identical(unlist(first[1:5], use.names = FALSE),
                   c("gpt_4.o", "POL1DT", "W24.5", "Rep", "South"))
  expect_identical(first$n, 663L)
  expect_equal(first$real_mean, 0.7886342776453463, tolerance = 1e-15)
  expect_equal(first$gap_mean, -0.2005486932975516, tolerance = 1e-15)
  # Paired design: the gap is real minus synthetic, cell by cell.
  expect_equal(pew_approval$gap_mean, pew_approval$real_mean - pew_approval$synth_mean,
               tolerance = 1e-12)
})

test_that("arena_winrates: 73 models with win rates in [0, 1]", {
  expect_columns(arena_winrates, c("model", "n_battles", "human_winrate", "autorater_winrate"),
                 c("character", "integer", "double", "double"))
  expect_equal(nrow(arena_winrates), 73L)
  expect_false(anyDuplicated(arena_winrates$model) > 0)
  expect_identical(arena_winrates$model[1:2], c("model-61", "model-19"))
  expect_identical(arena_winrates$n_battles[1:2], c(4621L, 3770L))
  expect_equal(arena_winrates$human_winrate[1], 0.5789872322008224, tolerance = 1e-15)
  rates <- c(arena_winrates$human_winrate, arena_winrates$autorater_winrate)
  expect_true(all(rates >= 0 & rates <= 1))
})

test_that("arena_votes: 26,919 battles of 20 models, votes in the documented sets", {
  expect_columns(arena_votes, c("battle", "question_id", "model_a", "model_b", "winner_human",
                                "winner_gpt4", "winner_claude3", "winner_gpt35"),
                 c("integer", rep("character", 7)))
  expect_equal(nrow(arena_votes), 26919L)
  expect_false(anyDuplicated(arena_votes$battle) > 0)
  expect_equal(range(arena_votes$battle), c(0L, 28462L))
  expect_length(unique(c(arena_votes$model_a, arena_votes$model_b)), 20L)
  expect_identical(unlist(arena_votes[2, ], use.names = FALSE),
                   c("1", "2564acd09e3942fd97657d05282d4389", "oasst-pythia-12b", "alpaca-13b",
                     "tie", "tie", "tie", "model_a"))
  expect_setequal(unique(arena_votes$winner_human),
                  c("model_a", "model_b", "tie", "tie (bothbad)"))
  for (judge in c("winner_gpt4", "winner_claude3", "winner_gpt35")) {
    expect_setequal(unique(arena_votes[[judge]]), c("model_a", "model_b", "tie"))
  }
})

test_that("politeness: 5,480 requests, binary features, balanced human labels", {
  expect_columns(politeness,
                 c(paste0("Feature_", 1:21), "Prediction_human", "Text", "Confidence_gpt-4o",
                   "Prediction_gpt-4o"),
                 c(rep("integer", 22), "character", "double", "character"))
  expect_equal(nrow(politeness), 5480L)
  expect_true(all(unlist(politeness[1:22]) %in% c(0L, 1L)))
  expect_equal(sum(politeness$Prediction_human), 2740L)
  expect_setequal(unique(politeness[["Prediction_gpt-4o"]]), c("polite", "impolite"))
  expect_identical(politeness$Text[1], "Is `A` a global variable?  What is x?")
  expect_identical(unname(which(unlist(politeness[2, 1:21]) == 1L)), c(13L, 16L, 19L))
  expect_true(all(validUTF8(politeness$Text)))
})

test_that("anes2020: 33 tasks, 11 groups x 3 parties, intervals at alpha 0.005", {
  expect_columns(anes2020, c("task", "target_group", "party", "n", "real_mean", "synth_ci_low",
                             "synth_ci_high", "synth_ci_alpha"),
                 c(rep("character", 3), "integer", rep("double", 4)))
  expect_equal(nrow(anes2020), 33L)
  expect_equal(as.vector(table(anes2020$party)), c(11L, 11L, 11L))
  expect_length(unique(anes2020$target_group), 11L)
  expect_true(all(anes2020$synth_ci_alpha == 0.005))
  expect_identical(anes2020$task[1], "2020:Asian Americans / Democrat")
  expect_identical(anes2020$n[1], 803L)
  expect_equal(anes2020$real_mean[1], 76.85927770859277, tolerance = 1e-15)
  expect_equal(anes2020$synth_ci_high[2], 86.05214341764379, tolerance = 1e-15)
})

test_that("anes2016_band: the published band and split, columns as in the deposit", {
  expect_columns(anes2016_band, c("alpha", "alpha1", "alpha2", "alpha3", "n_tasks_2016",
                                  "delta_lower", "delta_upper"),
                 c(rep("double", 4), "integer", "double", "double"))
  expect_equal(anes2016_band$alpha, c(0.10, 0.15))
  expect_equal(anes2016_band$alpha1 + anes2016_band$alpha2 + anes2016_band$alpha3,
               anes2016_band$alpha, tolerance = 1e-12)
  expect_identical(anes2016_band$n_tasks_2016, c(33L, 33L))
  expect_equal(anes2016_band$delta_lower, c(-16.97854456214924, -15.32014193533701),
               tolerance = 1e-15)
  expect_equal(anes2016_band$delta_upper, c(17.139422647252417, 13.597281447236176),
               tolerance = 1e-15)
})

test_that("the readers take the shipped data sets directly", {
  expect_equal(length(unique(read_pew_cells(pew_approval, generator = "gpt_4.o")$task)), 48L)
  expect_equal(nrow(read_arena_winrates(arena_winrates)), 73L)
  expect_equal(nrow(read_anes_tasks(anes2020)), 33L)
  units <- pairwise_winrates(arena_votes[1:10, ])
  # three synthetic raters x 10 battles x 2 models
  expect_equal(nrow(units), 60L)
})

# Provenance: when the published CSV files are at hand (a project checkout
# with ../shared beside it), the shipped objects equal them exactly.
test_that("the shipped data sets equal the published CSV files", {
  csv_dir <- file.path(testthat::test_path(), "..", "..", "..", "shared", "data")
  skip_if_not(dir.exists(csv_dir), "published CSV files not beside the sources")
  files <- c(pew_approval = "pew_approval_cells.csv",
             arena_winrates = "arena_autorater_winrates.csv",
             arena_votes = "arena_judge_votes.csv", politeness = "politeness_gpt4o.csv",
             anes2020 = "anes_2020_thermometer_tasks.csv",
             anes2016_band = "anes_2016_calibration_band.csv")
  for (name in names(files)) {
    csv <- utils::read.csv(file.path(csv_dir, files[[name]]), stringsAsFactors = FALSE,
                           check.names = FALSE, encoding = "UTF-8")
    expect_equal(as.data.frame(get(name)), csv, tolerance = 0, info = name)
  }
})
