# Regenerates the R reference fixtures of the model tests (survey.models).
#
#   Rscript scripts/r/make_model_fixtures.R     (from the repository root)
#
# Reads the api data written by scripts/r/make_fixtures.R (tests/fixtures/r/*.csv),
# writes tests/fixtures/r/models_sep.csv (a small separated data set) and
# tests/fixtures/r/models.json. Each case holds the exact R call, the Python spec
# that must reproduce it, and R's numbers: per coefficient the estimate, SE,
# interval ends (confint) and p-value (summary), the residual df, and Wald tests.
#
# Tolerances. svyglm runs with R's defaults (the Python fit replays glm.fit's
# iterations, so it matches R's stopping point). brglm2 stops when the step is
# below 1e-6, which leaves about 1e-6 relative error: its 1e-6 cases pass
# brglmControl(epsilon = 1e-12), one default case is checked at 1e-5. svyolr maximises with BFGS
# (reltol 1e-8) and differentiates the gradient numerically (ndeps 1e-3), which
# leaves about 1e-4 relative error; its 1e-6 cases therefore pass
# control = list(reltol = 1e-15, maxit = 1000, ndeps = 1e-6) to optim (and the
# replicate refits, written out below as svyolr.svyrep.design does them, get the
# same control); one case keeps R's default at tolerance 2e-3.
suppressMessages({library(survey); library(jsonlite); library(brglm2)})
out <- "tests/fixtures/r"
rd <- function(nm) read.csv(file.path(out, paste0(nm, ".csv")), stringsAsFactors = TRUE)
env <- new.env()
for (nm in c("apistrat", "apiclus1", "apiclus1_jk", "apiclus2")) assign(nm, rd(nm), envir = env)
local({
  s <- get("apistrat", env)
  s$cat <- cut(s$api00, c(0, 550, 650, 750, 1000), labels = c("low", "mid", "high", "top"),
               ordered_result = TRUE)
  assign("apistrat", s, envir = env)
  c1 <- get("apiclus1", env)
  c1$cat <- cut(c1$api00, c(0, 600, 700, 1000), labels = c("low", "mid", "high"),
                ordered_result = TRUE)
  assign("apiclus1", c1, envir = env)
})
# a small separated data set: every respondent in group "c" succeeds
set.seed(20250601)
n <- 40
sep <- data.frame(g = rep(c("a", "b", "c"), length.out = n), x = round(rnorm(n), 3))
sep$y <- ifelse(sep$g == "c", 1L, rbinom(n, 1, plogis(-0.3 + 0.8 * sep$x)))
sep$g <- factor(sep$g)
write.csv(sep, file.path(out, "models_sep.csv"), row.names = FALSE)
assign("sep", sep, envir = env)

source("scripts/r/designs.R")
designs <- c(shared_designs, list(
  jkn = list(r = "as.svrepdesign(svydesign(id=~1, strata=~stype, weights=~pw, data=apistrat), type='JKn')",
             py = list(data = "apistrat", strata = "stype", weights = "pw",
                       replicate = list(type = "JKn"))),
  jk1 = list(r = "as.svrepdesign(svydesign(id=~dnum, weights=~pw, fpc=~fpc, data=apiclus1), type='JK1')",
             py = list(data = "apiclus1", ids = "dnum", weights = "pw", fpc = "fpc",
                       replicate = list(type = "JK1"))),
  jk1_cols = list(r = paste0("svrepdesign(data=apiclus1_jk, repweights='^jw', weights=~pw, ",
                             "type='JK1', scale=14/15, combined.weights=TRUE)"),
                  py = list(supplied = list(data = "apiclus1_jk", weights = "pw", prefix = "jw",
                                            type = "JK1", scale = 14 / 15))),
  sep = list(r = "svydesign(id=~1, data=sep)", py = list(data = "models_sep"))
))
source("scripts/r/_model_rows.R")  # make_design, num, terms_of, olr_rows
glm_rows <- function(m) {
  s <- summary(m)$coefficients
  list(terms = terms_of(coef(m), SE(m), confint(m), s[, 4]), df_resid = num(m$df.residual))
}
firth_rows <- function(m) {
  s <- summary(m)$coefficients
  list(terms = terms_of(coef(m), s[, 2], confint(m), s[, 4]), df_resid = NA_real_)
}
test_rows <- function(t) list(statistic = num(if (is.null(t$Ftest)) t$chisq else t$Ftest),
                              df = c(num(t$df), if (is.null(t$Ftest)) NULL else num(t$ddf)),
                              p_value = num(t$p))

