# Regenerates every R reference fixture of the estimation tests.
#
#   Rscript scripts/r/make_fixtures.R     (from the repository root)
#
# Writes tests/fixtures/r/*.csv (the api data the Python tests load) and
# tests/fixtures/r/*.json (one file per area). Each JSON header holds the R and
# survey versions; each case holds the exact R call that produced its numbers and
# the Python spec (data, design, function, arguments) that must reproduce them.
suppressMessages({library(survey); library(jsonlite)})
data(api)
out <- "tests/fixtures/r"
dir.create(out, recursive = TRUE, showWarnings = FALSE)

# ---- data --------------------------------------------------------------------------
keep <- c("snum", "dnum", "stype", "pw", "fpc", "fpc1", "fpc2", "api00", "api99",
          "enroll", "sch.wide", "comp.imp", "awards", "both", "yr.rnd", "meals")
strat <- apistrat[, intersect(names(apistrat), keep)]
strat$psu2 <- ave(seq_len(nrow(strat)), strat$stype,
                  FUN = function(i) rep(1:2, length.out = length(i)))
strat$lone <- as.character(strat$stype)
strat$lone[1] <- "L"                     # a stratum with a single PSU
# multiple choice: four options; schools with yr.rnd == "Yes" did not answer
mc <- function(x) ifelse(strat$yr.rnd == "Yes", NA, x == "Yes")
strat$q__awards <- mc(strat$awards); strat$q__sch <- mc(strat$sch.wide)
strat$q__comp <- mc(strat$comp.imp); strat$q__both <- mc(strat$both)
clus1 <- apiclus1[, intersect(names(apiclus1), keep)]
clus2 <- apiclus2[, intersect(names(apiclus2), keep)]
# districts with one sampled school made lonely at stage 2 (population one school more)
n2 <- ave(rep(1, nrow(clus2)), clus2$dnum, FUN = sum)
clus2$fpc2_lone <- ifelse(n2 == 1, clus2$fpc2 + 1, clus2$fpc2)
# a stratified first stage: districts split by parity, each stratum its own population
clus2$half <- ifelse(clus2$dnum %% 2 == 0, "even", "odd")
clus2$fpc1_half <- ifelse(clus2$half == "even", 380, 377)
srs <- apisrs[, intersect(names(apisrs), keep)]
srs$frac <- 200 / srs$fpc
set.seed(20240501)
boot <- as.svrepdesign(svydesign(id = ~1, strata = ~stype, weights = ~pw, data = strat),
                       type = "bootstrap", replicates = 20, compress = FALSE)
bw <- unclass(weights(boot, "analysis")); colnames(bw) <- sprintf("bw%02d", seq_len(ncol(bw)))
strat_boot <- cbind(strat[, c("stype", "pw", "api00", "api99", "enroll", "sch.wide")], bw)
jk <- as.svrepdesign(svydesign(id = ~dnum, weights = ~pw, data = clus1), type = "JK1",
                     compress = FALSE)
jw <- unclass(weights(jk, "analysis")); colnames(jw) <- sprintf("jw%02d", seq_len(ncol(jw)))
clus1_jk <- cbind(clus1[, c("dnum", "stype", "pw", "api00", "api99", "enroll", "sch.wide")], jw)
datasets <- list(apistrat = strat, apiclus1 = clus1, apiclus2 = clus2, apisrs = srs,
                 apistrat_boot = strat_boot, apiclus1_jk = clus1_jk)
for (nm in names(datasets))
  write.csv(datasets[[nm]], file.path(out, paste0(nm, ".csv")), row.names = FALSE, na = "")

