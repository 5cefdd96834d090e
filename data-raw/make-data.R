# Rebuilds data/*.rda from the public CSV files (see R/data.R for each data
# set's source and licence). Developer tool, not part of the package: run from
# the package root with the CSV folder as argument (default ../shared/data):
#   Rscript data-raw/make-data.R [csv-dir]
args <- commandArgs(trailingOnly = TRUE)
csv_dir <- if (length(args)) args[[1]] else file.path("..", "shared", "data")
files <- c(pew_approval = "pew_approval_cells.csv",
           arena_winrates = "arena_autorater_winrates.csv",
           arena_votes = "arena_judge_votes.csv",
           politeness = "politeness_gpt4o.csv",
           anes2020 = "anes_2020_thermometer_tasks.csv",
           anes2016_band = "anes_2016_calibration_band.csv")
dir.create("data", showWarnings = FALSE)
for (name in names(files)) {
  # Columns exactly as published: no renaming, no factor conversion.
  df <- utils::read.csv(file.path(csv_dir, files[[name]]), stringsAsFactors = FALSE,
                        check.names = FALSE, na.strings = c("NA", ""), encoding = "UTF-8")
  assign(name, tibble::as_tibble(df))
  save(list = name, file = file.path("data", paste0(name, ".rda")),
       compress = "xz", compression_level = 9)
  cat(sprintf("%-15s %6d rows %3d columns  %s\n", name, nrow(df), ncol(df), files[[name]]))
}
