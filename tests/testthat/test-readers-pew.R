pew_frame <- function() {
  cells <- expand.grid(party = c("Dem", "Rep", "Other"), region = c("South", "West"),
                       wave = c("W101", "W95", "W24.5"), stringsAsFactors = FALSE)
  cells$item <- ifelse(cells$wave == "W24.5", "POL1DT", "POL1JB")
  cells$generator <- "gpt_4.o"
  cells$n <- 150
  cells$real_mean <- seq(0.05, 0.9, length.out = nrow(cells))
  cells$synth_mean <- rev(cells$real_mean)
  cells$gap_mean <- cells$real_mean - cells$synth_mean
  cells$gap_se <- 0.02
  cells$synth_se <- 0.01
  cells
}

test_that("Pew cells become co/opp coordinates per item x wave x region", {
  cells <- pew_frame()
  path <- tempfile(fileext = ".csv")
  write.csv(cells, path, row.names = FALSE)
  out <- read_pew_cells(path)
  expect_equal(nrow(out), 12L)                      # 6 cells x 2 coordinates
  expect_equal(unique(out$wave), c("W24.5", "W95", "W101"))  # chronological
  expect_equal(out$wave_number[1], 24.5)
  # co = Rep under POL1DT, Dem under POL1JB
  co <- out[out$coordinate == "co", ]
  expect_equal(co$party, ifelse(co$item == "POL1DT", "Rep", "Dem"))
  r <- out[out$task == "POL1JB / W95 / West" & out$coordinate == "opp", ]
  src <- cells[cells$wave == "W95" & cells$region == "West" & cells$party == "Rep", ]
  expect_equal(r$real_est, src$real_mean)
  expect_equal(r$gap_est, src$gap_mean)
  expect_equal(r$synth_se, src$synth_se)
  expect_true(all(is.na(out$real_se)))
  expect_false("Other" %in% out$party)
  unlink(path)
})

test_that("cells with n < min_n in either coordinate, or one coordinate, are dropped", {
  cells <- pew_frame()
  cells$n[cells$wave == "W95" & cells$region == "South" & cells$party == "Rep"] <- 99
  cells <- cells[!(cells$wave == "W101" & cells$region == "West" & cells$party == "Dem"), ]
  out <- read_pew_cells(cells)
  expect_equal(length(unique(out$task)), 4L)
  expect_false(any(out$task %in% c("POL1JB / W95 / South", "POL1JB / W101 / West")))
  expect_equal(length(unique(read_pew_cells(cells, min_n = 99)$task)), 5L)
})

test_that("generator selection and labels with several generators", {
  cells <- pew_frame()
  other <- cells; other$generator <- "gemini"
  both <- rbind(cells, other)
  expect_equal(nrow(read_pew_cells(both, generator = "gemini")), 12L)
  all_gen <- read_pew_cells(both)
  expect_equal(nrow(all_gen), 24L)
  expect_true(all(startsWith(all_gen$task, all_gen$generator)))
  expect_error(read_pew_cells(both, generator = "gpt5"), "`generator`.*'gpt5'")
  bad <- cells; bad$item <- "POL1XX"
  expect_error(read_pew_cells(bad), "POL1XX")
  expect_error(read_pew_cells(cells[, -6]), "lacks column")
  expect_error(read_pew_cells(rbind(cells, cells[1, ])), "more than one row")
})

test_that("negative standard errors and rates outside [0, 1] are errors", {
  cells <- pew_frame()
  bad <- cells; bad$synth_se[2] <- -0.01
  expect_error(read_pew_cells(bad), "column 'synth_se' has value\\(s\\) outside \\[0, Inf\\] in row\\(s\\) 2.*standard errors must be >= 0")
  bad <- cells; bad$real_mean[4] <- 1.2 # input row 4 is a Dem row
  expect_error(read_pew_cells(bad), "'real_mean' has value\\(s\\) outside \\[0, 1\\] in row\\(s\\) 4 .*approval rates must lie in \\[0, 1\\]")
  bad <- cells; bad$synth_se[3] <- -1 # an "Other" row: dropped, not checked
  expect_no_error(read_pew_cells(bad))
})
