# The set-up make_weighting_fixtures.R and make_calibration_extras_fixtures.R share, sourced
# from the repository root after `out` is set and weighting_margins.csv written:
# the margins as R populations in `env` (with the api data), the base designs, the
# weighting (W) and step (S) records, and the loop that weights each design and runs
# `calls` on it. The scripts then define `weightings` and `calls`.
mfile <- "weighting_margins.csv"
m <- read.csv(file.path(out, mfile), stringsAsFactors = FALSE, na.strings = "NONE")
tot <- function(v, cat) m$population[m$variable == v & m$category == cat]
N <- sum(m$population[m$variable == "stype"])

env <- new.env()
assign("apiclus1", apiclus1, envir = env); assign("apistrat", apistrat, envir = env)
assign("apiclus2", apiclus2, envir = env)
assign("pop_cal", c(`(Intercept)` = N, stypeH = tot("stype", "H"), stypeM = tot("stype", "M"),
                    sch.wideYes = tot("sch.wide", "Yes")), envir = env)
assign("pop_cal99", c(`(Intercept)` = N, stypeH = tot("stype", "H"), stypeM = tot("stype", "M"),
                      api99 = m$population[m$variable == "api99"]), envir = env)

designs <- list(
  clus1 = list(r = "svydesign(id=~dnum, weights=~pw, fpc=~fpc, data=apiclus1)",
               py = list(data = "apiclus1", ids = "dnum", weights = "pw", fpc = "fpc")),
  strat = list(r = "svydesign(id=~1, strata=~stype, weights=~pw, fpc=~fpc, data=apistrat)",
               py = list(data = "apistrat", strata = "stype", weights = "pw", fpc = "fpc")),
  clus2 = list(r = "svydesign(id=~dnum+snum, weights=~pw, data=apiclus2)",
               py = list(data = "apiclus2", ids = c("dnum", "snum"), weights = "pw")))

# each weighting: base design, R call on `b`, and the Python steps
W <- function(design, r, steps) list(design = design, r = r, steps = steps)
S <- function(method, ...) list(method = method, margins = mfile, ...)
A <- function(...) list(...)
num <- function(x) if (is.null(x) || length(x) == 0) NA_real_ else as.numeric(x)

weighted <- function(key) {
  w <- weightings[[key]]
  assign("b", eval(parse(text = designs[[w$design]]$r), envir = env), envir = env)
  eval(parse(text = w$r), envir = env)
}

# every weighting of `weightings` with its weights, and each of `calls` (name, R call on
# `d`, Python args, rows function) on the weighted design; fn_of(name): the Python function
run_weightings <- function(calls, fn_of) {
  wout <- list(); cases <- list()
  for (key in names(weightings)) {
    d <- weighted(key)
    w <- weightings[[key]]
    wout[[length(wout) + 1]] <- list(id = key, design_r = designs[[w$design]]$r,
      design = designs[[w$design]]$py, weighting_r = w$r, steps = w$steps,
      weights = as.numeric(weights(d)))
    assign("d", d, envir = env)
    for (cl in calls) {
      res <- eval(parse(text = cl[[2]]), envir = env)
      cases[[length(cases) + 1]] <- list(
        id = paste(key, cl[[1]], sep = "_"), weighting = key, design_r = designs[[w$design]]$r,
        weighting_r = w$r, call = cl[[2]], fn = fn_of(cl[[1]]), args = cl[[3]], tol = 1e-6,
        rows = cl[[4]](res))
    }
  }
  list(weightings = wout, cases = cases)
}

write_weightings <- function(header, done, file) {
  writeLines(toJSON(list(header = header, weightings = done$weightings, cases = done$cases),
                    auto_unbox = TRUE, digits = NA, null = "null", na = "null", pretty = FALSE),
             file.path(out, file))
  cat("wrote", length(done$weightings), "weightings and", length(done$cases), "cases\n")
}
