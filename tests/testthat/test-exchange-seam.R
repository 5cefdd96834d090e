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

# Vector exchangeable_loo() by brute force: exchangeable_region() on each
# predicted task's own calibration tasks (with a box's or ball's default
# center and scale computed here in R), compared with the truth by hand.
# Nothing of the one-call path of exchangeable_loo() is used.
brute_vector_loo <- function(tasks, alpha, shape, calibrate, predict, bounds = NULL,
                             center = NULL, scale = NULL, method = "population") {
  coords <- unique(tasks$coordinate)
  d <- length(coords)
  clip <- function(x) if (is.null(bounds)) x else pmin(pmax(x, bounds[1]), bounds[2])
  z <- qnorm(1 - alpha / d / 2)
  rows <- lapply(predict, function(id) {
    hist <- tasks[tasks$task %in% setdiff(calibrate, id), ]
    target <- tasks[tasks$task == id, ]
    target <- target[match(coords, target$coordinate), ]
    gaps <- vapply(coords, function(k) hist$gap_est[hist$coordinate == k], numeric(nrow(hist) / d))
    reg <- if (shape == "bonferroni") {
      exchangeable_region(rbind(hist, target), id, alpha = alpha, bounds = bounds, method = method)
    } else {
      exchangeable_region(rbind(hist, target), id, alpha = alpha, shape = shape, bounds = bounds,
                          center = if (is.null(center)) unname(colMeans(gaps)) else center,
                          scale = if (is.null(scale)) unname(apply(gaps, 2, sd)) else scale)
    }
    truth <- target$real_est
    covered <- reg$conf.low <= truth & truth <= reg$conf.high
    naive_low <- clip(target$synth_est - z * target$synth_se)
    naive_high <- clip(target$synth_est + z * target$synth_se)
    naive_covered <- naive_low <= truth & truth <= naive_high
    joint <- if (shape == "ball") {
      v <- truth - reg$center
      sqrt(sum((pmax(reg$synth_low - v, v - reg$synth_high, 0) / reg$scale)^2)) <= reg$radius[1]
    } else {
      all(covered)
    }
    tibble::tibble(task = target$task, coordinate = target$coordinate, estimate = reg$estimate,
                   conf.low = reg$conf.low, conf.high = reg$conf.high, truth = truth,
                   covered = covered, width = reg$conf.high - reg$conf.low,
                   synth_est = target$synth_est, naive_low = naive_low, naive_high = naive_high,
                   naive_covered = naive_covered, naive_width = naive_high - naive_low,
                   joint_covered = rep(joint, d), naive_joint_covered = rep(all(naive_covered), d))
  })
  do.call(rbind, rows)
}

expect_same_loo <- function(got, ref) {
  got <- tibble::as_tibble(unclass(got))
  expect_identical(names(got), names(ref))
  for (k in names(ref)) {
    if (is.double(ref[[k]])) {
      expect_equal(got[[k]], ref[[k]], tolerance = 1e-12, label = k)
    } else {
      expect_identical(got[[k]], ref[[k]], label = k)
    }
  }
}

