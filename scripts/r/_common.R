# Helpers the fixture scripts share, sourced from the repository root after `out` (the
# fixture folder) is set: add() collects the cases, write_cases() writes them under a
# header as one JSON file; subset_design() and subset_call() evaluate and spell a design
# of the script's `designs` (R calls on data in the global environment), subset or not.
cases <- list()
add <- function(case) cases[[length(cases) + 1]] <<- case

write_cases <- function(header, file, ...) {
  writeLines(toJSON(list(header = header, cases = cases), auto_unbox = TRUE, digits = NA,
                    null = "null", pretty = FALSE, ...), file.path(out, file))
}

subset_design <- function(key, where = NULL) {
  des <- eval(parse(text = designs[[key]]$r))
  if (!is.null(where)) des <- eval(parse(text = sprintf("subset(des, %s)", where)))
  des
}
subset_call <- function(key, where) if (is.null(where)) designs[[key]]$r else
  sprintf("subset(%s, %s)", designs[[key]]$r, where)
