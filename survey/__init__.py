"""survey: from raw survey spreadsheet to published table.

The public API is re-exported here and loaded on first use (PEP 562), so the command
line starts without importing polars or statsmodels until a command needs them.

>>> import survey
>>> cb = survey.load_codebook("schemas/academy_member_survey.yaml")  # doctest: +SKIP
>>> wave = survey.read_survey("sample_data/academy_2025.xlsx", cb)  # doctest: +SKIP
>>> wave.report.ok  # doctest: +SKIP
True
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs
    from survey.codebook import Codebook, Question, dump_codebook, load_codebook
    from survey.errors import (
        CodebookError,
        IngestError,
        SurveyError,
        SurveyWarning,
        UnreadableInputError,
        ValidationError,
    )
    from survey.frames import (
        TypedSurvey,
        ValidationReport,
        describe,
        draft_from_metadata,
        read_survey,
        read_typed_parquet,
        type_table,
        write_typed_parquet,
    )
    from survey.design import Design, PPSMatrix, ReplicateDesign, SurveyFrame, as_replicate, svydesign
    from survey.design import LazySurveyFrame
    from survey.errors import NotStreamable
    from survey.design import allocate, margin_of_error, power_change, sample_size, sample_size_change
    from survey.errors import DesignError, EstimationError
    from survey.estimators import (
        Estimates,
        RankTest,
        TestResult,
        TTest,
        chisq,
        contrast,
        correlation,
        cronbach_alpha,
        difference,
        gini,
        mean,
        mi_combine,
        multiple_choice,
        nlcontrast,
        panel_design,
        panel_link,
        percentile_ratio,
        proportion,
        quantile,
        ranktest,
        ratio,
        response_rates,
        std_dev,
        total,
        ttest,
        variance,
        with_replicates,
    )
    from survey.io import Limits, RawTable, read_metadata, read_table
    from survey.errors import ModelError
    from survey.models import (
        LikelihoodRatioTest,
        Margins,
        ModelResult,
        firth,
        predictive_margins,
        svycoxph,
        svyfactanal,
        svyglm,
        svykm,
        svylogrank,
        svyolr,
        svyprcomp,
    )
    from survey.errors import PlanError
    from survey.plans import RunResult, load_plan, run_plan
    from survey.reports import export_labelled, write_csv, write_markdown, write_xlsx
    from survey.store import WaveStore, load
    from survey.tables import Crosstab, Disclosure, Significance, crosstab, crosstabs
    from survey.weighting import (
        adjust_nonresponse,
        calibrate,
        poststratify,
        rake,
        normalize_weights,
        read_margins,
        standardize,
        trim_weights,
        weight_diagnostics,
    )

_EXPORTS: dict[str, str] = {
    "Codebook": "survey.codebook",
    "CodebookError": "survey.errors",
    "Crosstab": "survey.tables",
    "Design": "survey.design",
    "DesignError": "survey.errors",
    "Disclosure": "survey.tables",
    "Estimates": "survey.estimators",
    "EstimationError": "survey.errors",
    "IngestError": "survey.errors",
    "LazySurveyFrame": "survey.design",
    "LikelihoodRatioTest": "survey.models",
    "Limits": "survey.io",
    "Margins": "survey.models",
    "ModelError": "survey.errors",
    "ModelResult": "survey.models",
    "NotStreamable": "survey.errors",
    "PPSMatrix": "survey.design",
    "PlanError": "survey.errors",
    "Question": "survey.codebook",
    "RankTest": "survey.estimators",
    "RawTable": "survey.io",
    "ReplicateDesign": "survey.design",
    "RunResult": "survey.plans",
    "Significance": "survey.tables",
    "SurveyError": "survey.errors",
    "SurveyFrame": "survey.design",
    "SurveyWarning": "survey.errors",
    "TTest": "survey.estimators",
    "TestResult": "survey.estimators",
    "TypedSurvey": "survey.frames",
    "UnreadableInputError": "survey.errors",
    "ValidationError": "survey.errors",
    "ValidationReport": "survey.frames",
    "WaveStore": "survey.store",
    "allocate": "survey.design",
    "adjust_nonresponse": "survey.weighting",
    "as_replicate": "survey.design",
    "calibrate": "survey.weighting",
    "chisq": "survey.estimators",
    "contrast": "survey.estimators",
    "correlation": "survey.estimators",
    "cronbach_alpha": "survey.estimators",
    "crosstab": "survey.tables",
    "crosstabs": "survey.tables",
    "describe": "survey.frames",
    "difference": "survey.estimators",
    "draft_from_metadata": "survey.frames",
    "dump_codebook": "survey.codebook",
    "export_labelled": "survey.reports",
    "firth": "survey.models",
    "gini": "survey.estimators",
    "load": "survey.store",
    "load_codebook": "survey.codebook",
    "load_plan": "survey.plans",
    "margin_of_error": "survey.design",
    "mean": "survey.estimators",
    "mi_combine": "survey.estimators",
    "multiple_choice": "survey.estimators",
    "nlcontrast": "survey.estimators",
    "panel_design": "survey.estimators",
    "panel_link": "survey.estimators",
    "normalize_weights": "survey.weighting",
    "percentile_ratio": "survey.estimators",
    "poststratify": "survey.weighting",
    "power_change": "survey.design",
    "predictive_margins": "survey.models",
    "proportion": "survey.estimators",
    "quantile": "survey.estimators",
    "rake": "survey.weighting",
    "ranktest": "survey.estimators",
    "ratio": "survey.estimators",
    "response_rates": "survey.estimators",
    "read_margins": "survey.weighting",
    "read_metadata": "survey.io",
    "read_survey": "survey.frames",
    "read_table": "survey.io",
    "read_typed_parquet": "survey.frames",
    "run_plan": "survey.plans",
    "sample_size": "survey.design",
    "sample_size_change": "survey.design",
    "std_dev": "survey.estimators",
    "standardize": "survey.weighting",
    "svydesign": "survey.design",
    "svycoxph": "survey.models",
    "svyfactanal": "survey.models",
    "svyglm": "survey.models",
    "svykm": "survey.models",
    "svylogrank": "survey.models",
    "svyolr": "survey.models",
    "svyprcomp": "survey.models",
    "total": "survey.estimators",
    "trim_weights": "survey.weighting",
    "ttest": "survey.estimators",
    "type_table": "survey.frames",
    "variance": "survey.estimators",
    "weight_diagnostics": "survey.weighting",
    "with_replicates": "survey.estimators",
    "write_csv": "survey.reports",
    "write_markdown": "survey.reports",
    "write_typed_parquet": "survey.frames",
    "write_xlsx": "survey.reports",
}

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str) -> Any:
    if name == "__version__":  # importlib.metadata costs ~70 ms of start-up: only on demand
        from survey._meta import toolkit_version

        value = globals()["__version__"] = toolkit_version()
        return value
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'survey' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
