"""`survey validate`, `survey ingest`, `survey describe`, `survey schema ...`."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from survey._files import file_sha256
from survey.cli._design_opts import DesignArgs, open_data, read
from survey.cli._render import progress, render_description
from survey.cli._store import ingest_into_store, store_ingest_options
from survey.codebook import Codebook, draft_codebook_yaml, load_codebook
from survey.errors import ValidationError
from survey.frames import (
    TypedSurvey,
    describe,
    draft_from_metadata,
    read_survey,
    rejects_frame,
    write_typed_parquet,
)
from survey.io import Limits, read_metadata, read_table

_MB = 1024**2


def limit_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """Flags that raise the reader's resource limits."""
    d = Limits()
    for opt in reversed([
        click.option("--max-file-size", "max_file_mb", type=click.FloatRange(min=0.001),
                     default=d.max_file_bytes / _MB, show_default=True, help="Largest input file, MB."),
        click.option("--max-uncompressed", "max_uncompressed_mb", type=click.FloatRange(min=0.001),
                     default=d.max_uncompressed_bytes / _MB, show_default=True,
                     help="Largest uncompressed xlsx content, MB (decompression-bomb guard)."),
        click.option("--max-rows", type=click.IntRange(min=1), default=d.max_rows, show_default=True),
        click.option("--max-columns", type=click.IntRange(min=1), default=d.max_columns, show_default=True),
        click.option("--max-memory", "max_memory_mb", type=click.FloatRange(min=1),
                     help="Memory the xlsx reader may use, MB (default: half of the memory "
                          "available to the process)."),
    ]):
        f = opt(f)
    return f


def _limits(kw: dict[str, Any]) -> Limits:
    return Limits(
        max_file_bytes=int(kw.pop("max_file_mb") * _MB),
        max_uncompressed_bytes=int(kw.pop("max_uncompressed_mb") * _MB),
        max_rows=kw.pop("max_rows"),
        max_columns=kw.pop("max_columns"),
        max_memory_bytes=None if (mm := kw.pop("max_memory_mb", None)) is None else int(mm * _MB),
    )


def _read(file: str, schema: str, sheet: str | None, encoding: str | None, limits: Limits) -> TypedSurvey:
    codebook = load_codebook(schema)
    with progress(f"Reading {Path(file).name}"):
        return read_survey(file, codebook, sheet=sheet, encoding=encoding, limits=limits)


def _write_rejects(survey: TypedSurvey, path: str) -> int:
    rej = rejects_frame(survey)
    if path.endswith(".parquet"):
        rej.write_parquet(path)
    elif path.endswith(".csv"):
        with open(path, "wb") as fh:
            fh.write(b"\xef\xbb\xbf")  # BOM, so Excel opens Korean text correctly
            rej.write_csv(fh)
    else:
        raise click.BadParameter("the rejects file must end in .csv or .parquet", param_hint="--rejects")
    return rej.height


_FILE = click.Path(dir_okay=False)
_common = [
    click.argument("file", type=_FILE),
    click.option("--schema", "-s", required=True, type=_FILE, help="Codebook (schemas/*.yaml)."),
    click.option("--sheet", help="Sheet to read (default: the codebook's, else the only visible one)."),
    click.option("--encoding", help="CSV encoding (default: detected; utf-8, utf-8-sig, cp949 ...)."),
    click.option("--rejects", type=_FILE, help="Write the rows with errors and their reasons (.csv/.parquet)."),
]


def _apply(opts: list[Callable[..., Any]]) -> Callable[..., Any]:
    def deco(f: Callable[..., Any]) -> Callable[..., Any]:
        for o in reversed(opts):
            f = o(f)
        return f
    return deco


@click.command()
@_apply(_common)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@limit_options
def validate(file: str, schema: str, sheet: str | None, encoding: str | None, rejects: str | None,
             fmt: str, **kw: Any) -> None:
    """Check FILE against a codebook and report every problem.

    Exit status 0 when the data are valid (warnings allowed), 1 when not, 2 when the
    file or codebook cannot be read.

    \b
    Example:
      survey validate sample_data/academy_2025.xlsx -s schemas/academy_member_survey.yaml
      survey validate wave.csv -s schemas/x.yaml --format json --rejects rejects.csv
    """
    survey = _read(file, schema, sheet, encoding, _limits(kw))
    report = survey.report
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        click.echo(report.to_text())
    if rejects and not report.ok:
        n = _write_rejects(survey, rejects)
        click.echo(f"wrote {n} rejected row(s) to {rejects}", err=True)
    sys.exit(0 if report.ok else 1)


