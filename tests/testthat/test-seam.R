test_that("a Rust panic becomes an R error and the session survives", {
  expect_error(synthinfer:::rs_panic_probe("deliberate panic"))
  # The session is still usable: a real computation runs after the panic.
  band <- gap_band(-(1:19), 1:19, alpha = 0.2)
  expect_equal(band$delta_lower, -18)
})

test_that("a core error reaches R with its message", {
  expect_error(synthinfer:::rs_error_probe("bad thing happened"), "bad thing happened")
})
