test_that("ANES task summaries recover the synthetic mean and SE from the Wald interval", {
  therm <- data.frame(task = c("a / D", "a / R", "b / D"), target_group = c("a", "a", "b"),
                      party = c("D", "R", "D"), n = c(900, 700, 50),
                      real_mean = c(70, 45, 20), synth_ci_low = c(74, 38, 10),
                      synth_ci_high = c(75, 40, 30), synth_ci_alpha = c(0.005, 0.005, 0.1))
  path <- tempfile(fileext = ".csv")
  write.csv(therm, path, row.names = FALSE)
  out <- read_anes_tasks(path)
  expect_equal(out$synth_est, c(74.5, 39, 20))
  # half-width / z: 0.5 / qnorm(0.9975), 1 / qnorm(0.9975), 10 / qnorm(0.95)
  expect_equal(out$synth_se, c(0.5, 1, 10) / qnorm(1 - c(0.005, 0.005, 0.1) / 2))
  expect_equal(out$gap_est, c(-4.5, 6, 0))
  expect_true(all(is.na(out$real_se) & is.na(out$gap_se)))
  bad <- therm; bad$synth_ci_high[2] <- 30
  expect_error(read_anes_tasks(bad), "synth_ci_high below synth_ci_low.*2")
  expect_error(read_anes_tasks(therm[, -4]), "lacks column\\(s\\) 'n'")
  unlink(path)
})

test_that("duplicated task ids are an error", {
  therm <- data.frame(task = c("a / D", "a / D"), target_group = "a", party = "D",
                      n = 100, real_mean = c(50, 60), synth_ci_low = 40, synth_ci_high = 42,
                      synth_ci_alpha = 0.005)
  expect_error(read_anes_tasks(therm), "more than one row for task\\(s\\) \"a / D\" \\(row\\(s\\) 2\\)")
})
