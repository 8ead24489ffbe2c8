# Regenerates the R reference fixtures of GLM families and links, ordinal links,
# predictive margins and working likelihood-ratio tests (survey.models).
#
#   Rscript scripts/r/make_glm_fixtures.R     (from the repository root)
#
# Reads the api data written by scripts/r/make_fixtures.R (tests/fixtures/r/*.csv),
# exports the 2025 academy wave's model variables (sample_data/academy_2025.xlsx read
# with its codebook, as `survey ingest` does; PYTHON=... chooses the interpreter) to
# tests/fixtures/r/academy_models_2025.csv, and writes tests/fixtures/r/glm.json. Each case holds the exact R call, the Python spec
# that must reproduce it, and R's numbers.
#
# Kinds of case:
#   glm        svyglm with a family and link (R's glm.control defaults: the Python fit
#              replays glm.fit's iterations); per coefficient estimate, SE, confint, p.
#   glm_nb     the negative binomial with theta estimated: theta from
#              MASS::glm.nb(formula, data, weights = pw / mean(pw)) at tight control
#              (epsilon 1e-10; theta agrees with 1e-8 and 1e-13 to 1e-12), then svyglm(family = MASS::negative.binomial(theta)).
#   glm_nb_joint  theta estimated with the joint sandwich: R's svymle over the negative
#              binomial likelihood (the svy package's choice), started at glm.nb's estimate.
#   olr        svyolr(method = probit | cloglog | cauchit), optim at tight control
#              (reltol 1e-15, ndeps 1e-6) as in make_model_fixtures.R.
#   predmeans  svypredmeans(adjustmodel, ~group): the margins and their SEs.
#   lrt        regTermTest(m, ~term, method = "LRT") and anova(m0, m1) (nested, which
#              R turns into regTermTest of the bigger model); for svyolr, regTermTest's
#              LRT written out (its update() cannot pass the tight optim control, whose
#              ndeps must match the smaller model), the same formulas except that the
#              model-based covariance solve(Hess) is put on the deviance's weight scale
#              (times the mean weight): R's own mixes raw-weight Hess with mean-1-weight
#              deviance, so its p-value changes when the weights are rescaled (on
#              apistrat, cat ~ meals + stype: p 0.22 with pw, 1.1e-15 with pw/mean(pw),
#              the latter what this formula gives with either).
#              Each holds the working 2 log LR (chisq), the misspecification eigenvalues (lambda), the denominator df
#              and the p-value. R's saddlepoint solves its equation with uniroot(tol =
#              1e-8); p_value is R's default output, p_tight the same with the root
#              found to 1e-14 (survey:::saddle patched for the call), the number an
#              exact root gives.
suppressMessages({library(survey); library(jsonlite)})
out <- "tests/fixtures/r"
rd <- function(nm) read.csv(file.path(out, paste0(nm, ".csv")), stringsAsFactors = TRUE)
env <- new.env()
for (nm in c("apistrat", "apiclus1", "apiclus2")) assign(nm, rd(nm), envir = env)
local({
  s <- get("apistrat", env)
  s$cat <- cut(s$api00, c(0, 550, 650, 750, 1000), labels = c("low", "mid", "high", "top"),
               ordered_result = TRUE)
  assign("apistrat", s, envir = env)
})

source("scripts/r/designs.R")
designs <- c(shared_designs, list(
  jk1 = list(r = "as.svrepdesign(svydesign(id=~dnum, weights=~pw, fpc=~fpc, data=apiclus1), type='JK1')",
             py = list(data = "apiclus1", ids = "dnum", weights = "pw", fpc = "fpc",
                       replicate = list(type = "JK1")))))
source("scripts/r/_model_rows.R")  # make_design, num, terms_of, olr_rows
glm_rows <- function(m) {
  s <- summary(m)$coefficients
  list(terms = terms_of(coef(m), SE(m), confint(m), s[, 4]), df_resid = num(m$df.residual),
       deviance = num(deviance(m)))
}
pm_rows <- function(m) list(margins = lapply(names(coef(m)), function(g) list(
  level = g, estimate = num(coef(m)[g]), std_error = num(SE(m)[g]))))