# ---- designs (R) and their Python specs ---------------------------------------------
source("scripts/r/designs.R")
designs <- c(shared_designs, list(
  clus2 = list(r = "svydesign(id=~dnum+snum, weights=~pw, data=apiclus2)",
               py = list(data = "apiclus2", ids = c("dnum", "snum"), weights = "pw")),
  clus2_fpc_w = list(r = "svydesign(id=~dnum+snum, fpc=~fpc1+fpc2, weights=~pw, data=apiclus2)",
               py = list(data = "apiclus2", ids = c("dnum", "snum"), fpc = c("fpc1", "fpc2"),
                         weights = "pw")),
  srs = list(r = "svydesign(id=~1, fpc=~fpc, data=apisrs)",
             py = list(data = "apisrs", fpc = "fpc")),
  srs_frac = list(r = "svydesign(id=~1, fpc=~frac, data=apisrs)",
             py = list(data = "apisrs", fpc = "frac")),
  srs_wr = list(r = "svydesign(id=~1, weights=~pw, data=apisrs)",
             py = list(data = "apisrs", weights = "pw")),
  pairs = list(r = "svydesign(id=~psu2, strata=~stype, weights=~pw, nest=TRUE, data=apistrat)",
               py = list(data = "apistrat", strata = "stype", ids = "psu2", weights = "pw"))
))
for (how in c("remove", "adjust", "average", "certainty"))
  designs[[paste0("lonely_", how)]] <- list(
    r = "svydesign(id=~1, strata=~lone, weights=~pw, data=apistrat)",
    py = list(data = "apistrat", strata = "lone", weights = "pw", lonely_psu = how),
    lonely = how)
designs$clus2_strat_fpc <- list(
  r = "svydesign(id=~dnum+snum, strata=~half, fpc=~fpc1_half+fpc2, weights=~pw, data=apiclus2)",
  py = list(data = "apiclus2", strata = "half", ids = c("dnum", "snum"),
            fpc = c("fpc1_half", "fpc2"), weights = "pw"))
for (how in c("remove", "adjust", "certainty"))
  designs[[paste0("lonely2_", how)]] <- list(
    r = "svydesign(id=~dnum+snum, fpc=~fpc1+fpc2_lone, weights=~pw, data=apiclus2)",
    py = list(data = "apiclus2", ids = c("dnum", "snum"), fpc = c("fpc1", "fpc2_lone"),
              weights = "pw", lonely_psu = how),
    lonely = how)
reps <- list(
  jk1 = list(r = "as.svrepdesign(clus1_nofpc, type='JK1')", base = "clus1_nofpc",
             py = list(type = "JK1")),
  jk1_fpc = list(r = "as.svrepdesign(clus1, type='JK1')", base = "clus1",
                 py = list(type = "JK1")),
  jkn = list(r = "as.svrepdesign(strat_nofpc, type='JKn')", base = "strat_nofpc",
             py = list(type = "JKn")),
  # R warns that it drops the second-stage fpc; the replicates use the first stage
  jk1_clus2_fpc = list(r = "suppressWarnings(as.svrepdesign(clus2_fpc, type='JK1'))",
                       base = "clus2_fpc", py = list(type = "JK1")),
  jkn_fpc = list(r = "as.svrepdesign(strat, type='JKn')", base = "strat",
                 py = list(type = "JKn")),
  jkn_mse = list(r = "as.svrepdesign(strat_nofpc, type='JKn', mse=TRUE)", base = "strat_nofpc",
                 py = list(type = "JKn", mse = TRUE)),
  brr = list(r = "as.svrepdesign(pairs, type='BRR')", base = "pairs", py = list(type = "BRR")),
  fay = list(r = "as.svrepdesign(pairs, type='Fay', fay.rho=0.5)", base = "pairs",
             py = list(type = "Fay", fay_rho = 0.5)),
  boot_cols = list(r = paste0("svrepdesign(data=apistrat_boot, repweights='^bw', weights=~pw, ",
                              "type='bootstrap', combined.weights=TRUE)"),
                   supplied = list(data = "apistrat_boot", weights = "pw", prefix = "bw",
                                   type = "bootstrap")),
  jk1_cols = list(r = paste0("svrepdesign(data=apiclus1_jk, repweights='^jw', weights=~pw, ",
                             "type='JK1', scale=(ncol(jw)-1)/ncol(jw), combined.weights=TRUE)"),
                  supplied = list(data = "apiclus1_jk", weights = "pw", prefix = "jw",
                                  type = "JK1", scale = (ncol(jw) - 1) / ncol(jw)))
)

env <- new.env()
for (nm in names(datasets)) assign(nm, datasets[[nm]], envir = env)
assign("jw", jw, envir = env)
make_design <- function(key) {
  if (!is.null(designs[[key]])) {
    spec <- designs[[key]]
    if (!is.null(spec$lonely)) options(survey.lonely.psu = spec$lonely)
    else options(survey.lonely.psu = "fail")
    return(eval(parse(text = spec$r), envir = env))
  }
  spec <- reps[[key]]
  options(survey.lonely.psu = "fail")
  if (!is.null(spec$base)) assign(spec$base, make_design(spec$base), envir = env)
  eval(parse(text = spec$r), envir = env)
}
design_spec <- function(key) {
  if (!is.null(designs[[key]])) return(list(r = designs[[key]]$r, py = designs[[key]]$py))
  spec <- reps[[key]]
  if (!is.null(spec$supplied)) return(list(r = spec$r, py = list(supplied = spec$supplied)))
  list(r = paste(designs[[spec$base]]$r, "->", spec$r),
       py = c(designs[[spec$base]]$py, list(replicate = spec$py)))
}

