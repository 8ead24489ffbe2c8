"""``survey export``: a typed wave as a labelled SPSS, Stata or csv file."""

from __future__ import annotations

from pathlib import Path

import click

from survey.cli._design_opts import DesignArgs, open_data, read
from survey.cli._output import json_doc

__all__ = ["export_cmd"]


@click.command("export")
@click.argument("data", type=click.Path(dir_okay=False), required=False)
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--to", "fmt", type=click.Choice(["sav", "dta", "csv"]), default=None,
              help="Format (default: OUT's suffix).")
@click.option("--schema", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Codebook typing a csv/xlsx DATA (a Parquet file from `survey ingest` has its own).")
@click.option("--sheet", default=None, help="Worksheet of an xlsx DATA.")
@click.option("--store", type=click.Path(file_okay=False), default=None, help="A wave store instead of DATA.")
@click.option("--wave", default=None, help="The wave of --store to export.")
@click.option("--language", type=click.Choice(["en", "ko"]), default="en", show_default=True,
              help="Language of the variable and value labels.")
@click.option("--keep-pii", is_flag=True, help="Keep the columns of questions marked pii: true.")
@click.option("--format", "out_fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="How to report what was written.")
def export_cmd(data: str | None, out: Path, fmt: str | None, schema: str | None, sheet: str | None,
               store: str | None, wave: str | None, language: str, keep_pii: bool, out_fmt: str) -> None:
    """Write DATA as a labelled .sav (SPSS), .dta (Stata) or csv for colleagues.

    Variable labels are the question texts, value labels the options with their codes,
    "Don't know"-style missing codes stay user-missing, and multiple-choice questions
    become SPSS multiple-response sets. Korean text survives (UTF-8).

    \b
    Examples:
      survey export wave2025.parquet wave2025.sav
      survey export sample_data/academy_2025.xlsx --schema schemas/academy_member_survey.yaml wave2025.dta
      survey export --store store --wave 2025 wave2025_ko.sav --language ko
    """
    from survey.reports import export_labelled

    if (data is None) == (store is None):
        raise click.UsageError("give a DATA file or --store DIR --wave ID")
    if store is not None and wave is None:
        raise click.UsageError("--store needs --wave: export one wave at a time")
    suffix = (fmt or out.suffix.lower().lstrip("."))
    if suffix not in ("sav", "dta", "csv"):
        raise click.BadParameter(f"cannot tell the format of {out.name!r}", param_hint="--to")
    source = open_data(DesignArgs(data=data, schema=schema, sheet=sheet, store=store, wave=wave))
    frame = read(source)
    if source.codebook is None:
        raise click.BadParameter("DATA has no codebook: give --schema, or a Parquet file from "
                                 "`survey ingest`", param_hint="DATA")
    res = export_labelled(frame, source.codebook, out, to=suffix,  # type: ignore[arg-type]
                          language=language, keep_pii=keep_pii)  # type: ignore[arg-type]
    if out_fmt == "json":
        click.echo(json_doc(res.to_dict()))
        return
    click.echo(f"wrote {res.path} ({res.format}, {len(res.variables)} variables, {frame.height} rows)")
    if res.mr_sets:
        click.echo(f"  multiple-response sets: {', '.join('$' + s for s in res.mr_sets)}")
    if res.dropped:
        click.echo(f"  left out (pii; --keep-pii keeps them): {', '.join(res.dropped)}")
    for old, new in res.renamed.items():
        click.echo(f"  renamed {old} -> {new}")
    for note in res.notes:
        click.echo(f"  note: {note}")
