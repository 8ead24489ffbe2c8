# Reference fixtures of panel wave comparisons, nonlinear contrasts and multiple
# imputation (issue 13, items 2, 7 and 8).
#
#   Rscript scripts/r/make_panel_fixtures.R     (from the repository root)
#
# Writes tests/fixtures/r/panel.json and the data it was computed on:
#   panel_waves.csv   apistrat stacked as two waves: wave 1999 (schools 1-150, y = api99)
#                     and wave 2000 (schools 51-200, y = api00): 100 schools in both
#   apistrat_imp1..3.csv  apistrat with api00 missing for 60 schools, completed three
#                     times by a random hot deck within school type
# Each case holds the exact R call and the Python spec that must reproduce it.
suppressMessages({library(survey); library(mitools)})

# A small JSON writer (jsonlite is not needed): named lists become objects, other
# lists and vectors of length != 1 arrays; numbers with 17 significant digits.
json <- function(x, indent = "") {
  inner <- paste0(indent, "  ")
  if (is.null(x)) return("null")
  if (is.list(x) && !is.null(names(x))) {
    items <- vapply(names(x), function(k) paste0(inner, json(k), ": ", json(x[[k]], inner)), "")
    return(paste0("{\n", paste(items, collapse = ",\n"), "\n", indent, "}"))
  }
  if (is.list(x)) {
    items <- vapply(x, function(v) paste0(inner, json(v, inner)), "")
    return(paste0("[\n", paste(items, collapse = ",\n"), "\n", indent, "]"))
  }
  one <- function(v) {
    if (is.na(v)) return("null")
    if (is.character(v)) return(paste0("\"", gsub("([\"\\\\])", "\\\\\\1", v), "\""))
    if (is.logical(v)) return(if (v) "true" else "false")
    if (is.infinite(v)) return(if (v > 0) "Infinity" else "-Infinity")  # as Python reads it
    sprintf("%.17g", v)
  }
  vals <- vapply(x, one, "")
  if (length(x) == 1 && is.null(attr(x, "array"))) vals else
    paste0("[", paste(vals, collapse = ", "), "]")
}
arr <- function(x) structure(x, array = TRUE)  # a JSON array even of length one
data(api)
out <- "tests/fixtures/r"
dir.create(out, recursive = TRUE, showWarnings = FALSE)

# ---- data --------------------------------------------------------------------------
s <- apistrat[, c("snum", "stype", "pw", "fpc", "api00", "api99", "enroll", "meals")]
s$stype <- as.character(s$stype)
w99 <- s[1:150, ]; w99$wave <- "1999"; w99$y <- w99$api99
w00 <- s[51:200, ]; w00$wave <- "2000"; w00$y <- w00$api00
panel <- rbind(w00, w99)
panel$high <- ifelse(panel$y >= 700, "yes", "no")
# a stratum recorded differently in wave 2000 for ten schools of both waves: the panel
# design takes each school's stratum in wave 2000 (the first wave compared)
panel$stratum <- panel$stype
moved <- panel$wave == "2000" & panel$snum %in% s$snum[51:60]
panel$stratum[moved] <- ifelse(panel$stype[moved] == "E", "M", "E")
panel$stratum_2000 <- panel$stratum
for (k in which(panel$wave == "1999")) {
  j <- which(panel$wave == "2000" & panel$snum == panel$snum[k])
  if (length(j) == 1) panel$stratum_2000[k] <- panel$stratum[j]
}
panel <- panel[, c("snum", "wave", "stype", "stratum", "stratum_2000", "pw", "y", "high")]
write.csv(panel, file.path(out, "panel_waves.csv"), row.names = FALSE)

