# Plan analyses of the academy sample as R's survey package computes them (issue 13):
# the relative change of the offer rate between the waves ([[comparison]] relative = true),
# as independent waves and with the members in both waves as clusters, weighted and
# unweighted; and a nonlinear contrast of two means ([[estimate]] contrast = "...").
#
#   Rscript scripts/r/make_plan_fixtures.R     (from the repository root; PYTHON=... to
#                                               choose the interpreter, default python3)
#
# 1. Exports the two waves as `survey run` loads them (both exports validated, ingested,
#    harmonised in the 2025 codebook's terms) to tests/fixtures/r/academy_waves.csv:
#    wave, member (a code per member: the hashed member number's rank, no personal data),
#    division, gender, offer_received, the division's membership (`population`, the fpc)
#    and two push-factor scores (the option codes, as [derive] score = ...).
# 2. Writes tests/fixtures/r/plans_academy.json; tests/plans/test_relative_and_contrast.py
#    runs the same analyses through plans and compares to 1e-6 relative.
suppressMessages({library(survey); library(jsonlite)})
out <- "tests/fixtures/r"
csv <- file.path(out, "academy_waves.csv")
py <- Sys.getenv("PYTHON", "python3")
export <- "
import sys, tempfile
from pathlib import Path
import polars as pl
from survey.plans import load_plan, run_plan
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
pay = {{ score = \"push_seniority_pay\" }}
infra = {{ score = \"push_infrastructure\" }}
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
(data.frame.select(pl.col('wave').cast(pl.String),
                   pl.col(data.panel_key).rank('dense').cast(pl.Int64).alias('member'),
                   pl.col('division', 'gender', 'offer_received').cast(pl.String), 'pay', 'infra')
 .join(pop, on='division', how='left', maintain_order='left')
 .write_csv(sys.argv[1]))
"
status <- system2(py, c("-c", shQuote(export), csv))
if (status != 0) stop("the export failed: is the survey package importable by ", py, "?")
df <- read.csv(csv, stringsAsFactors = FALSE, na.strings = c("", "NA"))
df$wave <- as.character(df$wave)
df$yes <- as.numeric(df$offer_received == "Yes")
# each wave is its own sample: strata wave x division; design weight N_h / n_h
df$ws <- paste(df$wave, df$division, sep = ":")
df$w <- df$population / ave(df$yes, df$ws, FUN = length)
df$cell <- paste(df$wave, df$division, df$gender, sep = ":")
pg <- read.csv("sample_data/population_2025.csv", stringsAsFactors = FALSE)
pg <- pg[pg$variable == "division:gender", ]
pop <- data.frame(cell = c(paste0("2023:", pg$category), paste0("2025:", pg$category)),
                  Freq = rep(pg$population, 2))
# the panel design: a member keeps their 2025 stratum (and fpc) if it changed
first <- df$wave == "2025"
keep <- function(col) {
  v <- df[[col]]
  pick <- tapply(v[first], df$member[first], function(x) x[1])
  out <- pick[as.character(df$member)]
  ifelse(is.na(out), v, out)
}
df$division_p <- keep("division")
df$population_p <- as.numeric(keep("population"))

# the relative change of two domain means from totals: (y25 / a25) / (y23 / a23) - 1 is
# svycontrast(svyby(~yes, ~wave, d, svymean, covmat=TRUE), quote(`2025`/`2023` - 1))
# by the chain rule; svyby(covmat=TRUE) fails on post-stratified designs in survey 4.1.1
for (w in c("2025", "2023")) {
  df[[paste0("a", w)]] <- as.numeric(df$wave == w & !is.na(df$offer_received))
  df[[paste0("y", w)]] <- df[[paste0("a", w)]] * df$yes
}
rel <- quote((y2025 / a2025) / (y2023 / a2023) - 1)
rel_of <- function(d) svycontrast(svytotal(~y2025 + a2025 + y2023 + a2023, d, na.rm = TRUE), rel)
designs <- list(
  unweighted_independent = list(
    r = "svydesign(ids=~1, data=waves)", d = svydesign(ids = ~1, data = df)),
  unweighted_panel = list(
    r = "svydesign(ids=~member, data=waves)", d = svydesign(ids = ~member, data = df)),
  weighted_independent = list(
    r = paste0("postStratify(svydesign(ids=~1, strata=~wave:division, fpc=~population, ",
               "data=waves), ~wave:division:gender, pop)"),
    d = postStratify(svydesign(ids = ~1, strata = ~ws, fpc = ~population, data = df),
                     ~cell, pop)),
  weighted_panel = list(
    r = paste0("postStratify(svydesign(ids=~member, strata=~division_2025, ",
               "fpc=~population_2025, weights=~w, data=waves), ~wave:division:gender, pop)"),
    d = postStratify(svydesign(ids = ~member, strata = ~division_p, fpc = ~population_p,
                               weights = ~w, data = df), ~cell, pop)))
cases <- list()
for (id in names(designs)) {
  x <- designs[[id]]
  r <- rel_of(x$d)
  cases[[length(cases) + 1]] <- list(
    id = paste0("relative_", id), analysis = "comparison",
    call = paste0("svycontrast(svytotal(~y2025+a2025+y2023+a2023, ", x$r,
                  "), quote((y2025/a2025)/(y2023/a2023) - 1))"),
    weighted = startsWith(id, "weighted"), panel = endsWith(id, "panel"),
    estimate = unname(coef(r)), std_error = unname(SE(r)))
}
# a nonlinear contrast of two means: the 2025 wave, strata division with fpc, post-
# stratified to division x gender (weighted), members offered a post answering both items
d25 <- postStratify(svydesign(ids = ~1, strata = ~division, fpc = ~population,
                              data = df[df$wave == "2025", ]),
                    ~cell, pop[startsWith(pop$cell, "2025:"), ])
for (weighted in c(TRUE, FALSE)) {
  d <- if (weighted) d25 else svydesign(ids = ~1, data = df[df$wave == "2025", ])
  sub <- subset(d, offer_received == "Yes" & !is.na(pay) & !is.na(infra))
  r <- svycontrast(svymean(~pay + infra, sub, na.rm = TRUE), quote(pay / infra - 1))
  cases[[length(cases) + 1]] <- list(
    id = paste0("contrast_", if (weighted) "weighted" else "unweighted"), analysis = "estimate",
    call = paste0("svycontrast(svymean(~pay+infra, na.rm=TRUE, subset(",
                  if (weighted) paste0("postStratify(svydesign(ids=~1, strata=~division, ",
                                      "fpc=~population, data=wave2025), ~division:gender, pop)")
                  else "svydesign(ids=~1, data=wave2025)",
                  ", offer_received == 'Yes' & !is.na(pay) & !is.na(infra))), ",
                  "quote(pay/infra - 1))"),
    weighted = weighted, estimate = unname(coef(r)), std_error = unname(SE(r)))
}
doc <- list(header = list(r_version = R.version.string,
                          survey_version = as.character(packageVersion("survey")),
                          script = "scripts/r/make_plan_fixtures.R",
                          data = "tests/fixtures/r/academy_waves.csv (written by the script)"),
            cases = cases)
writeLines(toJSON(doc, auto_unbox = TRUE, digits = NA, pretty = TRUE),
           file.path(out, "plans_academy.json"))
cat("wrote", file.path(out, "plans_academy.json"), "with", length(cases), "cases\n")
