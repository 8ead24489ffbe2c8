"""Median by a 5-level domain on 1,000,000 rows: ours, R's svyby(..., svyquantile), svy.

The data set is benchmarks/bench_estimation.py's (20 strata, 1,000 PSUs, unequal weights,
an fpc); the estimate is the median of ``income`` by ``region`` with its Woodruff
interval (R's default). Each side is timed on design + estimate only, the data already
in memory: ours in this process (``svydesign`` + ``quantile``), R by itself
(benchmarks/r/bench_estimation.R, case ``median_by``), svy in its own virtualenv
(never a dependency of ours):

    python -m venv /tmp/svyenv && /tmp/svyenv/bin/pip install svy
    python benchmarks/bench_quantile.py [--rows 1000000] [--repeat 3] [--svy-python PATH]

``survey stats quantile`` as a whole process is the ``median_by`` row of
bench_estimation.py.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_estimation import agree, write_data

_SVY = """
import json, sys, time
import polars as pl, svy
df = pl.read_parquet(sys.argv[1])
best = None
for _ in range(int(sys.argv[2])):
    t, c = time.perf_counter(), time.process_time()
    s = svy.Sample(df, svy.Design(stratum="stratum", psu="psu", wgt="w", pop_size="fpc"))
    r = s.estimation.median("income", by="region")
    run = (time.perf_counter() - t, time.process_time() - c)
    best = run if best is None or run[0] < best[0] else best
rows = {str(x["region"]): {"estimate": x["est"], "std_error": x["se"], "conf_low": x["lci"],
        "conf_high": x["uci"]} for x in r.to_polars().to_dicts()}
print(json.dumps({"wall": best[0], "cpu": best[1], "version": svy.__version__, "rows": rows}))
"""


def ours(pq: Path, repeat: int) -> dict:
    import polars as pl

    from survey.design import svydesign
    from survey.estimators import quantile

    df = pl.read_parquet(pq)
    best = None
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        sf = svydesign(df, ids="psu", strata="stratum", weights="w", fpc="fpc")
        r = quantile(sf, "income", by="region")
        run = (time.perf_counter() - t, time.process_time() - c)
        best = run if best is None or run[0] < best[0] else best
    assert best is not None
    rows = {x["region"]: x for x in r.to_frame().to_dicts()}
    return {"wall": best[0], "cpu": best[1], "rows": rows}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--svy-python", default="/tmp/svyenv/bin/python")
    ap.add_argument("--dir", type=Path, default=ROOT / "benchmarks" / ".data")
    args = ap.parse_args()
    pq, csv, _, _ = write_data(args.dir, args.rows, 100_000)
    mine = ours(pq, args.repeat)
    print(f"median of income by region (5 domains), {args.rows:,} rows; design + estimate, "
          "data in memory; best wall of the runs")
    print(f"{'':<8}{'wall s':>8}{'cpu s':>8}{'ours x wall':>12}{'ours x cpu':>11}"
          f"{'max rel diff':>13}")
    print(f"{'ours':<8}{mine['wall']:>8.2f}{mine['cpu']:>8.2f}")
    if shutil.which("Rscript"):
        out = subprocess.run(["Rscript", str(ROOT / "benchmarks/r/bench_estimation.R"), str(csv),
                              "median_by"], capture_output=True, text=True, check=True).stdout
        doc = json.loads(out.strip().splitlines()[-1])
        rows = {r["domain"]: r for r in doc["estimates"]}
        w, c = float(doc["estimate_seconds"]), float(doc["estimate_cpu"])
        print(f"{'R':<8}{w:>8.2f}{c:>8.2f}{w / mine['wall']:>12.1f}{c / mine['cpu']:>11.1f}"
              f"{agree(mine['rows'], rows):>13.1e}   ({doc['r']}, survey {doc['survey']})")
    if Path(args.svy_python).exists():
        out = subprocess.run([args.svy_python, "-c", _SVY, str(pq), str(args.repeat)],
                             capture_output=True, text=True, check=True).stdout
        doc = json.loads(out.strip().splitlines()[-1])
        print(f"{'svy':<8}{doc['wall']:>8.2f}{doc['cpu']:>8.2f}"
              f"{doc['wall'] / mine['wall']:>12.1f}{doc['cpu'] / mine['cpu']:>11.1f}"
              f"{agree(mine['rows'], doc['rows']):>13.1e}   (svy {doc['version']})")


if __name__ == "__main__":
    main()