set.seed(20250702)
imp_base <- s[, c("snum", "stype", "pw", "fpc", "api00", "api99", "enroll", "meals")]
gone <- sample(nrow(imp_base), 60)
imps <- lapply(1:3, function(m) {
  d <- imp_base
  for (k in gone) {
    donors <- setdiff(which(d$stype == d$stype[k]), gone)
    d$api00[k] <- imp_base$api00[donors[sample.int(length(donors), 1)]]
  }
  d$high <- ifelse(d$api00 >= 700, "yes", "no")
  d
})
for (m in 1:3)
  write.csv(imps[[m]], file.path(out, sprintf("apistrat_imp%d.csv", m)), row.names = FALSE)

# ---- helpers -----------------------------------------------------------------------
cases <- list()
rows_of <- function(est, names = NULL) {
  cf <- coef(est); V <- vcov(est)
  se <- sqrt(diag(as.matrix(V)))
  list(names = arr(if (is.null(names)) names(cf) else names),
       estimate = arr(unname(as.numeric(cf))), std_error = arr(unname(as.numeric(se))))
}
add <- function(id, call, py, res, ...) {
  cases[[length(cases) + 1]] <<- c(list(id = id, call = call, py = py), res, list(...))
}
strat_r <- "svydesign(id=~1, strata=~stype, weights=~pw, fpc=~fpc, data=apistrat)"
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat)
dclus <- svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1)

# ---- nonlinear contrasts (svycontrast with an expression) -----------------------------
m <- svymean(~api00 + api99, dstrat)
add("contrast_ratio_minus_one", paste0("svycontrast(svymean(~api00+api99, ", strat_r,
    "), quote(api00/api99 - 1))"),
    list(data = "apistrat", design = list(strata = "stype", weights = "pw", fpc = "fpc"),
         fn = "mean", var = c("api00", "api99"), expr = "api00 / api99 - 1"),
    rows_of(svycontrast(m, quote(api00 / api99 - 1))))
t <- svytotal(~api00 + api99 + enroll, dclus)
add("contrast_total_log", paste0("svycontrast(svytotal(~api00+api99+enroll, ",
    "svydesign(id=~dnum, weights=~pw, fpc=~fpc, data=apiclus1)), ",
    "quote(log(api00) - log(api99) + sqrt(enroll) / 1000 + api00^2 / api99^2))"),
    list(data = "apiclus1", design = list(ids = "dnum", weights = "pw", fpc = "fpc"),
         fn = "total", var = c("api00", "api99", "enroll"),
         expr = "log(api00) - log(api99) + sqrt(enroll) / 1000 + api00 ** 2 / api99 ** 2"),
    rows_of(svycontrast(t, quote(log(api00) - log(api99) + sqrt(enroll) / 1000 +
                                   api00^2 / api99^2))))
b <- svyby(~api00 + api99, ~stype, dstrat, svymean, covmat = TRUE)
con <- lapply(c("E", "H", "M"), function(g)
  parse(text = sprintf("`%s:api00` / `%s:api99` - 1", g, g))[[1]])
names(con) <- c("E", "H", "M")
add("contrast_by_domain", paste0("svycontrast(svyby(~api00+api99, ~stype, ", strat_r,
    ", svymean, covmat=TRUE), list(E=quote(`E:api00`/`E:api99` - 1), H=..., M=...))"),
    list(data = "apistrat", design = list(strata = "stype", weights = "pw", fpc = "fpc"),
         fn = "mean", var = c("api00", "api99"), by = "stype", expr = "api00 / api99 - 1"),
    rows_of(svycontrast(b, con)))

add("contrast_across_domains", paste0("svycontrast(svyby(~api00+api99, ~stype, ", strat_r,
    ", svymean, covmat=TRUE), quote(`E:api00` / `H:api00` - `E:api99` / `H:api99`))"),
    list(data = "apistrat", design = list(strata = "stype", weights = "pw", fpc = "fpc"),
         fn = "mean", var = c("api00", "api99"), by = "stype",
         expr = "`E:api00` / `H:api00` - `E:api99` / `H:api99`"),
    rows_of(svycontrast(b, quote(`E:api00` / `H:api00` - `E:api99` / `H:api99`))))

