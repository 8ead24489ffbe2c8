"""`survey waves list|show|remove|prune|verify|load` and `survey ingest --store`."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from survey.codebook import Codebook
from survey.errors import ValidationError
from survey.io import Limits
from survey.store import DEFAULT_STORE, WaveStore, load

__all__ = ["ingest_into_store", "store_ingest_options"]

store_ingest_options = [
    click.option("--store", type=click.Path(file_okay=False),
                 help="Add FILE to this wave store (docs/store.md) instead of writing --out."),
    click.option("--wave", help="Wave id in the store (e.g. 2025); needed with --store."),
    click.option("--replace", is_flag=True,
                 help="Replace the wave's file; the old version stays until `survey waves prune`."),
    click.option("--keep-pii", is_flag=True,
                 help="Store `pii` questions and unhashed ids (default: dropped and hashed)."),
    click.option("--key-file", type=click.Path(dir_okay=False),
                 help="HMAC key for hashing ids (default: <store>.key, created mode 0600)."),
    click.option("--panel-key", help="Question linking people across waves, hashed at rest "
                                     "(default: the codebook's harmonize.panel_key)."),
]

_wait_option = click.option(
    "--wait", "wait", type=click.FloatRange(min=0), default=0, show_default=True, metavar="SECONDS",
    help="When another writer holds the store, wait up to SECONDS for it (default: refuse at once).")
store_ingest_options.append(_wait_option)


def _say_waiting(wait: float) -> Any:
    def on_wait(holder: str) -> None:
        click.echo(f"note: the store is busy ({holder}); waiting up to {wait:g} s", err=True)
    return on_wait

_store_option = click.option(
    "--store", "store", default=DEFAULT_STORE, show_default=True, type=click.Path(file_okay=False),
    help="The wave store directory.")
_format_option = click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
                              show_default=True)


def ingest_into_store(file: str, codebook: Codebook, *, store: str, wave: str, replace: bool,
                      keep_pii: bool, key_file: str | None, panel_key: str | None,
                      sheet: str | None, encoding: str | None, limits: Limits,
                      on_invalid: Any, wait: float = 0.0) -> None:
    """Body of `survey ingest FILE --store DIR --wave ID` (exit 0 added/unchanged, 1 invalid)."""
    ws = WaveStore(store, key_file=key_file, wait=wait, on_wait=_say_waiting(wait))
    try:
        result = ws.ingest(file, codebook, wave=wave, replace=replace, keep_pii=keep_pii,
                           panel_key=panel_key, sheet=sheet, encoding=encoding, limits=limits)
    except ValidationError as exc:
        on_invalid(exc)
        click.echo(f"error: {file} failed validation; nothing written to {store}", err=True)
        sys.exit(1)
    warnings = int(result.entry.validation.get("warnings", 0))
    if warnings and result.status != "unchanged":
        click.echo(f"{warnings} warning(s); run `survey validate` to see them", err=True)
    click.echo(result.message)


@click.group()
def waves() -> None:
    """The wave store: list, show, remove, prune, verify and load waves.

    \b
    Examples:
      survey ingest sample_data/academy_2025.xlsx -s schemas/academy_member_survey.yaml --store survey-store --wave 2025
      survey waves list --store survey-store
      survey waves load --store survey-store --wave 2023,2025 --out trend.parquet
    """


@waves.command("list")
@_store_option
@_format_option
def waves_list(store: str, fmt: str) -> None:
    """Every wave with rows, codebook version, source file and hashes."""
    entries = WaveStore(store).waves()
    if fmt == "json":
        click.echo(json.dumps([e.to_dict() for e in entries], ensure_ascii=False, indent=2))
        return
    if not entries:
        click.echo(f"{store}: no waves")
        return
    click.echo(f"{'wave':<10} {'rows':>7} {'codebook':<30} {'source':<28} {'source sha256':<14} "
               f"{'parquet sha256':<14} {'ingested (UTC)':<20} old")
    for e in entries:
        click.echo(f"{e.wave:<10} {e.rows:>7} {e.codebook_survey + ' ' + e.codebook_version:<30} "
                   f"{e.source_file:<28} {e.source_sha256[:12]:<14} {e.sha256[:12]:<14} "
                   f"{e.ingested_at:<20} {len(e.previous)}")


@waves.command("show")
@click.argument("wave")
@_store_option
@_format_option
def waves_show(wave: str, store: str, fmt: str) -> None:
    """One wave's manifest entry, with its validation summary."""
    e = WaveStore(store).entry(wave)
    if fmt == "json":
        click.echo(json.dumps(e.to_dict(), ensure_ascii=False, indent=2))
        return
    v = e.validation
    lines = [
        f"wave {e.wave}: {e.rows} rows, {e.columns} columns",
        f"  file        {e.file} (sha256 {e.sha256}, {e.bytes} bytes)",
        f"  codebook    {e.codebook_survey} {e.codebook_version} (sha256 {e.codebook_sha256[:12]})",
        f"  source      {e.source_file} (sha256 {e.source_sha256}, {e.source_bytes} bytes)",
        f"  ingested    {e.ingested_at} by survey {e.toolkit_version}",
        f"  validation  {v.get('errors', 0)} error(s), {v.get('warnings', 0)} warning(s); "
        f"{v.get('format')} {v.get('layout')}, {v.get('header_rows')} header row(s)"
        + (f", encoding {v['encoding']}" if v.get("encoding") else ""),
        *(f"              {k}: {n}" for k, n in (v.get("by_reason") or {}).items()),
        *(f"              note: {n}" for n in v.get("notes") or ()),
    ]
    pii = e.pii
    if pii.get("kept"):
        lines.append("  pii         kept (--keep-pii)")
    else:
        lines.append(f"  pii         dropped: {', '.join(pii.get('dropped') or ()) or 'none'}; "
                     f"hashed: {', '.join(pii.get('hashed') or ()) or 'none'}"
                     + (f" (key {pii['key_fingerprint']})" if pii.get("key_fingerprint") else ""))
    for p in e.previous:
        lines.append(f"  previous    {p.file}: {p.source_file} ({p.rows} rows), replaced {p.replaced_at}")
    click.echo("\n".join(lines))


