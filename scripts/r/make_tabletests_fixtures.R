# R reference fixtures for svychisq's other statistics (Wald, adjWald, lincom, saddlepoint)
# and svygofchisq (goodness of fit to known shares).
#
#   R_LIBS=<a library holding CompQuadForm and jsonlite> Rscript scripts/r/make_tabletests_fixtures.R
#
# `lincom` is computed as R computes it WITH CompQuadForm installed (without it survey
# silently falls back to the saddlepoint): the script stops if CompQuadForm is missing.
# CompQuadForm is not in Debian: it was installed from github:cran/CompQuadForm with
# `R CMD INSTALL` for generating these numbers only. Reads the api data make_fixtures.R
# wrote; writes tests/fixtures/r/tabletests.json.
suppressMessages({library(survey); library(jsonlite)})
stopifnot(requireNamespace("CompQuadForm", quietly = TRUE))
out <- "tests/fixtures/r"
rd <- function(nm) read.csv(file.path(out, paste0(nm, ".csv")))
env <- new.env()
for (nm in c("apistrat", "apiclus1", "apiclus2")) assign(nm, rd(nm), envir = env)
source("scripts/r/designs.R")
designs <- c(shared_designs, list(
  jk1 = list(r = "as.svrepdesign(svydesign(id=~dnum, weights=~pw, data=apiclus1), type='JK1')",
             py = list(data = "apiclus1", ids = "dnum", weights = "pw",
                       replicate = list(type = "JK1")))
))
options(survey.lonely.psu = "fail")
num <- function(x) if (is.null(x) || length(x) == 0) NA_real_ else as.numeric(x)
cases <- list()
case <- function(id, key, call, fn, args) {
  assign("d", eval(parse(text = designs[[key]]$r), envir = env), envir = env)
  t <- eval(parse(text = call), envir = env)
  df <- if (fn == "gof") as.numeric(t$parameter["df"]) else as.numeric(t$parameter)
  cases[[length(cases) + 1]] <<- list(id = id, design_r = designs[[key]]$r,
    design = designs[[key]]$py, call = call, fn = fn, args = args, tol = 1e-6,
    rows = list(list(statistic = num(t$statistic), df = I(df), p_value = num(t$p.value))))
}
A <- function(...) list(...)
for (key in c("strat", "clus1", "clus2_fpc", "jk1")) {
  for (st in c("Wald", "adjWald", "lincom", "saddlepoint")) {
    case(paste(key, st, sep = "_"), key, sprintf("svychisq(~sch.wide+stype, d, statistic='%s')", st),
         "chisq", A(row = "sch.wide", col = "stype", statistic = st))
    case(paste(key, st, "3x2_domain", sep = "_"), key,
         sprintf("svychisq(~stype+awards, subset(d, api99 > 550), statistic='%s')", st),
         "chisq", A(row = "stype", col = "awards", statistic = st, where = "api99 > 550"))
  }
  if (key != "strat")  # stratified by stype, its totals are known: no variance
    case(paste0(key, "_gof_stype"), key, "svygofchisq(~stype, p=c(0.7, 0.12, 0.18), d)", "gof",
         A(var = "stype", expected = A(E = 0.7, H = 0.12, M = 0.18)))
  case(paste0(key, "_gof_schwide_domain"), key,
       "svygofchisq(~sch.wide, p=c(0.2, 0.8), subset(d, stype != 'H'))", "gof",
       A(var = "sch.wide", expected = A(No = 0.2, Yes = 0.8), where = "stype <> 'H'"))
  case(paste0(key, "_gof_awards_counts"), key, "svygofchisq(~awards, p=c(2000, 4194), d)", "gof",
       A(var = "awards", expected = A(No = 2000, Yes = 4194)))
}
header <- list(r_version = R.version.string, survey_version = as.character(packageVersion("survey")),
               compquadform_version = as.character(packageVersion("CompQuadForm")),
               script = "scripts/r/make_tabletests_fixtures.R",
               note = "each case: the exact R call, the Python spec, and R's numbers")
writeLines(toJSON(list(header = header, cases = cases), auto_unbox = TRUE, digits = NA,
                  null = "null", na = "null", pretty = FALSE), file.path(out, "tabletests.json"))
cat(length(cases), "table test cases\n")
