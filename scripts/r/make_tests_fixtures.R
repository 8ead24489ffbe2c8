# R reference fixtures for t-tests, rank tests, variances, correlations and Cronbach's alpha.
#
#   Rscript scripts/r/make_tests_fixtures.R     (from the repository root, after make_fixtures.R)
#
# Reads the api data the other fixtures wrote (tests/fixtures/r/api*.csv), so R and Python
# see the same numbers, and writes tests/fixtures/r/tests.json: each case holds the exact
# R call, the Python spec (design, function, arguments) and R's numbers.
#
# Where R has no direct function the call says how the number was made:
#   * standard deviation, correlation and alpha's standard error: svycontrast() (R's delta
#     method) on svyvar()'s estimates and covariance, its entries renamed c11, c21, ...
#     (svycontrast cannot parse svyvar's own "api00:api99" names);
#   * a one-sample test against mu and the paired test: svyttest(I(x - mu) ~ 0) and
#     svyttest(I(x - y) ~ 0), as R's documentation does.
suppressMessages({library(survey); library(jsonlite)})
out <- "tests/fixtures/r"
rd <- function(nm) read.csv(file.path(out, paste0(nm, ".csv")))
env <- new.env()
for (nm in c("apistrat", "apiclus1", "apiclus2", "apisrs")) assign(nm, rd(nm), envir = env)

source("scripts/r/designs.R")
designs <- c(shared_designs, list(
  srs = list(r = "svydesign(id=~1, fpc=~fpc, data=apisrs)", py = list(data = "apisrs", fpc = "fpc")),
  jk1 = list(r = "as.svrepdesign(svydesign(id=~dnum, weights=~pw, data=apiclus1), type='JK1')",
             py = list(data = "apiclus1", ids = "dnum", weights = "pw",
                       replicate = list(type = "JK1")))
))
options(survey.lonely.psu = "fail")
make_design <- function(key) eval(parse(text = designs[[key]]$r), envir = env)

num <- function(x) if (is.null(x) || length(x) == 0) NA_real_ else as.numeric(x)
case <- function(id, key, call, fn, args, convert, tol = 1e-6) {
  assign("d", make_design(key), envir = env)
  res <- eval(parse(text = call), envir = env)
  list(id = id, design_r = designs[[key]]$r, design = designs[[key]]$py, call = call, fn = fn,
       args = args, tol = tol, rows = convert(res))
}
A <- function(...) list(...)

# ---- t-tests: svyttest ------------------------------------------------------------------
row_t <- function(t) list(list(estimate = num(t$estimate), statistic = num(t$statistic),
                               df = num(t$parameter), p_value = num(t$p.value),
                               conf_low = num(t$conf.int[1]), conf_high = num(t$conf.int[2])))
tt <- list()
add_t <- function(id, key, call, args) tt[[length(tt) + 1]] <<- case(id, key, call, "ttest",
                                                                      args, row_t)
for (key in c("strat", "clus1", "srs", "clus2_fpc", "jk1")) {
  add_t(paste0(key, "_two_group"), key, "svyttest(api00 ~ sch.wide, d)",
        A(var = "api00", by = "sch.wide"))
  add_t(paste0(key, "_one_sample"), key, "svyttest(I(api00 - 600) ~ 0, d)",
        A(var = "api00", mu = 600))
  add_t(paste0(key, "_paired"), key, "svyttest(I(api00 - api99) ~ 0, d)",
        A(var = "api00", paired = "api99"))
}
add_t("strat_paired_mu", "strat", "svyttest(I(api00 - api99 - 30) ~ 0, d)",
      A(var = "api00", paired = "api99", mu = 30))
add_t("strat_two_group_domain", "strat", "svyttest(api00 ~ sch.wide, subset(d, stype == 'E'))",
      A(var = "api00", by = "sch.wide", where = "stype = 'E'"))
