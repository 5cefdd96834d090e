test_that("a Rust panic becomes an R error and the session survives", {
  expect_error(synthinfer:::rs_panic_probe("deliberate panic"))
  # The session is still usable: a real computation runs after the panic.
  band <- gap_band(-(1:19), 1:19, alpha = 0.2)
  expect_equal(band$delta_lower, -18)
})

test_that("a core error reaches R with its message", {
  expect_error(synthinfer:::rs_error_probe("bad thing happened"), "bad thing happened")
})

test_that("core errors reach R as classed conditions without their tag", {
  e <- tryCatch(synthinfer:::rs_error_probe("bad thing happened"), error = identity)
  expect_s3_class(e, c("synthinfer_error_input", "synthinfer_error", "error"))
  expect_identical(conditionMessage(e), "bad thing happened")
  p <- tryCatch(synthinfer:::rs_panic_probe("deliberate panic"), error = identity)
  expect_s3_class(p, "synthinfer_error_internal")
})

test_that("input errors are classed and name the argument", {
  e <- tryCatch(exchange_split(a1 = -1), error = identity)
  expect_s3_class(e, "synthinfer_error_input")
  expect_identical(e$arg, "split")
  expect_match(conditionMessage(e), "^`split` must be")
})

test_that("every generated wrapper goes through rust_call()", {
  ns <- asNamespace("synthinfer")
  wrappers <- grep("^rs_", ls(ns), value = TRUE)
  expect_gt(length(wrappers), 10L)
  for (w in wrappers) {
    expect_true(grepl("rust_call", paste(deparse(body(get(w, ns))), collapse = " ")), info = w)
  }
})

test_that("a data frame the formula cannot expand is a classed input error", {
  expect_error(synth_glm(y ~ x, data.frame(y = 1, x = "a")), "cannot be expanded",
               class = "synthinfer_error_input")
})
