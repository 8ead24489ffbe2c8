# Regenerates tests/fixtures/r/repweights.json: weighting replicate-weight designs,
# nonresponse adjustment, standardisation, R's replicate types and deff="replace".
#
#   Rscript scripts/r/make_repweight_fixtures.R     (from the repository root)
#
# Reads the api CSVs and weighting_margins.csv written by make_fixtures.R and
# make_weighting_fixtures.R (the same rows as data(api)). Sections of the JSON:
#   weighted:     postStratify/rake/calibrate on JK1/JKn designs (created and supplied):
#                 the exact R calls, R's full-sample weights, estimates, SEs and degf;
#   nonresponse:  weighting-class adjustment as R's nonresponse(), by class and by
#                 response-propensity class, then postStratify; svystandardize;
#   types:        each replicate type: R's replicate weights (random types: exported
#                 so the test computes SEs from them), scale, rscales, SEs;
#   deff:         svymean/svytotal/svyratio/svyby with deff="replace" and deff=TRUE;
#   glm:          svyglm on the raked JK1 design (replicate fits of re-raked replicates).
suppressMessages({library(survey); library(jsonlite)})
out <- "tests/fixtures/r"
options(survey.lonely.psu = "fail")
rd <- function(name) read.csv(file.path(out, paste0(name, ".csv")), stringsAsFactors = FALSE)
apistrat <- rd("apistrat"); apiclus1 <- rd("apiclus1"); apiclus1_jk <- rd("apiclus1_jk")
m <- read.csv(file.path(out, "weighting_margins.csv"), stringsAsFactors = FALSE)
pop1 <- function(v) { x <- m[m$variable == v, ]; d <- data.frame(x$category, Freq = x$population)
                      names(d)[1] <- v; d }
pop_stype <- pop1("stype"); pop_schwide <- pop1("sch.wide")
N <- sum(pop_stype$Freq)
tot <- function(v, cat) m$population[m$variable == v & m$category == cat]
pop_cal <- c(`(Intercept)` = N, stypeH = tot("stype", "H"), stypeM = tot("stype", "M"),
             sch.wideYes = tot("sch.wide", "Yes"))
num <- function(x) as.numeric(x)
stats <- function(d) {
  mn <- svymean(~api00, d); tt <- svytotal(~enroll, d); pr <- svymean(~sch.wide, d)
  by <- svyby(~api00, ~stype, d, svymean)
  list(mean = list(estimate = num(coef(mn)), std_error = num(SE(mn))),
       total = list(estimate = num(coef(tt)), std_error = num(SE(tt))),
       prop = list(estimate = num(coef(pr)), std_error = num(SE(pr))),
       by = list(stype = as.character(by$stype), estimate = num(coef(by)),
                 std_error = num(SE(by))),
       df = num(degf(d)))
}

# ---- weighting replicate designs ---------------------------------------------------------
jk1 <- as.svrepdesign(svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1),
                      type = "JK1")
jkn <- as.svrepdesign(svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc,
                                data = apistrat), type = "JKn")
jw <- grep("^jw", names(apiclus1_jk))
sup <- svrepdesign(data = apiclus1_jk, repweights = "^jw", weights = ~pw, type = "JK1",
                   scale = (length(jw) - 1) / length(jw), combined.weights = TRUE)
bases <- list(
  jk1 = list(r = "as.svrepdesign(svydesign(id=~dnum, weights=~pw, fpc=~fpc, data=apiclus1), type='JK1')",
             d = jk1, py = list(data = "apiclus1", ids = "dnum", weights = "pw", fpc = "fpc",
                                replicate = list(type = "JK1"))),
  jkn = list(r = "as.svrepdesign(svydesign(id=~1, strata=~stype, weights=~pw, fpc=~fpc, data=apistrat), type='JKn')",
             d = jkn, py = list(data = "apistrat", strata = "stype", weights = "pw", fpc = "fpc",
                                replicate = list(type = "JKn"))),
  supplied = list(r = "svrepdesign(data=apiclus1_jk, repweights='^jw', weights=~pw, type='JK1', scale=14/15, combined.weights=TRUE)",
                  d = sup, py = list(supplied = list(data = "apiclus1_jk", weights = "pw",
                                                      prefix = "jw", type = "JK1",
                                                      scale = (length(jw) - 1) / length(jw)))))
