# What make_glm_fixtures.R and make_model_fixtures.R share, sourced after `designs` and
# `env` are set: a design of `designs` evaluated in `env`, and the per-term rows of a fit.
make_design <- function(key) eval(parse(text = designs[[key]]$r), envir = env)

num <- function(x) if (is.null(x) || length(x) == 0) NA_real_ else as.numeric(x)
terms_of <- function(est, se, ci, p) lapply(seq_along(est), function(i) list(
  term = names(est)[i], estimate = num(est[i]), std_error = num(se[i]),
  conf_low = num(ci[i, 1]), conf_high = num(ci[i, 2]), p_value = num(p[i])))
olr_rows <- function(m) {
  est <- coef(m); se <- SE(m); z <- est / se
  list(terms = terms_of(est, se, confint(m), 2 * pnorm(-abs(z))), df_resid = num(m$df.residual))
}
