# Regenerates the quantile reference fixture (R's svyquantile, new-style, survey >= 4.1).
#
#   Rscript scripts/r/make_quantile_fixtures.R     (from the repository root)
#
# Reads the api data the other fixtures wrote (tests/fixtures/r/api*.csv, so R and
# Python see the same numbers) and writes tests/fixtures/r/quantiles.json: each case
# holds the exact R call, the Python spec (design, function arguments) and R's
# quantile, interval and standard error (R derives the SE from the interval width).
suppressMessages({library(survey); library(jsonlite)})
out <- "tests/fixtures/r"
read <- function(nm) read.csv(file.path(out, paste0(nm, ".csv")), stringsAsFactors = FALSE,
                              na.strings = "")
env <- new.env()
for (nm in c("apistrat", "apiclus1", "apisrs", "apiclus1_jk")) assign(nm, read(nm), envir = env)
jw <- as.matrix(env$apiclus1_jk[, grep("^jw", names(env$apiclus1_jk))])
assign("jw", jw, envir = env)

source("scripts/r/designs.R")
designs <- list(
  strat = shared_designs$strat,
  clus1 = shared_designs$clus1,
  srs = list(r = "svydesign(id=~1, fpc=~fpc, data=apisrs)", py = list(data = "apisrs", fpc = "fpc")),
  srs_w = list(r = "svydesign(id=~1, weights=~pw, data=apisrs)",
               py = list(data = "apisrs", weights = "pw")),
  jk1 = list(r = "as.svrepdesign(svydesign(id=~dnum, weights=~pw, data=apiclus1), type='JK1')",
             py = list(data = "apiclus1", ids = "dnum", weights = "pw",
                       replicate = list(type = "JK1"))),
  jk1_cols = list(r = paste0("svrepdesign(data=apiclus1_jk, repweights='^jw', weights=~pw, ",
                             "type='JK1', scale=(ncol(jw)-1)/ncol(jw), combined.weights=TRUE)"),
                  py = list(supplied = list(data = "apiclus1_jk", weights = "pw", prefix = "jw",
                                            type = "JK1", scale = (ncol(jw) - 1) / ncol(jw))))
)
options(survey.lonely.psu = "fail")

num <- function(x) if (is.null(x) || length(x) == 0 || is.na(x)) NA_real_ else as.numeric(x)
# one row per variable and probability of a newsvyquantile result
rows_q <- function(q, by = NULL) {
  out <- list()
  for (v in names(q)) {
    m <- q[[v]]
    for (i in seq_len(nrow(m))) out[[length(out) + 1]] <- list(
      variable = v, quantile = as.numeric(rownames(m)[i]), by = by,
      estimate = num(m[i, 1]), conf_low = num(m[i, 2]), conf_high = num(m[i, 3]),
      std_error = num(m[i, 4]))
  }
  out
}
# svyby(..., svyquantile, vartype=c("se", "ci")): one row per domain and probability.
# The interval is svyquantile's own (the ci_l/ci_u columns svyby stores), not
# confint(b), which would redo a Wald interval from the SE.
rows_by <- function(b, byvar, variable, probs) {
  k <- length(probs); nb <- 1
  out <- list()
  for (g in seq_len(nrow(b))) for (j in seq_len(k)) {
    by <- list(as.character(b[[byvar]][g])); names(by) <- byvar
    out[[length(out) + 1]] <- list(
      variable = variable, quantile = probs[j], by = by, estimate = num(b[g, nb + j]),
      conf_low = num(b[g, nb + 2 * k + j]), conf_high = num(b[g, nb + 3 * k + j]),
      std_error = num(b[g, nb + k + j]))
  }
  out
}

cases <- list()
case <- function(id, key, call, args, convert = rows_q) {
  d <- eval(parse(text = designs[[key]]$r), envir = env)
  assign("d", d, envir = env)
  res <- eval(parse(text = call), envir = env)
  cases[[length(cases) + 1]] <<- list(id = id, design_r = designs[[key]]$r,
                                      design = designs[[key]]$py, call = call, fn = "quantile",
                                      args = args, tol = 1e-6, rows = convert(res))
}
A <- function(...) list(...)
Q <- c(0.25, 0.5, 0.75)
qtxt <- "c(0.25, 0.5, 0.75)"