saddle0 <- survey:::saddle
saddle_tight <- saddle0
body(saddle_tight) <- parse(text = sub("tol = 1e-08", "tol = 1e-14",
                                       paste(deparse(body(saddle0)), collapse = "\n"),
                                       fixed = TRUE))[[1]]
lrt_rows <- function(call) {
  r <- eval(parse(text = call), envir = env)
  assignInNamespace("saddle", saddle_tight, "survey")
  rt <- eval(parse(text = call), envir = env)
  assignInNamespace("saddle", saddle0, "survey")
  list(chisq = num(r$chisq), df = num(r$df), ddf = num(r$ddf), lambda = as.numeric(r$lambda),
       p_value = num(r$p), p_tight = num(rt$p))
}

case <- function(id, key, kind, call, args, convert, tol = 1e-6, lrt = list()) {
  assign("d", make_design(key), envir = env)
  assign("d", get("d", env), envir = globalenv())  # model.frame.svyolr looks for it there
  res <- eval(parse(text = call), envir = env)
  assign("m", res, envir = env)
  out <- c(list(id = id, kind = kind, design_r = designs[[key]]$r, design = designs[[key]]$py,
                call = call, args = args, tol = tol), convert(res))
  out$lrt <- lapply(lrt, function(t) c(list(call = t$r, terms = t$terms, method = t$method),
                                        lrt_rows(t$r)))
  out
}
A <- function(...) list(...)
source("scripts/r/_common.R")  # cases, add, write_cases
lr <- function(r, terms, method = "F") list(r = r, terms = terms, method = method)

# ---- families and links ------------------------------------------------------------------
glm_case <- function(id, key, r_formula, r_family, py, lrt = list(), tol = 1e-6, dsn = "d")
  add(case(id, key, "glm", sprintf("svyglm(%s, design=%s, family=%s)", r_formula, dsn, r_family),
           py, glm_rows, tol = tol, lrt = lrt))
for (key in c("strat", "clus1", "clus2_fpc", "jk1"))
  glm_case(paste0(key, "_gamma_log"), key, "api00 ~ meals + stype", "Gamma(link='log')",
           A(formula = "api00 ~ meals + C(stype)", family = "gamma", link = "log"),
           lrt = list(lr("regTermTest(m, ~stype, method='LRT')", list("C(stype)")),
                      lr("regTermTest(m, ~stype, method='LRT', df=Inf)", list("C(stype)"),
                         "Chisq")))
glm_case("strat_gamma_inverse", "strat", "api00 ~ meals + stype", "Gamma()",
         A(formula = "api00 ~ meals + C(stype)", family = "gamma"))
glm_case("strat_gamma_identity", "strat", "api00 ~ meals + stype", "Gamma(link='identity')",
         A(formula = "api00 ~ meals + C(stype)", family = "gamma", link = "identity"))
glm_case("strat_gamma_log_domain", "strat", "api00 ~ meals + api99", "Gamma(link='log')",
         A(formula = "api00 ~ meals + api99", family = "gamma", link = "log",
           where = "stype <> 'E'"), dsn = "subset(d, stype != 'E')")
glm_case("strat_inverse_gaussian", "strat", "api00 ~ meals + stype", "inverse.gaussian()",
         A(formula = "api00 ~ meals + C(stype)", family = "inverse_gaussian"))
glm_case("clus1_inverse_gaussian_log", "clus1", "api00 ~ meals + stype",
         "inverse.gaussian(link='log')",
         A(formula = "api00 ~ meals + C(stype)", family = "inverse_gaussian", link = "log"))
glm_case("strat_gaussian_log", "strat", "api00 ~ meals + stype", "gaussian(link='log')",
         A(formula = "api00 ~ meals + C(stype)", family = "gaussian", link = "log"))
