# Regenerates the marginpred fixtures (issue 23, item 3): predictions standardised to the
# sample's margins by raking, R's marginpred(model, adjustfor, predictat) on svyglm fits.
#
#   Rscript scripts/r/make_marginpred_fixtures.R     (from the repository root)
#
# R's marginpred.svyglm rakes with grake(epsilon = 1e-4, maxit = 100) written into its
# body; the fixture runs it at tight controls (the same function with epsilon = 1e-9, an
# absolute misfit, and maxit = 1000), so the raking's solution, not its stopping point, is
# compared. Reads the api data make_fixtures.R wrote; writes
# tests/fixtures/r/marginpred.json (each case: the exact calls, the Python spec, R's
# predictions and SEs).
suppressMessages({library(survey); library(jsonlite)})
out <- "tests/fixtures/r"
rd <- function(nm) read.csv(file.path(out, paste0(nm, ".csv")), stringsAsFactors = TRUE)
env <- new.env()
for (nm in c("apistrat", "apiclus1", "apiclus2")) assign(nm, rd(nm), envir = env)
tight <- survey:::marginpred.svyglm
body(tight) <- parse(text = sub("epsilon = 1e-04, maxit = 100", "epsilon = 1e-09, maxit = 1000",
                                paste(deparse(body(tight)), collapse = "\n"), fixed = TRUE))[[1]]
stopifnot(any(grepl("1e-09", deparse(body(tight)))))
assign("marginpred_tight", tight, envir = env)

source("scripts/r/designs.R")
designs <- shared_designs
num <- function(x) as.numeric(x)
cases <- list()
mp_case <- function(id, key, formula, family, adjust, at, type, py) {
  d <- eval(parse(text = designs[[key]]$r), envir = env)
  assign("d", d, envir = env)
  assign("d", d, envir = globalenv())
  assign("at", at, envir = env)
  call <- sprintf("svyglm(%s, design=d, family=%s)", formula, family)
  m <- eval(parse(text = call), envir = env)
  assign("m", m, envir = env)
  mcall <- sprintf("marginpred_tight(m, adjustfor=%s, predictat=at, type='%s')", adjust, type)
  p <- eval(parse(text = mcall), envir = env)
  cases[[length(cases) + 1]] <<- list(
    id = id, design_r = designs[[key]]$r, design = designs[[key]]$py, call = call,
    marginpred_call = mcall, predictat = as.list(at), args = py, tol = 1e-6,
    estimate = num(coef(p)), std_error = num(SE(p)))
}
at <- data.frame(meals = c(20, 50, 80), stype = factor(c("E", "H", "M"), levels = c("E", "H", "M")))
A <- function(...) list(...)
# R's raking (Newton on exp, from weights of ~30 and products of ~1e4) fails on many
# combinations ("Calibration failed"); these are the ones it solves on each design
adjusts <- list(strat = c("~yr.rnd", "~enroll"), strat_nofpc = "~yr.rnd",
                clus1 = "~comp.imp + both", clus2_fpc = c("~comp.imp + both", "~comp.imp"))
py_adj <- c("~yr.rnd" = "~ Q('yr.rnd')", "~enroll" = "~ enroll",
            "~comp.imp + both" = "~ Q('comp.imp') + both", "~comp.imp" = "~ Q('comp.imp')")
for (key in names(adjusts)) for (adj in adjusts[[key]]) for (type in c("link", "response")) {
  tag <- gsub("[^a-z]+", "_", adj)
  mp_case(paste0(key, "_gaussian", tag, type), key, "api00 ~ meals + stype", "gaussian()",
          adj, at, type, A(formula = "api00 ~ meals + C(stype)", family = "gaussian",
                           adjustfor = py_adj[[adj]], scale = type))
  mp_case(paste0(key, "_logit", tag, type), key, "sch.wide ~ meals + stype", "quasibinomial()",
          adj, at, type, A(formula = "Q('sch.wide') ~ meals + C(stype)", family = "binomial",
                           adjustfor = py_adj[[adj]], scale = type))
}
mp_case("strat_poisson_response", "strat", "enroll ~ meals + stype", "quasipoisson()",
        "~yr.rnd", at, "response",
        A(formula = "enroll ~ meals + C(stype)", family = "poisson", adjustfor = "~ Q('yr.rnd')",
          scale = "response"))

header <- list(r_version = R.version.string, survey_version = as.character(packageVersion("survey")),
               script = "scripts/r/make_marginpred_fixtures.R",
               note = "marginpred.svyglm with grake(epsilon = 1e-9, maxit = 1000)")
writeLines(toJSON(list(header = header, cases = cases), auto_unbox = TRUE, digits = NA,
                  null = "null", na = "null", pretty = FALSE),
           file.path(out, "marginpred.json"))
cat(sprintf("%d cases\n", length(cases)))
