# Fuzz suite, task-exchangeability functions (see helper-fuzz.R).

fuzz_tasks <- function() simulate_tasks(12, seed = 3)

test_that("task_summaries survives random bad input", {
  set.seed(fuzz_seed())
  units <- data.frame(group = rep(c("a", "b", "c"), each = 20), y = rep(0:1, 30),
                      y_llm = rep(c(1, 0, 1), 20), w = rep(1:2, 30))
  fuzz_function("task_summaries", list(data = units, task = "group", real = "y",
                                       synthetic = "y_llm", weights = NULL, paired = TRUE,
                                       estimand = "mean", reps = 20, seed = 1, threads = 1),
                mutate = mutate_data)
})

test_that("exchangeable_ci survives random bad input", {
  set.seed(fuzz_seed() + 1)
  fuzz_function("exchangeable_ci", list(tasks = fuzz_tasks(), target = 12, alpha = 0.3,
                                        split = NULL, method = "population", weights = NULL,
                                        real_estimate = NULL, gamma = 0.5, bounds = c(0, 1),
                                        paired = TRUE),
                mutate = mutate_data)
})

test_that("exchangeable_region survives random bad input", {
  set.seed(fuzz_seed() + 2)
  a <- simulate_tasks(12, seed = 1)
  b <- simulate_tasks(12, seed = 2)
  a$coordinate <- "first"
  b$coordinate <- "second"
  fuzz_function("exchangeable_region", list(tasks = rbind(a, b), target = 12, alpha = 0.4,
                                            shape = "bonferroni", split = NULL,
                                            bounds = c(0, 1), center = NULL, scale = NULL,
                                            paired = TRUE),
                mutate = mutate_data)
})

test_that("exchangeable_loo survives random bad input", {
  set.seed(fuzz_seed() + 3)
  fuzz_function("exchangeable_loo", list(tasks = fuzz_tasks(), alpha = 0.4, method = NULL,
                                         calibrate = NULL, predict = NULL, split = NULL,
                                         bounds = c(0, 1), paired = TRUE),
                mutate = mutate_data)
})

test_that("gap_band survives random bad input", {
  set.seed(fuzz_seed() + 4)
  fuzz_function("gap_band", list(lower = seq(-1, 0, length.out = 30),
                                 upper = seq(0, 1, length.out = 30), alpha = 0.2))
})

test_that("simulate_tasks and exchange_coverage_study survive random bad input", {
  set.seed(fuzz_seed() + 5)
  fuzz_function("simulate_tasks", list(n_tasks = 5, tau = 0.1, n_real = 50, n_synth = 50,
                                       bias = 0.05, seed = 1))
  fuzz_function("exchange_coverage_study",
                list(n_tasks = 10, alpha = 0.3, tau = 0.1, reps = 20, n_real = 50,
                     n_synth = 50, bias = 0.05, method = "population", seed = 1,
                     threads = 1))
})

test_that("default_threads survives random option values", {
  set.seed(fuzz_seed() + 6)
  old <- options(synthinfer.threads = NULL)
  on.exit(options(old))
  problems <- character(0)
  for (v in sample(fuzz_pool, min(length(fuzz_pool), 3 * fuzz_iterations()), replace = TRUE)) {
    options(synthinfer.threads = v)
    out <- fuzz_call(default_threads, list())
    verdict <- fuzz_verdict(out)
    if (identical(out$kind, "value") && !(is.integer(out$value) && length(out$value) == 1 &&
                                          out$value >= 1)) {
      verdict <- "not a single positive whole number"
    }
    if (!is.null(verdict)) problems <- c(problems, paste(deparse(v), verdict))
  }
  expect(length(problems) == 0, paste(problems, collapse = "\n"))
})
