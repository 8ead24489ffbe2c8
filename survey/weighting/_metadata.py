"""A weighted design as plain data: stored with the weights, replayed on reading.

``survey weight ... --out file.parquet`` stores this next to the weights, so a
later command rebuilds the same design, calibration residuals included, by
replaying the steps on the base design (and checks it gets the stored weights).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from survey._files import atomic_writer
from survey.design import Design, SurveyFrame
from survey.errors import DesignError
from survey.weighting._adjust import poststratify, rake, trim_weights
from survey.weighting._calibrate import calibrate
from survey.weighting._margins import Margins
from survey.weighting._nonresponse import normalize_weights

if TYPE_CHECKING:
    from survey.codebook import Codebook

__all__ = ["META_WEIGHTING", "from_metadata", "to_metadata", "write_weighted"]

META_WEIGHTING = "survey.weighting"
"""Parquet metadata key holding :func:`to_metadata` as JSON."""

_VERSION = 1


def to_metadata(sf: SurveyFrame) -> dict[str, Any]:
    """The weighted design as JSON-ready data: base design, steps, weight column.

    >>> import polars as pl
    >>> from survey.design import svydesign
    >>> from survey.weighting import poststratify
    >>> sf = poststratify(svydesign(pl.DataFrame({"g": ["a", "b"]})), {"g": {"a": 1, "b": 3}})
    >>> to_metadata(sf)["steps"][0]["method"]
    'poststratify'
    """
    d = sf.design
    if not isinstance(d, Design):
        raise DesignError("only linearisation designs can be stored with their weighting")
    history = list(getattr(sf.calibration, "history", ()))
    # a nonresponse adjustment dropped the nonrespondents: the stored rows start there
    cut = max((i + 1 for i, h in enumerate(history) if h["method"] == "nonresponse"), default=0)
    base = (history[cut - 1]["weight_column"] if cut else
            history[0]["base_weights"] if history else d.weights)
    history = history[cut:]
    design = {"weights": base, "strata": d.strata, "ids": list(d.stage_ids) or None,
              "fpc": list(d.stage_fpc) or None, "fpc_kind": d.fpc_kind,
              "lonely_psu": d.lonely_psu}
    if d.pps is not None:
        if not isinstance(d.pps, str):
            raise DesignError("a design with a joint-inclusion matrix cannot be stored",
                              hint="store the weights and bind the matrix again on reading")
        design.update(pps=d.pps, variance=d.variance)
    if d.adjust_domain_lonely:
        design["adjust_domain_lonely"] = True
    steps = [{k: v for k, v in h.items() if k not in ("initial", "base_weights")}
             for h in history]
    return {"version": _VERSION, "design": design, "weight_column": d.weights, "steps": steps}


def write_weighted(sf: SurveyFrame, path: str | Path, *, codebook: Codebook | None = None,
                   diagnostics: Mapping[str, Any] | None = None) -> Path:
    """Write a weighted design's data as Parquet, its design and weighting steps (and
    ``codebook``, ``diagnostics``) as metadata, atomically (temporary file, fsync,
    rename). ``survey.bind`` replays the stored design on reading: ``survey stats`` and
    ``survey.bind.load_design`` give the calibrated SEs without design flags.
    """
    from survey.codebook import codebook_to_dict
    from survey.frames._parquet import META_CODEBOOK

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    md = {META_WEIGHTING: json.dumps(to_metadata(sf), ensure_ascii=False)}
    if diagnostics is not None:
        md[f"{META_WEIGHTING}.diagnostics"] = json.dumps(dict(diagnostics), ensure_ascii=False)
    if codebook is not None:
        md[META_CODEBOOK] = json.dumps(codebook_to_dict(codebook), ensure_ascii=False)
    with atomic_writer(target) as fh:
        sf.frame.write_parquet(fh, metadata=md)
    return target


def from_metadata(frame: pl.DataFrame, meta: dict[str, Any] | str, *, rtol: float = 1e-8,
                  prepare: Callable[[SurveyFrame], SurveyFrame] | None = None) -> SurveyFrame:
    """Rebuild a weighted design from a frame and :func:`to_metadata` (dict or JSON).

    The steps are replayed on the base design; the weights they give must equal the
    stored weight column (relative ``rtol``), or a :class:`DesignError` says the
    file was changed after weighting. ``prepare`` turns the base design into another
    before the replay, e.g. ``lambda sf: as_replicate(sf, type="JK1")``: the steps
    then re-weight every replicate.
    """
    m = json.loads(meta) if isinstance(meta, str) else meta
    if m.get("version") != _VERSION:
        raise DesignError(f"weighting metadata version {m.get('version')!r} is not supported")
    col = m["weight_column"]
    if col not in frame.columns:
        raise DesignError(f"the stored weight column {col!r} is missing", location=col)
    dd = m["design"]
    ids = tuple(dd["ids"]) if dd.get("ids") else None
    fpc = tuple(dd["fpc"]) if dd.get("fpc") else None
    design = Design(weights=dd.get("weights"), strata=dd.get("strata"),
                    ids=ids[0] if ids and len(ids) == 1 else ids,
                    fpc=fpc[0] if fpc and len(fpc) == 1 else fpc,
                    fpc_kind=dd.get("fpc_kind", "auto"), lonely_psu=dd.get("lonely_psu", "fail"),
                    pps=dd.get("pps"), variance=dd.get("variance", "HT"),
                    adjust_domain_lonely=dd.get("adjust_domain_lonely", False))
    base = frame.drop(col) if col != design.weights else frame
    sf = SurveyFrame(base, design)
    if prepare is not None:
        sf = prepare(sf)
    for step in m["steps"]:
        how = step["method"]
        ms = Margins.from_rows(step["margins"]) if "margins" in step else None
        if how == "poststratify":
            sf = poststratify(sf, ms, partial=step.get("partial", False), weight_column=col)
        elif how == "rake":
            sf = rake(sf, ms, epsilon=step["epsilon"], maxit=step["maxit"], weight_column=col)
        elif how == "calibrate":
            sf = calibrate(sf, ms, calfun=step["calfun"], bounds=tuple(step["bounds"]),
                           maxit=step["maxit"], epsilon=step["epsilon"], force=True,
                           aggregate_stage=step.get("aggregate_stage"), weight_column=col)
        elif how == "normalize":
            sf = normalize_weights(sf, to=step["to"], weight_column=col)
        elif how == "trim":
            sf = trim_weights(sf, lower=step["lower"], upper=step["upper"],
                              strict=step["strict"], weight_column=col)
        else:
            raise DesignError(f"unknown weighting step {how!r} in the metadata")
    got = sf.frame[col].to_numpy()
    want = frame[col].cast(pl.Float64).to_numpy()
    if not np.allclose(got, want, rtol=rtol, atol=0):
        raise DesignError(f"the weights in {col!r} differ from those the stored weighting "
                          "gives: the data changed after weighting",
                          hint="weight the data again with `survey weight`")
    return sf
