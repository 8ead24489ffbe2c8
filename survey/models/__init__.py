"""Design-based models: logistic, linear and Poisson regression, Firth, ordinal logistic."""

from survey.models._glm import svyglm
from survey.models._results import ModelResult
from survey.models._separation import Separation, separation

__all__ = ["ModelResult", "Separation", "separation", "svyglm"]