# ---- every interval type, linearisation designs -------------------------------------
for (key in c("strat", "clus1", "srs", "srs_w")) {
  for (ci in c("mean", "beta", "xlogit", "asin", "score")) {
    case(paste0(key, "_", ci), key,
         sprintf("svyquantile(~api00, d, %s, interval.type='%s')", qtxt, ci),
         A(var = "api00", quantiles = Q, interval = ci))
    case(paste0(key, "_meals_", ci), key,
         sprintf("svyquantile(~meals, d, %s, interval.type='%s')", qtxt, ci),
         A(var = "meals", quantiles = Q, interval = ci))
  }
}
# ---- quantile rules (ties: meals is an integer percentage) -----------------------------
rules <- c("math", "school", "shahvaish", paste0("hf", 1:9))
for (key in c("strat", "clus1", "srs")) for (rule in rules) for (v in c("api00", "meals")) {
  case(paste0(key, "_", v, "_", rule), key,
       sprintf("svyquantile(~%s, d, c(0.1, 0.25, 0.5, 0.75, 0.9), qrule='%s')", v, rule),
       A(var = v, quantiles = c(0.1, 0.25, 0.5, 0.75, 0.9), qrule = rule))
}
case("strat_school_beta", "strat",
     sprintf("svyquantile(~api00, d, %s, interval.type='beta', qrule='school')", qtxt),
     A(var = "api00", quantiles = Q, interval = "beta", qrule = "school"))
case("clus1_school_score", "clus1",
     sprintf("svyquantile(~api00, d, %s, interval.type='score', qrule='school')", qtxt),
     A(var = "api00", quantiles = Q, interval = "score", qrule = "school"))
# ---- other probabilities, levels, several variables ------------------------------------
case("strat_tails", "strat", "svyquantile(~api00+api99, d, c(0.01, 0.05, 0.95, 0.99))",
     A(var = list("api00", "api99"), quantiles = c(0.01, 0.05, 0.95, 0.99)))
for (ci in c("mean", "beta", "score"))
  case(paste0("strat_dfinf_", ci), "strat",
       sprintf("svyquantile(~api00, d, %s, interval.type='%s', df=Inf)", qtxt, ci),
       A(var = "api00", quantiles = Q, interval = ci, df = "Inf"))
case("clus1_level90", "clus1", sprintf("svyquantile(~api00, d, %s, alpha=0.1)", qtxt),
     A(var = "api00", quantiles = Q, level = 0.9))
# ---- replicate designs ---------------------------------------------------------------
# (R's svyquantile on replicate designs offers beta, xlogit and asin but computes the
# Woodruff "mean" interval for them: only "mean" and "quantile" are fixtures)
for (key in c("jk1", "jk1_cols")) for (ci in c("mean", "quantile")) {
  case(paste0(key, "_", ci), key,
       sprintf("suppressWarnings(svyquantile(~api00, d, %s, interval.type='%s'))", qtxt, ci),
       A(var = "api00", quantiles = Q, interval = ci))
}
case("jk1_school", "jk1", sprintf("svyquantile(~meals, d, %s, qrule='school')", qtxt),
     A(var = "meals", quantiles = Q, qrule = "school"))
case("jk1_hf7_quantile", "jk1",
     sprintf("suppressWarnings(svyquantile(~meals, d, %s, qrule='hf7', interval.type='quantile'))",
             qtxt),
     A(var = "meals", quantiles = Q, qrule = "hf7", interval = "quantile"))
# ---- domains (svyby) and subpopulations (where) ------------------------------------------
for (key in c("strat", "clus1", "srs", "jk1")) {
  case(paste0(key, "_median_by"), key,
       "svyby(~api00, ~stype, d, svyquantile, quantiles=0.5, vartype=c('se', 'ci'))",
       A(var = "api00", quantiles = list(0.5), by = "stype"),
       function(b) rows_by(b, "stype", "api00", 0.5))
  case(paste0(key, "_quartiles_by"), key,
       sprintf("svyby(~meals, ~stype, d, svyquantile, quantiles=%s, vartype=c('se', 'ci'))", qtxt),
       A(var = "meals", quantiles = Q, by = "stype"),
       function(b) rows_by(b, "stype", "meals", Q))
}
case("strat_score_by", "strat",
     "svyby(~api00, ~stype, d, svyquantile, quantiles=0.5, interval.type='score', vartype=c('se', 'ci'))",
     A(var = "api00", quantiles = list(0.5), by = "stype", interval = "score"),
     function(b) rows_by(b, "stype", "api00", 0.5))
