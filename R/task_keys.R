# Task keys: one or more key columns -> sorted distinct tasks and a 0-based
# code per row. Sorting uses the radix method (C-locale order), so the task
# order, and with it the bootstrap streams keyed by task position, does not
# depend on the user's locale.

task_keys <- function(data, cols) {
  keys <- lapply(cols, function(col) {
    x <- data[[col]]
    if (!is.atomic(x) || is.null(x)) {
      stop_arg("task", "column '", col, "' must be an atomic vector (character, ",
               "factor, number), not ", class(x)[1], ".")
    }
    if (anyNA(x)) {
      stop_arg("task", "column '", col, "' has missing task ids (NA) in row(s) ",
               format_positions(which(is.na(x))), ".")
    }
    if (is.factor(x)) droplevels(x) else x
  })
  names(keys) <- cols
  ord <- do.call(order, c(unname(keys), list(method = "radix")))
  # One key column: match on its values; several: on their joined text.
  id <- if (length(keys) == 1L) keys[[1]] else
    do.call(paste, c(unname(lapply(keys, as.character)), sep = "\x1f"))
  if (is.factor(id)) id <- as.integer(id)
  first <- ord[!duplicated(id[ord])]
  distinct <- tibble::as_tibble(lapply(keys, function(k) k[first]))
  label <- if (length(cols) == 1L) {
    distinct[[1]]
  } else {
    do.call(paste, c(unname(lapply(distinct, as.character)), sep = " / "))
  }
  list(code = match(id, id[first]) - 1L, distinct = distinct, label = label)
}

# Task labels for messages: "task(s) 'a', 'b'".
name_tasks <- function(labels) {
  paste0("task", if (length(labels) == 1L) "" else "s", " ",
         format_positions(paste0("'", labels, "'")))
}
