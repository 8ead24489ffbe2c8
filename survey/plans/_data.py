"""The data side of a run: ingest waves, load them harmonised, derive columns, and bind
the plan's design (:mod:`survey.bind`, the road the command line travels too)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from survey.bind import bind, join_population, open_source, parse_sql
from survey.codebook import Codebook, load_codebook
from survey.design import SurveyFrame
from survey.errors import PlanError, SpecError
from survey.plans._model import Plan
from survey.store import IngestResult, WaveStore

__all__ = ["Data", "ingest_waves", "load_data"]



def ingest_waves(plan: Plan, store: Path,
                 step: Callable[[str], None] = lambda s: None) -> list[IngestResult]:
    """Validate and ingest the plan's files into ``store`` (idempotent: a re-run of the
    same files is a no-op). A file that fails validation raises ValidationError (exit 1)."""
    ws = WaveStore(store)
    out = []
    for w in plan.inputs.waves:
        step(f"ingest {w.file.name} as wave {w.id}")
        out.append(ws.ingest(w.file, load_codebook(w.codebook), wave=w.id, sheet=w.sheet,
                             encoding=w.encoding, replace=True))
    return out


@dataclass
class Data:
    """The harmonised frame with derived columns, and the designs built from it (cached)."""

    plan: Plan
    frame: pl.DataFrame
    codebook: Codebook
    notes: dict[str, tuple[str, ...]]
    summary: str = ""
    _designs: dict[tuple[tuple[str, ...], bool], SurveyFrame] = field(default_factory=dict)

    def waves(self, wanted: tuple[str, ...]) -> tuple[str, ...]:
        """The waves an analysis covers (default: the plan's last wave), in plan order."""
        want = set(wanted or self.plan.default_waves)
        return tuple(w for w in self.plan.inputs.wave_ids if w in want)

    @property
    def panel_key(self) -> str | None:
        """The column linking members across waves (the codebook's panel key), if loaded."""
        key = self.codebook.panel_key
        return key if key is not None and key in self.frame.columns else None

    def panel_design(self, waves: tuple[str, ...], weighted: bool, first: str) -> SurveyFrame:
        """:meth:`design` with each member (the panel key) as a cluster over the stacked
        waves, as R's ``svydesign(ids=~member, strata=~stratum, ...)``: the strata are the
        plan's (not wave x stratum, or a member would sit in two), and a member whose
        stratum differs between waves keeps their stratum (and fpc) in wave ``first``."""
        from survey.estimators import panel_design

        assert self.panel_key is not None
        sf = self.design(waves, weighted)
        strata = self.plan.design.strata if weighted else None
        return panel_design(sf, self.panel_key, strata=strata,
                            prefer=pl.col("wave").cast(pl.String) == first)

    def design(self, waves: tuple[str, ...], weighted: bool) -> SurveyFrame:
        """The bound design of the rows of ``waves``.

        ``weighted=False``: every respondent counts once, as a simple random sample (no
        strata, clusters, fpc or weights). ``True``: the plan's [design] and
        [weighting]; with several waves each wave is its own sample, so the strata are
        wave x stratum.
        """
        key = (waves, weighted)
        if key not in self._designs:
            self._designs[key] = self._build(waves, weighted)
        return self._designs[key]

    def _build(self, waves: tuple[str, ...], weighted: bool) -> SurveyFrame:
        rows = self.frame.filter(pl.col("wave").cast(pl.String).is_in(list(waves)))
        if not weighted:
            return bind(rows)
        try:
            return bind(rows, self.plan.design, samples_by="wave")
        except SpecError as exc:  # in the plan's words: its [design] keys, its file
            raise PlanError(exc.named(PLAN_KEYS).message, location=str(self.plan.path),
                            hint=exc.hint) from None


PLAN_KEYS = {"weights": "[design] weights", "strata": "[design] strata", "ids": "[design] ids",
             "fpc": "[design] fpc", "fpc_file": "[design] fpc", "fpc_by": "[design] fpc",
             "replicate": "[design.replicates] type", "fay_rho": "[design.replicates] fay_rho",
             "lonely_psu": "[design] lonely_psu", "weighting": "[weighting]",
             "replicate_weights": "[design.replicates] columns",
             "scale": "[design.replicates] scale", "mse": "[design.replicates] mse"}
"""The plan's key of each :class:`~survey.bind.DesignSpec` field, for the library's errors."""


def load_data(plan: Plan, store: Path) -> Data:
    """Load the plan's waves harmonised, add the derived columns and the fpc."""
    source = open_source(store=store, waves=plan.inputs.wave_ids, schema=plan.inputs.codebook)
    df = source.read()
    h = source.harmonized
    assert h is not None
    for d in plan.derive:
        if d.sql is not None:
            expr = parse_sql(d.sql, df.columns, field=f"[derive] {d.name}")
        else:
            q = h.codebook.question(d.score or "")
            expr = (pl.col(q.id).cast(pl.String)
                    .replace_strict({o.label: float(o.code) for o in q.options}, default=None,
                                    return_dtype=pl.Float64))
        df = df.with_columns(expr.alias(d.name))
    if plan.design.fpc_file is not None:  # once, for every design built from the frame
        try:
            df = join_population(df, plan.design)
        except SpecError as exc:
            raise PlanError(exc.named(PLAN_KEYS).message, location=str(plan.path)) from None
    return Data(plan, df, h.codebook, dict(h.notes), h.to_text())