num <- function(x) if (is.null(x) || length(x) == 0) NA_real_ else as.numeric(x)
rows_stat <- function(s, variable, cats = NULL, level = 0.95, ci = NULL, df = NA) {
  est <- coef(s); se <- SE(s)
  if (is.null(ci)) ci <- confint(s, level = level)
  dd <- if (is.null(attr(s, "deff"))) rep(NA, length(est)) else diag(as.matrix(attr(s, "deff")))
  lapply(seq_along(est), function(i) list(
    variable = variable, category = if (is.null(cats)) NA else cats[i], by = NULL,
    estimate = num(est[i]), std_error = num(se[i]), conf_low = num(ci[i, 1]),
    conf_high = num(ci[i, 2]), deff = num(dd[i]), df = num(df)))
}
rows_ratio <- function(r, variable) {
  ci <- confint(r)
  list(list(variable = variable, category = NA, by = NULL, estimate = num(coef(r)),
            std_error = num(SE(r)), conf_low = num(ci[1, 1]), conf_high = num(ci[1, 2]),
            deff = num(attr(r, "deff")), df = NA))
}
rows_by <- function(b, byvars, variable, cats = NULL) {
  est <- coef(b); se <- as.vector(as.matrix(SE(b))); ci <- confint(b)
  dd <- if ("DEff" %in% names(b) || any(grepl("^DEff", names(b)))) deff(b) else NULL
  nc <- if (is.null(cats)) 1 else length(cats)
  out <- list()
  for (g in seq_len(nrow(b))) for (k in seq_len(nc)) {
    i <- (k - 1) * nrow(b) + g
    by <- lapply(byvars, function(v) as.character(b[[v]][g])); names(by) <- byvars
    out[[length(out) + 1]] <- list(
      variable = variable, category = if (is.null(cats)) NA else cats[k], by = by,
      estimate = num(est[i]), std_error = num(se[i]), conf_low = num(ci[i, 1]),
      conf_high = num(ci[i, 2]), deff = if (is.null(dd)) NA else num(dd[i]), df = NA)
  }
  out
}
rows_ciprop <- function(p, variable, category, by = NULL, df = NA) {
  ci <- attr(p, "ci")
  list(list(variable = variable, category = category, by = by, estimate = num(p),
            std_error = num(sqrt(attr(p, "var"))), conf_low = num(ci[1]),
            conf_high = num(ci[2]), deff = NA, df = num(df)))
}

fixture <- function(file, cases) {
  header <- list(r_version = R.version.string,
                 survey_version = as.character(packageVersion("survey")),
                 script = "scripts/r/make_fixtures.R",
                 note = "each case: the exact R call, the Python spec, and R's numbers")
  writeLines(toJSON(list(header = header, cases = cases), auto_unbox = TRUE, digits = NA,
                    null = "null", na = "null", pretty = FALSE),
             file.path(out, file))
}
case <- function(id, key, call, fn, args, convert, tol = 1e-6) {
  d <- make_design(key)
  assign("d", d, envir = env)
  res <- eval(parse(text = call), envir = env)
  spec <- design_spec(key)
  list(id = id, design_r = spec$r, design = spec$py, call = call, fn = fn, args = args,
       tol = tol, rows = convert(res))
}
A <- function(...) list(...)

