# Regenerates the fixtures of `survey stats marginpred --where` and of a plan's
# `marginpred = {...}` on a [[model]] (issue 23, item 3): R's marginpred on a domain
# (subset) of apistrat, and on the academy sample's acceptance intent under the designs
# tests/plans/test_marginpred_plan.py gives (strata division with the membership as fpc;
# equal weights), at the tight raking controls of make_marginpred_fixtures.R.
#
#   Rscript scripts/r/make_marginpred_cli_fixtures.R     (from the repository root)
#
# Reads tests/fixtures/r/apistrat.csv and tests/fixtures/r/academy_intent.csv (exported by
# make_modelchoice_fixtures.R from the plan's [derive]); writes
# tests/fixtures/r/marginpred_cli.json.
suppressMessages({library(survey); library(jsonlite)})
out <- "tests/fixtures/r"
tight <- survey:::marginpred.svyglm
body(tight) <- parse(text = sub("epsilon = 1e-04, maxit = 100", "epsilon = 1e-09, maxit = 1000",
                                paste(deparse(body(tight)), collapse = "\n"), fixed = TRUE))[[1]]
stopifnot(any(grepl("1e-09", deparse(body(tight)))))

apistrat <- read.csv(file.path(out, "apistrat.csv"), stringsAsFactors = TRUE)
academy <- read.csv(file.path(out, "academy_intent.csv"), stringsAsFactors = FALSE,
                    na.strings = "")
academy <- academy[academy$wave == "2025", ]
academy$ws <- paste(academy$wave, academy$division, sep = ":")

cases <- list()
mp_case <- function(id, design, subset, formula, family, adjust, at, type, extra = list()) {
  # marginpred re-evaluates the model's call, so the calls run as text in the global env
  d <- eval(parse(text = design))
  assign("d", eval(parse(text = sprintf("subset(d, %s)", subset))), envir = globalenv())
  assign("at", at, envir = globalenv())
  call <- sprintf("svyglm(%s, design=d, family=%s)", formula, family)
  assign("m", eval(parse(text = call), envir = globalenv()), envir = globalenv())
  mcall <- sprintf("tight(m, adjustfor=%s, predictat=at, type='%s')", adjust, type)
  p <- eval(parse(text = mcall), envir = globalenv())
  cases[[length(cases) + 1]] <<- c(list(
    id = id, design_r = design, subset = subset,
    call = call, marginpred_call = sub("^tight", "marginpred_tight", mcall),
    predictat = as.list(at), tol = 1e-6,
    estimate = as.numeric(coef(p)), std_error = as.numeric(SE(p))), extra)
}

mp_case("strat_domain_E", "svydesign(id=~1, strata=~stype, weights=~pw, data=apistrat)",
        "stype == 'E'", "api00 ~ meals", "gaussian()", "~yr.rnd",
        data.frame(meals = c(20, 50)), "link",
        list(cli = list(where = "stype = 'E'", formula = "api00 ~ meals",
                        adjust_for = "yr.rnd", family = "gaussian")))
at <- data.frame(salary_multiple = c(1, 1.5, 2), autonomy = 3, seniority_pay = 3)
for (w in c(TRUE, FALSE)) {
  design <- if (w) "svydesign(ids=~1, strata=~ws, fpc=~population, data=academy)" else
    "svydesign(ids=~1, data=academy)"
  mp_case(paste0("academy_", if (w) "weighted" else "unweighted", "_intent"), design,
          "offer_received == 'Yes'", "going ~ salary_multiple + autonomy + seniority_pay",
          "quasibinomial()", "~age_band + institution_type", at, "response",
          list(plan = list(model = "intent_standardised", weighted = w)))
}

header <- list(r_version = R.version.string, survey_version = as.character(packageVersion("survey")),
               script = "scripts/r/make_marginpred_cli_fixtures.R",
               note = "marginpred.svyglm with grake(epsilon = 1e-9, maxit = 1000) on subset designs")
writeLines(toJSON(list(header = header, cases = cases), auto_unbox = TRUE, digits = NA,
                  null = "null", na = "null", pretty = FALSE),
           file.path(out, "marginpred_cli.json"))
cat(sprintf("%d cases\n", length(cases)))