case("jk1_quantile_by", "jk1",
     paste0("suppressWarnings(svyby(~api00, ~stype, d, svyquantile, quantiles=0.5, ",
            "interval.type='quantile', vartype=c('se', 'ci')))"),
     A(var = "api00", quantiles = list(0.5), by = "stype", interval = "quantile"),
     function(b) rows_by(b, "stype", "api00", 0.5))
for (key in c("strat", "clus1", "jk1"))
  case(paste0(key, "_where"), key, sprintf("svyquantile(~api00, subset(d, api99 > 600), %s)", qtxt),
       A(var = "api00", quantiles = Q, where = "api99 > 600"))

# ---- the academy wave: the median offered salary multiple (the flagship plan's figure) ----
# Exported from sample_data/academy_2025.xlsx read with its codebook (as `survey ingest`
# does): division, gender, the offer answers and each division's membership. Designs as
# analyses/brain_drain_2025.toml: unweighted, and strata + fpc post-stratified to
# division x gender.
acsv <- file.path(out, "academy_salary_2025.csv")
export <- "
import sys
import polars as pl
from survey import load_codebook, read_survey
wave = read_survey('sample_data/academy_2025.xlsx', load_codebook('schemas/academy_member_survey.yaml'))
pop = (pl.read_csv('sample_data/population_2025.csv').filter(pl.col('variable') == 'division')
       .select(pl.col('category').alias('division'), 'population'))
(wave.frame.select('division', 'gender', 'offer_received', 'salary_multiple')
 .with_columns(pl.col('division', 'gender', 'offer_received').cast(pl.String))
 .join(pop, on='division', how='left', maintain_order='left')
 .write_csv(sys.argv[1]))
"
if (system2(Sys.getenv("PYTHON", "python3"), c("-c", shQuote(export), acsv)) != 0)
  stop("the export failed: is the survey package importable by PYTHON?")
assign("academy", read.csv(acsv, stringsAsFactors = FALSE, na.strings = ""), envir = env)
pop <- read.csv("sample_data/population_2025.csv", stringsAsFactors = FALSE)
pop <- pop[pop$variable == "division:gender", ]
cells <- do.call(rbind, strsplit(pop$category, ":", fixed = TRUE))
assign("cells", data.frame(division = cells[, 1], gender = cells[, 2], Freq = pop$population),
       envir = env)
designs$academy_unweighted <- list(r = "svydesign(ids=~1, data=academy)",
                                   py = list(data = "academy_salary_2025"))
designs$academy_weighted <- list(
  r = paste0("postStratify(svydesign(ids=~1, strata=~division, fpc=~population, data=academy), ",
             "~division+gender, cells)"),
  py = list(data = "academy_salary_2025", strata = "division", fpc = "population",
            poststratify = "division:gender"))
# (not the score interval on the post-stratified design: R's subset of a calibrated
# design keeps the rows outside the domain, and the score interval's data range and
# unweighted share then count them, their missing values set to 0; docs/estimation.md)
for (key in c("academy_unweighted", "academy_weighted"))
  for (ci in if (key == "academy_weighted") "mean" else c("mean", "score"))
  case(paste0(key, "_median_", ci), key,
       sprintf("svyquantile(~salary_multiple, subset(d, offer_received == 'Yes'), 0.5, na.rm=TRUE, interval.type='%s')", ci),
       A(var = "salary_multiple", quantiles = list(0.5), where = "offer_received = 'Yes'",
         interval = ci))

header <- list(r_version = R.version.string, survey_version = as.character(packageVersion("survey")),
               script = "scripts/r/make_quantile_fixtures.R",
               note = paste("each case: the exact R call, the Python spec, and R's numbers;",
                            "a null interval end is R's NaN (the probability interval left [0, 1])"))
writeLines(toJSON(list(header = header, cases = cases), auto_unbox = TRUE, digits = NA,
                  null = "null", na = "null", pretty = FALSE),
           file.path(out, "quantiles.json"))
cat(sprintf("%d cases, %d rows\n", length(cases),
            sum(vapply(cases, function(c) length(c$rows), 1L))))
