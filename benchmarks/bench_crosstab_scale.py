"""Banner tables of national files: the whole process ``survey crosstab`` on the
ACS-shaped Parquet files of ``bench_scale.py`` (int32 weight and 80 successive-difference
replicate weights, row groups of 100,000 rows), with its wall time, CPU time and peak RSS.

    nice python benchmarks/bench_crosstab_scale.py --sizes 1000000,10000000
        [--engines stream,memory] [--design replicate|weight] [--dir /tmp/scale]

A crosstab needs categorical banners, so each file is copied once (streamed, by
``sink_parquet``) with ``region`` and ``insured`` as labelled categories:
``acs_<rows>_typed.parquet``. The table: ``insured`` (Yes/No, with design-based column
letters and the Rao-Scott test) and ``agep`` (mean, SD and median) by ``region``, under
the supplied successive-difference design (``--design replicate``, the default) or the
weight alone. ``--engines memory`` reads every row into memory first (the path before
streaming; it needs a codebook, written beside the files), for comparison.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from benchmarks.bench_estimation import child_env, run_child
from benchmarks.bench_scale import write_acs

ROWS_GROUP = 100_000
CODEBOOK = """survey: acs_bench
version: '1'
questions:
  - {id: region, type: single, column: region, text: {en: Region},
     options: [{code: 1, label: Northeast}, {code: 2, label: Midwest},
               {code: 3, label: South}, {code: 4, label: West}]}
  - {id: insured, type: single, column: insured, text: {en: Health insurance},
     options: [{code: 0, label: 'No'}, {code: 1, label: 'Yes'}]}
  - {id: agep, type: integer, column: agep, text: {en: Age}}
"""
REGIONS = ["Northeast", "Midwest", "South", "West"]


def typed(path: Path) -> Path:
    """The file with ``region`` and ``insured`` as Enum columns (written once, streamed)."""
    out = path.with_name(path.stem + "_typed.parquet")
    if not out.exists():
        tmp = out.with_suffix(".tmp")
        (pl.scan_parquet(path)
         .with_columns(pl.col("region").cast(pl.Int64).replace_strict(
             [1, 2, 3, 4], REGIONS, return_dtype=pl.Enum(REGIONS)),
             pl.col("insured").cast(pl.Int64).replace_strict(
                 [0, 1], ["No", "Yes"], return_dtype=pl.Enum(["No", "Yes"])))
         .sink_parquet(tmp, row_group_size=ROWS_GROUP, compression="zstd"))
        tmp.rename(out)
    return out


def crosstab(data: Path, engine: str, design: str, env: dict[str, str], out: Path) -> dict:
    cmd = [sys.executable, "-m", "survey", "crosstab", str(data), "--rows", "insured,agep",
           "--banner", "region", "--weight", "PWGTP", "--engine", engine,
           "--schema", str(out.parent / "acs_codebook.yaml"), "--out", str(out)]
    if design == "replicate":
        cmd += ["--replicate", "successive-difference", "--replicate-weights", "PWGTP[0-9]*"]
    wall, cpu, rss, _ = run_child(cmd, env)
    return {"wall": wall, "cpu": cpu, "rss": rss}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000000,10000000")
    ap.add_argument("--dir", type=Path, default=Path("/tmp/scale"))
    ap.add_argument("--engines", default="stream", help="comma list of stream, memory, spark")
    ap.add_argument("--design", default="replicate", choices=["replicate", "weight"])
    args = ap.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    (args.dir / "acs_codebook.yaml").write_text(CODEBOOK, encoding="utf-8")
    env = child_env(args.dir)
    load = os.getloadavg()
    print(f"load average {load[0]:.1f} on {os.cpu_count()} CPUs; design {args.design}")
    print(f"{'persons':>12}{'engine':>8}{'wall s':>8}{'cpu s':>8}{'peak MB':>9}")
    for rows in (int(s) for s in args.sizes.split(",")):
        path = args.dir / f"acs_{rows}.parquet"
        if not path.exists():
            write_acs(path, rows)
        data = typed(path)
        outs = {}
        for engine in args.engines.split(","):
            out = args.dir / f"crosstab_{rows}_{engine}.csv"
            r = crosstab(data, engine, args.design, env, out)
            outs[engine] = pl.read_csv(out)
            print(f"{rows:>12,}{engine:>8}{r['wall']:>8.2f}{r['cpu']:>8.2f}{r['rss']:>9.0f}",
                  flush=True)
        if len(outs) > 1:
            first, *rest = outs.values()
            same = all(o.equals(first) for o in rest)
            print(f"{'':>12}  the engines' tables are {'identical' if same else 'DIFFERENT'}")


if __name__ == "__main__":
    main()