glm_case("strat_gaussian_inverse", "strat", "api00 ~ meals + stype", "gaussian(link='inverse')",
         A(formula = "api00 ~ meals + C(stype)", family = "gaussian", link = "inverse"))
for (key in c("strat", "clus1"))
  glm_case(paste0(key, "_quasipoisson_offset"), key,
           "enroll ~ meals + stype + offset(log(api00))", "quasipoisson()",
           A(formula = "enroll ~ meals + C(stype) + offset(log(api00))", family = "quasipoisson"),
           lrt = list(lr("regTermTest(m, ~meals, method='LRT')", list("meals"))))
glm_case("strat_poisson_sqrt", "strat", "enroll ~ meals + stype", "poisson(link='sqrt')",
         A(formula = "enroll ~ meals + C(stype)", family = "poisson", link = "sqrt"))
glm_case("strat_poisson_identity", "strat", "enroll ~ meals + stype", "poisson(link='identity')",
         A(formula = "enroll ~ meals + C(stype)", family = "poisson", link = "identity"))
for (lk in c("probit", "cloglog", "cauchit"))
  for (key in c("strat", "clus1", "jk1"))
    glm_case(paste0(key, "_binomial_", lk), key, "sch.wide ~ api99 + meals + stype",
             sprintf("quasibinomial(link='%s')", lk),
             A(formula = "Q('sch.wide') ~ api99 + meals + C(stype)", family = "quasibinomial",
               link = lk),
             lrt = if (key == "strat") list(lr("regTermTest(m, ~stype, method='LRT')",
                                               list("C(stype)"))) else list())
glm_case("strat_logit_lrt", "strat", "sch.wide ~ api99 + meals + stype", "quasibinomial()",
         A(formula = "Q('sch.wide') ~ api99 + meals + C(stype)", family = "binomial"),
         lrt = list(lr("regTermTest(m, ~stype, method='LRT')", list("C(stype)")),
                    lr("regTermTest(m, ~api99 + meals, method='LRT')", list("api99", "meals")),
                    lr(paste0("anova(svyglm(sch.wide ~ api99, design=d, family=quasibinomial()), ",
                              "m)"), list("meals", "C(stype)")),
                    lr(paste0("anova(svyglm(sch.wide ~ api99, design=d, family=quasibinomial()), ",
                              "m, test='Chisq')"), list("meals", "C(stype)"), "Chisq")))
for (key in c("strat", "clus1"))
  glm_case(paste0(key, "_negbin_theta2"), key, "enroll ~ meals + stype",
           "MASS::negative.binomial(2)",
           A(formula = "enroll ~ meals + C(stype)", family = "negative_binomial", theta = 2),
           lrt = list(lr("regTermTest(m, ~stype, method='LRT')", list("C(stype)"))))
glm_case("strat_negbin_theta5_sqrt", "strat", "enroll ~ meals + stype",
         "MASS::negative.binomial(5, link='sqrt')",
         A(formula = "enroll ~ meals + C(stype)", family = "negative_binomial", theta = 5,
           link = "sqrt"))
# theta estimated (glm.nb with the rescaled sampling weights, tight control)
for (key in c("strat", "clus1")) {
  dat <- if (key == "strat") "apistrat" else "apiclus1"
  nb <- sprintf(paste0("MASS::glm.nb(enroll ~ meals + stype, data=%s, weights=pw/mean(pw), ",
                       "control=glm.control(epsilon=1e-10, maxit=100))$theta"), dat)
  th <- eval(parse(text = nb), envir = env)
  add(c(case(paste0(key, "_negbin_estimated"), key, "glm_nb",
             sprintf("svyglm(enroll ~ meals + stype, design=d, family=MASS::negative.binomial(%.17g))", th),
             A(formula = "enroll ~ meals + C(stype)", family = "negative_binomial"), glm_rows),
        list(theta = th, theta_call = nb)))
}

