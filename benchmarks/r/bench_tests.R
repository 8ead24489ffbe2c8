# R side of benchmarks/bench_tests.py: one case per process.
#   Rscript benchmarks/r/bench_tests.R DATA.csv CASE
# Prints one JSON line: the case, the time spent in svydesign + the test or estimate
# (timed here, read.csv excluded) as elapsed and CPU seconds, and the numbers compared.
suppressPackageStartupMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
path <- args[1]
case <- args[2]
df <- read.csv(path, colClasses = c(stratum = "character", psu = "integer",
                                    region = "character", passed = "integer",
                                    income = "numeric", w = "numeric", fpc = "integer"))
t0 <- proc.time()
d <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, fpc = ~fpc, data = df)
if (case == "ttest_by") {
  t <- svyttest(income ~ passed, d)
  vals <- c(estimate = unname(t$estimate), statistic = unname(t$statistic),
            p_value = unname(t$p.value), conf_low = t$conf.int[1], conf_high = t$conf.int[2])
} else if (case == "ranktest_kw") {
  t <- svyranktest(income ~ region, d, test = "KruskalWallis")
  vals <- c(statistic = unname(t$parameter), ddf = unname(t$ddf), p_value = unname(t$p.value))
} else if (case == "var_by") {
  b <- svyby(~income, ~region, d, svyvar)
  vals <- setNames(c(coef(b), SE(b)), c(paste0("estimate:", b$region), paste0("std_error:", b$region)))
} else if (case == "cor") {
  v <- svyvar(~income + passed, d)
  s <- structure(as.vector(coef(v)), names = c("c11", "c21", "c12", "c22"), var = vcov(v),
                 statistic = "variance", class = "svystat")
  r <- svycontrast(s, quote(c12 / sqrt(c11 * c22)))
  vals <- c(estimate = unname(coef(r)), std_error = unname(SE(r)))
} else stop("unknown case ", case)
t_est <- proc.time() - t0
num <- function(x) trimws(formatC(x, digits = 15, format = "g"))
cat(sprintf('{"case": "%s", "estimate_seconds": %s, "estimate_cpu": %s, "r": "%s", "survey": "%s", "values": {%s}}\n',
            case, num(t_est[["elapsed"]]), num(t_est[["user.self"]] + t_est[["sys.self"]]),
            R.version.string, as.character(packageVersion("survey")),
            paste(sprintf('"%s": %s', names(vals), num(vals)), collapse = ", ")))