# ---- Taylor linearisation -------------------------------------------------------------
tay <- list()
for (key in c("strat", "strat_nofpc", "clus1", "clus1_nofpc", "srs", "srs_frac", "srs_wr",
              "clus2_fpc", "clus2_fpc_w", "clus2_strat_fpc")) {
  tay[[length(tay) + 1]] <- case(paste0(key, "_mean"), key,
    "svymean(~api00, d, deff=TRUE)", "mean", A(var = "api00", deff = TRUE),
    function(s) rows_stat(s, "api00"))
  tay[[length(tay) + 1]] <- case(paste0(key, "_prop"), key,
    "svymean(~sch.wide, d, deff=TRUE)", "mean", A(var = "sch.wide", deff = TRUE),
    function(s) rows_stat(s, "sch.wide", c("No", "Yes")))
  tay[[length(tay) + 1]] <- case(paste0(key, "_total"), key,
    if (grepl("^clus2", key)) "svytotal(~enroll, d, na.rm=TRUE, deff=TRUE)" else
      "svytotal(~enroll, d, deff=TRUE)", "total", A(var = "enroll", deff = TRUE),
    function(s) rows_stat(s, "enroll"))
  tay[[length(tay) + 1]] <- case(paste0(key, "_total_cat"), key,
    "svytotal(~stype, d, deff=TRUE)", "total", A(var = "stype", deff = TRUE),
    function(s) rows_stat(s, "stype", c("E", "H", "M")))
  tay[[length(tay) + 1]] <- case(paste0(key, "_ratio"), key,
    "svyratio(~api00, ~api99, d, deff=TRUE)", "ratio",
    A(numerator = "api00", denominator = "api99", deff = TRUE),
    function(r) rows_ratio(r, "api00/api99"))
}
tay[[length(tay) + 1]] <- case("strat_mean_level90", "strat",
  "svymean(~api00, d)", "mean", A(var = "api00", level = 0.9),
  function(s) rows_stat(s, "api00", level = 0.9))
tay[[length(tay) + 1]] <- case("strat_mean_tdf", "strat",
  "confint(svymean(~api00, d), df=degf(d))", "mean", A(var = "api00", df = 197),
  function(ci) { s <- svymean(~api00, get("d", env)); rows_stat(s, "api00", ci = ci) })
tay[[length(tay) + 1]] <- case("clus2_mean_na", "clus2",
  "svymean(~enroll, d, na.rm=TRUE, deff=TRUE)", "mean", A(var = "enroll", deff = TRUE),
  function(s) rows_stat(s, "enroll"))
tay[[length(tay) + 1]] <- case("clus2_total", "clus2",
  "svytotal(~api00, d)", "total", A(var = "api00"), function(s) rows_stat(s, "api00"))
for (how in c("remove", "adjust", "average", "certainty")) {
  key <- paste0("lonely_", how)
  tay[[length(tay) + 1]] <- case(paste0(key, "_mean"), key,
    "svymean(~api00, d)", "mean", A(var = "api00"), function(s) rows_stat(s, "api00"))
  tay[[length(tay) + 1]] <- case(paste0(key, "_total"), key,
    "svytotal(~enroll, d)", "total", A(var = "enroll"), function(s) rows_stat(s, "enroll"))
}
for (how in c("remove", "adjust", "certainty")) {  # one school sampled of two or more
  key <- paste0("lonely2_", how)
  tay[[length(tay) + 1]] <- case(paste0(key, "_mean"), key,
    "svymean(~api00, d)", "mean", A(var = "api00"), function(s) rows_stat(s, "api00"))
  tay[[length(tay) + 1]] <- case(paste0(key, "_total"), key,
    "svytotal(~enroll, d, na.rm=TRUE)", "total", A(var = "enroll"),
    function(s) rows_stat(s, "enroll"))
}
fixture("taylor.json", tay)

