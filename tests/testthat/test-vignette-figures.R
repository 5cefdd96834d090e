# Figures shown in the vignettes (vignettes/*.Rmd) that
# test-realdata-*.R does not already assert, so that a vignette cannot drift
# from the code. Values were computed once when the vignettes were knitted;
# where a brute-force reference exists (helper-realdata-reference.R) the
# endpoints are also checked against it. Uses the shipped data sets.

# Joint coverage and mean widths per coordinate of a 2-D evaluation.
vig_pew_figures <- function(fit) {
  s <- summary(fit)
  pick <- function(interval, coord, col) s[[col]][s$interval == interval & s$coordinate == coord]
  c(joint = pick("exchangeability", "joint", "coverage"),
    co = pick("exchangeability", "co", "mean_width"),
    opp = pick("exchangeability", "opp", "mean_width"),
    naive_joint = pick("synthetic-only", "joint", "coverage"))
}

vig_early_tasks <- function(tasks, n_waves) {
  waves <- sort(unique(tasks$wave_number))
  unique(tasks$task[tasks$wave_number %in% waves[seq_len(n_waves)]])
}

test_that("anes vignette: the two missed tasks", {
  an <- read_anes_tasks(anes2020)
  fit <- exchangeable_loo(an, alpha = 0.1, method = "finite_sample")
  expect_setequal(fit$task[!fit$covered],
                  c("2020:Liberals / Democrat", "2020:Muslims / Republican"))
})

test_that("pew vignette: both generators, alphas 0.05-0.20, feasibility", {
  cells <- pew_approval
  gpt <- read_pew_cells(cells, generator = "gpt_4.o")
  gemini <- read_pew_cells(cells, generator = "gemini_2.0_flash")
  expect_equal(length(unique(gemini$task)), 32L)
  loo <- function(...) suppressWarnings(exchangeable_loo(...))
  # 48 tasks cannot support alpha / 2 = 0.025 (needs 80); 32 cannot support 0.05.
  expect_error(loo(gpt, alpha = 0.05), "at least 80 historical tasks")
  expect_error(loo(gemini, alpha = 0.10), "at least 40 historical tasks")
  expect_error(loo(gemini, alpha = 0.15, calibrate = vig_early_tasks(gemini, 6)),
               "at least 26 historical tasks")
  expected <- list(
    list(gpt, 0.15, NULL, c(1, 0.4475890693, 0.2358804134, 0)),
    list(gpt, 0.20, NULL, c(1, 0.4390628856, 0.2308022915, 0)),
    list(gpt, 0.15, 10, c(1, 0.4377997913, 0.2362854470, 0)),
    list(gpt, 0.20, 10, c(1, 0.4296445479, 0.2312149836, 0)),
    list(gemini, 0.15, NULL, c(1, 0.6427420494, 0.2018082454, 0)),
    list(gemini, 0.20, NULL, c(1, 0.6148542887, 0.1866375725, 0)),
    list(gemini, 0.20, 6, c(1, 0.6238550212, 0.1890302121, 0)))
  for (e in expected) {
    cal <- if (is.null(e[[3]])) NULL else vig_early_tasks(e[[1]], e[[3]])
    got <- vig_pew_figures(loo(e[[1]], alpha = e[[2]], calibrate = cal))
    expect_equal(unname(got), e[[4]], tolerance = 1e-8,
                 info = paste(e[[1]]$generator[1], e[[2]], format(e[[3]])))
  }
})

test_that("arena vignette: naive deposit coverage and Algorithm 1 on the judge votes", {
  a <- read_arena_winrates(arena_winrates, bound_se = TRUE)
  fit <- exchangeable_loo(a, alpha = 0.1, method = "finite_sample")
  expect_equal(sum(fit$naive_covered), 55L)

  votes <- arena_votes
  judges <- task_summaries(pairwise_winrates(votes), c("rater", "model"), "real", "synthetic")
  expected <- list(gpt4 = c(20, 0.1838263062, 5), claude3 = c(19, 0.2647183043, 7),
                   gpt35 = c(19, 0.4803938989, 4))
  for (r in names(expected)) {
    x <- judges[judges$rater == r, setdiff(names(judges), c("rater", "task"))]
    names(x)[names(x) == "model"] <- "task"
    # 19 calibration models: Algorithm 1 needs a3 >= 2/20 = alpha at 0.10.
    expect_error(exchangeable_loo(x, alpha = 0.1, bounds = c(0, 1)), "at least 20 historical")
    fit <- exchangeable_loo(x, alpha = 0.15, bounds = c(0, 1))
    expect_equal(c(sum(fit$covered), median(fit$width), sum(fit$naive_covered)),
                 expected[[r]], tolerance = 1e-8, info = r)
    # endpoints against the brute-force Algorithm 1 (paired gap SEs), clipped
    ref <- rd_loo(x, 0.15, rd_alg1)
    expect_equal(fit$conf.low, pmax(ref$low, 0), tolerance = 1e-10, info = r)
    expect_equal(fit$conf.high, pmin(ref$high, 1), tolerance = 1e-10, info = r)
  }
})
