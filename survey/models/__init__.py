"""Design-based models: logistic, linear and Poisson regression, Firth, ordinal logistic."""

from survey.models._firth import firth
from survey.models._glm import svyglm
from survey.models._ordinal import svyolr
from survey.models._results import ModelResult
from survey.models._separation import Separation, separation

__all__ = ["ModelResult", "Separation", "firth", "separation", "svyglm", "svyolr"]
