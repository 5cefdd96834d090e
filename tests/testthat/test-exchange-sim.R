# The section 5.4 simulation design and the Rust coverage study.

test_that("simulate_tasks follows the design", {
  tasks <- simulate_tasks(400, tau = 0.1, n_real = 1000, n_synth = 2000, bias = 0.05, seed = 61)
  expect_named(tasks, c("task", "n_real", "n_synth", "real_est", "real_se", "synth_est",
                        "synth_se", "gap_est", "gap_se", "p", "p_synth"))
  expect_equal(tasks$gap_est, tasks$real_est - tasks$synth_est)
  expect_equal(tasks$real_se, sqrt(tasks$real_est * (1 - tasks$real_est) / 1000))
  expect_equal(tasks$gap_se, sqrt(tasks$real_se^2 + tasks$synth_se^2)) # unpaired
  expect_true(all(tasks$p_synth >= 0 & tasks$p_synth <= 1))
  # Beta(2, 2) has mean 1/2 and sd sqrt(1/20) = 0.224: the mean of 400 draws
  # has sd 0.011, so 0.05 is a 4.5-sigma tolerance.
  expect_lt(abs(mean(tasks$p) - 0.5), 0.05)
  # unclipped shifts are N(0.05, 0.1^2): mean of 400 has sd 0.005
  inside <- tasks$p_synth > 0 & tasks$p_synth < 1
  expect_lt(abs(mean((tasks$p_synth - tasks$p)[inside]) - 0.05), 0.025)
  expect_lt(abs(sd((tasks$p_synth - tasks$p)[inside]) - 0.1), 0.02)
  # real proportions are Binomial(1000, p) / 1000: standardised residuals ~ N(0, 1)
  zr <- (tasks$real_est - tasks$p) / sqrt(tasks$p * (1 - tasks$p) / 1000)
  expect_lt(abs(sd(zr) - 1), 0.15)
  expect_identical(simulate_tasks(5, seed = 3), simulate_tasks(5, seed = 3))
})

test_that("coverage study: nominal coverage, poor synthetic-only coverage (200 reps)", {
  st <- exchange_coverage_study(n_tasks = c(40, 100), alpha = 0.1, tau = 0.1, reps = 200,
                                seed = 62, threads = 2)
  expect_equal(nrow(st), 2L)
  # The paper reports 0.993 / 0.986 at this setting. With 200 reps the Monte
  # Carlo sd of a coverage estimate near 0.99 is sqrt(0.99 * 0.01 / 200) =
  # 0.007 and near 0.90 it is 0.021: requiring >= 0.90 - 2 * 0.021 = 0.86
  # fails only if the method is really undercovering.
  expect_true(all(st$coverage >= 0.86))
  # Widths: the paper's 0.508 (T = 40) and 0.479 (T = 100); the per-rep sd
  # of the width is about 0.05, so the mean of 200 has sd < 0.004.
  expect_equal(st$width, c(0.508, 0.479), tolerance = 0.05)
  # Synthetic-only: the paper's 0.127 and width 0.031; its coverage sd is 0.024.
  expect_true(all(st$synth_coverage < 0.25))
  expect_equal(st$synth_width, c(0.031, 0.031), tolerance = 0.1)
  expect_equal(c(st$a1[1], st$a2[1], st$a3[1]), c(0.01, 0.02, 0.07))
})

test_that("the study does not depend on the number of threads and is quick", {
  t0 <- proc.time()[["elapsed"]]
  a <- exchange_coverage_study(40, alpha = 0.1, tau = 0.2, reps = 300, seed = 63, threads = 1)
  b <- exchange_coverage_study(40, alpha = 0.1, tau = 0.2, reps = 300, seed = 63, threads = 2)
  expect_identical(a, b)
  expect_lt(proc.time()[["elapsed"]] - t0, 10)
})

test_that("the finite-sample study covers the realised proportion within its band", {
  st <- exchange_coverage_study(n_tasks = 39, alpha = 0.1, tau = 0.1, reps = 400,
                                method = "finite_sample", seed = 64)
  # Theorem 4: coverage in [0.9, 0.9 + 2/40 = 0.95) without ties. MC sd with
  # 400 reps is about 0.014; allow 2.5 sd either side.
  expect_gt(st$coverage, 0.9 - 0.035)
  expect_lt(st$coverage, 0.95 + 0.035)
  expect_true(is.na(st$width) == FALSE && st$width < 0.5)
})

test_that("a task count beyond R's integers is a clear error", {
  expect_error(expect_no_warning(simulate_tasks(1e10)),
               "`n_tasks` must be at most 2147483647 \\(R's largest integer\\), not 1e\\+10")
})
