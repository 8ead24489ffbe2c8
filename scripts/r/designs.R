# Linearisation designs both fixture scripts use: the R call and the Python spec that
# must reproduce it. Sourced by make_fixtures.R and make_model_fixtures.R.
shared_designs <- list(
  strat = list(r = "svydesign(id=~1, strata=~stype, weights=~pw, fpc=~fpc, data=apistrat)",
               py = list(data = "apistrat", strata = "stype", weights = "pw", fpc = "fpc")),
  strat_nofpc = list(r = "svydesign(id=~1, strata=~stype, weights=~pw, data=apistrat)",
               py = list(data = "apistrat", strata = "stype", weights = "pw")),
  clus1 = list(r = "svydesign(id=~dnum, weights=~pw, fpc=~fpc, data=apiclus1)",
               py = list(data = "apiclus1", ids = "dnum", weights = "pw", fpc = "fpc")),
  clus1_nofpc = list(r = "svydesign(id=~dnum, weights=~pw, data=apiclus1)",
               py = list(data = "apiclus1", ids = "dnum", weights = "pw")),
  clus2_fpc = list(r = "svydesign(id=~dnum+snum, fpc=~fpc1+fpc2, data=apiclus2)",
               py = list(data = "apiclus2", ids = c("dnum", "snum"), fpc = c("fpc1", "fpc2")))
)