# theta estimated with the joint (beta, theta) sandwich: R's svymle over the negative
# binomial likelihood (as the Python peer svy), started at glm.nb's estimate, BFGS with the
# analytic gradient at tight control (reltol 1e-15, ndeps 1e-6 for optim's Hessian)
nb_ll <- function(y, eta, theta) {
  mu <- exp(eta)
  lgamma(y + theta) - lgamma(theta) - lgamma(y + 1) + theta * log(theta) + y * log(mu) -
    (y + theta) * log(mu + theta)
}
nb_gr <- function(y, eta, theta) {
  mu <- exp(eta)
  cbind(eta = (y - mu) * theta / (mu + theta),
        theta = digamma(y + theta) - digamma(theta) + log(theta) + 1 - log(mu + theta) -
          (y + theta) / (mu + theta))
}
assign("nb_ll", nb_ll, envir = env)
assign("nb_gr", nb_gr, envir = env)
mle_rows <- function(m) {
  est <- coef(m); se <- SE(m); k <- grep("^eta[.]", names(est))
  names(est) <- sub("^eta[.]", "", names(est)); names(se) <- names(est)
  list(terms = lapply(k, function(i) list(term = names(est)[i], estimate = num(est[i]),
                                           std_error = num(se[i]))),
       theta = num(est[length(est)]), theta_std_error = num(se[length(se)]))
}
for (key in c("strat", "clus1", "clus2_fpc")) {
  dat <- c(strat = "apistrat", clus1 = "apiclus1", clus2_fpc = "apiclus2")[[key]]
  w <- "pw"  # only the start: BFGS goes on to the design-weighted optimum
  add(case(paste0(key, "_negbin_joint"), key, "glm_nb_joint", paste0(
    "{nb <- MASS::glm.nb(enroll ~ meals + stype, data=", dat, ", weights=", w, "/mean(", w, "), ",
    "control=glm.control(epsilon=1e-10, maxit=100)); ",
    "svymle(loglike=nb_ll, gradient=nb_gr, design=d, formulas=list(eta = enroll ~ meals + stype, ",
    "theta = ~1), start=c(coef(nb), nb$theta), method='BFGS', na.action='na.omit', ",
    "control=list(reltol=1e-15, maxit=1000, ndeps=rep(1e-6, 5)))}"),
    A(formula = "enroll ~ meals + C(stype)", family = "negative_binomial"), mle_rows))
}

# ---- svyolr links --------------------------------------------------------------------------
ctl <- "control=list(reltol=1e-15, maxit=1000, ndeps=rep(1e-6, 6))"
for (lk in c("probit", "cloglog", "cauchit"))
  add(case(paste0("strat_olr_", lk), "strat", "olr",
           sprintf("svyolr(cat ~ meals + stype, design=d, method='%s', %s)", lk, ctl),
           A(formula = "cat ~ meals + C(stype)", link = lk,
             cut = A(var = "api00", breaks = c(550, 650, 750),
                     labels = c("low", "mid", "high", "top"))),
           olr_rows, lrt = list(lr(sprintf(paste0(
             "{m0 <- svyolr(cat ~ meals, design=d, method='%s', control=list(reltol=1e-15, ",
             "maxit=1000, ndeps=rep(1e-6, 4))); idx <- 2:3; ",
             "V0 <- (solve(m$Hess) * mean(weights(d)))[idx, idx]; ",
             "lam <- eigen(solve(V0) %%*%% vcov(m)[idx, idx], only.values=TRUE)$values; ",
             "x <- deviance(m0) - deviance(m); list(chisq=x, df=2, ddf=m$df.residual, ",
             "lambda=lam, p=survey:::pFsum(x, rep(1, 2), lam, ddf=m$df.residual, ",
             "method='saddlepoint', lower.tail=FALSE))}"), lk), list("C(stype)")))))