steps <- list(
  poststratify = list(r = "postStratify(d, ~stype, pop_stype)",
                      f = function(d) postStratify(d, ~stype, pop_stype),
                      py = list(method = "poststratify", select = list("stype"))),
  rake = list(r = "rake(d, list(~stype, ~sch.wide), list(pop_stype, pop_schwide))",
              f = function(d) rake(d, list(~stype, ~sch.wide), list(pop_stype, pop_schwide)),
              py = list(method = "rake", select = list("stype", "sch.wide"))),
  calibrate = list(r = "calibrate(d, ~stype+sch.wide, pop_cal, compress=FALSE)",
                   f = function(d) calibrate(d, ~stype + sch.wide, pop_cal, compress = FALSE),
                   py = list(method = "calibrate", select = list("stype", "sch.wide"))),
  calibrate_raking = list(r = "calibrate(d, ~stype+sch.wide, pop_cal, calfun='raking', compress=FALSE)",
                          f = function(d) calibrate(d, ~stype + sch.wide, pop_cal, calfun = "raking", compress = FALSE),
                          py = list(method = "calibrate", select = list("stype", "sch.wide"),
                                    calfun = "raking")))
weighted <- list()
for (b in names(bases)) for (s in names(steps)) {
  if (b == "jkn" && s != "poststratify") next
  step <- steps[[s]]
  if (b == "jkn") step <- list(r = "postStratify(d, ~sch.wide, pop_schwide)",
                               f = function(d) postStratify(d, ~sch.wide, pop_schwide),
                               py = list(method = "poststratify", select = list("sch.wide")))
  d <- step$f(bases[[b]]$d)
  weighted[[length(weighted) + 1]] <- c(list(
    id = paste(b, s, sep = "_"), design_r = bases[[b]]$r, weighting_r = step$r,
    design = bases[[b]]$py, step = step$py, margins = "weighting_margins.csv",
    weights = num(weights(d, "sampling")),
    repweights_first = num(weights(d, "analysis")[, 1])), stats(d))
}

# ---- nonresponse adjustment ----------------------------------------------------------------
s <- apistrat
status <- ifelse(s$snum %% 11 == 0, "ineligible",
          ifelse(s$snum %% 7 == 0, "unknown",
          ifelse(s$snum %% 3 == 0 | (s$meals > 70 & s$snum %% 2 == 0), "nonrespondent",
                 "respondent")))
s$status <- status
known <- status != "unknown"; elig <- status %in% c("respondent", "nonrespondent")
resp <- status == "respondent"
# unknown eligibility: weights of unknowns go to the known cases of their class
class_adjust <- function(w, cls, from, to) {   # R's nonresponse(): population / respondents
  cls <- factor(cls)
  nr <- nonresponse(xtabs(w ~ cls, data.frame(w = w[to], cls = cls[to])),
                    table(cls = cls[to]),
                    xtabs(w ~ cls, data.frame(w = w[from], cls = cls[from])))
  f <- weights(nr)
  list(factor = num(f[as.character(cls)]), nr = nr)
}
u <- class_adjust(s$pw, s$stype, rep(TRUE, nrow(s)), known)
w1 <- ifelse(known, s$pw * u$factor, 0)
s$w1 <- w1
r <- class_adjust(w1, s$stype, elig, resp)
w2 <- ifelse(resp, w1 * r$factor, ifelse(status == "ineligible", w1, 0))
s$nrw <- w2
dr <- svydesign(id = ~1, strata = ~stype, weights = ~nrw, fpc = ~fpc, data = s[resp, ])
ps <- postStratify(dr, ~sch.wide, pop_schwide)
# response-propensity classes: weighted logistic model among the eligible, quintile classes
fit <- glm(I(status == "respondent") ~ api99 + meals, family = quasibinomial,
           weights = w1, data = s[elig, ])
p <- rep(NA_real_, nrow(s)); p[elig] <- fitted(fit)
pc <- rep(NA_character_, nrow(s))
pc[elig] <- as.character(as.integer(cut(p[elig], quantile(p[elig], 0:5 / 5), include.lowest = TRUE)))
rp <- class_adjust(w1, factor(pc), elig, resp)
w3 <- ifelse(resp, w1 * rp$factor, ifelse(status == "ineligible", w1, 0))
s$prw <- w3
dp <- svydesign(id = ~1, strata = ~stype, weights = ~prw, fpc = ~fpc, data = s[resp, ])
base_r <- "svydesign(id=~1, strata=~stype, weights=~pw, fpc=~fpc, data=apistrat)"
nonresp <- list(
  status = status,
  rule = "ineligible: snum %% 11 == 0; unknown: snum %% 7 == 0; nonrespondent: snum %% 3 == 0 or (meals > 70 and snum %% 2 == 0); else respondent",
  class = c(list(
    r = paste("nonresponse(xtabs(w ~ stype, known), table(stype[known]), xtabs(w ~ stype)) then",
              "nonresponse(xtabs(w1 ~ stype, respondents), ..., xtabs(w1 ~ stype, eligible));",
              "svydesign(id=~1, strata=~stype, weights=~nrw, fpc=~fpc, data=respondents)"),
    weights = num(w2), unknown_factor = num(u$factor), nonresponse_factor = num(r$factor)),
    stats(dr)),
  poststratified = c(list(r = "postStratify(<class-adjusted respondents>, ~sch.wide, pop_schwide)",
                          weights = num(weights(ps))), stats(ps)),
  propensity = c(list(
    r = paste("glm(respondent ~ api99 + meals, family=quasibinomial, weights=w1, data=eligible);",
              "cut(p, quantile(p, 0:5/5), include.lowest=TRUE); nonresponse() within the classes"),
    propensity = num(p), classes = pc, weights = num(w3)), stats(dp)))

