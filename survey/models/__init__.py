"""Design-based models: GLMs (logistic, linear, Poisson, gamma, inverse gaussian, negative
binomial; any of R's links), Firth, ordinal (cumulative-link) regression, predictive
margins, working likelihood-ratio tests and model choice (AIC, BIC, pseudo-R squared);
survival under a design (Kaplan-Meier curves, the log-rank family, Cox regression); the
dimensions of a scale (principal components, factor analysis)."""

from survey.models._choice import AIC, BIC, aic, bic, model_choice, pseudo_r2
from survey.models._cox import CoxResult, svycoxph
from survey.models._dims import Components, FactorAnalysis, svyfactanal, svyprcomp
from survey.models._firth import firth
from survey.models._glm import svyglm
from survey.models._km import SurvivalCurves, svykm
from survey.models._logrank import LogRankTest, svylogrank
from survey.models._lrt import LikelihoodRatioTest, anova
from survey.models._marginpred import marginpred
from survey.models._margins import Margins, predictive_margins
from survey.models._ordinal import svyolr
from survey.models._points import prediction_points
from survey.models._results import ModelResult
from survey.models._separation import Separation, separation

__all__ = ["AIC", "BIC", "Components", "CoxResult", "FactorAnalysis", "LikelihoodRatioTest",
           "LogRankTest", "Margins", "ModelResult", "Separation", "SurvivalCurves", "aic",
           "anova", "bic", "firth", "marginpred", "model_choice", "prediction_points",
           "predictive_margins", "pseudo_r2", "separation", "svycoxph", "svyfactanal", "svyglm",
           "svykm", "svylogrank", "svyolr", "svyprcomp"]
