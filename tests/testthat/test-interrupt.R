# Long runs stop on the interrupt key (issue 13): a child R process starts a
# run that would take minutes, receives SIGINT as from Ctrl-C, and must
# report an R interrupt condition within a couple of seconds (the Rust side
# polls every 20 ms; the rest is process start-up and exit). The progress
# bar is forced on so that the R callback path is exercised too.

run_and_interrupt <- function(call_text) {
  skip_on_os("windows") # no SIGINT to send
  dir <- tempfile("interrupt")
  dir.create(dir)
  on.exit(unlink(dir, recursive = TRUE), add = TRUE)
  files <- file.path(dir, c("pid", "out", "script.R"))
  writeLines(c(
    "suppressMessages(library(synthinfer))",
    "options(synthinfer.progress = TRUE)",
    sprintf("writeLines(as.character(Sys.getpid()), '%s')", files[1]),
    "res <- tryCatch({", call_text, "; 'finished'},",
    "  interrupt = function(e) 'interrupted', error = function(e) conditionMessage(e))",
    sprintf("writeLines(res, '%s')", files[2])
  ), files[3])
  rscript <- file.path(R.home("bin"), "Rscript")
  libs <- paste0("R_LIBS=", paste(.libPaths(), collapse = .Platform$path.sep))
  system2(rscript, files[3], env = libs, wait = FALSE, stdout = FALSE, stderr = FALSE)
  wait_for <- function(file, seconds) {
    deadline <- Sys.time() + seconds
    while (!file.exists(file) || length(readLines(file, warn = FALSE)) == 0) {
      if (Sys.time() > deadline) return(FALSE)
      Sys.sleep(0.02)
    }
    TRUE
  }
  expect_true(wait_for(files[1], 60), label = "the child R process started")
  pid <- as.integer(readLines(files[1]))
  Sys.sleep(1.5) # well inside the long run
  sent <- Sys.time()
  tools::pskill(pid, tools::SIGINT)
  stopped <- wait_for(files[2], 10)
  latency <- as.numeric(difftime(Sys.time(), sent, units = "secs"))
  if (!stopped) tools::pskill(pid, tools::SIGKILL)
  expect_true(stopped, label = "the run stopped after SIGINT")
  expect_identical(readLines(files[2]), "interrupted")
  expect_lt(latency, 2)
  latency
}

test_that("exchange_coverage_study() stops on an interrupt", {
  run_and_interrupt("exchange_coverage_study(40, reps = 2e7, threads = 2)")
})

test_that("compare_methods() stops on an interrupt", {
  run_and_interrupt(paste(
    "d <- simulate_synthetic(2000, fraction = 1, regime = 'good');",
    "compare_methods(y ~ x1 + x2, d, proxy = c(y = 'y_llm'), trials = 1e5, threads = 2)"))
})

test_that("an interrupt is an R interrupt condition, and other errors pass through", {
  caught <- tryCatch(synthinfer:::run_interruptible("x", function(p) stop(synthinfer:::interrupted_message)),
                     interrupt = function(e) "interrupt")
  expect_identical(caught, "interrupt")
  expect_error(synthinfer:::run_interruptible("x", function(p) stop("other failure")),
               "other failure")
  # The progress callback reaches cli without error, and a finished run returns its value.
  old <- options(synthinfer.progress = TRUE)
  on.exit(options(old))
  expect_identical(synthinfer:::run_interruptible("x", function(p) { p(1, 2); p(2, 2); 42 }), 42)
})

test_that("the task_summaries() bootstrap stops on an interrupt", {
  run_and_interrupt(paste(
    "u <- data.frame(g = rep(1:50, each = 40), y = rep(1:40, 50), s = rep(40:1, 50));",
    "task_summaries(u, 'g', 'y', 's', estimand = 'median', reps = 1e6, threads = 2)"))
})

test_that("vector exchangeable_loo() stops on an interrupt", {
  # 15000 tasks x 2 coordinates: a box calibrated afresh per held-out task
  # runs for about a minute, almost all of it inside the one core call.
  run_and_interrupt(paste(
    "n <- 15000; set.seed(1);",
    "tasks <- data.frame(task = rep(seq_len(n), 2), coordinate = rep(c('x', 'y'), each = n),",
    "  n_real = 100, n_synth = 100, real_est = runif(2 * n), real_se = 0.05,",
    "  synth_est = runif(2 * n), synth_se = 0.05, gap_est = rnorm(2 * n, 0, 0.05), gap_se = 0.05);",
    "exchangeable_loo(tasks, alpha = 0.1, shape = 'box')"))
})
