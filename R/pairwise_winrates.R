#' Per-battle outcomes of pairwise votes, under a real and synthetic raters
#'
#' Turns pairwise comparison votes (one row per battle between `model_a` and
#' `model_b`, with the winner chosen by several raters on the same pair of
#' responses) into unit-level data for [task_summaries()]: for every model and
#' every battle it played, its outcome under the real rater and under one
#' synthetic rater (win 1, loss 0, tie `tie_value`). Each synthetic rater gets
#' its own copy of the battles, so one call of [task_summaries()] with
#' `task = c("rater", "model")` gives every model's win rate under the real
#' rater (the target) and under each synthetic rater, with paired gaps.
#'
#' @section Format:
#' One row per battle with columns `model_a`, `model_b` (model names) and one
#' column per rater holding `"model_a"`, `"model_b"`, `"tie"` or
#' `"tie (bothbad)"` (both ties count as ties); `NA` marks a missing vote and
#' makes that battle's outcome `NA` for that rater. The Chatbot Arena judge
#' file `arena_judge_votes.csv` has raters `winner_human`, `winner_gpt4`,
#' `winner_claude3` and `winner_gpt35`.
#'
#' @param data A data frame of votes (or the path of a .csv or .rds file).
#' @param model_a,model_b Names of the columns with the two models.
#' @param winners Named character vector: rater names (the names) and the
#'   columns holding their votes.
#' @param real Name (in `names(winners)`) of the real rater, usually humans.
#' @param tie_value Outcome of a tie, in \[0, 1\].
#' @param battle `NULL` (battles are numbered by row) or the name of a column
#'   identifying battles.
#' @return A tibble with one row per synthetic rater, battle and model that
#'   played it: `rater`, `battle`, `model`, `opponent`, `real` (the outcome
#'   under the real rater) and `synthetic` (under `rater`).
#' @references Tan, Z. and Zrnic, T. (2026). Valid inference with synthetic
#'   data via task exchangeability.
#'
#'   Chiang, W.-L. et al. (2024). Chatbot Arena: an open platform for
#'   evaluating LLMs by human preference. ICML.
#' @export
#' @examples
#' votes <- data.frame(
#'   model_a = c("m1", "m2", "m1", "m3", "m2", "m3"),
#'   model_b = c("m2", "m3", "m3", "m1", "m1", "m2"),
#'   human = c("model_a", "tie", "model_b", "model_a", "model_b", "tie (bothbad)"),
#'   judge = c("model_a", "model_a", "model_b", "tie", "model_b", "model_b"))
#' units <- pairwise_winrates(votes, winners = c(human = "human", judge = "judge"))
#' units
#' task_summaries(units, c("rater", "model"), "real", "synthetic")
pairwise_winrates <- function(data, model_a = "model_a", model_b = "model_b",
                              winners = c(human = "winner_human", gpt4 = "winner_gpt4",
                                          claude3 = "winner_claude3",
                                          gpt35 = "winner_gpt35"),
                              real = "human", tie_value = 0.5, battle = NULL) {
  data <- read_table_input(data, "data")
  if (!is.character(winners) || is.null(names(winners)) || anyNA(winners) ||
      any(!nzchar(names(winners))) || anyDuplicated(names(winners))) {
    stop_arg("winners", "must be a character vector of vote columns named by rater, ",
             "e.g. c(human = \"winner_human\", gpt4 = \"winner_gpt4\").")
  }
  if (!is.character(real) || length(real) != 1L || !real %in% names(winners)) {
    stop_arg("real", "must be one of the rater names in `winners`: ",
             paste0("'", names(winners), "'", collapse = ", "), ".")
  }
  if (length(winners) < 2L) stop_arg("winners", "must name at least one synthetic rater.")
  tie_value <- check_probability(tie_value, "tie_value", open = FALSE)
  cols <- c(model_a, model_b, unname(winners), battle)
  require_columns(data, cols, "data", format = "pairwise vote")
  battle_id <- if (is.null(battle)) seq_len(nrow(data)) else data[[battle]]
  a <- as.character(data[[model_a]])
  b <- as.character(data[[model_b]])
  if (anyNA(a) || anyNA(b)) {
    stop_arg("data", "has missing model names in row(s) ",
             format_positions(which(is.na(a) | is.na(b))), ".")
  }
  same <- a == b
  if (any(same)) {
    stop_arg("data", "has battles of a model against itself in row(s) ",
             format_positions(which(same)), ".")
  }
  outcome_a <- lapply(winners, function(col) vote_outcome_a(data[[col]], col, tie_value))
  synthetic_raters <- setdiff(names(winners), real)
  per_rater <- lapply(synthetic_raters, function(r) {
    tibble::tibble(
      rater = r, battle = rep(battle_id, 2L), model = c(a, b), opponent = c(b, a),
      real = c(outcome_a[[real]], 1 - outcome_a[[real]]),
      synthetic = c(outcome_a[[r]], 1 - outcome_a[[r]]))
  })
  do.call(rbind, per_rater)
}

# Outcome of model_a under one rater's votes: 1 win, 0 loss, tie_value tie.
vote_outcome_a <- function(vote, col, tie_value) {
  vote <- as.character(vote)
  out <- rep(NA_real_, length(vote))
  out[vote %in% "model_a"] <- 1
  out[vote %in% "model_b"] <- 0
  out[vote %in% c("tie", "tie (bothbad)")] <- tie_value
  bad <- is.na(out) & !is.na(vote)
  if (any(bad)) {
    stop_arg("data", "column '", col, "' has vote(s) other than model_a, model_b, tie ",
             "and tie (bothbad): ", paste0("'", utils::head(unique(vote[bad]), 3L), "'", collapse = ", "),
             " (row(s) ", format_positions(which(bad)), ").")
  }
  out
}