add_t("clus1_two_group_domain", "clus1", "svyttest(api00 ~ sch.wide, subset(d, stype != 'H'))",
      A(var = "api00", by = "sch.wide", where = "stype <> 'H'"))
add_t("strat_one_sample_domain", "strat", "svyttest(I(api00 - 650) ~ 0, subset(d, stype == 'M'))",
      A(var = "api00", mu = 650, where = "stype = 'M'"))
add_t("jk1_two_group_domain", "jk1", "svyttest(api00 ~ sch.wide, subset(d, stype == 'E'))",
      A(var = "api00", by = "sch.wide", where = "stype = 'E'"))
# enroll has 6 missing values in apiclus2: svyglm drops those rows, svymean(na.rm=TRUE) too
add_t("clus2_fpc_two_group_na", "clus2_fpc", "svyttest(enroll ~ sch.wide, d)",
      A(var = "enroll", by = "sch.wide"))
add_t("clus2_fpc_one_sample_na", "clus2_fpc", "svyttest(I(enroll - 500) ~ 0, d, na.rm=TRUE)",
      A(var = "enroll", mu = 500))

# ---- rank tests: svyranktest ------------------------------------------------------------
row_rank <- function(t) {
  if (is.null(t$ddf))  # two groups: a t statistic on degf - 1
    return(list(list(statistic = num(t$statistic), df = num(t$parameter), ddf = NA,
                     estimate = num(t$estimate), p_value = num(t$p.value))))
  # more groups: R stores the Wald chi-square in $parameter and its df in $statistic
  list(list(statistic = num(t$parameter), df = num(t$statistic), ddf = num(t$ddf),
            estimate = NA, p_value = num(t$p.value)))
}
rk <- list()
tests <- c(wilcoxon = "wilcoxon", vanderwaerden = "vanderWaerden", median = "median",
           kruskalwallis = "KruskalWallis")
add_r <- function(id, key, call, args) rk[[length(rk) + 1]] <<- case(id, key, call, "ranktest",
                                                                      args, row_rank)
for (py in names(tests)) {
  r <- tests[[py]]
  for (key in c("strat", "clus1", "srs")) {
    add_r(paste0(key, "_", py, "_two"), key,
          sprintf("svyranktest(api00 ~ sch.wide, d, test='%s')", r),
          A(var = "api00", by = "sch.wide", test = py))
    add_r(paste0(key, "_", py, "_three"), key,
          sprintf("svyranktest(api00 ~ stype, d, test='%s')", r),
          A(var = "api00", by = "stype", test = py))
  }
  add_r(paste0("strat_", py, "_ties"), "strat", sprintf("svyranktest(meals ~ stype, d, test='%s')", r),
        A(var = "meals", by = "stype", test = py))
  add_r(paste0("strat_", py, "_domain"), "strat",
        sprintf("svyranktest(api00 ~ stype, subset(d, sch.wide == 'Yes'), test='%s')", r),
        A(var = "api00", by = "stype", test = py, where = "\"sch.wide\" = 'Yes'"))
  # replicate weights: R's svyranktest works for two groups only (svytotal of the
  # influence values); with more it stops inside svy.varcoef
  add_r(paste0("jk1_", py, "_two"), "jk1", sprintf("svyranktest(api00 ~ sch.wide, d, test='%s')", r),
        A(var = "api00", by = "sch.wide", test = py))
  add_r(paste0("clus2_fpc_", py, "_na"), "clus2_fpc",
        sprintf("svyranktest(enroll ~ sch.wide, d, test='%s')", r),
        A(var = "enroll", by = "sch.wide", test = py))
}