# ---- domains ---------------------------------------------------------------------------
dom <- list()
for (key in c("strat", "clus1", "clus2", "clus2_fpc", "clus2_strat_fpc")) {
  dom[[length(dom) + 1]] <- case(paste0(key, "_by_mean"), key,
    "svyby(~api00, ~stype, d, svymean, deff=TRUE)", "mean",
    A(var = "api00", by = list("stype"), deff = TRUE),
    function(b) rows_by(b, "stype", "api00"))
  dom[[length(dom) + 1]] <- case(paste0(key, "_by2_mean"), key,
    "svyby(~api00, ~stype+sch.wide, d, svymean)", "mean",
    A(var = "api00", by = list("stype", "sch.wide")),
    function(b) rows_by(b, c("stype", "sch.wide"), "api00"))
  dom[[length(dom) + 1]] <- case(paste0(key, "_by_prop"), key,
    "svyby(~sch.wide, ~stype, d, svymean)", "mean", A(var = "sch.wide", by = list("stype")),
    function(b) rows_by(b, "stype", "sch.wide", c("No", "Yes")))
  dom[[length(dom) + 1]] <- case(paste0(key, "_by_total"), key,
    "svyby(~enroll, ~stype, d, svytotal, na.rm=TRUE)", "total",
    A(var = "enroll", by = list("stype")), function(b) rows_by(b, "stype", "enroll"))
  dom[[length(dom) + 1]] <- case(paste0(key, "_by_ratio"), key,
    "svyby(~api00, ~stype, d, svyratio, denominator=~api99)", "ratio",
    A(numerator = "api00", denominator = "api99", by = list("stype")),
    function(b) rows_by(b, "stype", "api00/api99"))
  dom[[length(dom) + 1]] <- case(paste0(key, "_subset_mean"), key,
    "svymean(~api00, subset(d, api99 > 600), deff=TRUE)", "mean",
    A(var = "api00", where = "api99 > 600", deff = TRUE), function(s) rows_stat(s, "api00"))
  dom[[length(dom) + 1]] <- case(paste0(key, "_subset_by"), key,
    "svyby(~api00, ~stype, subset(d, api99 > 600), svymean)", "mean",
    A(var = "api00", by = list("stype"), where = "api99 > 600"),
    function(b) rows_by(b, "stype", "api00"))
  dom[[length(dom) + 1]] <- case(paste0(key, "_subset_total"), key,
    "svytotal(~enroll, subset(d, sch.wide == 'Yes'), na.rm=TRUE, deff=TRUE)", "total",
    A(var = "enroll", where = "\"sch.wide\" = 'Yes'", deff = TRUE),
    function(s) rows_stat(s, "enroll"))
}
fixture("domains.json", dom)

# ---- svyciprop ---------------------------------------------------------------------------
cip <- list()
for (key in c("strat", "clus1", "clus1_nofpc", "srs", "clus2_fpc")) for (m in c("logit", "likelihood", "asin",
                                                               "beta", "mean", "xlogit")) {
  # R interpolates a spline through the profile; we solve it exactly. On the two-stage
  # domain R's end is 3.7e-4 off: uniroot on R's own deviance gives ours to 1e-6.
  tol <- if (m == "likelihood") (if (key == "clus2_fpc") 5e-4 else 1e-4) else 1e-6
  cip[[length(cip) + 1]] <- case(paste(key, m, sep = "_"), key,
    sprintf("svyciprop(~I(sch.wide == 'Yes'), d, method='%s')", m), "proportion",
    A(var = "sch.wide", method = m), function(p) rows_ciprop(p, "sch.wide", "Yes", df = degf(get("d", env))),
    tol = tol)
  cip[[length(cip) + 1]] <- case(paste(key, m, "level90_domain", sep = "_"), key,
    sprintf("svyciprop(~I(sch.wide == 'Yes'), subset(d, stype == 'H'), method='%s', level=0.9)", m),
    "proportion", A(var = "sch.wide", method = m, level = 0.9, where = "stype = 'H'"),
    function(p) rows_ciprop(p, "sch.wide", "Yes",
                            df = degf(subset(get("d", env), stype == "H"))), tol = tol)
}
# simple random sample methods on unweighted counts (x = schools with sch.wide == "Yes")
assign("x", sum(srs$sch.wide == "Yes"), envir = env); assign("n", nrow(srs), envir = env)
srs_ci <- list(
  wilson = "prop.test(x, n, correct=FALSE)$conf.int",
  `clopper-pearson` = "binom.test(x, n)$conf.int",
  jeffreys = "qbeta(c(0.025, 0.975), x + 0.5, n - x + 0.5)",
  `agresti-coull` = "{z <- qnorm(0.975); nt <- n + z^2; pt <- (x + z^2/2)/nt; pt + c(-1, 1) * z * sqrt(pt * (1 - pt)/nt)}")
for (m in names(srs_ci)) cip[[length(cip) + 1]] <- case(paste0("srs_", m), "srs",
  srs_ci[[m]], "proportion", A(var = "sch.wide", method = m),
  function(ci) { p <- svyciprop(~I(sch.wide == "Yes"), get("d", env))
                 r <- rows_ciprop(p, "sch.wide", "Yes"); r[[1]]$conf_low <- ci[1]
                 r[[1]]$conf_high <- ci[2]; r })
fixture("ciprop.json", cip)

