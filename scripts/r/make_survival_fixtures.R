# Regenerates the R reference fixtures of survival under a design (survey.models:
# svykm, svylogrank, svycoxph).
#
#   Rscript scripts/r/make_survival_fixtures.R     (from the repository root)
#
# Data: `pbc` from the survival package, as R's example(svykm) and example(svycoxph):
#   pbc$randomized <- with(pbc, !is.na(trt) & trt > 0)
#   biasmodel <- glm(randomized ~ age*edema, data = pbc)
#   pbc$randprob <- fitted(biasmodel)
#   dpbc <- svydesign(id=~1, prob=~randprob, strata=~edema, data=subset(pbc, randomized))
# The randomized rows are written to tests/fixtures/r/pbc.csv with the weight
# wt = 1/randprob (17 significant digits: svydesign's own 1/prob), the event indicators
# event = status > 0 and death = status == 2, log_bili = log(bili), an age group
# (agegrp: cut(age, c(0, 45, 55, Inf))) and a synthetic cluster clus = (row - 1) %/% 4
# (78 clusters of 4 consecutive rows) for a cluster design.
#
# Designs: strat (R's example), clus (id=~clus, weights=~wt), strat_jkn
# (as.svrepdesign(strat, type="JKn")), and domains as subset(design, sex == "f").
#
# Kinds of case:
#   km        svykm(Surv(time, event) ~ 1 [or ~ g], design, se = TRUE): per distinct event
#             time (the last of tied events: R lists each tied event, confint.svykm picks
#             the last) surv = exp(-cumulative hazard) and varlog; at `times`,
#             confint.svykm's interval.
#   km_plain  svykm(..., se = FALSE): R's product-limit curve (time 0 and every distinct time).
#   km_rep    replicate designs, where svykm(se = TRUE) stops: withReplicates of the
#             cumulative hazard at the distinct event times (exp(-H) and its variance).
#   logrank   svylogrank(Surv(time, death) ~ g, design, rho, gamma): per column of the
#             group's model matrix the score, its SE, z and p (R's unnamed columns 1-4),
#             then Chisq on ncol df and its p.
#   cox       svycoxph(formula, design, ties) (strata() terms too) at tight control (coxph.control(eps = 1e-12,
#             toler.chol = 1e-13, iter.max = 100)); replicate refits run at R's hard-coded
#             coxph.control() from the full-sample coefficients.
# jsonlite: from CRAN, or a local library (R_LIBS=...) when it is not installed
suppressMessages({library(survey); library(survival); library(jsonlite)})
out <- "tests/fixtures/r"

data(pbc, package = "survival")
pbc$randomized <- with(pbc, !is.na(trt) & trt > 0)
biasmodel <- glm(randomized ~ age * edema, data = pbc)
pbc$randprob <- fitted(biasmodel)
d <- subset(pbc, randomized)
d$wt <- 1 / d$randprob
d$event <- as.integer(d$status > 0)
d$death <- as.integer(d$status == 2)
d$log_bili <- log(d$bili)
d$agegrp <- as.character(cut(d$age, c(0, 45, 55, Inf), labels = c("a<45", "b45-55", "c55+")))
d$clus <- (seq_len(nrow(d)) - 1) %/% 4
d$sex <- as.character(d$sex)
csv <- d[, c("id", "time", "status", "event", "death", "trt", "age", "agegrp", "sex", "edema",
             "bili", "log_bili", "albumin", "protime", "wt", "clus")]
for (nm in names(csv)) if (is.double(csv[[nm]])) csv[[nm]] <- sprintf("%.17g", csv[[nm]])
write.csv(csv, file.path(out, "pbc.csv"), row.names = FALSE, quote = FALSE)
pbcd <- read.csv(file.path(out, "pbc.csv"), stringsAsFactors = FALSE)
pbcd$sex <- factor(pbcd$sex)
pbcd$agegrp <- factor(pbcd$agegrp)

designs <- list(
  strat = list(r = "svydesign(id=~1, weights=~wt, strata=~edema, data=pbcd)",
               py = list(data = "pbc", strata = "edema", weights = "wt")),
  clus = list(r = "svydesign(id=~clus, weights=~wt, data=pbcd)",
              py = list(data = "pbc", ids = "clus", weights = "wt")),
  strat_jkn = list(r = "as.svrepdesign(svydesign(id=~1, weights=~wt, strata=~edema, data=pbcd), type='JKn')",
                   py = list(data = "pbc", strata = "edema", weights = "wt",
                             replicate = list(type = "JKn"))),
  clus_jk1 = list(r = "as.svrepdesign(svydesign(id=~clus, weights=~wt, data=pbcd), type='JK1')",
                  py = list(data = "pbc", ids = "clus", weights = "wt",
                            replicate = list(type = "JK1"))))