# ---- panel changes: one design over the stacked waves, the member as cluster ---------
dp <- svydesign(id = ~snum, strata = ~stype, weights = ~pw, data = panel)
di <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = panel)
panel_r <- "svydesign(id=~snum, strata=~stype, weights=~pw, data=panel_waves)"
indep_r <- "svydesign(id=~1, strata=~stype, weights=~pw, data=panel_waves)"
change <- function(d, var, con = c(`2000` = 1, `1999` = -1)) {
  svycontrast(svyby(var, ~wave, d, svymean, covmat = TRUE), con)
}
for (kind in c("panel", "independent")) {
  d <- if (kind == "panel") dp else di
  call_d <- if (kind == "panel") panel_r else indep_r
  add(paste0("change_mean_", kind),
      paste0("svycontrast(svyby(~y, ~wave, ", call_d, ", svymean, covmat=TRUE), ",
             "c(`2000`=1, `1999`=-1))"),
      list(data = "panel_waves", design = list(strata = "stype", weights = "pw"),
           fn = "mean", var = arr("y"), by = "wave", compare = c("2000", "1999"),
           panel = if (kind == "panel") "snum" else NULL),
      rows_of(change(d, ~y)), members_in_both = 100)
  ph <- svyby(~high, ~wave, d, svymean, covmat = TRUE)
  add(paste0("change_proportion_", kind),
      paste0("svycontrast(svyby(~high, ~wave, ", call_d, ", svymean, covmat=TRUE), ",
             "list(no=c(`2000:highno`=1, `1999:highno`=-1), yes=c(`2000:highyes`=1, `1999:highyes`=-1)))"),
      list(data = "panel_waves", design = list(strata = "stype", weights = "pw"),
           fn = "proportion", var = arr("high"), by = "wave", compare = c("2000", "1999"),
           panel = if (kind == "panel") "snum" else NULL),
      rows_of(svycontrast(ph, list(no = c(`2000:highno` = 1, `1999:highno` = -1),
                                   yes = c(`2000:highyes` = 1, `1999:highyes` = -1)))),
      members_in_both = 100)
  add(paste0("relative_change_", kind),
      paste0("svycontrast(svyby(~y, ~wave, ", call_d, ", svymean, covmat=TRUE), ",
             "quote(`2000`/`1999` - 1))"),
      list(data = "panel_waves", design = list(strata = "stype", weights = "pw"),
           fn = "mean", var = arr("y"), by = "wave", compare = c("2000", "1999"), relative = TRUE,
           panel = if (kind == "panel") "snum" else NULL),
      rows_of(svycontrast(svyby(~y, ~wave, d, svymean, covmat = TRUE),
                          quote(`2000` / `1999` - 1))))
}
# post-stratified to school type within wave: the calibration residuals summed by member.
# svyby(..., covmat=TRUE) fails on a post-stratified design in survey 4.1.1 ("number of
# items to replace"); the coefficient of wave in svyglm(y ~ wave) is the same difference of
# the two means with the same linearised SE (checked on the unweighted panel: 8.976386 both)
pop <- data.frame(wave = rep(c("1999", "2000"), each = 3), stype = rep(c("E", "H", "M"), 2),
                  Freq = c(4421, 755, 1018, 4421, 755, 1018))
ps_spec <- list(`wave:stype` = list(`1999:E` = 4421, `1999:H` = 755, `1999:M` = 1018,
                                    `2000:E` = 4421, `2000:H` = 755, `2000:M` = 1018))