# ---- replicate weights -----------------------------------------------------------------
rep_cases <- list()
for (key in names(reps)) {
  rep_cases[[length(rep_cases) + 1]] <- case(paste0(key, "_mean"), key,
    "svymean(~api00, d, deff=TRUE)", "mean", A(var = "api00", deff = TRUE),
    function(s) rows_stat(s, "api00"))
  rep_cases[[length(rep_cases) + 1]] <- case(paste0(key, "_prop"), key,
    "svymean(~sch.wide, d, deff=TRUE)", "mean", A(var = "sch.wide", deff = TRUE),
    function(s) rows_stat(s, "sch.wide", c("No", "Yes")))
  rep_cases[[length(rep_cases) + 1]] <- case(paste0(key, "_total"), key,
    if (grepl("clus2", key)) "svytotal(~enroll, d, na.rm=TRUE, deff=TRUE)" else
      "svytotal(~enroll, d, deff=TRUE)", "total", A(var = "enroll", deff = TRUE),
    function(s) rows_stat(s, "enroll"))
  rep_cases[[length(rep_cases) + 1]] <- case(paste0(key, "_ratio"), key,
    "svyratio(~api00, ~api99, d)", "ratio", A(numerator = "api00", denominator = "api99"),
    function(r) rows_ratio(r, "api00/api99"))
  rep_cases[[length(rep_cases) + 1]] <- case(paste0(key, "_by"), key,
    "svyby(~api00, ~stype, d, svymean)", "mean", A(var = "api00", by = list("stype")),
    function(b) rows_by(b, "stype", "api00"))
  rep_cases[[length(rep_cases) + 1]] <- case(paste0(key, "_ciprop_logit"), key,
    "svyciprop(~I(sch.wide == 'Yes'), d)", "proportion", A(var = "sch.wide"),
    function(p) rows_ciprop(p, "sch.wide", "Yes", df = degf(get("d", env))))
  # domains: R subsets the replicate design and recomputes degf() on the subset
  rep_cases[[length(rep_cases) + 1]] <- case(paste0(key, "_ciprop_domain"), key,
    "svyciprop(~I(sch.wide == 'Yes'), subset(d, stype == 'H'), level=0.9)", "proportion",
    A(var = "sch.wide", level = 0.9, where = "stype = 'H'"),
    function(p) rows_ciprop(p, "sch.wide", "Yes",
                            df = degf(subset(get("d", env), stype == "H"))))
  # BRR and Fay on 'pairs' leave each stype domain 2 PSUs, degf 1: R's confint.svyglm maps
  # the t level through pnorm(qt(0.025, 1)), which rounds to a level of 1 and gives the
  # interval (0, NaN). We use the t quantile itself (docs/estimation.md); the level-0.9
  # domain case above checks degf 1 where R does not underflow.
  if (!(key %in% c("brr", "fay"))) rep_cases[[length(rep_cases) + 1]] <- case(paste0(key, "_ciprop_by"), key,
    "svyby(~I(sch.wide == 'Yes'), ~stype, d, svyciprop, vartype=c('se', 'ci'))", "proportion",
    A(var = "sch.wide", by = list("stype")), function(b) {
      lapply(seq_len(nrow(b)), function(g) {  # svyciprop's interval (confint(b) is Wald)
        s <- as.character(b$stype[g])
        list(variable = "sch.wide", category = "Yes", by = list(stype = s),
             estimate = num(coef(b)[g]), std_error = num(SE(b)[g]), conf_low = num(b$ci_l[g]),
             conf_high = num(b$ci_u[g]), deff = NA,
             df = num(degf(subset(get("d", env), stype == s)))) }) })
}
fixture("replicates.json", rep_cases)