# ---- variances, standard deviations, correlations: svyvar ---------------------------------
rows_var <- function(v, names) {  # one row per variable and per pair (variable "a:b")
  est <- coef(v); V <- vcov(v)
  p <- length(names); out <- list()
  for (i in seq_len(p)) for (j in seq_len(p)) if (i <= j) {
    k <- (j - 1) * p + i
    se <- sqrt(V[k, k])
    lbl <- if (i == j) names[i] else paste0(names[i], ":", names[j])
    out[[length(out) + 1]] <- list(variable = lbl, category = NA, by = NULL,
      estimate = num(est[k]), std_error = num(se),
      conf_low = num(est[k] - qnorm(0.975) * se), conf_high = num(est[k] + qnorm(0.975) * se))
  }
  out
}
rows_con <- function(s, variable, by = NULL) {
  ci <- confint(s)
  list(list(variable = variable, category = NA, by = by, estimate = num(coef(s)),
            std_error = num(SE(s)), conf_low = num(ci[1, 1]), conf_high = num(ci[1, 2])))
}
rows_by <- function(b, byvar, variable) {
  est <- coef(b); se <- SE(b); ci <- confint(b)
  lapply(seq_len(nrow(b)), function(g) {
    by <- list(as.character(b[[byvar]][g])); names(by) <- byvar
    list(variable = variable, category = NA, by = by, estimate = num(est[g]),
         std_error = num(se[g]), conf_low = num(ci[g, 1]), conf_high = num(ci[g, 2]))
  })
}
# svyvar's p x p estimates under plain names, so svycontrast can differentiate them
assign("cells", function(v) {
  p <- round(sqrt(length(coef(v))))
  structure(as.vector(coef(v)), names = as.vector(outer(seq_len(p), seq_len(p),
            function(i, j) paste0("c", i, j))), var = vcov(v), statistic = "variance",
            class = "svystat")
}, envir = env)
vr <- list()
add_v <- function(id, key, call, fn, args, convert) vr[[length(vr) + 1]] <<-
  case(id, key, call, fn, args, convert)
for (key in c("strat", "clus1", "srs", "clus2_fpc", "jk1")) {
  add_v(paste0(key, "_var"), key, "svyvar(~api00, d)", "variance", A(var = "api00"),
        function(v) rows_var(v, "api00"))
  add_v(paste0(key, "_var2"), key, "svyvar(~api00 + api99, d)", "variance",
        A(var = c("api00", "api99")), function(v) rows_var(v, c("api00", "api99")))
  add_v(paste0(key, "_sd"), key, "svycontrast(cells(svyvar(~api00, d)), quote(sqrt(c11)))",
        "std_dev", A(var = "api00"), function(s) rows_con(s, "api00"))
  add_v(paste0(key, "_cor"), key,
        "svycontrast(cells(svyvar(~api00 + api99, d)), quote(c12 / sqrt(c11 * c22)))",
        "correlation", A(var = c("api00", "api99")), function(s) rows_con(s, "api00:api99"))
}
add_v("strat_var_by", "strat", "svyby(~api00, ~stype, d, svyvar)", "variance",
      A(var = "api00", by = "stype"), function(b) rows_by(b, "stype", "api00"))
add_v("clus1_var_by", "clus1", "svyby(~api00, ~sch.wide, d, svyvar)", "variance",
      A(var = "api00", by = "sch.wide"), function(b) rows_by(b, "sch.wide", "api00"))
add_v("jk1_var_by", "jk1", "svyby(~api00, ~sch.wide, d, svyvar)", "variance",
      A(var = "api00", by = "sch.wide"), function(b) rows_by(b, "sch.wide", "api00"))
add_v("strat_var_domain", "strat", "svyvar(~api00 + meals, subset(d, sch.wide == 'Yes'))",
      "variance", A(var = c("api00", "meals"), where = "\"sch.wide\" = 'Yes'"),
      function(v) rows_var(v, c("api00", "meals")))
add_v("strat_cor_domain", "strat",
      "svycontrast(cells(svyvar(~api00 + meals, subset(d, stype == 'E'))), quote(c12 / sqrt(c11 * c22)))",
      "correlation", A(var = c("api00", "meals"), where = "stype = 'E'"),
      function(s) rows_con(s, "api00:meals"))
