# Regenerates the model-choice fixtures (issue 23, item 3): design-based AIC and BIC
# (R's AIC.svyglm, BIC.svyglm; Lumley and Scott 2015) and pseudo-R squared (psrsq).
#
#   SURVEY_DAIC=/path/to/survey-4.5/R/dAIC.R Rscript scripts/r/make_modelchoice_fixtures.R
#
# survey 4.1.1's AIC for linear regression (gaussian, identity link) has a wrong penalty
# and divides by sigma^2; survey 4.2-1 fixed both (NEWS: "Fixed the penalty term in AIC for
# linear regression. Also stop scaling by sigma2"), unchanged to 4.5. The fixture follows
# the fixed formula: SURVEY_DAIC names R/dAIC.R of a survey >= 4.4 source tree (e.g. the
# CRAN mirror's, version 4.5), sourced into a namespace child so that its extractAIC
# methods run on 4.1.1's fits (svyglm objects are the same); nothing of it is copied here.
# Reads the api data make_fixtures.R wrote; writes tests/fixtures/r/modelchoice.json.
suppressMessages({library(survey); library(jsonlite)})
src <- Sys.getenv("SURVEY_DAIC")
if (!nzchar(src) || !file.exists(src)) stop("set SURVEY_DAIC to R/dAIC.R of survey >= 4.4")
fixed <- new.env(parent = asNamespace("survey"))
sys.source(src, envir = fixed)
out <- "tests/fixtures/r"
rd <- function(nm) read.csv(file.path(out, paste0(nm, ".csv")), stringsAsFactors = TRUE)
env <- new.env()
for (nm in c("apistrat", "apiclus1", "apiclus2")) assign(nm, rd(nm), envir = env)

source("scripts/r/designs.R")
designs <- c(shared_designs, list(
  jk1 = list(r = "as.svrepdesign(svydesign(id=~dnum, weights=~pw, fpc=~fpc, data=apiclus1), type='JK1')",
             py = list(data = "apiclus1", ids = "dnum", weights = "pw", fpc = "fpc",
                       replicate = list(type = "JK1")))))

num <- function(x) if (is.null(x) || length(x) == 0) NA_real_ else as.numeric(x)
aic_of <- function(m) {
  a <- if (survey:::is.svylm(m)) fixed$extractAIC_svylm(m) else fixed$extractAIC.svyglm(m)
  list(eff_p = num(a["eff.p"]), aic = num(a["AIC"]), deltabar = num(a["deltabar"]))
}
bic_of <- function(m, M) {
  b <- BIC(m, maximal = M)
  list(p = num(b["p"]), bic = num(b["BIC"]), neff = num(b["neff"]))
}
r2_of <- function(m) {
  if (!(m$family$family %in% c("binomial", "quasibinomial", "poisson", "quasipoisson")))
    return(NULL)
  list(cox_snell = num(psrsq(m, method = "Cox-Snell")),
       nagelkerke = num(suppressWarnings(psrsq(m, method = "Nagelkerke"))))
}

cases <- list()
# one case: model m (formula, family) on design key, BIC against maximal model M (the
# model itself when M_formula is NULL); py: the Python formulas, family and where
mc_case <- function(id, key, formula, family, py, M_formula = NULL, subset = NULL) {
  d <- eval(parse(text = designs[[key]]$r), envir = env)
  if (!is.null(subset)) d <- eval(parse(text = sprintf("subset(d, %s)", subset)))
  assign("d", d, envir = env)
  assign("d", d, envir = globalenv())  # regTermTest's update() looks for it from its frame
  call <- sprintf("svyglm(%s, design=d, family=%s)", formula, family)
  m <- eval(parse(text = call), envir = env)
  M <- m
  Mcall <- NULL
  if (!is.null(M_formula)) {
    Mcall <- sprintf("svyglm(%s, design=d, family=%s)", M_formula, family)
    M <- eval(parse(text = Mcall), envir = env)
  }
  cases[[length(cases) + 1]] <<- list(
    id = id, design_r = designs[[key]]$r, design = designs[[key]]$py, subset = subset,
    call = call, maximal_call = Mcall, args = py, tol = 1e-6, deviance = num(deviance(m)),
    aic = aic_of(m), bic = bic_of(m, M), pseudo_r2 = r2_of(m))
}
A <- function(...) list(...)
logit_big <- "sch.wide ~ api99 + meals + stype"
logit_py <- "Q('sch.wide') ~ api99 + meals + C(stype)"
for (key in c("strat", "clus1", "clus2_fpc", "jk1")) {
  mc_case(paste0(key, "_logit"), key, logit_big, "quasibinomial()",
          A(formula = logit_py, family = "binomial"))
  mc_case(paste0(key, "_logit_small"), key, "sch.wide ~ meals", "quasibinomial()",
          A(formula = "Q('sch.wide') ~ meals", family = "binomial", maximal = logit_py),
          M_formula = logit_big)
  mc_case(paste0(key, "_poisson"), key, "enroll ~ meals + stype", "quasipoisson()",
          A(formula = "enroll ~ meals + C(stype)", family = "poisson"))
  mc_case(paste0(key, "_gaussian"), key, "api00 ~ meals + stype", "gaussian()",
          A(formula = "api00 ~ meals + C(stype)", family = "gaussian"))
  mc_case(paste0(key, "_gaussian_small"), key, "api00 ~ meals", "gaussian()",
          A(formula = "api00 ~ meals", family = "gaussian", maximal = "api00 ~ meals + C(stype)"),
          M_formula = "api00 ~ meals + stype")
}
mc_case("strat_gaussian_log", "strat", "api00 ~ meals + stype", "gaussian(link='log')",
        A(formula = "api00 ~ meals + C(stype)", family = "gaussian", link = "log"))
