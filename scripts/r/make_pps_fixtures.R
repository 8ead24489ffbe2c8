# R reference fixtures for without-replacement PPS designs, fpc at three stages and the
# domain lonely-PSU adjustment.
#
#   Rscript scripts/r/make_pps_fixtures.R     (from the repository root)
#
# Writes tests/fixtures/r/election_pps.csv (R's election_pps, as in ?svydesign),
# election_jointprob.csv (R's joint inclusion probabilities, no header), apiclus3.csv
# (apiclus2 read as a three-stage sample: district, school type within district, school;
# the fpc of each stage counted in apipop) and pps.json: each case holds the exact R
# call, the Python spec and R's numbers.
suppressMessages({library(survey); library(jsonlite)})
data(election); data(api)
out <- "tests/fixtures/r"

el <- election_pps[, c("County", "Bush", "Kerry", "Nader", "votes", "p")]
el$County <- as.character(el$County)
el$half <- ifelse(seq_len(nrow(el)) <= 20, 1L, 2L)  # two strata (numbers: R's overton2Dcheck needs them)
el$big <- ifelse(el$votes > median(el$votes), "yes", "no")
write.csv(el, file.path(out, "election_pps.csv"), row.names = FALSE)
write.table(election_jointprob, file.path(out, "election_jointprob.csv"), sep = ",",
            row.names = FALSE, col.names = FALSE)

c3 <- apiclus2[, c("dnum", "snum", "stype", "api00", "api99", "sch.wide", "fpc1")]
c3$stype <- as.character(c3$stype)
ntype <- tapply(as.character(apipop$stype), apipop$dnum, function(s) length(unique(s)))
c3$fpc2 <- as.vector(ntype[as.character(c3$dnum)])
cell <- table(paste(apipop$dnum, apipop$stype))
c3$fpc3 <- as.vector(cell[paste(c3$dnum, c3$stype)])
write.csv(c3, file.path(out, "apiclus3.csv"), row.names = FALSE)

strat <- read.csv(file.path(out, "apistrat.csv"))
clus1 <- read.csv(file.path(out, "apiclus1.csv"))
env <- new.env()
assign("election_pps", el, envir = env); assign("apiclus3", c3, envir = env)
assign("apistrat", strat, envir = env); assign("apiclus1", clus1, envir = env)
assign("election_jointprob", election_jointprob, envir = env)

designs <- list(
  brewer = list(r = "svydesign(id=~1, fpc=~p, data=election_pps, pps='brewer')",
                py = list(data = "election_pps", fpc = "p", pps = "brewer")),
  brewer_strat = list(r = "svydesign(id=~1, strata=~half, fpc=~p, data=election_pps, pps='brewer')",
                      py = list(data = "election_pps", strata = "half", fpc = "p", pps = "brewer")),
  overton = list(r = "svydesign(id=~1, fpc=~p, data=election_pps, pps='overton')",
                 py = list(data = "election_pps", fpc = "p", pps = "overton")),
  overton_strat = list(r = "svydesign(id=~1, strata=~half, fpc=~p, data=election_pps, pps='overton')",
                       py = list(data = "election_pps", strata = "half", fpc = "p",
                                 pps = "overton")),
  overton_yg = list(r = "svydesign(id=~1, fpc=~p, data=election_pps, pps='overton', variance='YG')",
                    py = list(data = "election_pps", fpc = "p", pps = "overton",
                              variance = "YG")),
  ht = list(r = "svydesign(id=~1, fpc=~p, data=election_pps, pps=ppsmat(election_jointprob))",
            py = list(data = "election_pps", fpc = "p", joint = "election_jointprob")),
  yg = list(r = paste0("svydesign(id=~1, fpc=~p, data=election_pps, ",
                       "pps=ppsmat(election_jointprob), variance='YG')"),
            py = list(data = "election_pps", fpc = "p", joint = "election_jointprob",
                      variance = "YG")),
  stage3 = list(r = "svydesign(id=~dnum+stype+snum, fpc=~fpc1+fpc2+fpc3, data=apiclus3)",
                py = list(data = "apiclus3", ids = c("dnum", "stype", "snum"),
                          fpc = c("fpc1", "fpc2", "fpc3"), lonely_psu = "adjust"),
                lonely = "adjust"),
  stage3_remove = list(r = "svydesign(id=~dnum+stype+snum, fpc=~fpc1+fpc2+fpc3, data=apiclus3)",
                       py = list(data = "apiclus3", ids = c("dnum", "stype", "snum"),
                                 fpc = c("fpc1", "fpc2", "fpc3"), lonely_psu = "remove"),
                       lonely = "remove"),
  pairs_dom = list(r = "svydesign(id=~psu2, strata=~stype, weights=~pw, fpc=~fpc, nest=TRUE, data=apistrat)",
                   py = list(data = "apistrat", ids = "psu2", strata = "stype", weights = "pw",
                             fpc = "fpc", lonely_psu = "adjust", adjust_domain_lonely = TRUE),
                   lonely = "adjust", domain = TRUE),
  clus1_dom = list(r = "svydesign(id=~dnum, weights=~pw, fpc=~fpc, data=apiclus1)",
                   py = list(data = "apiclus1", ids = "dnum", weights = "pw", fpc = "fpc",
                             lonely_psu = "adjust", adjust_domain_lonely = TRUE),
                   lonely = "adjust", domain = TRUE)
)
make_design <- function(key) {
  spec <- designs[[key]]
  options(survey.lonely.psu = if (is.null(spec$lonely)) "fail" else spec$lonely,
          survey.adjust.domain.lonely = isTRUE(spec$domain))
  eval(parse(text = spec$r), envir = env)
}
num <- function(x) if (is.null(x) || length(x) == 0) NA_real_ else as.numeric(x)
rows_stat <- function(s, variables) {
  est <- coef(s); se <- SE(s)
  lapply(seq_along(est), function(i) list(variable = variables[i], category = NA, by = NULL,
    estimate = num(est[i]), std_error = num(se[i])))
}
rows_by <- function(b, byvar, variable) {
  est <- coef(b); se <- as.vector(as.matrix(SE(b)))
  lapply(seq_len(nrow(b)), function(g) {
    by <- list(as.character(b[[byvar]][g])); names(by) <- byvar
    list(variable = variable, category = NA, by = by, estimate = num(est[g]),
         std_error = num(se[g]))
  })
}
rows_ratio <- function(r, variable) list(list(variable = variable, category = NA, by = NULL,
  estimate = num(coef(r)), std_error = num(SE(r))))
