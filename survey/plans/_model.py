"""The analysis-plan model: frozen records, one per plan section (format: docs/plans.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from survey.bind import DesignSpec, Weighting

__all__ = [
    "ComparisonSpec",
    "CrosstabSpec",
    "DerivedSpec",
    "DesignSpec",
    "EstimateSpec",
    "Inputs",
    "MarginpredSpec",
    "ModelSpec",
    "OutputsSpec",
    "Plan",
    "WaveInput",
    "Weighting",
]

Statistic = Literal["proportion", "mean", "total", "multiple_choice", "variance", "std_dev", "alpha",
                    "quantile", "gini"]
ModelType = Literal["logit", "firth", "ologit", "linear", "glm"]
WeightingMethod = Literal["poststratify", "rake", "calibrate"]

STATISTICS: tuple[str, ...] = ("proportion", "mean", "total", "multiple_choice", "variance",
                               "std_dev", "alpha", "quantile", "gini")
MODEL_TYPES: tuple[str, ...] = ("logit", "firth", "ologit", "linear", "glm")
GLM_FAMILIES: tuple[str, ...] = ("gaussian", "binomial", "quasibinomial", "poisson",
                                 "quasipoisson", "gamma", "inverse_gaussian",
                                 "negative_binomial")
GLM_LINKS: tuple[str, ...] = ("logit", "probit", "cloglog", "cauchit", "log", "identity",
                              "inverse", "sqrt", "1/mu^2")
OLR_LINKS: tuple[str, ...] = ("logit", "probit", "cloglog", "cauchit")
WEIGHTING_METHODS: tuple[str, ...] = ("poststratify", "rake", "calibrate")


@dataclass(frozen=True)
class WaveInput:
    """One export to ingest as a wave: ``file`` read with ``codebook``."""

    id: str
    file: Path
    codebook: Path
    sheet: str | None = None
    encoding: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class Inputs:
    """Files to ingest into a store inside the report folder, or an existing store."""

    waves: tuple[WaveInput, ...] = ()
    store: Path | None = None
    store_waves: tuple[str, ...] = ()
    codebook: Path | None = None  # the terms of the harmonised frame (default: newest)

    @property
    def wave_ids(self) -> tuple[str, ...]:
        """Wave ids in the plan's order; the last one is the default for analyses."""
        return tuple(w.id for w in self.waves) if self.waves else self.store_waves


@dataclass(frozen=True)
class DerivedSpec:
    """A derived column: a SQL expression, or the numeric code of a choice (``score``)."""

    name: str
    sql: str | None = None
    score: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class ResponseRatesSpec:
    """AAPOR response rates from a dispositions file (``survey.estimators.response_rates``)."""

    file: Path
    disposition: str = "disposition"
    by: str | None = None
    e: float | None = None
    line: int | None = None


@dataclass(frozen=True)
class EstimateSpec:
    """One estimate table: a statistic of one question, by groups, in a subpopulation."""

    id: str
    statistic: str
    variable: str
    title: str | None = None
    by: tuple[str, ...] = ()
    where: str | None = None
    waves: tuple[str, ...] = ()
    weighted: tuple[bool, ...] = (True,)
    ci: str = "logit"
    level: float = 0.95
    categories: tuple[str, ...] = ()
    sort: str = "none"
    plot: bool = False
    distribution: tuple[str, ...] = ()  # plot = "histogram" | "boxplot" | "ecdf" (or a list)
    quantiles: tuple[float, ...] = (0.5,)  # statistic = "quantile": the probabilities
    qrule: str = "math"  # statistic = "quantile": R's qrule
    line: int | None = None
    items: tuple[str, ...] = ()  # statistic = "alpha": the scale's items (numeric columns)
    contrast: str | None = None  # mean/total: a function of the named columns' estimates


