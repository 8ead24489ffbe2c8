# R reference fixtures for the calibration extras: the sinh distance (cal.sinh), integrated
# cluster-level calibration (calibrate(aggregate.stage=1)) and trimming then calibrating
# again (trimWeights, then calibrate). Iterative calibrations run at epsilon=1e-12.
#
#   Rscript scripts/r/make_calibration_extras_fixtures.R     (after make_weighting_fixtures.R)
#
# Writes tests/fixtures/r/weighting_extras.json in the shape of weighting.json.
suppressMessages({library(survey); library(jsonlite)})
data(api)
out <- "tests/fixtures/r"
options(survey.lonely.psu = "fail")
source("scripts/r/_weighting_common.R")  # env, designs, W, S, A, num, run_weightings
weightings <- list(
  sinh_clus1 = W("clus1", "calibrate(b, ~stype+api99, pop_cal99, calfun=cal.sinh, bounds=c(0.5, 2), epsilon=1e-12)",
                 list(S("calibrate", select = list("stype", "api99"), calfun = "sinh",
                        bounds = c(0.5, 2), epsilon = 1e-12))),
  sinh_strat = W("strat", "calibrate(b, ~stype+sch.wide, pop_cal, calfun=cal.sinh, bounds=c(0.7, 1.6), epsilon=1e-12)",
                 list(S("calibrate", select = list("stype", "sch.wide"), calfun = "sinh",
                        bounds = c(0.7, 1.6), epsilon = 1e-12))),
  agg_linear_clus1 = W("clus1", "calibrate(b, ~stype+api99, pop_cal99, aggregate.stage=1)",
                       list(S("calibrate", select = list("stype", "api99"), aggregate_stage = 1))),
  agg_raking_clus2 = W("clus2", "calibrate(b, ~stype+sch.wide, pop_cal, calfun='raking', aggregate.stage=1, epsilon=1e-12)",
                       list(S("calibrate", select = list("stype", "sch.wide"), calfun = "raking",
                              aggregate_stage = 1, epsilon = 1e-12))),
  trim_recal_clus1 = W("clus1", paste0("calibrate(trimWeights(calibrate(b, ~stype+api99, pop_cal99), ",
                                       "upper=38, lower=28), ~stype+api99, pop_cal99)"),
                       list(S("calibrate", select = list("stype", "api99")),
                            list(method = "trim", lower = 28, upper = 38),
                            S("calibrate", select = list("stype", "api99")))),
  trim_recal_strat = W("strat", paste0("calibrate(trimWeights(calibrate(b, ~stype+sch.wide, pop_cal, calfun='raking', epsilon=1e-12), ",
                                       "upper=40), ~stype+sch.wide, pop_cal, calfun='raking', epsilon=1e-12)"),
                       list(S("calibrate", select = list("stype", "sch.wide"), calfun = "raking",
                              epsilon = 1e-12),
                            list(method = "trim", upper = 40),
                            S("calibrate", select = list("stype", "sch.wide"), calfun = "raking",
                              epsilon = 1e-12)))
)
rows_stat <- function(s, variable, cats = NULL) {
  est <- coef(s); se <- SE(s)
  lapply(seq_along(est), function(i) list(variable = variable,
    category = if (is.null(cats)) NA else cats[i], by = NULL, estimate = num(est[i]),
    std_error = num(se[i])))
}
rows_by <- function(b, byvar, variable) {
  est <- coef(b); se <- SE(b)
  lapply(seq_len(nrow(b)), function(g) {
    by <- list(as.character(b[[byvar]][g])); names(by) <- byvar
    list(variable = variable, category = NA, by = by, estimate = num(est[g]),
         std_error = num(se[g])) })
}
calls <- list(
  list("mean", "svymean(~api00, d)", A(var = "api00"), function(s) rows_stat(s, "api00")),
  list("total", "svytotal(~enroll, d, na.rm=TRUE)", A(var = "enroll"),
       function(s) rows_stat(s, "enroll")),
  list("prop", "svymean(~comp.imp, d)", A(var = "comp.imp"),
       function(s) rows_stat(s, "comp.imp", c("No", "Yes"))),
  list("by", "svyby(~api00, ~stype, d, svymean)", A(var = "api00", by = list("stype")),
       function(b) rows_by(b, "stype", "api00")),
  list("subset", "svymean(~api00, subset(d, api99 > 600))", A(var = "api00", where = "api99 > 600"),
       function(s) rows_stat(s, "api00")))
done <- run_weightings(calls, function(name) if (name == "total") "total" else "mean")
header <- list(r_version = R.version.string, survey_version = as.character(packageVersion("survey")),
               script = "scripts/r/make_calibration_extras_fixtures.R",
               note = "as weighting.json; iterative calibrations at epsilon=1e-12")
write_weightings(header, done, "weighting_extras.json")
