# Regenerates the R reference fixtures of the dimensions of a scale (survey.models:
# svyprcomp, svyfactanal).
#
#   R_LIBS=... Rscript scripts/r/make_dimension_fixtures.R     (from the repository root)
#
# Data: the survey package's api data with more columns than the other fixtures keep:
# tests/fixtures/r/apistrat_dims.csv and apiclus2_dims.csv (dotted names with
# underscores: not_hsg, col_grad, avg_ed, acs_k3).
#
# Kinds of case:
#   pca     svyprcomp(formula, design, scale. = TRUE|FALSE): sdev and the rotation
#           (one column per component; SVD signs are arbitrary: compared up to sign).
#   factor  svyfactanal(formula, design, factors = k) (n = "none"), with factanal's
#           optimiser and rotation at tight control:
#           control = list(opt = list(factr = F, pgtol = 0, maxit = 10000),
#                          rotate = list(eps = 1e-15)),
#           F the smallest of 1, 10, 100, 1000 at which L-BFGS-B ends normally (each
#           case's call records it); R's defaults are factr 1e7 and varimax eps 1e-5,
#           whose uniquenesses differ from the tight ones by about 1e-5. Even at factr 1
#           optim stops ~1e-6 short (the discrepancy is flat at its minimum), so the
#           solution is polished by Newton steps on factanal's own gradient (see
#           polish() below): uniqueness and loadings are the polished values (compared
#           at 1e-6), uniqueness_optim and loadings_optim factanal's (about 2e-6 off). Loadings after
#           factanal's sorting (by sum of squares) and sign rule (column sums positive),
#           and the uniquenesses.
suppressMessages({library(survey); library(jsonlite)})
out <- "tests/fixtures/r"
data(api)
cols <- c("stype", "snum", "dnum", "api00", "api99", "ell", "meals", "hsg", "emer",
          "mobility", "full", "pct.resp", "not.hsg", "col.grad", "avg.ed", "acs.k3", "enroll")
fix <- function(d) { names(d) <- gsub(".", "_", names(d), fixed = TRUE); d }
strat <- fix(apistrat[, c(cols, "pw", "fpc")])
clus2 <- fix(apiclus2[, c(cols, "pw", "fpc1", "fpc2")])
write.csv(strat, file.path(out, "apistrat_dims.csv"), row.names = FALSE, na = "")
write.csv(clus2, file.path(out, "apiclus2_dims.csv"), row.names = FALSE, na = "")
strat <- read.csv(file.path(out, "apistrat_dims.csv"))
clus2 <- read.csv(file.path(out, "apiclus2_dims.csv"))

designs <- list(
  strat = list(r = "svydesign(id=~1, strata=~stype, weights=~pw, fpc=~fpc, data=strat)",
               py = list(data = "apistrat_dims", strata = "stype", weights = "pw", fpc = "fpc")),
  clus2 = list(r = "svydesign(id=~dnum+snum, fpc=~fpc1+fpc2, data=clus2)",
               py = list(data = "apiclus2_dims", ids = c("dnum", "snum"),
                         fpc = c("fpc1", "fpc2"))))
source("scripts/r/_common.R")  # cases, add, write_cases, subset_design, subset_call

pca_case <- function(id, key, vars, scale, where = NULL) {
  f <- as.formula(paste("~", paste(vars, collapse = " + ")))
  p <- svyprcomp(f, subset_design(key, where), scale. = scale)
  add(list(id = id, kind = "pca", design = designs[[key]]$py,
           args = list(vars = vars, scale = scale, where = where),
           r = sprintf("svyprcomp(%s, %s, scale.=%s)", deparse(f), subset_call(key, where), scale),
           tol = 1e-6,
           components = lapply(seq_along(p$sdev), function(k) list(
             component = colnames(p$rotation)[k], sdev = p$sdev[k],
             loadings = as.list(p$rotation[, k])))))
}
pca_case("pca_clus2_scale", "clus2", c("api99", "api00", "ell", "hsg", "meals", "emer"), TRUE)
pca_case("pca_clus2", "clus2", c("api99", "api00", "ell", "hsg", "meals", "emer"), FALSE)
pca_case("pca_strat_scale", "strat", c("api00", "ell", "meals", "emer", "mobility", "full"), TRUE)
pca_case("pca_strat_acs_na", "strat", c("api00", "meals", "acs_k3", "col_grad"), TRUE)
pca_case("pca_strat_domain", "strat", c("api00", "ell", "meals", "emer"), TRUE,
         where = "stype == 'E'")