# svystandardize: stype distribution fixed to the population's, within sch.wide
d_cl <- svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1)
sd <- svystandardize(d_cl, by = ~stype, over = ~sch.wide, population = pop_stype$Freq)
sd1 <- svystandardize(d_cl, by = ~stype, over = ~1, population = pop_stype$Freq)
standardize <- list(
  over = c(list(r = "svystandardize(svydesign(id=~dnum, weights=~pw, fpc=~fpc, data=apiclus1), by=~stype, over=~sch.wide, population=pop_stype$Freq)",
                population = as.list(setNames(pop_stype$Freq, pop_stype$stype)),
                weights = num(weights(sd)),
                by_schwide = local({ b <- svyby(~api00, ~sch.wide, sd, svymean)
                  list(sch.wide = as.character(b$sch.wide), estimate = num(coef(b)),
                       std_error = num(SE(b))) })), stats(sd)),
  all = c(list(r = "svystandardize(<same design>, by=~stype, over=~1, population=pop_stype$Freq)",
               weights = num(weights(sd1))), stats(sd1)))

# ---- replicate types ------------------------------------------------------------------------
set.seed(20261202)
lin <- list(
  strat = list(r = "svydesign(id=~1, strata=~stype, weights=~pw, fpc=~fpc, data=apistrat)",
               d = svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat),
               py = list(data = "apistrat", strata = "stype", weights = "pw", fpc = "fpc")),
  strat_nofpc = list(r = "svydesign(id=~1, strata=~stype, weights=~pw, data=apistrat)",
               d = svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat),
               py = list(data = "apistrat", strata = "stype", weights = "pw")),
  clus1 = list(r = "svydesign(id=~dnum, weights=~pw, fpc=~fpc, data=apiclus1)",
               d = svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1),
               py = list(data = "apiclus1", ids = "dnum", weights = "pw", fpc = "fpc")))
types <- list()
for (t in c("bootstrap", "subbootstrap", "mrbbootstrap")) for (k in names(lin)) {
  if (t == "mrbbootstrap" && k == "strat_nofpc") next
  d <- suppressWarnings(as.svrepdesign(lin[[k]]$d, type = t, replicates = 20, compress = FALSE))
  types[[length(types) + 1]] <- c(list(
    id = paste(t, k, sep = "_"), type = t, random = TRUE,
    r = sprintf("as.svrepdesign(%s, type='%s', replicates=20, compress=FALSE)", lin[[k]]$r, t),
    design = lin[[k]]$py, scale = num(d$scale), rscales = num(d$rscales),
    multipliers = unname(lapply(seq_len(ncol(d$repweights)), function(j) num(d$repweights[, j])))),
    stats(d))
}
# JK2 (pairs of schools within stype as strata) and successive-difference / ACS columns
a <- apistrat[order(apistrat$stype, apistrat$snum), ]
a$pair <- paste(a$stype, ave(seq_len(nrow(a)), a$stype, FUN = function(i) (seq_along(i) + 1) %/% 2))
pairs <- unique(a$pair)
first <- !duplicated(a$pair)
jk2 <- sapply(seq_along(pairs), function(h) ifelse(a$pair == pairs[h], ifelse(first, 2, 0), 1)) * a$pw
colnames(jk2) <- sprintf("jk2_%03d", seq_along(pairs))
H <- hadamard(80)[, 1:80] * 2 - 1           # rows: +/-1, R's hadamard() of order >= 81
i <- seq_len(nrow(a)); rr <- ((i - 1) %% (nrow(H) - 1)) + 1
sdr <- (1 + 2^(-1.5) * H[rr, ] - 2^(-1.5) * H[rr + 1, ]) * a$pw
colnames(sdr) <- sprintf("sdr_%02d", 1:80)
a_rep <- cbind(a[, c("snum", "stype", "pw", "api00", "api99", "enroll", "sch.wide")], jk2, sdr)
write.csv(a_rep, file.path(out, "apistrat_jk2_sdr.csv"), row.names = FALSE)
a_rep <- read.csv(file.path(out, "apistrat_jk2_sdr.csv"), stringsAsFactors = FALSE)
for (t in c("JK2", "successive-difference", "ACS")) {
  prefix <- if (t == "JK2") "jk2_" else "sdr_"
  d <- suppressWarnings(svrepdesign(data = a_rep, repweights = paste0("^", prefix), weights = ~pw,
                                    type = t, combined.weights = TRUE))
  types[[length(types) + 1]] <- c(list(
    id = t, type = t, random = FALSE,
    r = sprintf("svrepdesign(data=apistrat_jk2_sdr, repweights='^%s', weights=~pw, type='%s', combined.weights=TRUE)",
                prefix, t),
    design = list(supplied = list(data = "apistrat_jk2_sdr", weights = "pw", prefix = prefix,
                                  type = t)),
    scale = num(d$scale), rscales = num(d$rscales)), stats(d))
}

