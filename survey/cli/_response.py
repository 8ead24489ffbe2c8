"""``survey response-rates``: AAPOR response, cooperation, refusal and contact rates."""

from __future__ import annotations

import sys

import click
import polars as pl

from survey.cli._boxes import Column, box_table
from survey.cli._design_opts import DesignArgs, open_data, read, split_option
from survey.cli._output import json_doc

__all__ = ["response_rates_cmd"]

SHOWN = ("RR1", "RR2", "RR3", "RR4", "RR5", "RR6", "COOP1", "COOP3", "REF1", "CON1")


@click.command("response-rates")
@click.argument("data", type=click.Path(dir_okay=False))
@click.option("--disposition", default=None,
              help="Column of final dispositions (AAPOR codes 1.1, 2.11, ... or words). "
                   "Default: the codebook's `role: disposition` question, else 'disposition'.")
@click.option("--by", callback=split_option, help="Rates per group too (a stratum column).")
@click.option("--e", "e", type=click.FloatRange(0, 1), default=None,
              help="Eligible share of the unknown-eligibility cases (RR3/RR4, REF2, CON2). "
                   "Default: estimated as E / (E + NE) from the cases of known eligibility.")
@click.option("--schema", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Codebook typing DATA (csv/xlsx).")
@click.option("--sheet", default=None, help="Worksheet of an xlsx DATA.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True)
def response_rates_cmd(data: str, disposition: str | None, by: tuple[str, ...], e: float | None,
                       schema: str | None, sheet: str | None, fmt: str) -> None:
    """Response rates by AAPOR's Standard Definitions (RR1-RR6, COOP1-4, REF1-3, CON1-3).

    DATA has one row per sampled case with its final disposition: a dispositions file
    (csv/xlsx/Parquet), or a wave whose codebook has a `role: disposition` question.

    \b
    Example:
      survey response-rates sample_data/dispositions_2025.csv --by division
    """
    from survey.estimators import codebook_dispositions, response_rates

    args = DesignArgs(data=data, schema=schema, sheet=sheet)
    source = open_data(args)
    frame = read(source)
    disposition, codes = codebook_dispositions(source.codebook, disposition)
    res = response_rates(frame, disposition=disposition, by=list(by) or None, e=e, codes=codes)
    if fmt == "json":
        click.echo(json_doc({"data": data, "disposition": disposition, **res.to_dict()}))
        return
    if fmt == "csv":
        sys.stdout.write(res.table.write_csv())
        return
    rates = res.table
    groups = res.counts.iter_rows(named=True)
    heads = [*(res.by or ["cases"]), "n", "I", "P", "R", "NC", "O", "U", "NE", "e", *SHOWN]
    rows = []
    for c in groups:
        key = [("all" if c[b] is None else str(c[b])) for b in res.by] or ["all"]
        mask = pl.lit(True)
        for b in res.by:
            mask = mask & (pl.col(b).is_null() if c[b] is None else pl.col(b) == c[b])
        got = dict(zip(*rates.filter(mask).select("rate", "estimate").to_dict(as_series=False).values(),
                       strict=True))
        rows.append([*key, str(c["cases"]), *(str(c[k]) for k in ("I", "P", "R", "NC", "O")),
                     str(c["UH"] + c["UO"]), str(c["NE"]), f"{c['e']:.3f}",
                     *(f"{100 * got[r]:.1f}%" for r in SHOWN)])
    cols = [Column(h, right=i >= max(1, len(res.by))) for i, h in enumerate(heads)]
    click.echo(box_table(cols, rows, title="Response rates (AAPOR Standard Definitions)",
                         caption=f"e: {res.e_method}. I complete, P partial, R refusal and break-off, "
                                 "NC non-contact, O other, U unknown eligibility, NE not eligible. "
                                 "All 16 rates: --format json"))