case <- function(id, key, call, fn, args, convert, tol = 1e-6, tests = list()) {
  assign("d", make_design(key), envir = env)
  assign("d", get("d", env), envir = globalenv())  # model.frame.svyolr looks for it there
  res <- eval(parse(text = call), envir = env)
  assign("m", res, envir = env)
  out <- c(list(id = id, design_r = designs[[key]]$r, design = designs[[key]]$py, call = call,
                fn = fn, args = args, tol = tol), convert(res))
  out$tests <- lapply(tests, function(t) c(list(call = t$r, terms = t$terms,
                                                statistic_kind = t$kind),
                                           test_rows(eval(parse(text = t$r), envir = env))))
  out
}
A <- function(...) list(...)
ctl <- "control=list(reltol=1e-15, maxit=1000, ndeps=rep(1e-6, %d))"

source("scripts/r/_common.R")  # cases, add, write_cases
rt <- function(r, terms, kind = "F") list(r = r, terms = terms, kind = kind)

# ---- svyglm, linearisation -------------------------------------------------------------
for (key in c("strat", "strat_nofpc", "clus1", "clus1_nofpc"))
  add(case(paste0(key, "_logit"), key,
    "svyglm(sch.wide ~ api99 + meals + stype, design=d, family=quasibinomial())", "svyglm",
    A(formula = "Q('sch.wide') ~ api99 + meals + C(stype)", family = "binomial"), glm_rows,
    tests = list(rt("regTermTest(m, ~stype)", list("C(stype)")),
                 rt("regTermTest(m, ~stype, df=Inf)", list("C(stype)"), "Chisq"),
                 rt("regTermTest(m, ~api99+meals)", list("api99", "meals")))))
add(case("strat_logit_binomial", "strat",
  "svyglm(sch.wide ~ api99 + meals + stype, design=d, family=binomial())", "svyglm",
  A(formula = "Q('sch.wide') ~ api99 + meals + C(stype)", family = "binomial"), glm_rows))
add(case("strat_logit_interaction_ref", "strat",
  "svyglm(sch.wide ~ meals * relevel(stype, 'M'), design=d, family=quasibinomial())", "svyglm",
  A(formula = "Q('sch.wide') ~ meals * C(stype, Treatment('M'))", family = "binomial"), glm_rows,
  tests = list(rt("regTermTest(m, ~meals:relevel(stype, 'M'))",
                  list("meals:C(stype, Treatment('M'))")))))
add(case("strat_logit_outcome_expr", "strat",
  "svyglm(I(api00 > 700) ~ meals + stype, design=d, family=quasibinomial())", "svyglm",
  A(formula = "~ meals + C(stype)", outcome = "api00 > 700", family = "binomial"), glm_rows))
for (key in c("strat", "clus1"))
  add(case(paste0(key, "_logit_domain"), key,
    "svyglm(sch.wide ~ api99 + meals, design=subset(d, stype != 'E'), family=quasibinomial())",
    "svyglm", A(formula = "Q('sch.wide') ~ api99 + meals", family = "binomial",
                where = "stype <> 'E'"), glm_rows))
add(case("strat_gaussian", "strat",
  "svyglm(api00 ~ api99 + meals + stype, design=d)", "svyglm",
  A(formula = "api00 ~ api99 + meals + C(stype)", family = "gaussian"), glm_rows,
  tests = list(rt("regTermTest(m, ~stype)", list("C(stype)")))))
add(case("clus2_fpc_logit", "clus2_fpc",  # two stages, each with its fpc (R's multistage)
  "svyglm(sch.wide ~ api99 + meals + stype, design=d, family=quasibinomial())", "svyglm",
  A(formula = "Q('sch.wide') ~ api99 + meals + C(stype)", family = "binomial"), glm_rows,
  tests = list(rt("regTermTest(m, ~stype)", list("C(stype)")))))
add(case("clus2_fpc_gaussian_domain", "clus2_fpc",
  "svyglm(api00 ~ api99 + meals, design=subset(d, stype != 'E'))", "svyglm",
  A(formula = "api00 ~ api99 + meals", family = "gaussian", where = "stype <> 'E'"), glm_rows))
add(case("clus1_poisson", "clus1",
  "svyglm(enroll ~ meals + stype, design=d, family=quasipoisson())", "svyglm",
  A(formula = "enroll ~ meals + C(stype)", family = "poisson"), glm_rows))

