# Regenerates the R reference fixture of models fitted on weighted (calibrated) designs.
#
#   Rscript scripts/r/make_calibrated_model_fixtures.R     (from the repository root)
#
# Writes tests/fixtures/r/models_calibrated.json: the R and survey versions, then per case
# the weighting (an id of tests/fixtures/r/weighting.json, rebuilt there from the same
# margins CSV), the exact svyglm call, coefficients, SEs and residual df. R's svyglm
# replaces its estimating functions by their residuals on the calibration variables
# (svyrecvar with postStrata) before summing them by PSU; these cases check we do too.
suppressMessages({library(survey); library(jsonlite)})
data(api)
out <- "tests/fixtures/r"
m <- read.csv(file.path(out, "weighting_margins.csv"), stringsAsFactors = FALSE, na.strings = "NONE")
pop1 <- function(v) { x <- m[m$variable == v, ]; d <- data.frame(x$category, Freq = x$population)
                      names(d)[1] <- v; d }
tot <- function(v, cat) m$population[m$variable == v & m$category == cat]
N <- sum(pop1("stype")$Freq)
pop_stype <- pop1("stype"); pop_schwide <- pop1("sch.wide")
pop_cal99 <- c(`(Intercept)` = N, stypeH = tot("stype", "H"), stypeM = tot("stype", "M"),
               api99 = m$population[m$variable == "api99"])
b_clus1 <- svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1)
b_strat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat)
weighted <- list(
  ps_clus1 = postStratify(b_clus1, ~stype, pop_stype),
  rake_clus1 = rake(b_clus1, list(~stype, ~sch.wide), list(pop_stype, pop_schwide)),
  cal_linear99 = calibrate(b_clus1, ~stype + api99, pop_cal99),
  rake_strat3 = rake(b_strat, list(~stype, ~sch.wide, ~awards),
                     list(pop_stype, pop_schwide, pop1("awards"))))
cases <- list(
  list(id = "logit_ps_clus1", weighting = "ps_clus1",
       formula = "I(sch.wide == 'Yes') ~ api99 + meals + enroll", family = "quasibinomial"),
  list(id = "logit_rake_clus1", weighting = "rake_clus1",
       formula = "I(sch.wide == 'Yes') ~ api99 + meals + enroll", family = "quasibinomial"),
  list(id = "logit_cal_linear99", weighting = "cal_linear99",
       formula = "I(both == 'Yes') ~ api99 + stype", family = "quasibinomial"),
  list(id = "gaussian_rake_strat3", weighting = "rake_strat3",
       formula = "api00 ~ api99 + meals + stype", family = "gaussian"))
res <- lapply(cases, function(cs) {
  fam <- if (cs$family == "gaussian") gaussian() else quasibinomial()
  fit <- svyglm(as.formula(cs$formula), design = weighted[[cs$weighting]], family = fam)
  c(cs, list(call = sprintf("svyglm(%s, design = <%s>, family = %s())", cs$formula,
                            cs$weighting, cs$family),
             terms = names(coef(fit)), estimate = unname(coef(fit)),
             std_error = unname(SE(fit)), df_resid = fit$df.residual))
})
header <- list(r_version = R.version.string, survey_version = as.character(packageVersion("survey")),
               script = "scripts/r/make_calibrated_model_fixtures.R")
write_json(list(header = header, cases = res), file.path(out, "models_calibrated.json"),
           auto_unbox = TRUE, digits = NA, pretty = TRUE)