@click.command()
@_apply(_common)
@click.option("--out", "-o", type=_FILE, help="Typed Parquet file to write (or give --store).")
@_apply(store_ingest_options)
@limit_options
def ingest(file: str, schema: str, sheet: str | None, encoding: str | None, rejects: str | None,
           out: str | None, **kw: Any) -> None:
    """Validate FILE and write it as typed Parquet that keeps the codebook.

    Nothing is written when validation finds an error (exit 1); --rejects writes the
    offending rows with their reasons.

    With --store DIR --wave ID the wave is added to a store (docs/store.md): the same
    file again is a no-op, a different one is refused unless --replace (exit 2).

    \b
    Example:
      survey ingest sample_data/academy_2025.xlsx -s schemas/academy_member_survey.yaml -o wave2025.parquet
      survey ingest sample_data/academy_2025.xlsx -s schemas/academy_member_survey.yaml --store survey-store --wave 2025
    """
    store_kw = {k: kw.pop(k) for k in ("store", "wave", "replace", "keep_pii", "key_file", "panel_key",
                                         "wait")}
    if store_kw["store"] is not None:
        def on_invalid(exc: ValidationError) -> None:
            click.echo(exc.report.to_text(), err=True)
            if rejects:
                n = _write_rejects(exc.survey, rejects)
                click.echo(f"wrote {n} rejected row(s) to {rejects}", err=True)
        if not store_kw["wave"]:
            raise click.UsageError("--store needs --wave ID (e.g. --wave 2025)")
        ingest_into_store(file, load_codebook(schema), sheet=sheet, encoding=encoding,
                          limits=_limits(kw), on_invalid=on_invalid, **store_kw)
        return
    if out is None:
        raise click.UsageError("give --out FILE.parquet, or --store DIR --wave ID")
    survey = _read(file, schema, sheet, encoding, _limits(kw))
    report = survey.report
    if not report.ok:
        click.echo(report.to_text(), err=True)
        if rejects:
            n = _write_rejects(survey, rejects)
            click.echo(f"wrote {n} rejected row(s) to {rejects}", err=True)
        click.echo(f"error: {file} failed validation; nothing written", err=True)
        sys.exit(1)
    if not out.endswith(".parquet"):
        raise click.BadParameter("the output file must end in .parquet", param_hint="--out")
    digest = file_sha256(file)
    write_typed_parquet(
        survey.frame, out, codebook=survey.codebook,
        source={"file": Path(file).name, "sha256": digest, "sheet": report.sheet,
                "encoding": report.encoding, "layout": report.layout},
        validation=report.summary(),
    )
    if report.n_warnings:
        click.echo(f"{report.n_warnings} warning(s); run `survey validate` to see them", err=True)
    click.echo(f"wrote {out}: {survey.frame.height} rows, {survey.frame.width} columns "
               f"({survey.codebook.survey} {survey.codebook.version})")


