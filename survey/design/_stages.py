"""Strata and the stages after the first of a bound design (R's ``multistage``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from survey.design._columns import W, dense_codes, unit_column
from survey.design._design import Design
from survey.design._pps import PPSStage
from survey.errors import DesignError

__all__ = ["bind_deeper"]

_CENSUS = 1e-7  # R's onestrat: a stratum with f < 1e-7 is sampled completely


@dataclass(frozen=True)
class _Strata:
    """Per-stratum arrays (index = stratum code)."""

    labels: tuple[object, ...]
    n_psu: np.ndarray  # PSUs per stratum in the full design
    f: np.ndarray  # 1 - sampling fraction (1 without fpc)
    pps: PPSStage | None = None  # a PPS first stage (per-PSU probabilities)


@dataclass(frozen=True)
class _Stage2:
    """A stage after the first of a design with an fpc at that stage (index = code of the
    parent unit, a PSU at stage 2, except ``ssu_psu``: the parent of each unit)."""

    ssu_psu: np.ndarray  # (n_units,)
    n2: np.ndarray  # units sampled in each parent
    scale: np.ndarray  # f n / (n - 1), as R's onestrat at this stage (0: census or removed)
    centre: np.ndarray  # False for a lonely unit under lonely_psu="adjust"
    frac1: np.ndarray  # the parent's sampling fraction over the earlier stages (n1 / N1 ...)


def _stratum_table(df: pl.DataFrame, h: pl.Series, strata: str | None,
                   fpc: str | None) -> pl.DataFrame:
    """Per stratum code: its label and, with an fpc, the fpc's first value, whether it
    varies (``fpc_n``: 1 or 2) and its nulls; without a group-by over the rows."""
    first = h.arg_unique()  # first row of every stratum, in order of appearance
    rows = first.gather(h.gather(first).arg_sort())  # ... in code order
    out = pl.DataFrame({"label": df[strata].gather(rows) if strata else [None] * rows.len()})
    if fpc is None:
        return out
    col = df[fpc].cast(pl.Float64)
    n = rows.len()
    hn = h.to_numpy()
    nulls = np.bincount(hn[col.is_null().to_numpy()], minlength=n)
    firsts = col.gather(rows)
    differ = (col != firsts.gather(h)).fill_null(False).to_numpy()  # fpc varying in a stratum
    varies = np.bincount(hn[differ], minlength=n) > 0
    # (small columns from lists: polars imports numpy.ma to read numpy arrays)
    return out.with_columns(firsts.alias("fpc"),
                            pl.Series("fpc_n", (1 + varies.astype(np.int64)).tolist()),
                            pl.Series("fpc_null", nulls.tolist(), dtype=pl.Int64))


def bind_deeper(data: pl.DataFrame, df: pl.DataFrame, psu: pl.Series, frac: np.ndarray,
                d: Design) -> tuple[pl.DataFrame, _Stage2, tuple[_Stage2, ...]]:
    """Stages 2, 3, ... of a design with an fpc at each (R's ``multistage``): unit
    codes nested in their parents, each stage's parents' sampling fractions so far.

    Returns the bound ``data`` with each stage's unit codes (:func:`unit_column`) and,
    without a weights column, the weights the stages' probabilities give; the second
    stage; the stages after it."""
    parent, prob = psu, np.ones(df.height)
    deeper = []
    for s in range(1, len(d.stage_fpc)):
        stage, unit, p = _bind_stage2(df, parent, frac, d, s)
        rows_parent = parent.to_numpy()
        prob *= p[rows_parent]
        frac = (frac * p)[stage.ssu_psu]  # each unit's fraction over stages 1..s
        data = data.hstack([unit.alias(unit_column(s + 1))])
        deeper.append(stage)
        parent = unit
    if d.weights is None:  # as R: probabilities multiply, (n1 / N1) (n2 / N2) ...
        data = data.with_columns(pl.Series(W, data[W].to_numpy() / prob))
    return data, deeper[0], tuple(deeper[1:])

def _bind_stage2(df: pl.DataFrame, psu: pl.Series, frac1: np.ndarray, d: Design,
                 s: int = 1) -> tuple[_Stage2, pl.Series, np.ndarray]:
    """Stage ``s + 1`` (``s`` counts from 0), as R's ``multistage``: its units nested in
    the parent units ``psu`` (codes), their fpc per parent, lonely units handled as
    ``d.lonely_psu``; ``frac1``: each parent's sampling fraction over the earlier stages.
    Returns the stage, the unit code of each row and each parent's sampling fraction
    n / N at this stage."""
    ids2, col = d.stage_ids[s], d.stage_fpc[s]
    n_psu = frac1.shape[0]
    code, n_id = dense_codes(df[ids2])
    key = psu.cast(pl.Int64) * n_id + code.cast(pl.Int64)
    ssu, _ = dense_codes(key)
    ssu_psu = (key.unique().sort() // n_id).to_numpy().astype(np.int64)
    n2 = np.bincount(ssu_psu, minlength=n_psu).astype(float)
    # per PSU: the fpc's first value, whether it varies, its nulls; labelled by the PSU id
    first = pl.DataFrame({"p": psu, "id": df[d.stage_ids[s - 1]].cast(pl.String),
                          "v": df[col].cast(pl.Float64)}).group_by("p").agg(
        pl.col("id").first().alias("label"), pl.col("v").first().alias("fpc"),
        pl.col("v").n_unique().alias("fpc_n"), pl.col("v").null_count().alias("fpc_null"),
    ).sort("p")
    f2, problems, _ = _fpc_factor(first, n2, col, d.fpc_kind, unit="first-stage units")
    if problems:
        raise DesignError("the second-stage fpc does not fit the design", problems=problems,
                          location=col)
    scale = np.where(n2 > 1, f2 * n2 / np.maximum(n2 - 1, 1), f2)
    scale = np.where(f2 < _CENSUS, 0.0, scale)
    centre = np.ones(n_psu, dtype=bool)
    lonely = (n2 == 1) & (f2 >= _CENSUS)
    if lonely.any():
        names = [str(x) for x, k in zip(first["label"].to_list(), lonely, strict=True) if k]
        how = d.lonely_psu
        if how in ("fail", "average"):
            raise DesignError(
                f"{len(names)} first-stage units have only one second-stage unit: "
                f"{', '.join(names[:20])}", location=ids2,
                hint="choose lonely_psu='adjust', 'remove' or 'certainty' (R's "
                "survey.lonely.psu; R's 'average' gives no variance here)")
        if how == "adjust":
            centre = ~lonely  # centred on the population mean, 0, as R
        else:  # remove, certainty: a lone unit centred on itself contributes 0, as R
            scale = np.where(lonely, 0.0, scale)
    return _Stage2(ssu_psu, n2, scale, centre, frac1), ssu, 1.0 - f2


def _fpc_factor(st: pl.DataFrame, n_psu: np.ndarray, col: str, kind: str, *,
                unit: str = "strata") -> tuple[np.ndarray, list[str], np.ndarray]:
    """Per-stratum ``f = (N_h - n_h) / N_h`` from an fpc column, checked as R's ``as.fpc``,
    and the population sizes ``N_h``."""
    problems = []
    labels = st["label"].to_list()
    if st["fpc_null"].sum():
        problems.append(f"fpc column {col!r} has {int(st['fpc_null'].sum())} nulls")
        return np.ones_like(n_psu), problems, n_psu
    varies = [str(lab) for lab, k in zip(labels, st["fpc_n"].to_list(), strict=True) if k > 1]
    if varies:
        problems.append(f"fpc varies within {unit} {', '.join(varies[:10])}")
    fpc = st["fpc"].to_numpy().astype(float)
    if kind == "auto":
        if (fpc >= 1).all():
            kind = "population" if (fpc > 1).any() else "fraction"
        elif (fpc <= 1).all():
            kind = "fraction"
        else:
            problems.append("fpc mixes values above and below 1: give population sizes "
                            "(all >= 1) or sampling fractions (all <= 1)")
            return np.ones_like(n_psu), problems, n_psu
    if kind == "fraction":
        if ((fpc <= 0) | (fpc > 1)).any():
            problems.append("sampling fractions must lie in (0, 1]")
            return np.ones_like(n_psu), problems, n_psu
        popsize = n_psu / fpc
    else:
        popsize = fpc
    over = [f"{lab} (N={p:g}, n={n:g})" for lab, p, n in
            zip(labels, popsize, n_psu, strict=True) if p < n - 1e-9]
    if over:
        problems.append(f"fpc implies more than 100% sampling in {unit} {', '.join(over[:10])}")
    return np.where(np.isinf(popsize), 1.0, (popsize - n_psu) / popsize), problems, popsize