@dataclass(frozen=True)
class ComparisonSpec:
    """A difference between two domains (e.g. two waves) of one estimate, with its interval."""

    id: str
    variable: str
    first: str
    second: str
    statistic: str = "proportion"
    category: str | None = None
    by: str = "wave"
    title: str | None = None
    where: str | None = None
    weighted: tuple[bool, ...] = (True,)
    ci: str = "logit"
    level: float = 0.95
    panel: bool = True
    relative: bool = False  # the relative change first / second - 1 instead of first - second
    line: int | None = None


@dataclass(frozen=True)
class MarginpredSpec:
    """A model's predictions standardised over ``adjust_for`` by raking (R's ``marginpred``),
    at the points ``at`` (variable, values; the lists zipped into rows, a single value
    repeated), on the ``link`` or ``response`` scale."""

    adjust_for: tuple[str, ...]
    at: tuple[tuple[str, tuple[str | int | float | bool, ...]], ...]
    type: str = "link"


@dataclass(frozen=True)
class ModelSpec:
    """A design-based model: logistic (or Firth), ordinal logistic, linear, any GLM.

    ``family``/``link``/``theta``: a ``glm``'s family (default gaussian), link (the
    family's R default) and negative binomial shape; ``link`` also picks an
    ``ologit``'s cumulative link. ``offset``: an expression added to a ``glm``'s linear
    predictor (``"log(exposure)"``). ``margins``: categorical predictors whose
    predictive margins (R's ``svypredmeans``) are reported beside the coefficients.
    ``marginpred``: predictions standardised by raking (R's ``marginpred``).
    """

    id: str
    type: str
    formula: str
    title: str | None = None
    outcome: str | None = None
    where: str | None = None
    waves: tuple[str, ...] = ()
    weighted: tuple[bool, ...] = (True,)
    levels: tuple[str, ...] = ()
    level: float = 0.95
    plot: bool = True
    family: str | None = None
    link: str | None = None
    theta: float | None = None
    offset: str | None = None
    margins: tuple[str, ...] = ()
    maximal: str | None = None  # BIC against this model (formula); default the model itself
    marginpred: MarginpredSpec | None = None  # predictions standardised by raking
    line: int | None = None


@dataclass(frozen=True)
class CrosstabSpec:
    """Banner tables written as an xlsx workbook (``survey.tables``, ``survey.reports``)."""

    rows: tuple[str, ...] | Literal["all"]
    banner: tuple[str, ...]
    where: str | None = None
    waves: tuple[str, ...] = ()
    weighted: bool = True
    significance: tuple[float, float] | None = (0.95, 0.99)
    correction: str = "holm"
    min_base: float = 30.0
    min_cell: int = 10
    cells: tuple[str, ...] = ("column_pct",)
    ordinal_test: str | None = None  # whole-table rank test of ordinal rows (Significance)
    file: str = "crosstabs.xlsx"
    line: int | None = None


@dataclass(frozen=True)
class OutputsSpec:
    """What the report folder holds."""

    dir: Path | None = None
    html: bool = True
    csv: bool = True
    json: bool = True


@dataclass(frozen=True)
class Plan:
    """A validated analysis plan. Paths are absolute (resolved against the plan's folder)."""

    path: Path
    sha256: str
    title: str
    inputs: Inputs
    description: str | None = None
    seed: int = 0
    level: float = 0.95
    derive: tuple[DerivedSpec, ...] = ()
    design: DesignSpec = field(default_factory=DesignSpec)
    """[design] and [weighting]: the library's specification (survey.bind), which the
    command line's design flags spell too."""
    estimates: tuple[EstimateSpec, ...] = ()
    comparisons: tuple[ComparisonSpec, ...] = ()
    models: tuple[ModelSpec, ...] = ()
    crosstab: CrosstabSpec | None = None
    outputs: OutputsSpec = field(default_factory=OutputsSpec)
    response_rates: ResponseRatesSpec | None = None

    @property
    def weighting(self) -> Weighting | None:
        """The [weighting] step, if the plan has one."""
        return self.design.weighting[0] if self.design.weighting else None

    @property
    def default_waves(self) -> tuple[str, ...]:
        """Waves an analysis covers when it names none: the last wave of the inputs."""
        ids = self.inputs.wave_ids
        return ids[-1:] if ids else ()
