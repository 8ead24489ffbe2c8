# Regenerates the R reference fixtures of model formulas written with R's dotted names
# (survey.models' formula namespace: terms, interactions, C(), I() powers, scale(), poly(),
# B-splines, offsets).
#
#   Rscript scripts/r/make_formula_fixtures.R     (from the repository root)
#
# Writes tests/fixtures/r/apistrat_formula.csv (R's data(api) apistrat with the columns the
# formulas read, dotted names kept: api.stu, sch.wide, comp.imp, yr.rnd) and
# tests/fixtures/r/formulas.json. Each case holds the exact R call, the Python formula that
# must reproduce it (the same text up to patsy's spelling of factors: C() for a factor) and
# R's numbers per coefficient: estimate, SE, confint, p-value; plus the residual df.
suppressMessages(library(survey))
# A small JSON writer (jsonlite is not installed here): named lists are objects, other lists
# arrays, numbers with 17 significant digits, NA as null.
json <- function(x) {
  if (is.list(x)) {
    inner <- vapply(x, json, "")
    if (!is.null(names(x)))
      return(paste0("{", paste0(vapply(names(x), json, ""), ":", inner, collapse = ","), "}"))
    return(paste0("[", paste(inner, collapse = ","), "]"))
  }
  if (length(x) != 1) return(json(as.list(x)))
  if (is.na(x)) return("null")
  if (is.character(x) || is.factor(x))
    return(paste0('"', gsub('(["\\\\])', "\\\\\\1", as.character(x)), '"'))
  if (is.logical(x)) return(tolower(as.character(x)))
  formatC(x, digits = 17, format = "g")
}
out <- "tests/fixtures/r"
data(api)
keep <- c("stype", "snum", "api00", "api99", "ell", "meals", "api.stu", "enroll", "sch.wide",
          "comp.imp", "yr.rnd", "pw", "fpc")
apistrat <- apistrat[, keep]
write.csv(apistrat, file.path(out, "apistrat_formula.csv"), row.names = FALSE)
apistrat <- read.csv(file.path(out, "apistrat_formula.csv"), stringsAsFactors = TRUE)
design_r <- "svydesign(id=~1, strata=~stype, weights=~pw, fpc=~fpc, data=apistrat)"
design_py <- list(data = "apistrat_formula", strata = "stype", weights = "pw", fpc = "fpc")
d <- eval(parse(text = design_r))

num <- function(x) as.numeric(x)
cases <- list()
glm_case <- function(id, r_formula, r_family, py_formula, py_family) {
  call <- sprintf("svyglm(%s, design=d, family=%s)", r_formula, r_family)
  m <- eval(parse(text = call))
  s <- summary(m)$coefficients
  ci <- confint(m)
  est <- coef(m)
  terms <- lapply(seq_along(est), function(i) list(
    term = names(est)[i], estimate = num(est[i]), std_error = num(SE(m)[i]),
    conf_low = num(ci[i, 1]), conf_high = num(ci[i, 2]), p_value = num(s[i, 4])))
  cases[[length(cases) + 1]] <<- list(
    id = id, call = call, formula = py_formula, family = py_family, terms = terms,
    df_resid = num(m$df.residual), deviance = num(deviance(m)))
}

glm_case("dotted_terms", "api00 ~ ell + meals + api.stu", "gaussian()",
         "api00 ~ ell + meals + api.stu", "gaussian")
glm_case("dotted_interactions", "api00 ~ ell + sch.wide * yr.rnd + api.stu:meals",
         "gaussian()", "api00 ~ ell + C(sch.wide) * C(yr.rnd) + api.stu:meals", "gaussian")
glm_case("dotted_power_and_scale", "api00 ~ comp.imp + I(api.stu^2) + scale(api.stu)",
         "gaussian()", "api00 ~ C(comp.imp) + I(api.stu^2) + scale(api.stu)", "gaussian")
glm_case("dotted_offset", "enroll ~ ell + meals + offset(log(api.stu))", "quasipoisson()",
         "enroll ~ ell + meals + offset(log(api.stu))", "quasipoisson")
glm_case("dotted_poly_and_bs", "api00 ~ poly(api.stu, 2) + splines::bs(meals, df = 4)",
         "gaussian()", "api00 ~ poly(api.stu, 2) + bs(meals, df=4)", "gaussian")
glm_case("dotted_outcome_logit", "sch.wide ~ ell + log(api.stu) + comp.imp",
         "quasibinomial()", "sch.wide ~ ell + log(api.stu) + C(comp.imp)", "binomial")

header <- list(r_version = R.version.string,
               survey_version = as.character(packageVersion("survey")),
               script = "scripts/r/make_formula_fixtures.R",
               data = "R's data(api) apistrat (survey package), written to apistrat_formula.csv",
               design = list(r = design_r, py = design_py),
               note = paste("R's svyglm with formulas over dotted column names; Python must",
                            "give the same coefficients with the same formula text"))
writeLines(json(list(header = header, cases = cases)), file.path(out, "formulas.json"))