# ---- multiple choice -------------------------------------------------------------------
# base: schools answering the question (options are NA together); share of the base
# choosing each option (svyciprop), and share of all mentions (svyratio)
opts <- c("q__awards", "q__sch", "q__comp", "q__both")
mcq <- list()
for (key in c("strat", "clus1_like")) {
  if (key == "clus1_like") next
  for (m in c("logit", "beta")) for (w in list(NULL, "stype = 'E'")) {
    sub <- if (is.null(w)) "subset(d, !is.na(q__awards))" else
      "subset(d, !is.na(q__awards) & stype == 'E')"
    call <- sprintf(paste0("lapply(c('%s'), function(v) svyciprop(as.formula(paste0('~', v)), ",
                           "%s, method='%s'))"), paste(opts, collapse = "','"), sub, m)
    args <- A(question = "q", method = m)
    if (!is.null(w)) args$where <- w
    mcq[[length(mcq) + 1]] <- case(paste("mc", key, m, if (is.null(w)) "all" else "E", sep = "_"),
      key, call, "multiple_choice", args, function(res) {
        dsub <- eval(parse(text = sub), envir = env)
        do.call(c, lapply(seq_along(opts), function(i)
          rows_ciprop(res[[i]], "q", sub("^q__", "", opts[i]), df = degf(dsub)))) })
  }
  call <- paste0("svyratio(~q__awards+q__sch+q__comp+q__both, ~mentions, ",
                 "update(subset(d, !is.na(q__awards)), mentions=q__awards+q__sch+q__comp+q__both))")
  mcq[[length(mcq) + 1]] <- case(paste("mc", key, "mentions", sep = "_"), key, call,
    "multiple_choice", A(question = "q", share = "mentions"), function(r) {
      ci <- confint(r)
      lapply(seq_along(opts), function(i) list(
        variable = "q", category = sub("^q__", "", opts[i]), by = NULL,
        estimate = num(r$ratio[i, 1]), std_error = num(sqrt(r$var[i, 1])),
        conf_low = num(ci[i, 1]), conf_high = num(ci[i, 2]), deff = NA, df = NA)) })
}
fixture("multichoice.json", mcq)

# ---- comparisons -------------------------------------------------------------------------
cmp <- list()
for (key in c("strat", "clus1", "clus2", "clus2_fpc", "jkn")) {
  call <- "svycontrast(svyby(~api00, ~stype, d, svymean, covmat=TRUE), c(E=1, H=-1))"
  cmp[[length(cmp) + 1]] <- case(paste0(key, "_diff_mean"), key, call, "difference",
    A(var = "api00", by = list("stype"), first = A(stype = "E"), second = A(stype = "H")),
    function(s) rows_stat(s, "stype=E - stype=H"))
  call <- paste0("svycontrast(svyby(~as.numeric(sch.wide == 'Yes'), ~stype, d, svymean, covmat=TRUE), ",
                 "c(M=1, H=-1))")
  cmp[[length(cmp) + 1]] <- case(paste0(key, "_diff_prop"), key, call, "difference",
    A(var = "sch.wide", by = list("stype"), first = A(stype = "M", category = "Yes"),
      second = A(stype = "H", category = "Yes")),
    function(s) rows_stat(s, "stype=M, category=Yes - stype=H, category=Yes"))
}
for (key in c("strat", "strat_nofpc", "clus1", "clus2", "clus2_fpc", "srs")) for (st in c("F", "Chisq")) {
  call <- sprintf("svychisq(~sch.wide+stype, d, statistic='%s')", st)
  cmp[[length(cmp) + 1]] <- case(paste(key, "chisq", st, sep = "_"), key, call, "chisq",
    A(row = "sch.wide", col = "stype", statistic = st), function(t) list(list(
      statistic = num(t$statistic), df = as.numeric(t$parameter), p_value = num(t$p.value))))
}
for (key in c("jk1", "jkn_fpc", "brr", "fay", "boot_cols", "jk1_cols")) {
  for (st in c("F", "Chisq")) {
    call <- sprintf("svychisq(~sch.wide+stype, d, statistic='%s')", st)
    cmp[[length(cmp) + 1]] <- case(paste(key, "chisq", st, sep = "_"), key, call, "chisq",
      A(row = "sch.wide", col = "stype", statistic = st), function(t) list(list(
        statistic = num(t$statistic), df = as.numeric(t$parameter), p_value = num(t$p.value))))
  }
  cmp[[length(cmp) + 1]] <- case(paste(key, "chisq_domain", sep = "_"), key,
    "svychisq(~sch.wide+stype, subset(d, api99 > 600))", "chisq",
    A(row = "sch.wide", col = "stype", where = "api99 > 600"), function(t) list(list(
      statistic = num(t$statistic), df = as.numeric(t$parameter), p_value = num(t$p.value))))
}
cmp[[length(cmp) + 1]] <- case("clus1_chisq_domain", "clus1",
  "svychisq(~sch.wide+stype, subset(d, api99 > 600))", "chisq",
  A(row = "sch.wide", col = "stype", where = "api99 > 600"), function(t) list(list(
    statistic = num(t$statistic), df = as.numeric(t$parameter), p_value = num(t$p.value))))
fixture("compare.json", cmp)