# ---- svyglm, replicate weights ---------------------------------------------------------
for (key in c("jkn", "jk1"))
  add(case(paste0(key, "_logit"), key,
    "svyglm(sch.wide ~ api99 + meals + stype, design=d, family=quasibinomial())", "svyglm",
    A(formula = "Q('sch.wide') ~ api99 + meals + C(stype)", family = "binomial"), glm_rows,
    tests = list(rt("regTermTest(m, ~stype)", list("C(stype)")))))
add(case("jk1_cols_logit", "jk1_cols",
  "svyglm(sch.wide ~ api99 + stype, design=d, family=quasibinomial())", "svyglm",
  A(formula = "Q('sch.wide') ~ api99 + C(stype)", family = "binomial"), glm_rows,
  tests = list(rt("regTermTest(m, ~stype)", list("C(stype)")))))
add(case("jkn_logit_domain", "jkn",
  "svyglm(sch.wide ~ api99 + meals, design=subset(d, stype != 'E'), family=quasibinomial())",
  "svyglm", A(formula = "Q('sch.wide') ~ api99 + meals", family = "binomial",
              where = "stype <> 'E'"), glm_rows))

# ---- svyolr ------------------------------------------------------------------------------
olr_cut <- list(strat = A(var = "api00", breaks = c(550, 650, 750),
                          labels = c("low", "mid", "high", "top")),
                clus1 = A(var = "api00", breaks = c(600, 700), labels = c("low", "mid", "high")))
add(case("strat_olr", "strat",
  sprintf("svyolr(cat ~ meals + stype, design=d, %s)", sprintf(ctl, 6)), "svyolr",
  A(formula = "~ meals + C(stype)", cut = olr_cut$strat), olr_rows,
  tests = list(rt("regTermTest(m, ~stype)", list("C(stype)")))))
add(case("strat_olr_default_control", "strat", "svyolr(cat ~ meals + stype, design=d)",
  "svyolr", A(formula = "~ meals + C(stype)", cut = olr_cut$strat), olr_rows, tol = 1e-2))
add(case("clus1_olr", "clus1",
  sprintf("svyolr(cat ~ meals + stype, design=d, %s)", sprintf(ctl, 5)), "svyolr",
  A(formula = "~ meals + C(stype)", cut = olr_cut$clus1), olr_rows))
# replicate svyolr, as svyolr.svyrep.design but with the tight control on every refit
add(case("jkn_olr", "jkn", paste0(
  "{f <- cat ~ meals + stype; df <- model.frame(d); pwt <- weights(d, 'sampling'); ",
  "r <- MASS::polr(f, data=df, Hess=TRUE, model=FALSE, weights=pwt, ", sprintf(ctl, 6), "); ",
  "start <- c(r$coefficients, r$zeta); rw <- weights(d, 'analysis'); ",
  "b <- apply(rw, 2, function(w) {environment(f) <- environment(); m <- MASS::polr(f, data=df, start=start, model=FALSE, ",
  "weights=w, ", sprintf(ctl, 6), "); c(m$coefficients, m$zeta)}); ",
  "r$var <- svrVar(t(b), d$scale, d$rscales, mse=d$mse, coef=start); ",
  "r$df.residual <- degf(d) - length(r$coefficients); class(r) <- 'svyolr'; r}"),
  "svyolr", A(formula = "~ meals + C(stype)", cut = olr_cut$strat), olr_rows))

# ---- Firth (brglm2), unweighted ------------------------------------------------------------
bctl <- "control=brglmControl(epsilon=1e-12, maxit=1000)"
add(case("sep_firth", "sep", sprintf(
  "glm(y ~ x + g, family=binomial(), data=sep, method='brglmFit', type='AS_mean', %s)", bctl),
  "firth", A(formula = "y ~ x + C(g)"), firth_rows))
add(case("sep_firth_x", "sep", sprintf(
  "glm(y ~ x, family=binomial(), data=sep, method='brglmFit', type='AS_mean', %s)", bctl),
  "firth", A(formula = "y ~ x"), firth_rows))
add(case("sep_firth_default_control", "sep",
  "glm(y ~ x + g, family=binomial(), data=sep, method='brglmFit', type='AS_mean')", "firth",
  A(formula = "y ~ x + C(g)"), firth_rows, tol = 1e-5))

header <- list(r_version = R.version.string,
               survey_version = as.character(packageVersion("survey")),
               brglm2_version = as.character(packageVersion("brglm2")),
               script = "scripts/r/make_model_fixtures.R",
               note = paste("each case: the exact R call, the Python spec, and R's numbers;",
                            "term names are R's (the tests translate patsy's)"))
write_cases(header, "models.json", na = "null")
cat(length(cases), "cases written\n")
