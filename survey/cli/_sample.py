"""``survey sample FRAME``: draw the next sample from a frame (simple random, systematic,
PPS systematic or Brewer; stratified, two-stage), seeded, writing each drawn unit's
inclusion probability and weight. A thin shell over :func:`survey.design.draw_sample`."""

from __future__ import annotations

from pathlib import Path

import click

from survey.cli._boxes import Column, box_table
from survey.cli._output import json_doc

__all__ = ["sample_cmd"]


@click.command("sample")
@click.argument("frame", type=click.Path(dir_okay=False, exists=True))
@click.option("--n", "n", type=click.IntRange(1), required=True,
              help="Units to draw (shared across --strata by --allocation); with --psu, units "
                   "drawn in each selected PSU.")
@click.option("--strata", help="Stratum column: each stratum drawn separately.")
@click.option("--allocation", type=click.Choice(["proportional", "equal"]),
              default="proportional", show_default=True,
              help="How --n is shared across strata (as `survey design-size allocate`).")
@click.option("--method", type=click.Choice(["srs", "systematic", "pps-systematic",
                                             "pps-brewer"]), default="srs", show_default=True,
              help="Selection (two-stage: of the PSUs).")
@click.option("--size", help="Size measure column of the PPS methods (with --psu: summed per "
                             "PSU; default its number of rows).")
@click.option("--psu", help="Two-stage: the PSU column; --n-psu PSUs, then --n units in each.")
@click.option("--n-psu", type=click.IntRange(1), help="Two-stage: PSUs to draw.")
@click.option("--seed", type=int, required=True, help="Random seed: the same seed, the same sample.")
@click.option("--out", type=click.Path(dir_okay=False), required=True,
              help="Drawn rows with inclusion_prob and weight (.csv or .parquet).")
@click.option("--simulate", type=click.IntRange(1), default=None,
              help="Also draw this many samples and compare each unit's selection frequency "
                   "with its inclusion probability (seeded from --seed).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
def sample_cmd(frame: str, n: int, strata: str | None, allocation: str, method: str,
               size: str | None, psu: str | None, n_psu: int | None, seed: int, out: str,
               simulate: int | None, fmt: str) -> None:
    """Draw a sample from FRAME: the rows with their inclusion probabilities and weights.

    \b
    Examples:
      survey sample frame.csv --n 200 --strata division --seed 2026 --out sample.csv
      survey sample frame.csv --n 200 --strata division --method pps-brewer --size publications \\
          --seed 2026 --out sample.csv --simulate 1000
      survey sample frame.csv --psu department --n-psu 12 --n 8 --method pps-systematic \\
          --seed 2026 --out sample.csv
    """
    from survey._files import atomic_writer
    from survey.bind import open_source
    from survey.design import draw_sample, simulate_inclusion

    src = open_source(frame)
    df = src.read(["*"])
    kw = {"n": n, "strata": strata, "method": method, "size": size, "psu": psu,
          "n_psu": n_psu, "allocation": allocation}
    drawn = draw_sample(df, seed=seed, **kw)  # type: ignore[arg-type]
    target = Path(out)
    with atomic_writer(target) as fh:
        if target.suffix.lower() == ".parquet":
            drawn.sample.write_parquet(fh)
        else:
            drawn.sample.write_csv(fh)
    doc = {**drawn.to_dict(), "frame": frame, "out": out}
    check = None
    if simulate:
        sim = simulate_inclusion(df, replicates=simulate, seed=seed, **kw)  # type: ignore[arg-type]
        z = sim["z"].abs()
        check = {"replicates": simulate, "max_abs_z": float(z.max()),  # type: ignore[arg-type]
                 "max_abs_difference": float((sim["frequency"] - sim["inclusion_prob"]).abs().max()),  # type: ignore[arg-type]
                 "share_abs_z_over_2": float((z > 2).mean()),
                 "sum_frequency": float(sim["frequency"].sum())}
        doc["simulation"] = check
    if fmt == "json":
        click.echo(json_doc(doc))
        return
    rows = [[str(r["stratum"]), str(r["population"]), str(r["n"]), f"{r['sum_prob']:.6g}",
             f"{r['min_prob']:.4g}", f"{r['max_prob']:.4g}", f"{1 / r['max_prob']:.4g}",
             f"{1 / r['min_prob']:.4g}" if r["min_prob"] > 0 else "-"]
            for r in drawn.allocation.iter_rows(named=True)]
    cols = [Column("stratum"), *(Column(c, right=True) for c in
            ("N", "n", "sum of pi", "min pi", "max pi", "min weight", "max weight"))]
    click.echo(box_table(cols, rows, title=f"{method} sample of {drawn.rows.shape[0]} from "
                         f"{df.height} (seed {seed})",
                         caption=f"sum of inclusion probabilities {drawn.probabilities.sum():.6g}; "
                                 f"written to {out}"))
    if check is not None:
        click.echo(f"simulation: {simulate} samples; largest |frequency - pi| = "
                   f"{check['max_abs_difference']:.4g} ({check['max_abs_z']:.2f} Monte Carlo SE); "
                   f"{100 * check['share_abs_z_over_2']:.1f}% of units beyond 2 SE (about 4.6% "
                   f"expected); mean sample size {check['sum_frequency']:.6g}")
