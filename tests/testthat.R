library(testthat)
library(synthinfer)

test_check("synthinfer")