mc_case("strat_logit_domain", "strat", "sch.wide ~ api99 + meals", "quasibinomial()",
        A(formula = "Q('sch.wide') ~ api99 + meals", family = "binomial", where = "stype <> 'E'"),
        subset = "stype != 'E'")
mc_case("clus1_gaussian_domain", "clus1", "api00 ~ meals + api99", "gaussian()",
        A(formula = "api00 ~ meals + api99", family = "gaussian", where = "stype = 'E'"),
        subset = "stype == 'E'")

# ---- the academy: two models of acceptance intent under the flagship plan's designs ----
# Exports both waves as `survey run` loads them (with the flagship plan's [derive]) to
# tests/fixtures/r/academy_intent.csv; designs as analyses/brain_drain_2025.toml on the
# 2025 wave: strata division with the membership as fpc, post-stratified to division x
# gender (weighted), or equal weights (unweighted). tests/plans/test_model_choice_plan.py runs the
# same [[model]] entries through a plan.
acsv <- file.path(out, "academy_intent.csv")
export <- "
import sys, tempfile
from pathlib import Path
import polars as pl
from survey.plans import run_plan
from survey.plans._data import load_data
root = Path.cwd()
plan = f'''[plan]
title = \"export\"
[[inputs.wave]]
id = \"2023\"
file = \"{root}/sample_data/academy_2023.csv\"
codebook = \"{root}/schemas/academy_member_survey_2023.yaml\"
[[inputs.wave]]
id = \"2025\"
file = \"{root}/sample_data/academy_2025.xlsx\"
codebook = \"{root}/schemas/academy_member_survey.yaml\"
[derive]
autonomy = {{ score = \"push_autonomy\" }}
seniority_pay = {{ score = \"push_seniority_pay\" }}
china = \"offer_countries__china\"
going = \"intent IN (\'Accepted\', \'Seriously considering\')\"
[[estimate]]
id = \"n\"
statistic = \"proportion\"
variable = \"offer_received\"
'''
with tempfile.TemporaryDirectory() as tmp:
    (Path(tmp) / 'p.toml').write_text(plan)
    res = run_plan(Path(tmp) / 'p.toml', Path(tmp) / 'out', store=Path(tmp) / 'store')
    data = load_data(res.plan, Path(tmp) / 'store')
pop = (pl.read_csv('sample_data/population_2025.csv').filter(pl.col('variable') == 'division')
       .select(pl.col('category').alias('division'), 'population'))
(data.frame.select(pl.col('wave', 'division', 'gender', 'offer_received', 'age_band',
                          'institution_type').cast(pl.String),
                   'salary_multiple', 'autonomy', 'seniority_pay',
                   pl.col('china', 'going').cast(pl.Int8))
 .join(pop, on='division', how='left', maintain_order='left')
 .write_csv(sys.argv[1]))
"
if (system2(Sys.getenv("PYTHON", "python3"), c("-c", shQuote(export), acsv)) != 0)
  stop("the export failed: is the survey package importable by PYTHON?")
ac <- read.csv(acsv, stringsAsFactors = FALSE, na.strings = "")
ac$ws <- paste(ac$wave, ac$division, sep = ":")
ac$cell <- paste(ac$wave, ac$division, ac$gender, sep = ":")
pg <- read.csv("sample_data/population_2025.csv", stringsAsFactors = FALSE)
pg <- pg[pg$variable == "division:gender", ]
assign("pop", data.frame(cell = paste0("2025:", pg$category), Freq = pg$population),
       envir = env)
# a [[model]] without waves = [...] is fitted on the latest wave (2025), as here
assign("academy", ac[ac$wave == "2025", ], envir = env)
designs$academy_weighted <- list(
  r = paste0("postStratify(svydesign(ids=~1, strata=~ws, fpc=~population, data=academy), ",
             "~cell, pop)"), py = list(plan = "weighted"))
designs$academy_unweighted <- list(r = "svydesign(ids=~1, data=academy)",
                                   py = list(plan = "unweighted"))
full <- paste("going ~ division + age_band + institution_type + salary_multiple + autonomy",
              "+ seniority_pay + china")
small <- "going ~ salary_multiple + autonomy + seniority_pay"
for (key in c("academy_weighted", "academy_unweighted")) {
  mc_case(paste0(key, "_intent_full"), key, full, "quasibinomial()",
          A(model = "intent_logit", family = "binomial"), M_formula = full,
          subset = "offer_received == 'Yes'")
  mc_case(paste0(key, "_intent_small"), key, small, "quasibinomial()",
          A(model = "intent_logit_small", family = "binomial"), M_formula = full,
          subset = "offer_received == 'Yes'")
}

header <- list(r_version = R.version.string, survey_version = as.character(packageVersion("survey")),
               daic_source = "survey 4.5 R/dAIC.R (SURVEY_DAIC): extractAIC.svyglm, extractAIC_svylm",
               script = "scripts/r/make_modelchoice_fixtures.R",
               note = paste("aic: extractAIC of the fit (eff.p, AIC, deltabar), the gaussian by",
                            "the fixed formula of survey >= 4.2-1; bic: BIC(m, maximal=M);",
                            "pseudo_r2: psrsq Cox-Snell and Nagelkerke (discrete families only)"))
writeLines(toJSON(list(header = header, cases = cases), auto_unbox = TRUE, digits = NA,
                  null = "null", na = "null", pretty = FALSE),
           file.path(out, "modelchoice.json"))
cat(sprintf("%d cases\n", length(cases)))