@waves.command("remove")
@click.argument("wave")
@_store_option
@_wait_option
def waves_remove(wave: str, store: str, wait: float) -> None:
    """Take WAVE out of the store and delete its files (all its versions)."""
    e = WaveStore(store, wait=wait, on_wait=_say_waiting(wait)).remove(wave)
    click.echo(f"removed wave {wave} ({e.source_file}, {e.rows} rows)")


@waves.command("prune")
@_store_option
@_wait_option
def waves_prune(store: str, wait: float) -> None:
    """Delete replaced versions and leftovers of interrupted writes."""
    deleted = WaveStore(store, wait=wait, on_wait=_say_waiting(wait)).prune()
    click.echo(f"pruned {len(deleted)} file(s)" + "".join(f"\n  {d}" for d in deleted))


@waves.command("verify")
@_store_option
def waves_verify(store: str) -> None:
    """Check every listed file's presence, SHA-256 and row count (exit 2 on a mismatch)."""
    ws = WaveStore(store)
    problems = ws.verify()
    for p in problems:
        click.echo(f"error: {p}", err=True)
    if problems:
        sys.exit(2)
    click.echo(f"{store}: {len(ws.waves())} wave(s), every file matches the manifest")


@waves.command("load")
@_store_option
@click.option("--wave", "wave_ids", help="Waves to load, comma-separated (default: all).")
@click.option("--out", "-o", type=click.Path(dir_okay=False),
              help="Write the harmonised frame (.parquet or .csv).")
@_format_option
def waves_load(store: str, wave_ids: str | None, out: str | None, fmt: str) -> None:
    """Load waves as one frame in the newest codebook's terms and report what differs.

    \b
    Example:
      survey waves load --store survey-store --wave 2023,2025 --out trend.parquet
    """
    h = load(store, waves=wave_ids)
    if out is not None:
        if out.endswith(".parquet"):
            h.frame.write_parquet(out)
        elif out.endswith(".csv"):
            h.frame.write_csv(out)
        else:
            raise click.BadParameter("the output file must end in .parquet or .csv", param_hint="--out")
    if fmt == "json":
        click.echo(json.dumps(h.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(h.to_text())
    if out is not None:
        click.echo(f"wrote {out}: {h.frame.height} rows, {h.frame.width} columns", err=True)


