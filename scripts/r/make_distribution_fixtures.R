# Regenerates the weighted-distribution reference fixture: what R's svyhist, svyboxplot
# and svycdf draw (breaks and densities, box statistics and outliers, the ECDF).
#
#   Rscript scripts/r/make_distribution_fixtures.R     (from the repository root)
#
# svyboxplot returns only the boxes' positions, so its statistics are computed as
# svyboxplot.default (survey 4.1) makes them: svyquantile(ci=FALSE) of the quantiles
# 0, .25, .5, .75, 1, whiskers at max(min, q1 - 1.5 IQR) and min(max, q3 + 1.5 IQR), the
# extremes beyond them as the outliers (all.outliers = FALSE). By group, each group's
# subset: survey 4.1.1's own svyboxplot(y ~ g) calls svyby(..., svyquantile, ci=FALSE,
# keep.var=FALSE), whose result in 4.1.1 repeats the last group's quantiles in every row,
# so it draws the last group's box for every group; we draw each group's own (a
# deliberate difference, docs/estimation.md).
suppressMessages({library(survey); library(jsonlite)})
out <- "tests/fixtures/r"
read <- function(nm) read.csv(file.path(out, paste0(nm, ".csv")), stringsAsFactors = FALSE,
                              na.strings = "")
apistrat <- read("apistrat"); apiclus1 <- read("apiclus1")
source("scripts/r/designs.R")
designs <- list(strat = shared_designs$strat, clus1 = shared_designs$clus1)
pdf(NULL)
cases <- list()
for (dn in names(designs)) {
  des <- eval(parse(text = designs[[dn]]$r))
  for (v in c("api00", "enroll")) {
    h <- svyhist(as.formula(paste0("~", v)), des)
    cases[[length(cases) + 1]] <- list(kind = "histogram", design = designs[[dn]]$py,
      r = sprintf("svyhist(~%s, %s)", v, designs[[dn]]$r), variable = v,
      breaks = h$breaks, density = unname(h$density))
    cdf <- svycdf(as.formula(paste0("~", v)), des)[[1]]
    at <- as.numeric(quantile(des$variables[[v]], c(0, .1, .25, .5, .75, .9, 1), na.rm = TRUE))
    at <- c(at, at + 0.5)
    cases[[length(cases) + 1]] <- list(kind = "ecdf", design = designs[[dn]]$py,
      r = sprintf("svycdf(~%s, %s)", v, designs[[dn]]$r), variable = v, at = at, share = cdf(at))
  }
  for (g in c("stype", "both")) for (v in c("api00", "enroll")) {
    levs <- sort(unique(des$variables[[g]]))
    groups <- lapply(levs, function(lev) {
      sub <- eval(bquote(subset(des, .(as.name(g)) == .(lev))))
      qs <- coef(svyquantile(as.formula(paste0("~", v)), sub, ci = FALSE, quantiles = c(0, 0.25, 0.5, 0.75, 1),
                             na.rm = TRUE))
      iqr <- qs[4] - qs[2]
      low <- max(qs[1], qs[2] - 1.5 * iqr); hi <- min(qs[5], qs[4] + 1.5 * iqr)
      list(group = as.character(lev), low = low, q1 = qs[[2]], median = qs[[3]], q3 = qs[[4]],
           high = hi, outliers = I(as.numeric(c(if (qs[5] != hi) qs[[5]], if (qs[1] != low) qs[[1]]))))
    })
    cases[[length(cases) + 1]] <- list(kind = "boxplot", design = designs[[dn]]$py,
      r = sprintf("svyboxplot(%s ~ %s, %s)", v, g, designs[[dn]]$r), variable = v,
      by = g, groups = groups)
  }
}
header <- list(generated_by = "scripts/r/make_distribution_fixtures.R",
               r_version = R.version.string, survey_version = as.character(packageVersion("survey")))
writeLines(toJSON(list(header = header, cases = cases), auto_unbox = TRUE, digits = NA, pretty = TRUE),
           file.path(out, "distribution.json"))
cat(sprintf("wrote %d cases to %s\n", length(cases), file.path(out, "distribution.json")))
