# Regenerates the fixture of statistics over replicate weights (issue 23, item 2):
# R's withReplicates, convey's svygini (linearised and replicate) and percentile ratios.
#
#   Rscript scripts/r/make_repstats_fixtures.R     (from the repository root)
#
# convey is not in Debian: fetch its source (github:cran/convey, version 1.0.1) and install
# it into a private library, e.g. R CMD INSTALL -l /tmp/rlib convey-source (its DESCRIPTION
# asks for survey >= 4.2-1; with survey 4.1.1 it was installed with that bound relaxed, the
# svygini code paths used here need nothing newer), then run with R_LIBS=/tmp/rlib.
# Reads the api data make_fixtures.R wrote and the academy export make_quantile_fixtures.R
# wrote (tests/fixtures/r/*.csv); writes tests/fixtures/r/repstats.json.
suppressMessages({library(survey); library(convey); library(jsonlite)})
out <- "tests/fixtures/r"
read <- function(nm) read.csv(file.path(out, paste0(nm, ".csv")), stringsAsFactors = FALSE,
                              na.strings = "")
env <- new.env()
for (nm in c("apistrat", "apiclus1", "apiclus2", "apisrs", "apiclus1_jk", "apistrat_boot",
             "academy_salary_2025"))
  assign(nm, read(nm), envir = env)
assign("academy", env$academy_salary_2025, envir = env)
pop <- read.csv("sample_data/population_2025.csv", stringsAsFactors = FALSE)
pop <- pop[pop$variable == "division:gender", ]
cells <- do.call(rbind, strsplit(pop$category, ":", fixed = TRUE))
assign("cells", data.frame(division = cells[, 1], gender = cells[, 2], Freq = pop$population),
       envir = env)
options(survey.lonely.psu = "fail")

source("scripts/r/designs.R")
lin <- c(shared_designs, list(
  srs_w = list(r = "svydesign(id=~1, weights=~pw, data=apisrs)",
               py = list(data = "apisrs", weights = "pw")),
  pairs = list(r = "svydesign(id=~psu2, strata=~stype, weights=~pw, nest=TRUE, data=apistrat)",
               py = list(data = "apistrat", strata = "stype", ids = "psu2", weights = "pw")),
  academy_weighted = list(
    r = paste0("postStratify(svydesign(ids=~1, strata=~division, fpc=~population, ",
               "data=academy), ~division+gender, cells)"),
    py = list(data = "academy_salary_2025", strata = "division", fpc = "population",
              poststratify = "division:gender")),
  academy_unweighted = list(r = "svydesign(ids=~1, data=academy)",
                            py = list(data = "academy_salary_2025"))
))
rep <- list(
  jk1 = list(r = "as.svrepdesign(svydesign(id=~dnum, weights=~pw, data=apiclus1), type='JK1')",
             py = list(data = "apiclus1", ids = "dnum", weights = "pw",
                       replicate = list(type = "JK1"))),
  jk1_mse = list(r = "as.svrepdesign(svydesign(id=~dnum, weights=~pw, data=apiclus1), type='JK1', mse=TRUE)",
                 py = list(data = "apiclus1", ids = "dnum", weights = "pw",
                           replicate = list(type = "JK1", mse = TRUE))),
  jkn_fpc = list(r = "as.svrepdesign(svydesign(id=~1, strata=~stype, weights=~pw, fpc=~fpc, data=apistrat), type='JKn')",
                 py = list(data = "apistrat", strata = "stype", weights = "pw", fpc = "fpc",
                           replicate = list(type = "JKn"))),
  brr = list(r = paste0("as.svrepdesign(", lin$pairs$r, ", type='BRR')"),
             py = c(lin$pairs$py, list(replicate = list(type = "BRR")))),
  fay = list(r = paste0("as.svrepdesign(", lin$pairs$r, ", type='Fay', fay.rho=0.5)"),
             py = c(lin$pairs$py, list(replicate = list(type = "Fay", fay_rho = 0.5)))),
  jk1_cols = list(r = paste0("svrepdesign(data=apiclus1_jk, repweights='^jw', weights=~pw, ",
                             "type='JK1', scale=14/15, combined.weights=TRUE)"),
                  py = list(supplied = list(data = "apiclus1_jk", weights = "pw", prefix = "jw",
                                            type = "JK1", scale = 14 / 15))),
  boot_cols = list(r = paste0("svrepdesign(data=apistrat_boot, repweights='^bw', weights=~pw, ",
                              "type='bootstrap', combined.weights=TRUE)"),
                   py = list(supplied = list(data = "apistrat_boot", weights = "pw",
                                             prefix = "bw", type = "bootstrap")))
)
designs <- c(lin, rep)

