# Fuzz suite, readers of the papers' data formats (see helper-fuzz.R).

test_that("read_anes_tasks survives random bad input", {
  set.seed(fuzz_seed() + 20)
  therm <- data.frame(task = c("Muslims / Democrat", "Muslims / Republican", "Jews / Democrat"),
                      target_group = c("Muslims", "Muslims", "Jews"),
                      party = c("Democrat", "Republican", "Democrat"),
                      n = c(900, 700, 500), real_mean = c(70, 45, 60),
                      synth_ci_low = c(74, 38, 55), synth_ci_high = c(75, 39, 57),
                      synth_ci_alpha = 0.005)
  fuzz_function("read_anes_tasks", list(x = therm), mutate = mutate_data)
})

test_that("read_arena_winrates survives random bad input", {
  set.seed(fuzz_seed() + 21)
  rates <- data.frame(model = c("m1", "m2", "m3"), n_battles = c(900, 1200, 400),
                      human_winrate = c(0.55, 0.48, 0.40),
                      autorater_winrate = c(0.57, 0.45, 0.44))
  fuzz_function("read_arena_winrates", list(x = rates, bound_se = FALSE), mutate = mutate_data)
})

test_that("read_pew_cells survives random bad input", {
  set.seed(fuzz_seed() + 22)
  cells <- expand.grid(party = c("Dem", "Rep"), region = c("South", "West"),
                       wave = c("W95", "W101"), stringsAsFactors = FALSE)
  cells$generator <- "gpt_4.o"
  cells$item <- "POL1JB"
  cells$n <- 150
  cells$real_mean <- ifelse(cells$party == "Dem", 0.8, 0.1)
  cells$synth_mean <- ifelse(cells$party == "Dem", 0.95, 0.02)
  cells$synth_se <- 0.01
  cells$gap_se <- 0.03
  cells$gap_mean <- cells$real_mean - cells$synth_mean
  fuzz_function("read_pew_cells", list(x = cells, generator = NULL, min_n = 100),
                mutate = mutate_data)
})

test_that("read_silicon_samples survives random bad input", {
  set.seed(1)
  n <- 120
  silicon <- data.frame(
    respID = paste0(rep(c(2016, 2020), each = n / 2), sprintf("%04d", 1:n)),
    pid = sample(c("Democrat", "Republican"), n, replace = TRUE),
    group = sample(c("Muslims", "Christians"), n, replace = TRUE),
    thermometer_ANES = runif(n, 0, 100), LLM_RICH_full_therm_m = runif(n, 0, 100))
  base <- fuzz_call(read_silicon_samples, list(x = silicon))
  skip_if(identical(base$kind, "error"), paste("example data not accepted:", base$message))
  set.seed(fuzz_seed() + 23)
  fuzz_function("read_silicon_samples", list(x = silicon, real = "thermometer_ANES",
                                             synthetic = "LLM_RICH_full_therm_m",
                                             weights = NULL, paired = TRUE),
                mutate = mutate_data)
})

test_that("pairwise_winrates survives random bad input", {
  set.seed(fuzz_seed() + 24)
  votes <- data.frame(
    model_a = c("m1", "m2", "m1", "m3", "m2", "m3"),
    model_b = c("m2", "m3", "m3", "m1", "m1", "m2"),
    human = c("model_a", "tie", "model_b", "model_a", "model_b", "tie (bothbad)"),
    judge = c("model_a", "model_a", "model_b", "tie", "model_b", "model_b"))
  fuzz_function("pairwise_winrates", list(data = votes, model_a = "model_a",
                                          model_b = "model_b",
                                          winners = c(human = "human", judge = "judge"),
                                          real = "human", tie_value = 0.5, battle = NULL),
                mutate = mutate_data)
})
