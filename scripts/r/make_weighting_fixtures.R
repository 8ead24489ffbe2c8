# Regenerates the R reference fixtures of the weighting tests.
#
#   Rscript scripts/r/make_weighting_fixtures.R     (from the repository root)
#
# Writes tests/fixtures/r/weighting_margins.csv (population margins of the api data,
# from apipop, in the long format the toolkit reads) and tests/fixtures/r/weighting.json:
# a header with the R and survey versions, then
#   weightings: each weighted design - the exact R calls, the Python spec and the weights;
#   cases: estimates on a weighted design - the exact R call, the Python spec, R's numbers.
# The R populations are built from the same CSV the Python tests read.
# Data: the api CSVs written by scripts/r/make_fixtures.R (the same rows as data(api)).
suppressMessages({library(survey); library(jsonlite)})
data(api)
out <- "tests/fixtures/r"
options(survey.lonely.psu = "fail")

# ---- population margins, long format ---------------------------------------------------
long <- function(tab, variable) {
  df <- as.data.frame(tab, stringsAsFactors = FALSE)
  if (ncol(df) == 3) df <- data.frame(category = paste(df[[1]], df[[2]], sep = ":"), Freq = df$Freq)
  else names(df)[1] <- "category"
  data.frame(variable = variable, category = df$category, population = df$Freq)
}
margins <- rbind(
  long(table(apipop$stype), "stype"),
  long(table(apipop$sch.wide), "sch.wide"),
  long(table(apipop$awards), "awards"),
  long(table(apipop$stype, apipop$sch.wide), "stype:sch.wide"),
  data.frame(variable = "api99", category = "", population = sum(apipop$api99)))
write.csv(margins, file.path(out, "weighting_margins.csv"), row.names = FALSE, quote = FALSE)
source("scripts/r/_weighting_common.R")  # env, designs, W, S, A, num, run_weightings

# R population objects from the CSV
pop1 <- function(v) { x <- m[m$variable == v, ]; d <- data.frame(x$category, Freq = x$population)
                      names(d)[1] <- v; d }
pop_cross <- local({ x <- m[m$variable == "stype:sch.wide", ]
  parts <- do.call(rbind, strsplit(x$category, ":"))
  data.frame(stype = parts[, 1], sch.wide = parts[, 2], Freq = x$population) })
for (v in c("stype", "sch.wide", "awards")) assign(paste0("pop_", sub(".", "", v, fixed = TRUE)),
                                                    pop1(v), envir = env)
assign("pop_cross", pop_cross, envir = env)

weightings <- list(
  ps_clus1 = W("clus1", "postStratify(b, ~stype, pop_stype)",
               list(S("poststratify", select = list("stype")))),
  ps_clus1_cross = W("clus1", "postStratify(b, ~stype+sch.wide, pop_cross)",
                     list(S("poststratify", select = list("stype:sch.wide")))),
  ps_strat_cross = W("strat", "postStratify(b, ~stype+sch.wide, pop_cross)",
                     list(S("poststratify", select = list("stype:sch.wide")))),
  rake_clus1 = W("clus1", "rake(b, list(~stype, ~sch.wide), list(pop_stype, pop_schwide))",
                 list(S("rake", select = list("stype", "sch.wide")))),
  rake_strat3 = W("strat", paste0("rake(b, list(~stype, ~sch.wide, ~awards), ",
                                  "list(pop_stype, pop_schwide, pop_awards))"),
                  list(S("rake", select = list("stype", "sch.wide", "awards")))),
  rake_clus2 = W("clus2", "rake(b, list(~stype, ~sch.wide), list(pop_stype, pop_schwide))",
                 list(S("rake", select = list("stype", "sch.wide")))),
  cal_linear = W("clus1", "calibrate(b, ~stype+sch.wide, pop_cal)",
                 list(S("calibrate", select = list("stype", "sch.wide")))),
  cal_linear99 = W("clus1", "calibrate(b, ~stype+api99, pop_cal99)",
                   list(S("calibrate", select = list("stype", "api99")))),
  cal_linear_bounded = W("clus1", "calibrate(b, ~stype+api99, pop_cal99, bounds=c(0.5, 2))",
                         list(S("calibrate", select = list("stype", "api99"),
                                bounds = c(0.5, 2)))),
  cal_raking = W("clus1", "calibrate(b, ~stype+sch.wide, pop_cal, calfun='raking')",
                 list(S("calibrate", select = list("stype", "sch.wide"), calfun = "raking"))),
  cal_logit = W("clus1", "calibrate(b, ~stype+api99, pop_cal99, calfun='logit', bounds=c(0.7, 1.7))",
                list(S("calibrate", select = list("stype", "api99"), calfun = "logit",
                       bounds = c(0.7, 1.7)))),
  cal_strat = W("strat", "calibrate(b, ~stype+sch.wide, pop_cal, calfun='raking')",
                list(S("calibrate", select = list("stype", "sch.wide"), calfun = "raking"))),
  trim_rake = W("clus1", paste0("trimWeights(rake(b, list(~stype, ~sch.wide), ",
                                "list(pop_stype, pop_schwide)), upper=40, lower=25)"),
                list(S("rake", select = list("stype", "sch.wide")),
                     list(method = "trim", lower = 25, upper = 40))),
  trim_strict = W("strat", "trimWeights(b, upper=45, lower=20, strict=TRUE)",
                  list(list(method = "trim", lower = 20, upper = 45, strict = TRUE))),
  ps_then_cal = W("clus1", "calibrate(postStratify(b, ~stype, pop_stype), ~sch.wide, c(`(Intercept)`=N, sch.wideYes=sch_yes))",
                  list(S("poststratify", select = list("stype")),
                       S("calibrate", select = list("sch.wide"))))
)
assign("N", N, envir = env); assign("sch_yes", tot("sch.wide", "Yes"), envir = env)

