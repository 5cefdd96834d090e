# One seam: every exchangeability function checks its input in R and makes
# one call into Rust, whose table it wraps as it comes.

rust_calls <- function(expr) {
  ns <- asNamespace("synthinfer")
  fns <- grep("^rs_", ls(ns), value = TRUE)
  seen <- new.env()
  seen$calls <- character()
  for (f in fns) {
    tracer <- bquote(assign("calls", c(get("calls", envir = .(seen)), .(f)), envir = .(seen)))
    suppressMessages(trace(f, tracer = tracer, where = ns, print = FALSE))
  }
  on.exit(for (f in fns) suppressMessages(untrace(f, where = ns)))
  suppressWarnings(force(expr))
  seen$calls
}

test_that("each exchangeability function makes one call into Rust", {
  tasks <- simulate_tasks(41, seed = 2)
  a <- simulate_tasks(41, seed = 1)
  b <- simulate_tasks(41, seed = 2)
  a$coordinate <- "first"
  b$coordinate <- "second"
  long <- rbind(a, b)
  band <- exchangeable_band(tasks[1:40, ], alpha = 0.1)
  long_band <- exchangeable_band(long[long$task != 41, ], alpha = 0.1)
  expect_identical(rust_calls(exchangeable_ci(tasks, 39:41, alpha = 0.3, real_estimate = data.frame(
    task = 39:41, real_est = 0.5, real_se = 0.1))), "rs_exchange_ci")
  expect_identical(rust_calls(exchangeable_ci(tasks[41, ], band = band)), "rs_exchange_band")
  expect_identical(rust_calls(exchangeable_band(tasks, alpha = c(0.1, 0.2))), "rs_exchange_calibrate")
  expect_identical(rust_calls(exchangeable_band(long, alpha = c(0.1, 0.2))), "rs_exchange_calibrate")
  expect_identical(rust_calls(gap_band(-(1:19), 1:19, alpha = 0.2)), "rs_gap_band")
  expect_identical(rust_calls(exchangeable_region(long, 40:41, alpha = 0.2)), "rs_exchange_ci")
  expect_identical(rust_calls(exchangeable_region(long, 40:41, shape = "ball")), "rs_exchange_region")
  expect_identical(rust_calls(exchangeable_region(long[long$task == 41, ], band = long_band)),
                   "rs_exchange_band")
  expect_identical(rust_calls(exchangeable_loo(tasks, alpha = 0.2)), "rs_exchange_loo")
  expect_identical(rust_calls(exchangeable_loo(tasks, alpha = 0.2, calibrate = 1:30)), "rs_exchange_loo")
  expect_identical(rust_calls(exchangeable_loo(tasks, alpha = 0.1, predict = 36:41, band = band)),
                   c("rs_exchange_band", "rs_held_out"))
})

test_that("the region table of the Bonferroni rectangle is the scalar table per coordinate", {
  a <- simulate_tasks(41, seed = 1)
  b <- simulate_tasks(41, seed = 2)
  a$coordinate <- "first"
  b$coordinate <- "second"
  r <- exchangeable_region(rbind(a, b), 41, alpha = 0.2)
  one <- exchangeable_ci(a[, names(a) != "coordinate"], 41, alpha = 0.1)
  two <- exchangeable_ci(b[, names(b) != "coordinate"], 41, alpha = 0.1)
  cols <- setdiff(names(one), "task")
  row <- function(x, i) lapply(cols, function(k) x[[k]][i])
  expect_identical(row(r, 1), row(one, 1))
  expect_identical(row(r, 2), row(two, 1))
})