source("scripts/r/_common.R")  # cases, add, write_cases, subset_design, subset_call

km_rows <- function(s) {
  last <- !duplicated(s$time, fromLast = TRUE)
  lapply(which(last), function(i) list(time = s$time[i], estimate = s$surv[i],
                                        varlog = s$varlog[i]))
}
km_at <- function(s, times) {
  ci <- confint(s, parm = times)
  lapply(seq_along(times), function(k) {
    i <- max(which(s$time <= times[k]))
    list(time = times[k], estimate = s$surv[i], varlog = s$varlog[i],
         conf_low = ci[k, 1], conf_high = ci[k, 2])
  })
}
times <- c(365, 730, 1825, 3650)

km_case <- function(id, key, status, by = NULL, where = NULL) {
  des <- subset_design(key, where)
  rhs <- if (is.null(by)) "1" else by
  f <- as.formula(sprintf("Surv(time, %s) ~ %s", status, rhs))
  s <- svykm(f, des, se = TRUE)
  curves <- if (is.null(by)) list(list(level = NULL, s = s)) else
    lapply(names(s), function(g) list(level = g, s = s[[g]]))
  add(list(id = id, kind = "km", design = designs[[key]]$py,
           args = list(time = "time", status = status, by = by, where = where,
                       times = times),
           r = sprintf("svykm(%s, %s, se=TRUE); confint(., parm=c(%s))", deparse(f),
                       subset_call(key, where), paste(times, collapse = ", ")),
           tol = 1e-6,
           curves = lapply(curves, function(cv) list(level = cv$level, rows = km_rows(cv$s),
                                                     at = km_at(cv$s, times)))))
}
km_case("km_strat", "strat", "event")
km_case("km_strat_death_by_sex", "strat", "death", by = "sex")
km_case("km_clus", "clus", "event")
km_case("km_clus_by_agegrp", "clus", "death", by = "agegrp")
km_case("km_strat_female", "strat", "event", where = "sex == 'f'")

# Replicate designs: svykm(se = TRUE) stops ("SE not yet available"); the same
# statistic, the cumulative hazard at the full sample's distinct event times (a time at
# which a replicate leaves no one at risk adds nothing), through withReplicates.
km_rep_case <- function(id, key, status, where = NULL) {
  des <- subset_design(key, where)
  data <- des$variables
  ev <- data[[status]] == 1
  U <- sort(unique(data$time[ev]))
  hfun <- function(w, data) {
    d <- vapply(U, function(x) sum(w[data$time == x & data[[status]] == 1]), 0)
    Y <- vapply(U, function(x) sum(w[data$time >= x]), 0)
    cumsum(ifelse(Y > 0, d / Y, 0))
  }
  r <- withReplicates(des, hfun)
  H <- as.numeric(coef(r)); v <- diag(as.matrix(attr(r, "var")))
  add(list(id = id, kind = "km_rep", design = designs[[key]]$py,
           args = list(time = "time", status = status, where = where),
           r = sprintf("withReplicates(%s, cumulative hazard at the distinct event times)",
                       subset_call(key, where)),
           tol = 1e-6,
           rows = lapply(seq_along(U), function(i) list(time = U[i], estimate = exp(-H[i]),
                                                         varlog = v[i]))))
}
km_rep_case("km_rep_jkn", "strat_jkn", "event")
km_rep_case("km_rep_jk1_female", "clus_jk1", "death", where = "sex == 'f'")

local({
  des <- subset_design("strat")
  s <- svykm(Surv(time, event) ~ 1, des, se = FALSE)
  add(list(id = "km_plain_strat", kind = "km_plain", design = designs$strat$py,
           args = list(time = "time", status = "event"),
           r = sprintf("svykm(Surv(time, event) ~ 1, %s, se=FALSE)", designs$strat$r),
           tol = 1e-6,
           rows = lapply(seq_along(s$time), function(i) list(time = s$time[i],
                                                             estimate = s$surv[i]))))
})

