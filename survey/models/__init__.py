"""Design-based models: GLMs (logistic, linear, Poisson, gamma, inverse gaussian, negative
binomial; any of R's links), Firth, ordinal (cumulative-link) regression, predictive
margins and working likelihood-ratio tests."""

from survey.models._firth import firth
from survey.models._glm import svyglm
from survey.models._lrt import LikelihoodRatioTest, anova
from survey.models._margins import Margins, predictive_margins
from survey.models._ordinal import svyolr
from survey.models._results import ModelResult
from survey.models._separation import Separation, separation

__all__ = ["LikelihoodRatioTest", "Margins", "ModelResult", "Separation", "anova", "firth",
           "predictive_margins", "separation", "svyglm", "svyolr"]