# ---- design effects -------------------------------------------------------------------------
deffs <- list()
dd <- function(id, design_r, design_py, call, d, fn, args) {
  res <- eval(parse(text = call))
  dv <- attr(res, "deff")
  if (inherits(res, "svyby")) dv <- res[[grep("^DEff", names(res))[1]]]
  list(id = id, design_r = design_r, design = design_py, call = call, fn = fn, args = args,
       estimate = num(coef(res)), std_error = num(SE(res)), deff = num(if (is.matrix(dv)) diag(dv) else dv))
}
for (k in c("strat", "clus1")) for (how in c("replace", "TRUE")) {
  dflag <- if (how == "replace") "'replace'" else "TRUE"
  pyflag <- if (how == "replace") "replace" else TRUE
  d <- lin[[k]]$d
  deffs[[length(deffs) + 1]] <- dd(paste(k, "mean", how, sep = "_"), lin[[k]]$r, lin[[k]]$py,
    sprintf("svymean(~api00, d, deff=%s)", dflag), d, "mean", list(var = "api00", deff = pyflag))
  deffs[[length(deffs) + 1]] <- dd(paste(k, "prop", how, sep = "_"), lin[[k]]$r, lin[[k]]$py,
    sprintf("svymean(~sch.wide, d, deff=%s)", dflag), d, "mean", list(var = "sch.wide", deff = pyflag))
  deffs[[length(deffs) + 1]] <- dd(paste(k, "total", how, sep = "_"), lin[[k]]$r, lin[[k]]$py,
    sprintf("svytotal(~enroll, d, deff=%s)", dflag), d, "total", list(var = "enroll", deff = pyflag))
  deffs[[length(deffs) + 1]] <- dd(paste(k, "ratio", how, sep = "_"), lin[[k]]$r, lin[[k]]$py,
    sprintf("svyratio(~api00, ~api99, d, deff=%s)", dflag), d, "ratio",
    list(numerator = "api00", denominator = "api99", deff = pyflag))
  deffs[[length(deffs) + 1]] <- dd(paste(k, "by", how, sep = "_"), lin[[k]]$r, lin[[k]]$py,
    sprintf("svyby(~api00, ~sch.wide, d, svymean, deff=%s)", dflag), d, "mean",
    list(var = "api00", by = "sch.wide", deff = pyflag))
}
for (how in c("replace", "TRUE")) {
  dflag <- if (how == "replace") "'replace'" else "TRUE"
  deffs[[length(deffs) + 1]] <- dd(paste("jk1_mean", how, sep = "_"), bases$jk1$r, bases$jk1$py,
    sprintf("svymean(~api00, d, deff=%s)", dflag), jk1, "mean",
    list(var = "api00", deff = if (how == "replace") "replace" else TRUE))
}

# ---- a model on a raked replicate design ---------------------------------------------------
dr <- rake(jk1, list(~stype, ~sch.wide), list(pop_stype, pop_schwide))
g <- summary(svyglm(api00 ~ api99, dr))$coef
glm_case <- list(r = "svyglm(api00 ~ api99, rake(<jk1>, list(~stype, ~sch.wide), list(pop_stype, pop_schwide)))",
                 terms = rownames(g), estimate = num(g[, 1]), std_error = num(g[, 2]),
                 p_value = num(g[, 4]))

header <- list(r_version = R.version.string,
               survey_version = as.character(packageVersion("survey")),
               script = "scripts/r/make_repweight_fixtures.R",
               note = "each entry: the exact R calls, the Python spec, and R's numbers")
writeLines(toJSON(list(header = header, weighted = weighted, nonresponse = nonresp,
                       standardize = standardize, types = types, deff = deffs,
                       glm = glm_case),
                  auto_unbox = TRUE, digits = NA, null = "null", na = "null", pretty = FALSE),
           file.path(out, "repweights.json"))
cat("weighted", length(weighted), "types", length(types), "deff", length(deffs), "\n")
