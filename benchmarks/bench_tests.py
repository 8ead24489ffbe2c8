"""Tests and spreads benchmark: `survey stats ttest|ranktest|var|cor` against R on 1,000,000 rows.

The sample of ``bench_estimation.py`` (20 strata, 1,000 PSUs, a 5-level domain, a 0/1 and
a continuous variable, unequal weights, an fpc), and four cases:

    ttest_by     ttest --var income --by passed        R: svyttest(income ~ passed, d)
    ranktest_kw  ranktest --var income --by region      R: svyranktest(..., "KruskalWallis")
                 --test kruskalwallis
    var_by       var --var income --by region          R: svyby(~income, ~region, d, svyvar)
    cor          cor --var income,passed               R: svycontrast on svyvar

Ours is the whole `survey stats` process (start-up, Parquet read, binding, the test, JSON);
R's is `svydesign` + the call, timed by R (read.csv excluded). The numbers are compared.

    python benchmarks/bench_tests.py [--rows 1000000] [--repeat 2] [--no-r] [--dir DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from benchmarks.bench_estimation import ROOT, child_env, run_child, write_data

R_SCRIPT = ROOT / "benchmarks" / "r" / "bench_tests.R"
DESIGN = ["--strata", "stratum", "--psu", "psu", "--weight", "w", "--fpc", "fpc"]
CASES: dict[str, list[str]] = {
    "ttest_by": ["ttest", "--var", "income", "--by", "passed"],
    "ranktest_kw": ["ranktest", "--var", "income", "--by", "region", "--test", "kruskalwallis"],
    "var_by": ["var", "--var", "income", "--by", "region"],
    "cor": ["cor", "--var", "income,passed"],
}


def _values(case: str, doc: dict) -> dict[str, float]:
    if case == "ttest_by":
        return {k: doc[k] for k in ("estimate", "statistic", "p_value", "conf_low", "conf_high")}
    if case == "ranktest_kw":
        return {k: doc[k] for k in ("statistic", "ddf", "p_value")}
    if case == "var_by":
        return {f"{f}:{r['by']['region']}": r[f] for r in doc["estimates"]
                for f in ("estimate", "std_error")}
    row = doc["estimates"][0]
    return {"estimate": row["estimate"], "std_error": row["std_error"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--no-r", action="store_true")
    ap.add_argument("--dir", type=Path, default=ROOT / "benchmarks" / ".data")
    args = ap.parse_args()
    pq, csv, _, size_mb = write_data(args.dir, args.rows, 100_000)
    env = child_env(args.dir)
    run_child([sys.executable, "-m", "survey", "stats", "var", str(pq), "--var", "income"], env)
    with_r = shutil.which("Rscript") is not None and not args.no_r
    print(f"{args.rows:,} rows; frame {size_mb:.1f} MB")
    r_head = f"{'R wall':>9}{'R cpu':>8}{'x wall':>8}{'x cpu':>7}{'max rel diff':>13}"
    print(f"{'case':<13}{'ours wall':>10}{'ours cpu':>9}{'peak MB':>8}" + (r_head if with_r else ""))
    for case, argv in CASES.items():
        cmd = [sys.executable, "-m", "survey", "stats", argv[0], str(pq), *argv[1:], *DESIGN,
               "--format", "json"]
        runs = [run_child(cmd, env) for _ in range(args.repeat)]
        wall, cpu = min(r[0] for r in runs), min(r[1] for r in runs)
        rss = max(r[2] for r in runs)
        line = f"{case:<13}{wall:>10.2f}{cpu:>9.2f}{rss:>8.0f}"
        if with_r:
            _, _, _, text = run_child(["Rscript", str(R_SCRIPT), str(csv), case])
            r = json.loads(text.strip().splitlines()[-1])
            mine = _values(case, json.loads(runs[0][3]))
            diff = max(abs(mine[k] - v) / max(abs(v), 1e-300) for k, v in r["values"].items())
            line += (f"{r['estimate_seconds']:>9.2f}{r['estimate_cpu']:>8.2f}"
                     f"{r['estimate_seconds'] / wall:>8.1f}{r['estimate_cpu'] / cpu:>7.1f}"
                     f"{diff:>13.1e}")
        print(line, flush=True)


if __name__ == "__main__":
    main()