for (g in c("E", "H", "M")) {
  add_v(paste0("strat_cor_by_", g), "strat",
        sprintf("svycontrast(cells(svyvar(~api00 + meals, subset(d, stype == '%s'))), quote(c12 / sqrt(c11 * c22)))", g),
        "correlation", A(var = c("api00", "meals"), by = "stype"),
        function(s) rows_con(s, "api00:meals", by = list(stype = g)))
}
# missing values: n counts every sampled row (R's svyvar.survey.design), means drop NAs
add_v("clus2_fpc_var_na", "clus2_fpc", "svyvar(~enroll, d, na.rm=TRUE)", "variance",
      A(var = "enroll"), function(v) rows_var(v, "enroll"))

# ---- Cronbach's alpha: svycralpha -------------------------------------------------------
alpha_expr <- "quote(3/2 * (1 - (c11 + c22 + c33) / (c11 + c21 + c31 + c12 + c22 + c32 + c13 + c23 + c33)))"
row_alpha <- function(variable) function(res) {
  s <- res$se; ci <- confint(s)
  list(list(variable = variable, category = NA, by = res$by, estimate = num(res$alpha),
            std_error = num(SE(s)), conf_low = num(ci[1, 1]), conf_high = num(ci[1, 2]),
            delta_estimate = num(coef(s))))
}
al <- list()
add_a <- function(id, key, sub, args, by = NULL) {
  call <- sprintf(paste0("list(alpha = svycralpha(~api00 + api99 + meals, %s), se = svycontrast(",
                         "cells(svyvar(~api00 + api99 + meals, %s)), %s), by = %s)"),
                  sub, sub, alpha_expr, if (is.null(by)) "NULL" else by)
  al[[length(al) + 1]] <<- case(id, key, call, "cronbach_alpha", args,
                                row_alpha("api00+api99+meals"))
}
for (key in c("strat", "clus1", "srs", "jk1")) add_a(paste0(key, "_alpha"), key, "d",
                                                     A(var = c("api00", "api99", "meals")))
add_a("strat_alpha_domain", "strat", "subset(d, sch.wide == 'Yes')",
      A(var = c("api00", "api99", "meals"), where = "\"sch.wide\" = 'Yes'"))
for (g in c("E", "H", "M"))
  add_a(paste0("strat_alpha_by_", g), "strat", sprintf("subset(d, stype == '%s')", g),
        A(var = c("api00", "api99", "meals"), by = "stype"), by = sprintf("list(stype='%s')", g))

header <- list(r_version = R.version.string,
               survey_version = as.character(packageVersion("survey")),
               script = "scripts/r/make_tests_fixtures.R",
               note = "each case: the exact R call, the Python spec, and R's numbers")
writeLines(toJSON(list(header = header, cases = c(tt, rk, vr, al)), auto_unbox = TRUE,
                  digits = NA, null = "null", na = "null", pretty = FALSE),
           file.path(out, "tests.json"))
cat(length(tt), "t-tests,", length(rk), "rank tests,", length(vr), "variance cases,",
    length(al), "alpha cases\n")

# ---- the academy wave: Likert items as R sees their codes -----------------------------
# Exports the typed 2025 wave's push-factor items (their option codes 1-5; "Don't know"
# missing), salary_multiple, gender and each division's membership (the fpc) to
# tests/fixtures/r/academy_scales.csv (no personal data); the Python test reads the typed
# wave itself, where the items are ordered categories, and must give R's numbers.
py <- Sys.getenv("PYTHON", "python3")
items <- c("push_seniority_pay", "push_short_term_eval", "push_funding",
           "push_infrastructure", "push_collaboration", "push_autonomy")
