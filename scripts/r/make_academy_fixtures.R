# The academy survey's headline figures, as R's survey package computes them.
#
#   Rscript scripts/r/make_academy_fixtures.R     (from the repository root; PYTHON=... to
#                                                 choose the interpreter, default python3)
#
# 1. Exports the typed 2025 wave (sample_data/academy_2025.xlsx read with its codebook,
#    as `survey ingest` does) to tests/fixtures/r/academy_2025.csv: division, the offer
#    questions, and each division's membership from sample_data/population_2025.csv as
#    `population` (the fpc). No personal data is exported.
# 2. Computes the offer rate and the China / United States shares among those offered,
#    with logit intervals (svyciprop's default), under two designs:
#      srs:        svydesign(ids=~1, data=df)                                (unweighted)
#      strata_fpc: svydesign(ids=~1, strata=~division, fpc=~population, data=df)
# 3. Writes tests/fixtures/r/academy.json; tests/cli/test_stats.py replays each case
#    through `survey stats proportion` and compares to 1e-6 relative.
suppressMessages({library(survey); library(jsonlite)})
out <- "tests/fixtures/r"
csv <- file.path(out, "academy_2025.csv")
py <- Sys.getenv("PYTHON", "python3")
export <- "
import sys
import polars as pl
from survey import load_codebook, read_survey
wave = read_survey('sample_data/academy_2025.xlsx', load_codebook('schemas/academy_member_survey.yaml'))
pop = (pl.read_csv('sample_data/population_2025.csv').filter(pl.col('variable') == 'division')
       .select(pl.col('category').alias('division'), 'population'))
options = [c for c in wave.frame.columns
           if c.startswith('offer_countries__') and wave.frame[c].dtype == pl.Boolean]
(wave.frame.select('division', 'offer_received', *options)
 .with_columns(pl.col('division').cast(pl.String),
               *(pl.col(c).replace_strict({True: 'TRUE', False: 'FALSE'}, return_dtype=pl.String)
                 for c in options))  # R's read.csv reads TRUE/FALSE as logical
 .join(pop, on='division', how='left', maintain_order='left')
 .write_csv(sys.argv[1]))
"
status <- system2(py, c("-c", shQuote(export), csv))
if (status != 0) stop("the export failed: is the survey package importable by ", py, "?")

df <- read.csv(csv, stringsAsFactors = FALSE, na.strings = c("", "NA"))
designs <- list(
  srs = list(r = "svydesign(ids=~1, data=df)", d = svydesign(ids = ~1, data = df),
             cli = character(0)),
  strata_fpc = list(r = "svydesign(ids=~1, strata=~division, fpc=~population, data=df)",
                    d = svydesign(ids = ~1, strata = ~division, fpc = ~population, data = df),
                    cli = c("--strata", "division", "--fpc-file", "sample_data/population_2025.csv"))
)
figures <- list(
  list(id = "offer_rate", var = "offer_received", category = "Yes", where = NULL,
       call = "svyciprop(~I(offer_received == 'Yes'), d, method='logit')",
       f = function(d) svyciprop(~I(offer_received == "Yes"), d, method = "logit")),
  list(id = "china_among_offered", var = "offer_countries", category = "China",
       where = "offer_received = 'Yes'",
       call = "svyciprop(~offer_countries__china, subset(d, offer_received == 'Yes'), method='logit')",
       f = function(d) svyciprop(~offer_countries__china, subset(d, offer_received == "Yes"),
                                 method = "logit")),
  list(id = "us_among_offered", var = "offer_countries", category = "United States",
       where = "offer_received = 'Yes'",
       call = "svyciprop(~offer_countries__us, subset(d, offer_received == 'Yes'), method='logit')",
       f = function(d) svyciprop(~offer_countries__us, subset(d, offer_received == "Yes"),
                                 method = "logit"))
)
cases <- list()
for (dn in names(designs)) {
  for (fig in figures) {
    p <- fig$f(designs[[dn]]$d)
    ci <- confint(p)
    cases[[length(cases) + 1]] <- list(
      id = paste(fig$id, dn, sep = "/"), design_r = designs[[dn]]$r, call = fig$call,
      cli = c("--var", fig$var, if (!is.null(fig$where)) c("--where", fig$where),
              designs[[dn]]$cli),
      variable = fig$var, category = fig$category, tol = 1e-6,
      estimate = as.vector(unclass(p)), std_error = sqrt(as.vector(attr(p, "var"))),
      conf_low = unname(ci[1]), conf_high = unname(ci[2]))
  }
}
header <- list(r_version = R.version.string,
               survey_version = as.character(packageVersion("survey")),
               script = "scripts/r/make_academy_fixtures.R",
               data = "tests/fixtures/r/academy_2025.csv (exported by the script)",
               note = "headline figures of the 2025 academy wave, 95% logit intervals")
writeLines(toJSON(list(header = header, cases = cases), auto_unbox = TRUE, digits = NA,
                  pretty = TRUE), file.path(out, "academy.json"))
cat("wrote", file.path(out, "academy.json"), "with", length(cases), "cases\n")
