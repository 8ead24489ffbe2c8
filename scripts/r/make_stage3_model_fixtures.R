# R reference fixtures for models on a design with an fpc at three stages (R's
# multistage variance of the estimating functions' totals, svyrecvar).
#
#   R_LIBS=... Rscript scripts/r/make_stage3_model_fixtures.R     (from the repository root)
#
# Reads tests/fixtures/r/apiclus3.csv (written by make_pps_fixtures.R: apiclus2 read as a
# three-stage sample, district / school type / school, each stage's fpc counted in apipop)
# and writes tests/fixtures/r/stage3_models.json: each case the exact R call, the Python
# spec and R's coefficients and standard errors.
suppressMessages({library(survey); library(jsonlite)})
out <- "tests/fixtures/r"
c3 <- read.csv(file.path(out, "apiclus3.csv"))
c3$high <- as.integer(c3$sch.wide == "Yes")
cases <- list()
for (lonely in c("adjust", "remove")) {
  options(survey.lonely.psu = lonely)
  d <- svydesign(id = ~dnum + stype + snum, fpc = ~fpc1 + fpc2 + fpc3, data = c3)
  fits <- list(
    gaussian = list(call = "svyglm(api00 ~ api99, d)", formula = "api00 ~ api99", family = "gaussian"),
    binomial = list(call = "svyglm(high ~ api99, d, family = quasibinomial())",
                    formula = "high ~ api99", family = "binomial"),
    poisson = list(call = "svyglm(api00 ~ api99 + stype, d, family = quasipoisson())",
                   formula = "api00 ~ api99 + stype", family = "poisson")
  )
  for (key in names(fits)) {
    f <- fits[[key]]
    m <- suppressWarnings(eval(parse(text = f$call)))
    cf <- coef(m); se <- SE(m)
    cases[[length(cases) + 1]] <- list(
      id = paste0("stage3_", lonely, "_", key),
      design_r = "svydesign(id=~dnum+stype+snum, fpc=~fpc1+fpc2+fpc3, data=apiclus3)",
      lonely = lonely, call = f$call, formula = f$formula, family = f$family,
      terms = lapply(seq_along(cf), function(i) list(term = names(cf)[i],
        estimate = unname(cf[i]), std_error = unname(se[i]))))
  }
}
header <- list(r_version = R.version.string, survey_version = as.character(packageVersion("survey")),
               script = "scripts/r/make_stage3_model_fixtures.R")
writeLines(toJSON(list(header = header, cases = cases), auto_unbox = TRUE, digits = NA,
                  pretty = FALSE), file.path(out, "stage3_models.json"))
