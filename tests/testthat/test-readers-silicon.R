silicon_frame <- function() {
  set.seed(11)
  n <- 200
  data.frame(
    respID = paste0(rep(c(2016, 2020), each = n / 2), sprintf("%05d", seq_len(n))),
    pid = rep(c("Democrat", "Republican"), length.out = n),
    group = rep(c("Muslims", "Muslims", "Christians", "Christians"), length.out = n),
    thermometer_ANES = round(runif(n, 0, 100)),
    LLM_RICH_full_therm_m = round(runif(n, 30, 70)),
    educ = "x", stringsAsFactors = FALSE)
}

test_that("silicon samples from an .rds or .csv file give paired year x group x party tasks", {
  d <- silicon_frame()
  d$thermometer_ANES[3] <- NA          # dropped: a pair needs both ratings
  rds <- tempfile(fileext = ".rds"); saveRDS(d, rds)
  csv <- tempfile(fileext = ".csv"); write.csv(d, csv, row.names = FALSE)
  from_rds <- read_silicon_samples(rds)
  from_csv <- read_silicon_samples(csv)
  expect_equal(from_csv, from_rds)
  expect_equal(nrow(from_rds), 8L)
  expect_equal(names(from_rds)[1:4], c("year", "group", "pid", "task"))
  expect_true("2016:Christians / Democrat" %in% from_rds$task)
  # reference: an explicit subset and base-R means / sd
  row <- from_rds[from_rds$task == "2016:Christians / Democrat", ]
  sel <- substr(d$respID, 1, 4) == "2016" & d$group == "Christians" & d$pid == "Democrat" &
    !is.na(d$thermometer_ANES)
  diffs <- d$thermometer_ANES[sel] - d$LLM_RICH_full_therm_m[sel]
  expect_equal(row$n_real, sum(sel))
  expect_equal(row$n_synth, sum(sel))
  expect_equal(row$real_est, mean(d$thermometer_ANES[sel]))
  expect_equal(row$gap_se, sd(diffs) / sqrt(sum(sel)))
  expect_equal(row$year, 2016L)
  unlink(c(rds, csv))
})

test_that("a year column wins over respID; without years tasks are group x party", {
  d <- silicon_frame()
  d$year <- 2024
  expect_true(all(read_silicon_samples(d)$year == 2024))
  d$year <- NULL
  d$respID <- paste0("R", seq_len(nrow(d)))
  out <- read_silicon_samples(d)
  expect_equal(nrow(out), 4L)
  expect_false("year" %in% names(out))
  expect_equal(out$task[1], "Christians / Democrat")
  unp <- read_silicon_samples(d, paired = FALSE)
  expect_equal(unp$gap_se, sqrt(unp$real_se^2 + unp$synth_se^2))
})

test_that("silicon reader errors name the problem", {
  d <- silicon_frame()
  expect_error(read_silicon_samples(d[, -2]), "`x` lacks column\\(s\\) 'pid'")
  expect_error(read_silicon_samples(tempfile(fileext = ".rds")), "does not exist")
  expect_error(read_silicon_samples(1:3), "`x` must be a data frame or the path")
  d$LLM_RICH_full_therm_m <- "a"
  expect_error(read_silicon_samples(d), "'LLM_RICH_full_therm_m' must be numeric")
})

test_that("thermometer codes outside 0-100 are errors naming the missing-value codes", {
  d <- silicon_frame()
  d$thermometer_ANES[3] <- 999
  expect_error(read_silicon_samples(d), "'thermometer_ANES' has value\\(s\\) outside \\[0, 100\\] in row\\(s\\) 3 \\(e.g. 999\\).*set to NA first")
  d <- silicon_frame()
  d$LLM_RICH_full_therm_m[1] <- -9
  expect_error(read_silicon_samples(d), "'LLM_RICH_full_therm_m'")
})