export <- sprintf("
import sys
import polars as pl
from survey import load_codebook, read_survey
wave = read_survey('sample_data/academy_2025.xlsx', load_codebook('schemas/academy_member_survey.yaml'))
pop = (pl.read_csv('sample_data/population_2025.csv').filter(pl.col('variable') == 'division')
       .select(pl.col('category').alias('division'), 'population'))
items = %s
(wave.frame.select('division', 'gender', 'salary_multiple', *items)
 .with_columns(pl.col('division', 'gender').cast(pl.String),
               *(pl.col(c).to_physical().cast(pl.Int64) + 1 for c in items))
 .join(pop, on='division', how='left', maintain_order='left')
 .write_csv(sys.argv[1]))
", paste0("[", paste0("'", items, "'", collapse = ", "), "]"))
acsv <- file.path(out, "academy_scales.csv")
if (system2(py, c("-c", shQuote(export), acsv)) != 0)
  stop("the export failed: is the survey package importable by ", py, "?")
assign("academy", read.csv(acsv, stringsAsFactors = FALSE, na.strings = c("", "NA")), envir = env)
designs$academy <- list(r = "svydesign(ids=~1, strata=~division, fpc=~population, data=academy)",
                        py = list(data = "academy", strata = "division", fpc = "population"))
designs$academy_srs <- list(r = "svydesign(ids=~1, data=academy)", py = list(data = "academy"))
ac <- list()
three <- "push_seniority_pay + push_funding + push_autonomy"
six <- paste(items, collapse = " + ")
for (key in c("academy", "academy_srs")) {
  ac[[length(ac) + 1]] <- case(paste0(key, "_alpha6"), key, sprintf(paste0(
    "list(alpha = svycralpha(~%s, d, na.rm=TRUE), se = svycontrast(cells(svyvar(~%s, d, ",
    "na.rm=TRUE)), quote(6/5 * (1 - (%s) / (%s)))), by = NULL)"), six, six,
    paste(sprintf("c%d%d", 1:6, 1:6), collapse = " + "),
    paste(outer(1:6, 1:6, function(i, j) sprintf("c%d%d", i, j)), collapse = " + ")),
    "cronbach_alpha", A(var = items), row_alpha(paste(items, collapse = "+")))
  ac[[length(ac) + 1]] <- case(paste0(key, "_rank_autonomy_gender"), key,
    "svyranktest(push_autonomy ~ gender, d)", "ranktest",
    A(var = "push_autonomy", by = "gender", test = "wilcoxon"), row_rank)
  ac[[length(ac) + 1]] <- case(paste0(key, "_kw_funding_division"), key,
    "svyranktest(push_funding ~ division, d, test='KruskalWallis')", "ranktest",
    A(var = "push_funding", by = "division", test = "kruskalwallis"), row_rank)
  ac[[length(ac) + 1]] <- case(paste0(key, "_ttest_salary_gender"), key,
    "svyttest(salary_multiple ~ gender, d)", "ttest",
    A(var = "salary_multiple", by = "gender"), row_t)
  ac[[length(ac) + 1]] <- case(paste0(key, "_ttest_salary_mu2"), key,
    "svyttest(I(salary_multiple - 2) ~ 0, d, na.rm=TRUE)", "ttest",
    A(var = "salary_multiple", mu = 2), row_t)
  ac[[length(ac) + 1]] <- case(paste0(key, "_cor_items"), key,
    "svycontrast(cells(svyvar(~push_funding + push_autonomy, d, na.rm=TRUE)), quote(c12 / sqrt(c11 * c22)))",
    "correlation", A(var = c("push_funding", "push_autonomy")),
    function(s) rows_con(s, "push_funding:push_autonomy"))
}
header$script <- "scripts/r/make_tests_fixtures.R (academy section)"
writeLines(toJSON(list(header = header, cases = ac), auto_unbox = TRUE, digits = NA,
                  null = "null", na = "null", pretty = FALSE),
           file.path(out, "tests_academy.json"))
cat(length(ac), "academy cases\n")
