# Algorithm 3 (vector targets) against brute force in base R for D = 2.

two_coord_tasks <- function(t, seed) {
  set.seed(seed)
  a <- make_tasks(rnorm(t, 0.1, 0.1), runif(t, 0.005, 0.02))
  b <- make_tasks(rnorm(t, -0.05, 0.05), runif(t, 0.005, 0.02), synth_est = 0.3)
  a$coordinate <- "co"
  b$coordinate <- "opp"
  rbind(a, b)
}

# Brute-force region: gap boxes at a2 / 2 per coordinate, scores by an
# explicit loop over tasks and coordinates, the rank from the closed form.
brute_region <- function(hist, target, a, shape, center, scale) {
  ids <- unique(hist$task)
  t <- length(ids)
  z2 <- qnorm(1 - a[2] / 2 / 2)
  scores <- numeric(t)
  for (j in seq_len(t)) {
    reach <- numeric(2)
    for (d in 1:2) {
      row <- hist[hist$task == ids[j] & hist$coordinate == c("co", "opp")[d], ]
      lo <- row$gap_est - z2 * row$gap_se
      hi <- row$gap_est + z2 * row$gap_se
      reach[d] <- max(abs(lo - center[d]), abs(hi - center[d])) / scale[d]
    }
    scores[j] <- if (shape == "box") max(reach) else sqrt(sum(reach^2))
  }
  k <- ceiling((1 - a[3]) * (t + 1) - 1e-9)
  s <- sort(scores)[k]
  z1 <- qnorm(1 - a[1] / 2 / 2)
  tr <- target[match(c("co", "opp"), target$coordinate), ]
  list(low = tr$synth_est - z1 * tr$synth_se + center - s * scale,
       high = tr$synth_est + z1 * tr$synth_se + center + s * scale,
       radius = s, rank = k)
}

test_that("box and ball regions match brute force for D = 2", {
  tasks <- two_coord_tasks(30, 41)
  target_ids <- "t30"
  hist <- tasks[tasks$task != target_ids, ]
  target <- tasks[tasks$task == target_ids, ]
  for (shape in c("box", "ball")) {
    r <- exchangeable_region(tasks, target_ids, alpha = 0.2, shape = shape,
                             center = c(0.1, -0.05), scale = c(0.1, 0.05))
    # T = 29, one-sided: a3 = 0.14 >= 1/30, so the plain (0.1, 0.2, 0.7) split
    expect_equal(c(r$a1[1], r$a2[1], r$a3[1]), c(0.02, 0.04, 0.14))
    ref <- brute_region(hist, target, c(0.02, 0.04, 0.14), shape, c(0.1, -0.05), c(0.1, 0.05))
    expect_equal(r$conf.low, ref$low)
    expect_equal(r$conf.high, ref$high)
    expect_equal(r$radius[1], ref$radius)
    expect_equal(r$rank[1], ref$rank) # ceiling(0.86 * 30) = 26
  }
  # data-driven defaults: mean and sd of the historical gap estimates
  r <- exchangeable_region(tasks, target_ids, alpha = 0.2, shape = "box")
  cen <- c(mean(hist$gap_est[hist$coordinate == "co"]), mean(hist$gap_est[hist$coordinate == "opp"]))
  sc <- c(sd(hist$gap_est[hist$coordinate == "co"]), sd(hist$gap_est[hist$coordinate == "opp"]))
  ref <- brute_region(hist, target, c(0.02, 0.04, 0.14), "box", cen, sc)
  expect_equal(r$conf.low, ref$low)
  expect_equal(r$center, cen)
})

test_that("T = 1 works for the one-sided score when a3 >= 1/2", {
  tasks <- two_coord_tasks(2, 42)
  r <- exchangeable_region(tasks, "t2", alpha = 0.9, shape = "box", scale = c(1, 1), center = c(0, 0))
  ref <- brute_region(tasks[tasks$task == "t1", ], tasks[tasks$task == "t2", ],
                      c(0.09, 0.18, 0.63), "box", c(0, 0), c(1, 1))
  expect_equal(r$conf.low, ref$low)
  expect_equal(r$rank[1], 1L) # ceiling(0.37 * 2) = 1
  expect_error(exchangeable_region(tasks, "t2", alpha = 0.9, shape = "box"),
               "`scale` must be given with a single historical task")
  expect_error(exchangeable_region(tasks, "t2", alpha = 0.3, shape = "box", scale = c(1, 1)),
               "at least 3 historical tasks") # 1 / (T + 1) < 0.3 needs T >= 3
})

