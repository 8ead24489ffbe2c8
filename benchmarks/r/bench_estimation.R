# R side of benchmarks/bench_estimation.py: one case per process.
#   Rscript benchmarks/r/bench_estimation.R DATA.csv CASE
# Prints one JSON line: the case, the time spent in svydesign + estimate (timed here, the
# reading of the csv excluded) as elapsed and CPU seconds, the read time, and the estimates
# (estimate, SE, interval ends). read.csv: arrow and data.table are not installed here.
suppressPackageStartupMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
path <- args[1]
case <- args[2]

t_read <- system.time(
  df <- read.csv(path, colClasses = c(stratum = "character", psu = "integer",
                                      region = "character", passed = "integer",
                                      income = "numeric", w = "numeric", fpc = "integer"))
)

t0 <- proc.time()
if (case == "proportion") {
  d <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, fpc = ~fpc, data = df)
  p <- svyciprop(~passed, d, method = "logit")
  ci <- confint(p)
  out <- data.frame(domain = NA, estimate = as.vector(unclass(p)),
                    std_error = sqrt(as.vector(attr(p, "var"))), conf_low = ci[1], conf_high = ci[2])
} else if (case == "proportion_by") {
  d <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, fpc = ~fpc, data = df)
  b <- svyby(~passed, ~region, d, svyciprop, method = "logit", vartype = c("se", "ci"))
  out <- data.frame(domain = as.character(b$region), estimate = unname(coef(b)),
                    std_error = unname(SE(b)), conf_low = b[["ci_l"]], conf_high = b[["ci_u"]])
} else if (case == "jk1_mean") {
  d <- svydesign(ids = ~psu, weights = ~w, data = df)
  r <- as.svrepdesign(d, type = "JK1")
  m <- svymean(~income, r)
  ci <- confint(m)
  out <- data.frame(domain = NA, estimate = unname(coef(m)), std_error = unname(SE(m)),
                    conf_low = ci[1], conf_high = ci[2])
} else if (case == "median_by") {
  d <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, fpc = ~fpc, data = df)
  b <- svyby(~income, ~region, d, svyquantile, quantiles = 0.5, vartype = c("se", "ci"))
  # columns: region, median, se, ci_l, ci_u (svyquantile's own interval)
  out <- data.frame(domain = as.character(b$region), estimate = b[[2]], std_error = b[[3]],
                    conf_low = b[[4]], conf_high = b[[5]])
} else {
  stop("unknown case ", case)
}
t_est <- proc.time() - t0

num <- function(x) trimws(formatC(x, digits = 15, format = "g"))
rows <- character(nrow(out))
for (i in seq_len(nrow(out))) {
  rows[i] <- sprintf(
    '{"domain": %s, "estimate": %s, "std_error": %s, "conf_low": %s, "conf_high": %s}',
    if (is.na(out$domain[i])) "null" else paste0('"', out$domain[i], '"'),
    num(out$estimate[i]), num(out$std_error[i]), num(out$conf_low[i]), num(out$conf_high[i]))
}
cat(sprintf(paste0('{"case": "%s", "estimate_seconds": %s, "estimate_cpu": %s, ',
                   '"read_seconds": %s, "rows_read": %d, "r": "%s", "survey": "%s", "estimates": [%s]}\n'),
            case, num(t_est[["elapsed"]]), num(t_est[["user.self"]] + t_est[["sys.self"]]),
            num(t_read[["elapsed"]]), nrow(df), R.version.string,
            as.character(packageVersion("survey")), paste(rows, collapse = ", ")))