rows_stat <- function(s, variable, cats = NULL) {
  est <- coef(s); se <- SE(s); ci <- confint(s)
  dd <- if (is.null(attr(s, "deff"))) rep(NA, length(est)) else diag(as.matrix(attr(s, "deff")))
  lapply(seq_along(est), function(i) list(
    variable = variable, category = if (is.null(cats)) NA else cats[i], by = NULL,
    estimate = num(est[i]), std_error = num(se[i]), conf_low = num(ci[i, 1]),
    conf_high = num(ci[i, 2]), deff = num(dd[i]), df = NA))
}
rows_ratio <- function(r, variable) {
  ci <- confint(r)
  list(list(variable = variable, category = NA, by = NULL, estimate = num(coef(r)),
            std_error = num(SE(r)), conf_low = num(ci[1, 1]), conf_high = num(ci[1, 2]),
            deff = NA, df = NA))
}
rows_by <- function(b, byvar, variable) {
  est <- coef(b); se <- SE(b); ci <- confint(b)
  lapply(seq_len(nrow(b)), function(g) {
    by <- list(as.character(b[[byvar]][g])); names(by) <- byvar
    list(variable = variable, category = NA, by = by, estimate = num(est[g]),
         std_error = num(se[g]), conf_low = num(ci[g, 1]), conf_high = num(ci[g, 2]),
         deff = NA, df = NA) })
}
rows_ciprop <- function(p, variable, category, df) {
  ci <- attr(p, "ci")
  list(list(variable = variable, category = category, by = NULL, estimate = num(p),
            std_error = num(sqrt(attr(p, "var"))), conf_low = num(ci[1]),
            conf_high = num(ci[2]), deff = NA, df = num(df)))
}