@click.command("describe")
@click.argument("data", type=_FILE, required=False)
@click.option("--schema", "-s", type=_FILE, help="Codebook (needed unless DATA is a typed Parquet file).")
@click.option("--store", type=click.Path(file_okay=False), help="Read waves from this store instead of DATA.")
@click.option("--wave", "waves", help="Waves to read from --store, comma-separated (default: all).")
@click.option("--weight", "-w", help="Weight column for weighted frequencies.")
@click.option("--question", "-q", "questions", help="Only these questions (comma-separated ids).")
@click.option("--sheet", help="Sheet to read, for a spreadsheet DATA.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@limit_options
def describe_cmd(data: str | None, schema: str | None, store: str | None, waves: str | None,
                 weight: str | None, questions: str | None, sheet: str | None, fmt: str,
                 **kw: Any) -> None:
    """Codebook overview and frequencies of every question in DATA.

    DATA is a typed Parquet file from `survey ingest`, or a spreadsheet with --schema;
    or give --store DIR [--wave 2023,2025] to describe waves of a store, harmonised.

    \b
    Example:
      survey describe wave2025.parquet
      survey describe sample_data/academy_2025.xlsx -s schemas/academy_member_survey.yaml -q offer_received,offer_countries
      survey describe --store survey-store --wave 2023,2025 -q offer_countries
    """
    if data is not None and store is not None:
        raise click.UsageError("give DATA or --store, not both")
    if data is None and store is None:
        raise click.UsageError("give DATA (a file) or --store DIR")
    source = open_data(DesignArgs(data=data, schema=schema, sheet=sheet, store=store,
                                  wave=waves), limits=_limits(kw))
    frame = read(source)
    codebook = source.codebook
    if codebook is None:
        raise click.UsageError(f"{data} carries no codebook; give --schema (a spreadsheet "
                               "needs one, or ingest it to Parquet first)")
    if weight is not None and weight not in frame.columns:
        raise click.BadParameter(f"no column {weight!r} in the data", param_hint="--weight")
    if questions:
        wanted = [q.strip() for q in questions.split(",") if q.strip()]
        unknown = [q for q in wanted if q not in {x.id for x in codebook.questions}]
        if unknown:
            raise click.BadParameter(f"unknown question(s): {', '.join(unknown)}", param_hint="--question")
        codebook = Codebook(**{**codebook.__dict__, "questions": tuple(
            q for q in codebook.questions if q.id in wanted)})
    desc = describe(frame, codebook, weight=weight)
    if fmt == "json":
        click.echo(json.dumps(desc.to_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        render_description(desc)


@click.group()
def schema() -> None:
    """Codebooks: draft one from an export, or check one."""


@schema.command("check")
@click.argument("codebook", type=_FILE)
def schema_check(codebook: str) -> None:
    """Load CODEBOOK and report every mistake (exit 2 when there is one).

    \b
    Example:
      survey schema check schemas/academy_member_survey.yaml
    """
    cb = load_codebook(codebook)
    n_cols = len(cb.output_columns())
    click.echo(f"{codebook}: {cb.survey} {cb.version}, {len(cb.questions)} questions, {n_cols} typed columns: ok")


@schema.command("draft")
@click.argument("file", type=_FILE)
@click.option("--out", "-o", required=True, type=_FILE, help="Codebook to write (YAML).")
@click.option("--sheet", help="Sheet to draft from (default: the first visible sheet).")
@click.option("--name", help="Survey name (default: the file name).")
@click.option("--force", is_flag=True, help="Overwrite an existing codebook file.")
@click.option("--encoding", help="CSV encoding (default: detected and reported; utf-8, cp949, "
                                  "cp1252 ...); recorded in the draft's source.encoding.")
@click.option("--metadata", "-m", type=_FILE,
              help="The platform's questionnaire: Qualtrics .qsf, XLSForm .xlsx, REDCap data dictionary "
                   ".csv, a .sav/.dta whose labels to use, or a codebook table (.csv/.xlsx headed "
                   "e.g. variable,label or variable,value,label) (docs/codebook.md).")
@limit_options
def schema_draft(file: str, out: str, sheet: str | None, name: str | None, force: bool,
                 encoding: str | None, metadata: str | None, **kw: Any) -> None:
    """Draft a complete codebook from an export it has never seen.

    Detects the header layout (1, 2 or 3 rows), question blocks, multiple-choice groups
    (per-option columns or delimited lists), types and option lists; SPSS/Stata value
    labels and user-missing codes become options and missing codes.  Edit the draft,
    then ingest with it; the unedited draft already keeps every respondent.

    With --metadata, question text, types, options and their labels, multiple-choice
    groups, required flags, sections and missing codes come from the platform's own
    questionnaire file; where it disagrees with the export a warning says so.

    \b
    Example:
      survey schema draft responses.csv --out schemas/new_survey.yaml
      survey ingest responses.csv --schema schemas/new_survey.yaml --out wave.parquet
      survey schema draft records.csv --metadata dictionary.csv --out schemas/study.yaml
    """
    target = Path(out)
    if target.exists() and not force:
        raise click.UsageError(f"{out} exists; use --force to overwrite it")
    limits = _limits(kw)
    with progress(f"Reading {Path(file).name}"):
        raw = read_table(file, sheet=sheet, encoding=encoding or "auto", limits=limits)
    warnings: tuple[str, ...] = ()
    if metadata is not None:
        drafted = draft_from_metadata(raw, read_metadata(metadata, limits=limits), survey_name=name)
        text, warnings = drafted.to_yaml(), drafted.warnings
    else:
        text = draft_codebook_yaml(raw, survey_name=name or Path(file).stem, sheet=sheet,
                                   encoding=encoding)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    cb = load_codebook(target)  # the draft must load: fail loudly here, not at ingest
    for note in raw.notes:
        click.echo(f"note: {note}", err=True)
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"wrote {out}: {len(cb.questions)} questions, layout {raw.layout} "
               f"({raw.header_rows} header row{'s' if raw.header_rows > 1 else ''})"
               + (f", sheet {raw.sheet}" if raw.sheet else ""))
    blocks = [g for g in cb.groups if g.kind in ("grid", "ranking")]
    if blocks:
        click.echo(f"  {len(blocks)} grid/ranking block(s): "
                   + ", ".join(f"{g.id} ({g.kind}, {len(g.questions)} rows)" for g in blocks))
    checks = sum(1 for line in text.splitlines()
                 if line.lstrip().startswith("# CHECK"))
    if checks:
        click.echo(f"  {checks} '# CHECK' comment(s) in {out} mark guesses to look at")