test_that("Bonferroni is Algorithm 1 per coordinate at alpha / D", {
  tasks <- two_coord_tasks(40, 43)
  r <- exchangeable_region(tasks, "t40", alpha = 0.2, bounds = c(0, 1))
  for (k in c("co", "opp")) {
    sub <- tasks[tasks$coordinate == k, ]
    sub$coordinate <- NULL
    ci <- exchangeable_ci(sub, "t40", alpha = 0.1, bounds = c(0, 1))
    expect_equal(r$conf.low[r$coordinate == k], ci$conf.low)
    expect_equal(r$conf.high[r$coordinate == k], ci$conf.high)
  }
  expect_s3_class(r, "exchangeable_region")
  expect_output(print(r), "joint 80% region \\(bonferroni")
  expect_named(tidy(r), c("task", "coordinate", "estimate", "conf.low", "conf.high", "shape", "alpha"))
})

test_that("ball membership: a point is inside iff its scaled distance is within the radius", {
  tasks <- two_coord_tasks(30, 44)
  r <- exchangeable_region(tasks, "t30", alpha = 0.2, shape = "ball",
                           center = c(0, 0), scale = c(0.1, 0.05))
  # joint coverage reported by exchangeable_loo() (computed in Rust) against
  # the membership rule documented in ?exchangeable_region, evaluated in R
  loo <- exchangeable_loo(tasks[tasks$task %in% c(paste0("t", 1:30)), ], alpha = 0.2,
                          shape = "ball", predict = "t30", center = c(0, 0), scale = c(0.1, 0.05))
  truth <- tasks$real_est[tasks$task == "t30"][match(c("co", "opp"), tasks$coordinate[tasks$task == "t30"])]
  dist <- pmax(r$synth_low - (truth - r$center), (truth - r$center) - r$synth_high, 0) / r$scale
  expect_equal(loo$joint_covered[1], sqrt(sum(dist^2)) <= r$radius[1])
})

test_that("vector tables are validated", {
  tasks <- two_coord_tasks(30, 45)
  expect_error(exchangeable_region(tasks[-1, ], "t30"), "no row for coordinate \"co\" of task\\(s\\) \"t1\"")
  expect_error(exchangeable_region(rbind(tasks, tasks[1, ]), "t30"), "more than one row")
  expect_error(exchangeable_region(tasks, "t30", shape = "box", weights = 1), "`...` must be empty")
  expect_error(exchangeable_region(tasks, "t30", shape = "box", scale = 1), "one value per coordinate")
  tasks$coordinate <- NULL
  expect_error(exchangeable_region(tasks, "t30"), "needs a `coordinate` column")
})

test_that("Bonferroni accepts split levels summing to alpha, as box and ball do", {
  tasks <- two_coordinate_tasks(41)
  by_levels <- exchangeable_region(tasks, 41, alpha = 0.2, split = c(0.02, 0.04, 0.14))
  by_shares <- exchangeable_region(tasks, 41, alpha = 0.2, split = c(0.1, 0.2, 0.7))
  expect_equal(by_levels$conf.low, by_shares$conf.low)
  expect_equal(by_levels$a3, c(0.07, 0.07))
  expect_error(exchangeable_region(tasks, 41, alpha = 0.2, split = c(0.01, 0.02, 0.03)),
               "sum to 1 \\(shares of alpha\\) or to alpha = 0.2")
})

test_that("the zero-se warning names each task once in long tables", {
  tasks <- two_coordinate_tasks(41)
  tasks$synth_se[tasks$task == 41] <- 0
  expect_warning(exchangeable_loo(tasks, alpha = 0.3, shape = "box", calibrate = 1:40),
                 "`synth_se` is 0 for target task\\(s\\) \"41\": zero")
})