for (kind in c("panel", "independent")) {
  d <- postStratify(if (kind == "panel") dp else di, ~wave + stype, pop)
  add(paste0("change_mean_", kind, "_poststratified"),
      paste0("svyglm(y ~ wave, postStratify(", if (kind == "panel") panel_r else indep_r,
             ", ~wave+stype, pop)): coefficient wave2000"),
      list(data = "panel_waves", design = list(strata = "stype", weights = "pw"),
           poststratify = ps_spec, fn = "mean", var = arr("y"), by = "wave",
           compare = c("2000", "1999"), panel = if (kind == "panel") "snum" else NULL),
      { f <- svyglm(y ~ wave, d)
        list(names = arr("wave2000"), estimate = arr(unname(coef(f)[2])),
             std_error = arr(unname(SE(f)[2]))) },
      members_in_both = 100)
}
# the stratum rule: members whose stratum differs take their stratum in wave 2000
dm <- svydesign(id = ~snum, strata = ~stratum_2000, weights = ~pw, data = panel)
add("change_mean_panel_moved_strata",
    paste0("svycontrast(svyby(~y, ~wave, svydesign(id=~snum, strata=~stratum_2000, ",
           "weights=~pw, data=panel_waves), svymean, covmat=TRUE), c(`2000`=1, `1999`=-1))"),
    list(data = "panel_waves", design = list(strata = "stratum", weights = "pw"),
         fn = "mean", var = arr("y"), by = "wave", compare = c("2000", "1999"), panel = "snum"),
    rows_of(change(dm, ~y)), members_in_both = 100)

# ---- multiple imputation (MIcombine, Rubin's rules) -----------------------------------
di <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc,
                data = imputationList(imps))
imp_r <- paste0("svydesign(id=~1, strata=~stype, weights=~pw, fpc=~fpc, ",
                "data=imputationList(apistrat_imp1..3))")
mi_rows <- function(res) {
  r <- rows_of(res)
  c(r, list(df = arr(unname(as.numeric(res$df))),
            missinfo = arr(unname(as.numeric(res$missinfo)))))
}
imp_spec <- function(fn, ...) list(data = c("apistrat_imp1", "apistrat_imp2", "apistrat_imp3"),
                                   design = list(strata = "stype", weights = "pw", fpc = "fpc"),
                                   fn = fn, ...)
add("mi_mean", paste0("MIcombine(with(", imp_r, ", svymean(~api00+api99)))"),
    imp_spec("mean", var = c("api00", "api99")),
    mi_rows(MIcombine(with(di, svymean(~api00 + api99)))))
add("mi_total_by", paste0("MIcombine(with(", imp_r, ", svyby(~api00, ~stype, svytotal)))"),
    imp_spec("total", var = arr("api00"), by = "stype"),
    mi_rows(MIcombine(with(di, svyby(~api00, ~stype, svytotal)))))
add("mi_proportion", paste0("MIcombine(with(", imp_r, ", svymean(~high)))"),
    imp_spec("proportion", var = arr("high")),
    mi_rows(MIcombine(with(di, svymean(~high)))))
add("mi_glm", paste0("MIcombine(with(", imp_r, ", svyglm(api00 ~ meals + enroll)))"),
    imp_spec("svyglm", formula = "api00 ~ meals + enroll"),
    mi_rows(MIcombine(with(di, svyglm(api00 ~ meals + enroll)))))

add("mi_logit", paste0("MIcombine(with(", imp_r, ", svyglm(I(high == \"yes\") ~ meals + enroll, ",
                       "family=quasibinomial())))"),
    imp_spec("logit", formula = "~ meals + enroll", outcome = "high = 'yes'"),
    mi_rows(MIcombine(with(di, svyglm(I(high == "yes") ~ meals + enroll,
                                      family = quasibinomial())))))

header <- list(r_version = R.version.string,
               survey_version = as.character(packageVersion("survey")),
               mitools_version = as.character(packageVersion("mitools")),
               script = "scripts/r/make_panel_fixtures.R",
               data = "tests/fixtures/r/panel_waves.csv, apistrat_imp1..3.csv (written by the script)",
               note = "svycontrast with expressions; wave changes with the member as cluster; MIcombine")
writeLines(json(list(header = header, cases = cases)), file.path(out, "panel.json"))
cat("wrote", file.path(out, "panel.json"), "with", length(cases), "cases\n")