# the statistics given to withReplicates (tests/estimators/test_withrep.py has the same)
assign("ratio_of_means", function(w, data) {
  sum(w * data$api00) / sum(w) / (sum(w * data$api99) / sum(w))
}, envir = env)
assign("weighted_sd", function(w, data) {
  m <- sum(w * data$enroll) / sum(w); sqrt(sum(w * (data$enroll - m)^2) / sum(w))
}, envir = env)
# svyquantile's default rule (qrule="math") at two probabilities, their ratio
assign("pratio", function(var, hi, lo) function(w, data) {
  x <- data[[var]]; keep <- !is.na(x)
  survey:::qrule_math(x[keep], w[keep], hi) / survey:::qrule_math(x[keep], w[keep], lo)
}, envir = env)

num <- function(x) as.numeric(x)
cases <- list()
case <- function(id, key, call, fn, args) {
  d <- eval(parse(text = designs[[key]]$r), envir = env)
  assign("d", convey_prep(d), envir = env)
  res <- eval(parse(text = call), envir = env)
  cases[[length(cases) + 1]] <<- list(
    id = id, design_r = designs[[key]]$r, design = designs[[key]]$py, call = call, fn = fn,
    args = args, tol = 1e-6, estimate = num(coef(res))[1],
    std_error = num(sqrt(diag(as.matrix(attr(res, "var")))))[1])
}
A <- function(...) list(...)

# ---- the Gini coefficient: linearised (convey's influence function) and replicates ------
for (key in names(designs)) {
  if (startsWith(key, "academy")) next
  case(paste0("gini_", key), key, "svygini(~api00, d)", "gini", A(var = "api00"))
}
for (key in c("strat", "clus1", "clus2_fpc", "jk1", "jk1_cols"))
  case(paste0("gini_enroll_", key), key, "svygini(~enroll, d, na.rm=TRUE)", "gini", A(var = "enroll"))
for (key in c("strat", "clus1", "jk1", "boot_cols"))
  case(paste0("gini_where_", key), key, "svygini(~api00, subset(d, api99 > 600))", "gini",
       A(var = "api00", where = "api99 > 600"))
# the academy: the offered salary multiple under the flagship plan's weights
for (key in c("academy_weighted", "academy_unweighted"))
  case(paste0("gini_", key), key,
       "svygini(~salary_multiple, subset(d, offer_received == 'Yes'), na.rm=TRUE)", "gini",
       A(var = "salary_multiple", where = "offer_received = 'Yes'"))

# ---- percentile ratios: withReplicates over svyquantile's rule -------------------------
for (key in names(rep)) {
  case(paste0("p90p10_", key), key, "withReplicates(d, pratio('api00', 0.9, 0.1))",
       "percentile_ratio", A(var = "api00", ratio = c(90, 10)))
}
for (key in c("jk1", "jkn_fpc", "boot_cols"))
  case(paste0("p80p20_enroll_", key), key, "withReplicates(d, pratio('enroll', 0.8, 0.2))",
       "percentile_ratio", A(var = "enroll", ratio = c(80, 20)))
for (key in c("jk1", "jk1_cols"))
  case(paste0("p50p10_where_", key), key,
       "withReplicates(subset(d, api99 > 600), pratio('api00', 0.5, 0.1))",
       "percentile_ratio", A(var = "api00", ratio = c(50, 10), where = "api99 > 600"))

# ---- any statistic: withReplicates with a function of (weights, data) ------------------
for (key in names(rep)) {
  case(paste0("ratio_of_means_", key), key, "withReplicates(d, ratio_of_means)",
       "with_replicates", A(statistic = "ratio_of_means"))
  case(paste0("weighted_sd_", key), key, "withReplicates(d, weighted_sd)",
       "with_replicates", A(statistic = "weighted_sd"))
}
case("weighted_sd_where_jk1", "jk1", "withReplicates(subset(d, stype == 'E'), weighted_sd)",
     "with_replicates", A(statistic = "weighted_sd", where = "stype = 'E'"))

header <- list(r_version = R.version.string,
               survey_version = as.character(packageVersion("survey")),
               convey_version = as.character(packageVersion("convey")),
               script = "scripts/r/make_repstats_fixtures.R",
               note = "each case: the exact R call on design d (convey_prep'd), the Python spec, R's estimate and SE")
writeLines(toJSON(list(header = header, cases = cases), auto_unbox = TRUE, digits = NA,
                  null = "null", na = "null", pretty = FALSE),
           file.path(out, "repstats.json"))
cat(sprintf("%d cases\n", length(cases)))
