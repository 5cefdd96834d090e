# Small task tables for the exchangeability tests, built by hand so that the
# reference values below come from base R (sort(), qnorm(), explicit loops),
# never from the package.
make_tasks <- function(gap_est, gap_se, synth_est = 0.5, synth_se = 0.01, ids = NULL) {
  n <- length(gap_est)
  if (is.null(ids)) ids <- paste0("t", seq_len(n))
  data.frame(task = ids, n_real = 100, n_synth = 200,
             real_est = synth_est + gap_est, real_se = 0.02,
             synth_est = synth_est, synth_se = synth_se,
             gap_est = gap_est, gap_se = gap_se)
}

# Reference order-statistic interval of Algorithm 1 with base R.
ref_alg1 <- function(gap_est, gap_se, synth_est, synth_se, a1, a2, a3) {
  t <- length(gap_est)
  kl <- floor((t + 1) * a3 / 2 + 1e-9)
  ku <- ceiling((t + 1) * (1 - a3 / 2) - 1e-9)
  l <- sort(gap_est - qnorm(1 - a2 / 2) * gap_se)
  u <- sort(gap_est + qnorm(1 - a2 / 2) * gap_se)
  z1 <- qnorm(1 - a1 / 2)
  c(low = synth_est - z1 * synth_se + l[kl], high = synth_est + z1 * synth_se + u[ku],
    kl = kl, ku = ku)
}

# T random historical gaps with random standard errors, and one target.
random_case <- function(seed, t, mean = 0, sd = 0.1, se = c(0.005, 0.03),
                        synth_est = 0.5, synth_se = 0.01) {
  set.seed(seed)
  g <- rnorm(t, mean, sd)
  s <- runif(t, se[1], se[2])
  list(g = g, s = s, hist = make_tasks(g, s),
       target = data.frame(task = "new", synth_est = synth_est, synth_se = synth_se))
}

# A long table of simulated tasks with two coordinates ("x", "y"), without
# zero standard errors (a tiny one instead, so no warnings).
two_coordinate_tasks <- function(n, seeds = 1:2) {
  parts <- lapply(seq_along(seeds), function(i) {
    t <- simulate_tasks(n, seed = seeds[i])
    t$coordinate <- c("x", "y")[i]
    t
  })
  tasks <- rbind(parts[[1]], parts[[2]])
  tasks$synth_se[tasks$synth_se == 0] <- 1e-3
  tasks$gap_se[tasks$gap_se == 0] <- 1e-3
  tasks
}

# Messages of every warning `expr` raises, muffled (to count repeats).
warning_messages <- function(expr) {
  msgs <- character()
  withCallingHandlers(expr, warning = function(w) {
    msgs <<- c(msgs, conditionMessage(w))
    invokeRestart("muffleWarning")
  })
  msgs
}
