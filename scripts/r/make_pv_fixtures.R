# Regenerates the plausible-value fixtures (issue 23, item 8): estimates over
# plausible-value columns combined by Rubin's rules, R's MIcombine(withPV(...)).
#
#   Rscript scripts/r/make_pv_fixtures.R     (from the repository root)
#
# Writes a small PISA-like frame (generated here, seed 20260523): 40 strata of 2 schools of
# 10 students, a final student weight, 5 plausible values of a mathematics score and of a
# reading score, gender and a socio-economic index, and Fay replicate weights (rho 0.5, as
# PISA's; 44, R's Hadamard order for 40 strata) made by as.svrepdesign from the school
# design, centred on the full sample (mse = TRUE, as PISA's formula); to
# tests/fixtures/r/pisa_pv.csv, and the reference numbers to tests/fixtures/r/pv.json.
suppressMessages({library(survey); library(mitools); library(jsonlite)})
out <- "tests/fixtures/r"
set.seed(20260523)
n_strata <- 40; n_school <- 2; n_student <- 10
school <- rep(seq_len(n_strata * n_school), each = n_student)
stratum <- (school - 1) %/% n_school + 1
n <- length(school)
school_effect <- rnorm(n_strata * n_school, 0, 30)[school]
gender <- sample(c("female", "male"), n, replace = TRUE)
escs <- round(rnorm(n) + school_effect / 60, 3)
ability <- 480 + school_effect + 25 * escs + ifelse(gender == "male", 8, 0) + rnorm(n, 0, 70)
reading <- 470 + school_effect + 20 * escs + ifelse(gender == "male", -15, 0) + rnorm(n, 0, 70)
w <- round(runif(n_strata * n_school, 20, 60)[school] * runif(n, 0.8, 1.2), 4)
pisa <- data.frame(stratum = stratum, school = school, gender = gender, escs = escs,
                   W_FSTUWT = w)
for (k in 1:5) pisa[[paste0("PV", k, "MATH")]] <- round(ability + rnorm(n, 0, 30), 2)
for (k in 1:5) pisa[[paste0("PV", k, "READ")]] <- round(reading + rnorm(n, 0, 30), 2)
base <- svydesign(ids = ~school, strata = ~stratum, weights = ~W_FSTUWT, data = pisa)
fay <- as.svrepdesign(base, type = "Fay", fay.rho = 0.5, compress = FALSE)
rw <- unclass(weights(fay, "analysis"))
colnames(rw) <- paste0("W_FSTURWT", seq_len(ncol(rw)))
pisa <- cbind(pisa, round(rw, 6))
write.csv(pisa, file.path(out, "pisa_pv.csv"), row.names = FALSE)
pisa <- read.csv(file.path(out, "pisa_pv.csv"), stringsAsFactors = FALSE)

designs <- list(
  fay = list(r = paste0("svrepdesign(data=pisa, weights=~W_FSTUWT, repweights='W_FSTURWT[0-9]+', ",
                        "type='Fay', rho=0.5, combined.weights=TRUE, mse=TRUE)"),
             py = list(supplied = list(data = "pisa_pv", weights = "W_FSTUWT",
                                       prefix = "W_FSTURWT", type = "Fay", rho = 0.5,
                                       mse = TRUE))),
  taylor = list(r = "svydesign(ids=~school, strata=~stratum, weights=~W_FSTUWT, data=pisa)",
                py = list(data = "pisa_pv", ids = "school", strata = "stratum",
                          weights = "W_FSTUWT")))
env <- new.env()
assign("pisa", pisa, envir = env)
num <- function(x) as.numeric(x)
cases <- list()
pv_case <- function(id, key, mapping, action, fn, args) {
  d <- eval(parse(text = designs[[key]]$r), envir = env)
  res <- eval(parse(text = sprintf(
    "MIcombine(withPV(mapping = %s, data = d, action = quote(%s), rewrite = TRUE))",
    mapping, action)))
  s <- summary(res)
  cases[[length(cases) + 1]] <<- list(
    id = id, design_r = designs[[key]]$r, design = designs[[key]]$py,
    call = sprintf("MIcombine(withPV(mapping = %s, data = d, action = quote(%s)))", mapping,
                   action),
    fn = fn, args = args, tol = 1e-6, names = I(names(coef(res))),
    estimate = I(num(coef(res))), std_error = I(num(sqrt(diag(vcov(res))))),
    df = I(num(res$df)), missinfo = I(num(res$missinfo)))
}
math <- "math ~ PV1MATH + PV2MATH + PV3MATH + PV4MATH + PV5MATH"
read <- "read ~ PV1READ + PV2READ + PV3READ + PV4READ + PV5READ"
pvm <- paste0("PV", 1:5, "MATH")
pvr <- paste0("PV", 1:5, "READ")
A <- function(...) list(...)
for (key in names(designs)) {
  pv_case(paste0(key, "_mean"), key, math, "svymean(~math, data)", "mean",
          A(var = "math", pv = list(math = pvm)))
  pv_case(paste0(key, "_mean_by_gender"), key, math,
          "svyby(~math, ~gender, data, svymean, covmat = TRUE)", "mean",
          A(var = "math", by = "gender", pv = list(math = pvm)))
  pv_case(paste0(key, "_glm"), key, math, "svyglm(math ~ gender + escs, data)", "glm",
          A(formula = "math ~ C(gender) + escs", family = "gaussian", pv = list(math = pvm)))
  pv_case(paste0(key, "_glm_two_pv"), key, sprintf("list(%s, %s)", math, read),
          "svyglm(math ~ read + escs, data)", "glm",
          A(formula = "math ~ read + escs", family = "gaussian",
            pv = list(math = pvm, read = pvr)))
  pv_case(paste0(key, "_logit"), key, math,
          "svyglm(I(math > 500) ~ gender + escs, data, family = quasibinomial())", "glm",
          A(formula = "I(math > 500) ~ C(gender) + escs", family = "binomial",
            pv = list(math = pvm)))
}
pv_case("fay_total_read", "fay", read, "svytotal(~read, data)", "total",
        A(var = "read", pv = list(read = pvr)))

header <- list(r_version = R.version.string,
               survey_version = as.character(packageVersion("survey")),
               mitools_version = as.character(packageVersion("mitools")),
               script = "scripts/r/make_pv_fixtures.R",
               data = "tests/fixtures/r/pisa_pv.csv (generated by the script, seed 20260523)")
writeLines(toJSON(list(header = header, cases = cases), auto_unbox = TRUE, digits = NA,
                  null = "null", na = "null", pretty = FALSE), file.path(out, "pv.json"))
cat(sprintf("%d cases, %d replicate columns\n", length(cases), ncol(rw)))