cases <- list()
case <- function(id, key, call, fn, args, convert) {
  assign("d", make_design(key), envir = env)
  res <- suppressWarnings(eval(parse(text = call), envir = env))
  cases[[length(cases) + 1]] <<- list(id = id, design_r = designs[[key]]$r,
    design = designs[[key]]$py, call = call, fn = fn, args = args, tol = 1e-6,
    rows = convert(res))
}
A <- function(...) list(...)

for (key in c("brewer", "brewer_strat", "overton", "overton_strat", "overton_yg", "ht", "yg")) {
  case(paste0(key, "_total"), key, "svytotal(~Bush + Kerry + Nader, d)", "total",
       A(var = c("Bush", "Kerry", "Nader")), function(s) rows_stat(s, c("Bush", "Kerry", "Nader")))
  case(paste0(key, "_mean"), key, "svymean(~Bush + Kerry, d)", "mean",
       A(var = c("Bush", "Kerry")), function(s) rows_stat(s, c("Bush", "Kerry")))
  case(paste0(key, "_ratio"), key, "svyratio(~Bush, ~votes, d)", "ratio",
       A(numerator = "Bush", denominator = "votes"), function(r) rows_ratio(r, "Bush/votes"))
  if (!grepl("^brewer", key))  # R's subset of a Brewer design: see docs (scale[1] for all PSUs)
    case(paste0(key, "_domain_total"), key, "svytotal(~Kerry, subset(d, big == 'yes'))",
         "total", A(var = "Kerry", where = "big = 'yes'"), function(s) rows_stat(s, "Kerry"))
}
for (key in c("stage3", "stage3_remove")) {
  case(paste0(key, "_mean"), key, "svymean(~api00 + api99, d)", "mean",
       A(var = c("api00", "api99")), function(s) rows_stat(s, c("api00", "api99")))
  case(paste0(key, "_total"), key, "svytotal(~api00, d)", "total", A(var = "api00"),
       function(s) rows_stat(s, "api00"))
  case(paste0(key, "_by"), key, "svyby(~api00, ~sch.wide, d, svymean)", "mean",
       A(var = "api00", by = "sch.wide"), function(b) rows_by(b, "sch.wide", "api00"))
}
case("pairs_dom_mean", "pairs_dom", "svymean(~api00, subset(d, psu2 == 1 | stype == 'E'))",
     "mean", A(var = "api00", where = "psu2 = 1 OR stype = 'E'"), function(s) rows_stat(s, "api00"))
case("pairs_dom_total", "pairs_dom", "svytotal(~enroll, subset(d, psu2 == 1 | stype == 'E'))",
     "total", A(var = "enroll", where = "psu2 = 1 OR stype = 'E'"),
     function(s) rows_stat(s, "enroll"))
case("clus1_dom_total", "clus1_dom", "svytotal(~enroll, subset(d, dnum == 637))", "total",
     A(var = "enroll", where = "dnum = 637"), function(s) rows_stat(s, "enroll"))
case("clus1_dom_mean", "clus1_dom", "svymean(~api00, subset(d, dnum == 637 | dnum == 716))",
     "mean", A(var = "api00", where = "dnum = 637 OR dnum = 716"),
     function(s) rows_stat(s, "api00"))

header <- list(r_version = R.version.string, survey_version = as.character(packageVersion("survey")),
               script = "scripts/r/make_pps_fixtures.R",
               note = "each case: the exact R call, the Python spec, and R's numbers")
writeLines(toJSON(list(header = header, cases = cases), auto_unbox = TRUE, digits = NA,
                  null = "null", na = "null", pretty = FALSE), file.path(out, "pps.json"))
cat(length(cases), "PPS and multistage cases\n")
