"""Running a plan into a report folder: :func:`run_plan` and its :class:`RunResult`.

The folder (docs/plans.md)::

    report.html            self-contained: inline CSS, plots as base64 PNG, no script
    estimates/<id>.csv     one per [[estimate]] and [[comparison]]
    estimates.json         all of them, with the plan's settings
    models/<id>.csv        coefficient tables, one per [[model]]
    models/<id>_margins.csv  predictive margins, where a [[model]] asks for them
    models/<id>_marginpred.csv  predictions standardised by raking (R's marginpred)
    models.json
    plots/<name>.png       the report's plots as files
    <crosstab file>.xlsx   when the plan has [crosstab]
    provenance.json        plan and input hashes, codebooks, versions, seed, timestamps

Nothing respondent-level and no key is written there, so the folder can be shared whole:
files given as inputs are ingested into a store beside the plan (``<plan stem>.store/``,
its key ``<plan stem>.store.key``; :func:`plan_store`), or where ``store=`` says.
Files are written with the user's umask (group-readable under the usual 022).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import polars as pl

import survey
from survey._meta import utc_now
from survey.errors import DesignError, EstimationError, ModelError, PlanError
from survey.plans._analyses import (
    ModelRun,
    run_comparison,
    run_crosstab,
    run_distribution,
    run_estimate,
    run_model,
    run_response_rates,
)
from survey.plans._data import Data, ingest_waves, load_data
from survey.plans._load import load_plan
from survey.plans._model import Plan
from survey.plans._output import (
    csv_bytes,
    file_sha256,
    json_text,
    provenance,
    write_bytes,
)
from survey.plans._report import compose

__all__ = ["Progress", "RunResult", "output_dir", "plan_store", "run_plan"]

Progress = Callable[[str, int, int], None]
"""Called as ``progress(step, done, total)`` before each step of a run."""

T = TypeVar("T")


@dataclass(frozen=True)
class RunResult:
    """What a run produced.

    Attributes
    ----------
    out_dir
        The report folder.
    report
        ``report.html`` (None when ``[outputs] html = false``).
    files
        Every file written, relative to ``out_dir`` (sorted).
    estimates, comparisons, models
        The tables written, by id (models: the coefficient table).
    provenance
        The content of ``provenance.json``.
    store
        The wave store the run read (respondent-level, pseudonymised; outside the report
        folder unless asked), and ``key_file`` its HMAC key (None for an existing
        ``[inputs] store``, whose key stays where it is).
    """

    plan: Plan
    out_dir: Path
    report: Path | None
    files: tuple[str, ...]
    estimates: dict[str, pl.DataFrame] = field(repr=False)
    comparisons: dict[str, pl.DataFrame] = field(repr=False)
    models: dict[str, pl.DataFrame] = field(repr=False)
    provenance: dict[str, Any] = field(repr=False)
    store: Path | None = None
    key_file: Path | None = None


def plan_store(plan: Plan) -> Path:
    """Where a run ingests a plan's input files: ``<plan stem>.store/`` beside the plan
    (key ``<plan stem>.store.key`` beside it), so a project's data stay with its plans and
    out of the report folder that is shared."""
    return plan.path.parent / f"{plan.path.stem}.store"


def output_dir(plan: Plan, out_dir: str | Path | None = None) -> Path:
    """Where a run writes: ``out_dir``, else ``[outputs] dir``, else ``reports/<plan name>``."""
    if out_dir is not None:
        return Path(out_dir)
    if plan.outputs.dir is not None:
        return plan.outputs.dir
    return Path("reports") / plan.path.stem


def _check_out(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise PlanError("the output folder is a file", location=str(out),
                        hint="give --out a new or empty folder")
    if out.is_dir() and any(out.iterdir()) and not (out / "provenance.json").is_file():
        raise PlanError("the output folder holds other files and no earlier report",
                        location=str(out), hint="give --out a new or empty folder, or the "
                        "folder of an earlier run of this plan (it is updated)")


def _guard(label: str, line: int | None, plan: Plan, fn: Callable[..., T], *args: Any) -> T:
    """Run one analysis; an estimation, model or design error names the plan line."""
    try:
        return fn(*args)
    except (EstimationError, ModelError, DesignError) as exc:
        where = f"{plan.path.name}:{line}" if line else plan.path.name
        raise type(exc)(f"{label}: {exc.message}", location=where, hint=exc.hint,
                        problems=exc.problems) from exc


def _clear_stale(out: Path) -> None:
    for sub, pattern in (("estimates", "*.csv"), ("models", "*.csv"), ("plots", "*.png")):
        for p in (out / sub).glob(pattern):
            p.unlink()


def _design_text(plan: Plan) -> str:
    d = plan.design
    bits = []
    if d.strata:
        bits.append(f"stratified by {d.strata}")
    if d.ids:
        bits.append(f"clusters {', '.join(d.ids)}")
    if d.weights:
        bits.append(f"weights {d.weights}")
    if d.fpc:
        bits.append(f"fpc {', '.join(d.fpc)}")
    elif d.fpc_file is not None:
        bits.append(f"fpc: population of each {d.fpc_by} from {Path(d.fpc_file).name}")
    if d.replicate_weights:
        bits.append(f"replicate weights {d.replicate_weights} "
                    f"({d.replicate or 'other, scale ' + format(d.scale, 'g')})")
    for w in d.weighting:
        bits.append(f"{w.method} to {', '.join(w.variables) or 'the margins'} of "
                    f"{Path(w.margins).name}")
    return "; ".join(bits) or "simple random sample (no design given)"


def run_plan(plan: str | Path | Plan, out_dir: str | Path | None = None, *,
             store: str | Path | None = None, progress: Progress | None = None) -> RunResult:
    """Validate and run an analysis plan into a report folder.

    Parameters
    ----------
    plan
        The plan file (or a :class:`Plan` from :func:`load_plan`).
    out_dir
        The report folder; default ``[outputs] dir`` of the plan, else
        ``reports/<plan name>``. An earlier report there is updated; a folder holding
        anything else is refused.
    store
        Where the plan's input files are ingested (default :func:`plan_store`:
        ``<plan stem>.store/`` beside the plan, key ``<plan stem>.store.key``); not used
        with an existing ``[inputs] store``.
    progress
        Called as ``progress(step, done, total)`` before each step (the command line
        draws a progress bar with it). The library prints nothing.

    Raises
    ------
    PlanError
        The plan has mistakes (all listed, with lines); nothing is written.
    ValidationError
        An input file fails validation (nothing of it is ingested).
    EstimationError, ModelError, DesignError
        An analysis cannot be computed; the message names the plan line.

    Examples
    --------
    >>> r = run_plan("analyses/brain_drain_2025.toml", "out/brain_drain")  # doctest: +SKIP
    >>> r.estimates["offer_rate"]  # doctest: +SKIP
    """
    started, t0 = utc_now(), time.perf_counter()
    p = plan if isinstance(plan, Plan) else load_plan(plan)
    out = output_dir(p, out_dir)
    _check_out(out)
    steps = ([f"ingest wave {w.id}" for w in p.inputs.waves] + ["load waves"]
             + [f"estimate {e.id}" for e in p.estimates]
             + [f"comparison {c.id}" for c in p.comparisons]
             + [f"model {m.id}" for m in p.models]
             + (["crosstabs"] if p.crosstab else []) + ["report"])
    done = [0]

    def tick(step: str) -> None:
        if progress is not None:
            progress(step, done[0], len(steps))
        done[0] += 1

    out.mkdir(parents=True, exist_ok=True)
    if p.inputs.store is not None:
        store, key_file = p.inputs.store, None
    else:
        store = Path(store) if store is not None else plan_store(p)
        key_file = store.with_name(store.name + ".key")  # the store's default_key_path
    ingested = ingest_waves(p, store, tick) if p.inputs.waves else []
    tick("load waves")
    data = load_data(p, store)
    estimates, comparisons, models = {}, {}, []
    distributions = {}
    for e in p.estimates:
        tick(f"estimate {e.id}")
        estimates[e.id] = _guard(f"[[estimate]] {e.id!r}", e.line, p, run_estimate, data, e)
        if e.distribution and p.outputs.html:
            distributions[e.id] = _guard(f"[[estimate]] {e.id!r} plot", e.line, p,
                                         run_distribution, data, e)
    for c in p.comparisons:
        tick(f"comparison {c.id}")
        comparisons[c.id] = _guard(f"[[comparison]] {c.id!r}", c.line, p, run_comparison, data, c)
    for m in p.models:
        tick(f"model {m.id}")
        models.append(_guard(f"[[model]] {m.id!r}", m.line, p, run_model, data, m))
    rates = None
    if p.response_rates is not None:
        tick("response rates")
        rates = _guard("[response_rates]", p.response_rates.line, p, run_response_rates,
                       p.response_rates)
    crosstab_note = None
    written: dict[str, bytes] = {}
    if p.crosstab is not None:
        tick("crosstabs")
        tables = _guard("[crosstab]", p.crosstab.line, p, run_crosstab, data, p.crosstab)
        crosstab_note = _write_crosstabs(tables, out / p.crosstab.file, p)
    tick("report")
    _clear_stale(out)
    written.update(_tables(p, estimates, comparisons, models))
    if p.outputs.html:
        rep = compose(p, estimates=estimates, comparisons=comparisons, models=models,
                      distributions=distributions, response_rates=rates,
                      codebook=data.codebook, facts=_facts(p, data),
                      data_notes=_data_notes(p, data), crosstab_note=crosstab_note,
                      footer=f"survey {survey.__version__}; plan {p.path.name} "
                             f"(sha256 {p.sha256[:16]}); provenance.json records the inputs, "
                             "versions and time of this run.")
        written["report.html"] = rep.html.encode("utf-8")
        for f in rep.figures:
            written[f"plots/{f.name}.png"] = f.png
    for rel, data_bytes in sorted(written.items()):
        write_bytes(out / rel, data_bytes)
    if p.crosstab is not None:
        written[p.crosstab.file] = (out / p.crosstab.file).read_bytes()
    prov = provenance(
        plan={"file": p.path.name, "path": str(p.path), "sha256": p.sha256, "title": p.title},
        inputs=_inputs(p, ingested, store), files=_other_files(p),
        codebook={"survey": data.codebook.survey, "version": data.codebook.version},
        seed=p.seed, started=started, seconds=time.perf_counter() - t0,
        outputs={rel: file_sha256(out / rel) for rel in sorted(written)})
    write_bytes(out / "provenance.json", json_text(prov).encode("utf-8"))
    return RunResult(p, out, out / "report.html" if p.outputs.html else None,
                     tuple(sorted([*written, "provenance.json"])), estimates, comparisons,
                     {m.spec.id: m.terms for m in models}, prov, store=store,
                     key_file=key_file)


def _tables(p: Plan, estimates: dict[str, pl.DataFrame], comparisons: dict[str, pl.DataFrame],
            models: list[ModelRun]) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    if p.outputs.csv:
        for k, t in [*estimates.items(), *comparisons.items()]:
            out[f"estimates/{k}.csv"] = csv_bytes(t)
        for m in models:
            out[f"models/{m.spec.id}.csv"] = csv_bytes(m.terms)
            if m.margins is not None:
                out[f"models/{m.spec.id}_margins.csv"] = csv_bytes(m.margins)
            if m.marginpred is not None:
                out[f"models/{m.spec.id}_marginpred.csv"] = csv_bytes(m.marginpred)
    if p.outputs.json:
        doc = {"plan": p.title, "plan_sha256": p.sha256, "estimates": [
            {"id": e.id, "title": e.title, "statistic": e.statistic, "variable": e.variable,
             "by": list(e.by), "where": e.where, "level": e.level, "ci": e.ci,
             "rows": estimates[e.id].to_dicts()} for e in p.estimates],
            "comparisons": [
            {"id": c.id, "title": c.title, "statistic": c.statistic, "variable": c.variable,
             "category": c.category, "by": c.by, "first": c.first, "second": c.second,
             "where": c.where, "level": c.level, "rows": comparisons[c.id].to_dicts()}
            for c in p.comparisons]}
        out["estimates.json"] = json_text(doc).encode("utf-8")
        mdoc = {"plan": p.title, "plan_sha256": p.sha256, "models": [
            {"id": m.spec.id, "title": m.spec.title, "type": m.spec.type, "where": m.spec.where,
             "fits": [{"weighted": w, **r.to_dict(), **(m.choice[i] if m.choice else {})}
                      for i, (w, r) in enumerate(m.results)],
             **({} if m.margins is None else {"margins": m.margins.to_dicts()}),
             **({} if m.marginpred is None else {"marginpred": m.marginpred.to_dicts()})}
            for m in models]}
        out["models.json"] = json_text(mdoc).encode("utf-8")
    return out


def _write_crosstabs(tables: Any, path: Path, p: Plan) -> str:
    try:
        from survey.reports import write_xlsx  # type: ignore[attr-defined]
    except ImportError as exc:
        raise PlanError("[crosstab] needs the xlsx renderer of survey.reports, which this "
                        "installation lacks", location=str(p.path)) from exc
    write_xlsx(tables, path, source=p.path.name)
    return f"{path.name}: {len(tables.tables)} banner tables (open it in a spreadsheet)."


def _facts(p: Plan, data: Data) -> list[tuple[str, str]]:
    counts = data.frame.group_by("wave").len().sort("wave")
    waves = ", ".join(f"{w} ({n} respondents)" for w, n in counts.iter_rows())
    return [("plan", f"{p.path.name} (sha256 {p.sha256[:16]})"), ("waves", waves),
            ("terms", f"{data.codebook.survey} {data.codebook.version}"),
            ("design", _design_text(p)),
            ("unweighted", "every respondent counts once, as a simple random sample")]


def _data_notes(p: Plan, data: Data) -> list[str]:
    notes = [*data.summary.splitlines(), f"Design: {_design_text(p)}."]
    if len(p.inputs.wave_ids) > 1:
        notes.append("Each wave is its own sample: analyses across waves stratify by wave "
                     "(wave x stratum).")
    notes += [f"Derived column {d.name}: " + (d.sql if d.sql else f"score of {d.score} "
                                              "(option code as a number)") for d in p.derive]
    return notes


def _inputs(p: Plan, ingested: list[Any], store: Path) -> list[dict[str, Any]]:
    if p.inputs.waves:
        out = []
        for w, res in zip(p.inputs.waves, ingested, strict=True):
            e = res.entry
            out.append({"wave": w.id, "file": w.file.name, "path": str(w.file),
                        "sha256": file_sha256(w.file), "bytes": w.file.stat().st_size,
                        "codebook": {"file": w.codebook.name, "sha256": file_sha256(w.codebook),
                                     "survey": e.codebook_survey, "version": e.codebook_version},
                        "stored_as": e.file, "rows": e.rows})
        return out
    from survey.store import WaveStore

    entries = [WaveStore(store).entry(w) for w in p.inputs.store_waves]
    return [{"wave": e.wave, "store": str(store), "file": e.file, "sha256": e.sha256,
             "rows": e.rows, "source": {"file": e.source_file, "sha256": e.source_sha256},
             "codebook": {"survey": e.codebook_survey, "version": e.codebook_version,
                          "sha256": e.codebook_sha256}} for e in entries]


def _other_files(p: Plan) -> list[dict[str, Any]]:
    files = []
    if p.design.fpc_file is not None:
        files.append(("fpc population", Path(p.design.fpc_file)))
    for w in p.design.weighting:
        files.append(("weighting margins", Path(w.margins)))
    if p.inputs.codebook is not None:
        files.append(("codebook", p.inputs.codebook))
    if p.response_rates is not None:
        files.append(("dispositions", p.response_rates.file))
    return [{"role": role, "file": f.name, "path": str(f), "sha256": file_sha256(f)}
            for role, f in files]