# factanal's own discrepancy, gradient and loadings (stats:::factanal.fit.mle's local
# FAfn, FAgr, FAout) and its sort and sign rule (factanal's sortLoadings)
FAgr <- function(Psi, S, q) {
  sc <- diag(1/sqrt(Psi)); E <- eigen(sc %*% S %*% sc, symmetric = TRUE)
  L <- E$vectors[, 1L:q, drop = FALSE]
  load <- diag(sqrt(Psi)) %*% (L %*% diag(sqrt(pmax(E$values[1L:q] - 1, 0)), q))
  g <- load %*% t(load) + diag(Psi) - S
  diag(g)/Psi^2
}
FAout <- function(Psi, S, q) {
  sc <- diag(1/sqrt(Psi)); E <- eigen(sc %*% S %*% sc, symmetric = TRUE)
  L <- E$vectors[, 1L:q, drop = FALSE]
  diag(sqrt(Psi)) %*% (L %*% diag(sqrt(pmax(E$values[1L:q] - 1, 0)), q))
}
sortLoadings <- function(Lambda) {
  Lambda <- Lambda[, order(apply(Lambda, 2L, function(x) -sum(x^2))), drop = FALSE]
  neg <- colSums(Lambda) < 0
  Lambda[, neg] <- -Lambda[, neg]
  Lambda
}
# The discrepancy is flat at its minimum: optim (and nlminb) stop where the objective no
# longer changes in double precision, leaving ~1e-6 in the uniquenesses (gradient
# ~1e-7). Newton steps on factanal's gradient of the uniquenesses off their bounds
# (Jacobian by numDeriv's Richardson extrapolation) find the stationary point; the
# loadings then follow factanal: FAout, varimax(eps = 1e-15), sortLoadings.
polish <- function(fa, q) {
  S <- fa$correlation; psi <- fa$uniquenesses
  free <- psi > 0.005 * (1 + 1e-9) & psi < 1 - 1e-9
  steps <- 0
  for (it in 1:50) {
    gf <- function(x) { p <- psi; p[free] <- x; FAgr(p, S, q)[free] }
    J <- numDeriv::jacobian(gf, psi[free])
    step <- solve(J, gf(psi[free]))
    psi[free] <- psi[free] - step
    steps <- it
    if (max(abs(step) / psi[free]) < 1e-14) break
  }
  L <- FAout(psi, S, q)
  if (q > 1) L <- unclass(varimax(L, eps = 1e-15)$loadings)
  L <- sortLoadings(L)
  rownames(L) <- colnames(S)
  list(psi = psi, loadings = L, steps = steps)
}
fa_case <- function(id, key, vars, k, where = NULL) {
  f <- as.formula(paste("~", paste(vars, collapse = " + ")))
  fa <- NULL
  for (factr in c(1, 10, 100, 1000)) {  # the tightest factr at which L-BFGS-B ends normally
    ctl <- list(opt = list(factr = factr, pgtol = 0, maxit = 10000), rotate = list(eps = 1e-15))
    fa <- tryCatch(svyfactanal(f, subset_design(key, where), factors = k, control = ctl),
                   error = function(e) NULL)
    if (!is.null(fa)) break
  }
  message(id, ": factr ", factr)
  pol <- polish(fa, k)
  L <- pol$loadings
  add(list(id = id, kind = "factor", design = designs[[key]]$py,
           args = list(vars = vars, factors = k, where = where),
           r = sprintf("svyfactanal(%s, %s, factors=%d, control=list(opt=list(factr=%g, pgtol=0, maxit=10000), rotate=list(eps=1e-15)))",
                       deparse(f), subset_call(key, where), k, factr),
           tol = 1e-6, converged = fa$converged,
           objective = unname(fa$criteria["objective"]),
           polish_steps = pol$steps,
           loadings = lapply(seq_len(nrow(L)), function(i) list(
             variable = rownames(L)[i], uniqueness = unname(pol$psi[i]),
             uniqueness_optim = unname(fa$uniquenesses[i]),
             loadings = as.list(unname(L[i, ])),
             loadings_optim = as.list(unname(unclass(fa$loadings)[i, ]))))))
}
fa_case("factor_clus2_2", "clus2", c("api99", "api00", "hsg", "meals", "ell", "emer"), 2)
fa_case("factor_strat_1", "strat", c("api00", "api99", "ell", "meals", "emer", "full"), 1)
fa_case("factor_strat_2", "strat",
        c("api00", "api99", "ell", "meals", "emer", "full", "mobility", "hsg"), 2)
fa_case("factor_strat_3", "strat",
        c("api00", "api99", "ell", "meals", "emer", "full", "col_grad", "not_hsg", "avg_ed"), 3)
fa_case("factor_strat_domain_2", "strat", c("api00", "api99", "ell", "meals", "emer", "full"), 2,
        where = "stype != 'E'")

header <- list(
  generated_by = "scripts/r/make_dimension_fixtures.R",
  r_version = R.version.string,
  survey_version = as.character(packageVersion("survey")),
  data = "survey::api (apistrat, apiclus2) with more columns",
  notes = c("pca: rotation signs are arbitrary (compare up to sign per component)",
            "factor: factanal at control=list(opt=list(factr=F, pgtol=0, maxit=10000), rotate=list(eps=1e-15)), F per case in its call"))
write_cases(header, "dimensions.json")
cat("wrote", length(cases), "cases\n")