logrank_case <- function(id, key, by, rho = 0, gamma = 0, status = "death") {
  des <- subset_design(key)
  f <- as.formula(sprintf("Surv(time, %s) ~ %s", status, by))
  r <- svylogrank(f, des, rho = rho, gamma = gamma)
  scores <- r[[1]]
  add(list(id = id, kind = "logrank", design = designs[[key]]$py,
           args = list(time = "time", status = status, by = by, rho = rho, gamma = gamma),
           r = sprintf("svylogrank(%s, %s, rho=%s, gamma=%s)", deparse(f), designs[[key]]$r,
                       rho, gamma),
           tol = 1e-6,
           terms = lapply(seq_len(nrow(scores)), function(i) list(
             score = unname(scores[i, 1]), std_error = unname(scores[i, 2]),
             z = unname(scores[i, 3]), p_value = unname(scores[i, 4]))),
           statistic = unname(r[[2]][1]), df = nrow(scores), p_value = unname(r[[2]][2])))
}
logrank_case("logrank_strat_trt", "strat", "trt")
logrank_case("logrank_strat_sex_event", "strat", "sex", status = "event")
logrank_case("logrank_strat_agegrp", "strat", "agegrp")
logrank_case("logrank_strat_agegrp_rho1", "strat", "agegrp", rho = 1)
logrank_case("logrank_strat_agegrp_gamma1", "strat", "agegrp", gamma = 1)
logrank_case("logrank_clus_agegrp_rho1_gamma1", "clus", "agegrp", rho = 1, gamma = 1)
logrank_case("logrank_clus_sex", "clus", "sex")
logrank_case("logrank_jkn_agegrp", "strat_jkn", "agegrp")

cox_case <- function(id, key, rhs, where = NULL, ties = "efron", status = "event") {
  des <- subset_design(key, where)
  f <- as.formula(sprintf("Surv(time, %s) ~ %s", status, rhs))
  fl <- str2lang(sprintf("Surv(time, %s) ~ %s", status, rhs))  # a call: the replicate
  m <- eval(bquote(svycoxph(.(fl), des, method = .(ties),
                            control = coxph.control(eps = 1e-12, toler.chol = 1e-13, iter.max = 100))))
  b <- coef(m); se <- sqrt(diag(vcov(m))); ci <- confint(m)
  add(list(id = id, kind = "cox", design = designs[[key]]$py,
           args = list(formula = sprintf("Surv(time, %s) ~ %s", status, rhs), where = where,
                       ties = ties),
           r = sprintf("svycoxph(%s, %s, method='%s', control=coxph.control(eps=1e-12, toler.chol=1e-13, iter.max=100)); confint(.)",
                       deparse(f), subset_call(key, where), ties),
           tol = 1e-6,
           terms = lapply(seq_along(b), function(i) list(
             term = names(b)[i], estimate = unname(b[i]), std_error = unname(se[i]),
             ratio = unname(exp(b[i])), conf_low = unname(ci[i, 1]),
             conf_high = unname(ci[i, 2]),
             p_value = unname(2 * pnorm(-abs(b[i] / se[i])))))))
}
cox_case("cox_strat", "strat", "log_bili + protime + albumin")
cox_case("cox_strat_breslow", "strat", "log_bili + protime + albumin", ties = "breslow")
cox_case("cox_strat_sex_death", "strat", "log_bili + age + sex", status = "death")
cox_case("cox_clus", "clus", "log_bili + protime + albumin + agegrp")
cox_case("cox_strat_female", "strat", "log_bili + protime + albumin", where = "sex == 'f'")
cox_case("cox_jkn", "strat_jkn", "log_bili + protime + albumin")
cox_case("cox_strat_strata_sex", "strat", "log_bili + protime + albumin + strata(sex)")
cox_case("cox_clus_strata_agegrp_breslow", "clus", "log_bili + age + strata(agegrp)",
         ties = "breslow")

header <- list(
  generated_by = "scripts/r/make_survival_fixtures.R",
  r_version = R.version.string,
  survey_version = as.character(packageVersion("survey")),
  survival_version = as.character(packageVersion("survival")),
  data = "survival::pbc, randomized rows, weights 1/fitted(glm(randomized ~ age*edema))",
  notes = c("km: one row per distinct event time (the last of R's tied-event rows)",
            "cox: coxph.control(eps=1e-12, toler.chol=1e-13, iter.max=100); intervals as confint (normal)"))
write_cases(header, "survival.json")
cat("wrote", length(cases), "cases\n")