# ---- predictive margins ------------------------------------------------------------------------
for (key in c("strat", "clus1", "clus2_fpc")) {
  add(case(paste0(key, "_predmeans_logit"), key, "predmeans",
           "svypredmeans(svyglm(sch.wide ~ api99 + meals, design=d, family=quasibinomial()), ~stype)",
           A(formula = "Q('sch.wide') ~ api99 + meals + C(stype)", family = "binomial",
             variable = "stype"), pm_rows))
  add(case(paste0(key, "_predmeans_gamma_log"), key, "predmeans",
           "svypredmeans(svyglm(api00 ~ meals, design=d, family=Gamma(link='log')), ~stype)",
           A(formula = "api00 ~ meals + C(stype)", family = "gamma", link = "log",
             variable = "stype"), pm_rows))
}
add(case("strat_predmeans_gaussian", "strat", "predmeans",
         "svypredmeans(svyglm(api00 ~ meals + api99, design=d), ~awards)",
         A(formula = "api00 ~ meals + api99 + C(awards)", family = "gaussian",
           variable = "awards"), pm_rows))

# ---- the academy sample: stratified by division with the membership as fpc; the models
# ---- are fitted on the domain of members offered a post (subset), as the plan does -------
acsv <- file.path(out, "academy_models_2025.csv")
export <- "
import sys
import polars as pl
from survey import load_codebook, read_survey
wave = read_survey('sample_data/academy_2025.xlsx', load_codebook('schemas/academy_member_survey.yaml'))
pop = (pl.read_csv('sample_data/population_2025.csv').filter(pl.col('variable') == 'division')
       .select(pl.col('category').alias('division'), 'population'))
(wave.frame
 .select(pl.col('division', 'offer_received', 'age_band', 'institution_type').cast(pl.String),
         'salary_multiple',
         pl.col('offer_countries__china').cast(pl.String).str.to_uppercase().alias('china'),
         pl.col('intent').is_in(['Accepted', 'Seriously considering']).cast(pl.Int64).alias('going'))
 .join(pop, on='division', how='left', maintain_order='left')
 .write_csv(sys.argv[1]))
"
status <- system2(Sys.getenv("PYTHON", "python3"), c("-c", shQuote(export), acsv))
if (status != 0) stop("the academy export failed: is the survey package importable?")
ac <- read.csv(acsv, stringsAsFactors = TRUE, na.strings = c("", "NA"))
ac$division <- relevel(ac$division, "Engineering")
assign("academy", ac, envir = env)
designs$academy <- list(r = "svydesign(id=~1, strata=~division, fpc=~population, data=academy)",
                        py = list(data = "academy_models_2025", strata = "division",
                                  fpc = "population"))
glm_case("academy_salary_gamma_log", "academy",
         "salary_multiple ~ division + age_band + institution_type + china", "Gamma(link='log')",
         A(formula = paste("salary_multiple ~ C(division, Treatment('Engineering')) + age_band",
                           "+ institution_type + china"), family = "gamma", link = "log",
           where = "offer_received = 'Yes'"), dsn = "subset(d, offer_received == 'Yes')",
         lrt = list(lr("regTermTest(m, ~division, method='LRT')",
                       list("C(division, Treatment('Engineering'))"))))
add(case("academy_going_predmeans", "academy", "predmeans",
         paste("svypredmeans(svyglm(going ~ age_band + institution_type + salary_multiple + china,",
               "design=subset(d, offer_received == 'Yes'), family=quasibinomial()), ~division)"),
         A(formula = paste("going ~ C(division, Treatment('Engineering')) + age_band",
                           "+ institution_type + salary_multiple + china"),
           family = "binomial", variable = "division", where = "offer_received = 'Yes'"),
         pm_rows))

header <- list(r_version = R.version.string,
               survey_version = as.character(packageVersion("survey")),
               mass_version = as.character(packageVersion("MASS")),
               script = "scripts/r/make_glm_fixtures.R",
               note = paste("each case: the exact R call, the Python spec, and R's numbers;",
                            "term names are R's (the tests translate patsy's)"))
write_cases(header, "glm.json", na = "null")
cat(length(cases), "cases written\n")
print(warnings())
