# Long computations in the Rust core run on worker threads while R's main
# thread polls for the interrupt key every 20 ms and updates a progress bar
# (src/rust/src/watch.rs). This file is the R half: it builds the progress
# callback the Rust side calls, and turns a cancelled computation into the
# interrupt condition a user expects from Ctrl-C / Esc.

# Message of the error by which the Rust side reports a cancelled
# computation; keep in sync with INTERRUPTED in src/rust/src/watch.rs.
interrupted_message <- "synthinfer: interrupted by the user"

# Call `run(progress)`, where `run` calls a watched Rust routine and passes
# it `progress`, NULL or a function(done, total) that drives a cli progress
# bar labeled `label`. The bar appears only when the computation lasts more
# than a couple of seconds (cli's `show_after`), and only when
# getOption("synthinfer.progress") is TRUE, by default in interactive
# sessions: knitting and Rscript stay silent unless asked. An interrupt
# during the run is re-signalled as an R interrupt.
run_interruptible <- function(label, run) {
  bar <- NULL
  progress <- NULL
  if (isTRUE(getOption("synthinfer.progress", interactive()))) {
    progress <- function(done, total) {
      if (is.null(bar)) {
        if (total <= 0) return(NULL) # the size is not announced yet
        bar <<- cli::cli_progress_bar(label, total = total, .envir = frame)
      }
      cli::cli_progress_update(set = done, id = bar, .envir = frame)
      NULL
    }
  }
  frame <- environment()
  tryCatch(run(progress), error = function(e) {
    if (identical(conditionMessage(e), interrupted_message)) raise_interrupt()
    stop(e)
  })
}

# Signal an interrupt as R itself does on Ctrl-C: handlers established for
# class "interrupt" (tryCatch(interrupt = ...)) see it; without one, control
# returns to the top level (in Rscript, execution halts).
raise_interrupt <- function() {
  signalCondition(structure(class = c("interrupt", "condition"),
                            list(message = "", call = NULL)))
  invokeRestart("abort")
}
