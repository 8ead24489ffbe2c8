"""Weighting on every design command: ``--rake FILE`` / ``--poststratify FILE`` (with
``--margin NAME``), and the calibrated design a Parquet file from ``survey weight`` carries.

The flags are the ``weighting`` option group of :mod:`survey.cli._design_opts`: its
step runs on the bound design, before replicate weights are made, so the estimators
use the calibration residuals (R's ``svyrecvar``). A Parquet file written by
``survey weight ... --out`` stores its design and weighting steps under the metadata
key ``survey.weighting``; :func:`stored_design` replays them (``from_metadata``), so
``survey stats ... FILE.parquet`` gives the calibrated SEs without flags.

:mod:`survey.weighting` (numpy, scipy.sparse) is imported only when weighting is used.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import click
import polars as pl

if TYPE_CHECKING:
    from survey.design import SurveyFrame
    from survey.weighting import Margins

__all__ = [
    "META_WEIGHTING",
    "OPTIONS",
    "apply",
    "columns",
    "describe",
    "parquet_metadata",
    "read_stored",
    "stored_columns",
    "stored_design",
]

META_WEIGHTING = "survey.weighting"
"""Parquet metadata key of the stored weighting (``survey.weighting.META_WEIGHTING``; not
imported from there, which would load scipy on every command)."""

_FILE = click.Path(exists=True, dir_okay=False)

OPTIONS = (
    click.option("--rake", "rake_file", type=_FILE, metavar="FILE",
                 help="Rake the weights to the margins of FILE (variable,category,population; "
                      "as R's rake): every margin, or those --margin names."),
    click.option("--poststratify", "poststratify_file", type=_FILE, metavar="FILE",
                 help="Post-stratify the weights to one margin of FILE (as R's postStratify); "
                      "pick it with --margin when FILE has several."),
    click.option("--margin", "margin_names", multiple=True, metavar="NAME",
                 help="A margin of the --rake/--poststratify file (repeatable), e.g. "
                      "division:gender (crossed) or division."),
)


def _chosen(values: Mapping[str, Any]) -> tuple[str, str] | None:
    rake, post = values.get("rake_file"), values.get("poststratify_file")
    if rake and post:
        raise click.UsageError("give --rake or --poststratify, not both")
    if not rake and not post:
        if values.get("margin_names"):
            raise click.UsageError("--margin picks margins of a --rake or --poststratify file")
        return None
    return ("rake", rake) if rake else ("poststratify", post)


def _margins(path: str, names: tuple[str, ...]) -> Margins:
    from survey.weighting import read_margins

    margins = read_margins(path)
    return margins.select(*names) if names else margins


def columns(values: Mapping[str, Any]) -> list[str]:
    """The data columns the weighting reads: the margins' variables."""
    chosen = _chosen(values)
    if chosen is None:
        return []
    return _margins(chosen[1], tuple(values.get("margin_names", ()))).variables


def apply(sf: SurveyFrame, values: Mapping[str, Any]) -> SurveyFrame:
    """Rake or post-stratify the bound design, with R's defaults."""
    chosen = _chosen(values)
    if chosen is None:
        return sf
    from survey.weighting import poststratify, rake

    how, path = chosen
    margins = _margins(path, tuple(values.get("margin_names", ())))
    column = _free_name(sf.frame.columns, getattr(sf.design, "weights", None))
    if how == "rake":
        return rake(sf, margins, weight_column=column)
    return poststratify(sf, margins, weight_column=column)


def _free_name(existing: list[str], design_weight: str | None) -> str:
    """``weight`` for the new weights, unless the data use that name for something else."""
    name = "weight"
    while name in existing and name != design_weight:
        name = f"_{name}"
    return name


# -- the design stored by `survey weight` ----------------------------------------------


def parquet_metadata(path: str) -> dict[str, str]:
    """A Parquet file's key-value metadata, read once per version of the file: a command
    asks for its codebook, its stored design and the design's description."""
    st = os.stat(path)
    return _metadata_of(path, st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=8)
def _metadata_of(path: str, mtime_ns: int, size: int) -> dict[str, str]:
    return pl.read_parquet_metadata(path)


def read_stored(path: str | None) -> str | None:
    """The weighting (JSON text) a Parquet DATA from ``survey weight`` stored, or None."""
    if path is None or not path.lower().endswith(".parquet"):
        return None
    try:
        return parquet_metadata(path).get(META_WEIGHTING)
    except (OSError, pl.exceptions.PolarsError):
        return None


def stored_columns(meta: str) -> list[str]:
    """Columns the stored design reads: its design columns, the margins' variables, the
    weight column (numeric totals of calibration included)."""
    m = json.loads(meta)
    d = m.get("design", {})
    cols = [d.get("weights"), d.get("strata"), *(d.get("ids") or ()), *(d.get("fpc") or ()),
            m.get("weight_column")]
    for step in m.get("steps", ()):
        for row in step.get("margins", ()):
            cols.extend(str(row["variable"]).split(":"))
    return [c for c in dict.fromkeys(cols) if c]


def describe(path: str | None, values: Mapping[str, Any]) -> dict[str, Any]:
    """The weighting of a command line, as entries of ``design_summary`` (JSON
    ``design``, table captions): the stored design replaces the flags' description."""
    out: dict[str, Any] = {}
    steps = []
    meta = read_stored(path)
    if meta is not None:
        m = json.loads(meta)
        d = m.get("design", {})
        fpc = d.get("fpc") or []
        out = {"weights": m.get("weight_column"), "strata": d.get("strata"),
               "psu": d.get("ids") or None, "fpc": fpc[0] if len(fpc) == 1 else fpc or None,
               "lonely_psu": d.get("lonely_psu", "fail")}
        for step in m.get("steps", ()):
            names = dict.fromkeys(str(r["variable"]) for r in step.get("margins", ()))
            steps.append(f"{step['method']} ({', '.join(names)}; stored by survey weight)")
    chosen = _chosen(values)
    if chosen is not None:
        names = values.get("margin_names") or ()
        steps.append(f"{chosen[0]} to {chosen[1]}" + (f" ({', '.join(names)})" if names else ""))
    return {**out, "weighting": ", then ".join(steps)} if steps else out


def stored_design(frame: pl.DataFrame, meta: str, *,
                  replicate: Callable[[SurveyFrame], SurveyFrame] | None = None) -> SurveyFrame:
    """The weighted design, rebuilt by replaying the stored steps (``from_metadata``);
    ``replicate`` makes replicates of the base design first, so the steps re-weight them."""
    from survey.weighting import from_metadata

    return from_metadata(frame, meta, prepare=replicate)
