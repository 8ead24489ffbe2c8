"""The data side of a run: ingest waves, load them harmonised, derive columns, build designs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from survey.codebook import Codebook, load_codebook
from survey.design import SurveyFrame, as_replicate, svydesign
from survey.errors import PlanError
from survey.plans._check import read_population
from survey.plans._model import Plan
from survey.store import IngestResult, WaveStore, load

__all__ = ["Data", "ingest_waves", "load_data"]

FPC = "__plan_fpc"
STRATUM = "__plan_stratum"


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
            return svydesign(rows)
        d = self.plan.design
        strata = d.strata
        if len(waves) > 1:
            parts = [pl.col("wave").cast(pl.String)]
            if strata is not None:
                parts.append(pl.col(strata).cast(pl.String))
            rows = rows.with_columns(pl.concat_str(parts, separator=":").alias(STRATUM))
            strata = STRATUM
        fpc = None
        if d.fpc is not None:
            fpc = d.fpc.column or FPC
        sf = svydesign(rows, ids=list(d.ids) or None, strata=strata, weights=d.weights, fpc=fpc,
                       fpc_kind=d.fpc_kind, lonely_psu=d.lonely_psu)  # type: ignore[arg-type]
        if d.replicates is not None:  # first: weighting then re-weights every replicate
            r = d.replicates
            sf = as_replicate(sf, type=r.type, replicates=r.replicates,  # type: ignore[arg-type]
                              fay_rho=r.fay_rho, seed=self.plan.seed)
        if self.plan.weighting is not None:
            sf = weight(sf, self.plan, waves)
        return sf


def weight(sf: SurveyFrame, plan: Plan, waves: tuple[str, ...]) -> SurveyFrame:
    """Weight ``sf`` to the plan's margins; each wave separately when there are several."""
    try:
        import survey.weighting as sw
    except ImportError as exc:
        raise PlanError("[weighting] needs survey.weighting, which this installation lacks",
                        location=str(plan.path)) from exc
    spec = plan.weighting
    assert spec is not None
    margins = sw.read_margins(spec.margins)
    if spec.variables:
        margins = margins.select(*spec.variables)
    if len(waves) > 1:
        margins = sw.Margins.from_dict({
            f"wave:{m.name}": {f"{w}:{':'.join(c)}": p for w in waves
                               for c, p in zip(m.categories, m.population, strict=True)}
            for m in margins.margins})
    if spec.method == "poststratify":
        return sw.poststratify(sf, margins, partial=spec.partial)
    if spec.method == "rake":
        return sw.rake(sf, margins)
    return sw.calibrate(sf, margins)


def load_data(plan: Plan, store: Path) -> Data:
    """Load the plan's waves harmonised, add the derived columns and the fpc."""
    codebook = load_codebook(plan.inputs.codebook) if plan.inputs.codebook else None
    h = load(store, waves=list(plan.inputs.wave_ids), codebook=codebook)
    df = h.frame
    for d in plan.derive:
        if d.sql is not None:
            expr = pl.sql_expr(d.sql)
        else:
            q = h.codebook.question(d.score or "")
            expr = (pl.col(q.id).cast(pl.String)
                    .replace_strict({o.label: float(o.code) for o in q.options}, default=None,
                                    return_dtype=pl.Float64))
        df = df.with_columns(expr.alias(d.name))
    fpc = plan.design.fpc
    if fpc is not None and fpc.population is not None:
        pop = read_population(fpc.population, fpc.variable or "")
        df = df.with_columns(pl.col(fpc.variable or "").cast(pl.String)
                             .replace_strict(pop, default=None, return_dtype=pl.Float64).alias(FPC))
    return Data(plan, df, h.codebook, dict(h.notes), h.to_text())