calls <- list(
  list("mean", "svymean(~api00, d, deff=TRUE)", A(var = "api00", deff = TRUE),
       function(s) rows_stat(s, "api00")),
  list("total", "svytotal(~enroll, d, na.rm=TRUE, deff=TRUE)", A(var = "enroll", deff = TRUE),
       function(s) rows_stat(s, "enroll")),
  list("prop", "svymean(~comp.imp, d, deff=TRUE)", A(var = "comp.imp", deff = TRUE),
       function(s) rows_stat(s, "comp.imp", c("No", "Yes"))),
  list("total_cat", "svytotal(~comp.imp, d)", A(var = "comp.imp"),
       function(s) rows_stat(s, "comp.imp", c("No", "Yes"))),
  list("ratio", "svyratio(~api00, ~api99, d)", A(numerator = "api00", denominator = "api99"),
       function(r) rows_ratio(r, "api00/api99")),
  list("by", "svyby(~api00, ~stype, d, svymean)", A(var = "api00", by = list("stype")),
       function(b) rows_by(b, "stype", "api00")),
  list("by_total", "svyby(~api00, ~comp.imp, d, svytotal)", A(var = "api00", by = list("comp.imp")),
       function(b) rows_by(b, "comp.imp", "api00")),
  list("subset", "svymean(~api00, subset(d, api99 > 600))", A(var = "api00", where = "api99 > 600"),
       function(s) rows_stat(s, "api00")),
  list("ciprop", "svyciprop(~I(comp.imp == 'Yes'), d)", A(var = "comp.imp"),
       function(p) rows_ciprop(p, "comp.imp", "Yes", degf(get("d", env)))),
  list("chisq", "svychisq(~comp.imp+stype, d)", A(row = "comp.imp", col = "stype"),
       function(t) list(list(statistic = num(t$statistic), df = as.numeric(t$parameter),
                             p_value = num(t$p.value))))
)
fns <- c(mean = "mean", total = "total", prop = "mean", total_cat = "total", ratio = "ratio",
         by = "mean", by_total = "total", subset = "mean", ciprop = "proportion", chisq = "chisq")

done <- run_weightings(calls, function(name) fns[[name]])
header <- list(r_version = R.version.string, survey_version = as.character(packageVersion("survey")),
               script = "scripts/r/make_weighting_fixtures.R",
               note = paste("weightings: exact R calls on b (the base design), Python steps and R's",
                            "weights; cases: exact R calls on d (the weighted design) and R's numbers"))
write_weightings(header, done, "weighting.json")

# ---- the academy 2025 wave, post-stratified to division x gender ------------------------
# tests/fixtures/r/weighting_academy.csv holds the columns used, as the toolkit reads them
# (read_survey('sample_data/academy_2025.xlsx', academy_member_survey.yaml); the Python
# test checks the CSV still equals that read), since R here has no xlsx reader.
aca <- read.csv(file.path(out, "weighting_academy.csv"), stringsAsFactors = FALSE)
pop <- read.csv("sample_data/population_2025.csv", stringsAsFactors = FALSE)
pop <- pop[pop$variable == "division:gender", ]
parts <- do.call(rbind, strsplit(pop$category, ":"))
assign("aca", aca, envir = env)
assign("pop_dg", data.frame(division = parts[, 1], gender = parts[, 2], Freq = pop$population),
       envir = env)
aca_designs <- c(unweighted = "svydesign(id=~1, data=aca)",
                 poststratified = "postStratify(svydesign(id=~1, data=aca), ~division+gender, pop_dg)")
aca_calls <- list(
  offer = list("svyciprop(~I(offer_received == 'Yes'), d)", "offer_received", "Yes", NULL),
  china = list("svyciprop(~I(offer_countries__china == 'true'), subset(d, offer_received == 'Yes'))",
               "offer_countries__china", "True", "offer_received = 'Yes'"),
  us = list("svyciprop(~I(offer_countries__us == 'true'), subset(d, offer_received == 'Yes'))",
            "offer_countries__us", "True", "offer_received = 'Yes'"))
aca_cases <- list()
for (key in names(aca_designs)) {
  d <- eval(parse(text = aca_designs[[key]]), envir = env)
  assign("d", d, envir = env)
  for (nm in names(aca_calls)) {
    cl <- aca_calls[[nm]]
    res <- suppressWarnings(eval(parse(text = cl[[1]]), envir = env))
    dsub <- if (is.null(cl[[4]])) d else subset(d, offer_received == "Yes")
    args <- list(var = cl[[2]]); if (!is.null(cl[[4]])) args$where <- cl[[4]]
    aca_cases[[length(aca_cases) + 1]] <- list(
      id = paste(key, nm, sep = "_"), weighting = key, design_r = aca_designs[[key]],
      weighting_r = aca_designs[[key]], call = cl[[1]], fn = "proportion", args = args,
      tol = 1e-6, rows = rows_ciprop(res, cl[[2]], cl[[3]], degf(dsub)),
      weights = if (key == "poststratified") as.numeric(weights(d)) else NULL)
  }
}
writeLines(toJSON(list(header = header, cases = aca_cases), auto_unbox = TRUE, digits = NA,
                  null = "null", na = "null", pretty = FALSE),
           file.path(out, "weighting_academy.json"))
cat("wrote", length(aca_cases), "academy cases\n")