test_that("vector exchangeable_loo() equals exchangeable_region() per held-out task", {
  tasks <- two_coordinate_tasks(30, seeds = c(5, 6))
  ids <- unique(tasks$task)
  loo <- function(...) suppressWarnings(exchangeable_loo(tasks, alpha = 0.3, ...))
  ref <- function(...) suppressWarnings(brute_vector_loo(tasks, alpha = 0.3, ...))
  cases <- list(
    list(shape = "bonferroni"),
    list(shape = "bonferroni", bounds = c(0, 1), calibrate = 1:22, predict = c(30, 5, 25:27)),
    list(shape = "bonferroni", method = "finite_sample", calibrate = 1:24),
    list(shape = "bonferroni", method = "task_only", bounds = c(0.2, 0.8)),
    list(shape = "box"),
    list(shape = "box", bounds = c(0, 1), calibrate = 1:20, predict = c(18:20, 28:30)),
    list(shape = "box", center = c(0.01, -0.02), scale = c(0.05, 0.08)),
    list(shape = "ball"),
    list(shape = "ball", bounds = c(0.3, 0.7), calibrate = 5:30, predict = 1:8),
    list(shape = "ball", center = c(0, 0), scale = c(0.1, 0.05), calibrate = 1:25)
  )
  for (case in cases) {
    calibrate <- if (is.null(case$calibrate)) ids else case$calibrate
    predict <- if (!is.null(case$predict)) case$predict else if (is.null(case$calibrate)) ids else setdiff(ids, calibrate)
    method <- if (is.null(case$method)) "population" else case$method
    got <- loo(shape = case$shape, bounds = case$bounds, calibrate = case$calibrate,
               predict = case$predict, method = case$method, center = case$center, scale = case$scale)
    want <- ref(shape = case$shape, calibrate = calibrate, predict = predict, bounds = case$bounds,
                center = case$center, scale = case$scale, method = method)
    expect_same_loo(got, want)
  }
  # Some held-out regions miss, so coverage is compared both ways.
  box <- loo(shape = "box", calibrate = 1:20)
  expect_true(any(box$naive_covered) && !all(box$naive_covered))
})

test_that("vector exchangeable_loo() makes one call into Rust whatever the number of tasks", {
  for (n in c(8, 41)) {
    tasks <- two_coordinate_tasks(n)
    for (shape in c("bonferroni", "box", "ball")) {
      expect_identical(rust_calls(exchangeable_loo(tasks, alpha = 0.6, shape = shape)),
                       "rs_exchange_region_loo")
      expect_identical(rust_calls(exchangeable_loo(tasks, alpha = 0.6, shape = shape,
                                                   calibrate = 1:(n - 2))),
                       "rs_exchange_region_loo")
    }
  }
})

test_that("vector exchangeable_loo() takes only center and scale through `...`", {
  tasks <- two_coordinate_tasks(12)
  expect_error(exchangeable_loo(tasks, shape = "box", weights = rep(1, 12)),
               "`...` may give only `center` and `scale`.*got `weights`", class = "synthinfer_error_input")
  expect_error(exchangeable_loo(tasks, center = c(0, 0)),
               "got `center` with shape = \"bonferroni\"")
  expect_error(exchangeable_loo(tasks, 0.3, NULL, NULL, NULL, NULL, NULL, TRUE, c(0, 0), shape = "ball"),
               "got an unnamed argument")
  expect_error(exchangeable_loo(tasks, shape = "box", method = "finite_sample"),
               "does not apply to shape = \"box\"")
  expect_error(exchangeable_loo(tasks, method = "box"), "choose the region with `shape`")
  expect_error(exchangeable_loo(tasks, shape = "box", scale = c(1, -1)), "`scale` must be positive")
})

test_that("the core's default scale errors read as before", {
  tasks <- two_coordinate_tasks(12)
  tasks$gap_est[tasks$coordinate == "y"] <- 0.05
  expect_error(exchangeable_loo(tasks, alpha = 0.6, shape = "box"),
               "`scale` must be given: the historical gaps do not vary in coordinate\\(s\\) 2\\.",
               class = "synthinfer_error_input")
  expect_error(exchangeable_region(tasks, 12, alpha = 0.6, shape = "ball"),
               "do not vary in coordinate\\(s\\) 2\\.")
  two <- two_coordinate_tasks(3)
  expect_error(exchangeable_loo(two, alpha = 0.9, shape = "box", calibrate = 1:2, predict = 1:2),
               "`scale` must be given with a single historical task")
  expect_no_error(exchangeable_loo(two, alpha = 0.9, shape = "box", calibrate = 1:2, predict = 1:2,
                                   scale = c(1, 1)))
})
