"""A two-stage design streamed: 10M persons in 25,000 second-stage units (SSUs) of 1,000
PSUs in 50 strata, with a population size at each stage (``--fpc N1,N2``: R's
``multistage`` variance from the (stratum, PSU, SSU) totals), and the whole process of
``survey stats mean --var income --by region`` with its wall time and peak RSS, streamed
and (``--memory``) with the rows read into memory, whose figures it must equal to 1e-9.

    nice python benchmarks/bench_stages.py [--rows 10000000] [--dir /tmp/scale] [--memory]
        [--weights]    # a weight column instead of the weights the fpc gives

The file is written under ``--dir`` (never the repository) and kept between runs.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from benchmarks.bench_estimation import child_env, run_child

STRATA, PSUS, SSUS = 50, 20, 25  # PSUs per stratum, SSUs per PSU (sampled)
N1, N2 = 120, 400  # population PSUs per stratum, SSUs per PSU (the fpc at each stage)
CHUNK = 1_000_000
ROW_GROUP = 100_000


def write_two_stage(path: Path, rows: int, seed: int = 7) -> None:
    """Persons in row groups: stratum ``h``, PSU ``psu`` (numbered within its stratum),
    SSU ``ssu`` (within its PSU), population sizes ``N1`` (per stratum) and ``N2`` (per
    PSU, varying), a person weight ``w``, ``region`` (4 domains) and ``income``."""
    rng = np.random.default_rng(seed)
    units = STRATA * PSUS * SSUS
    per = rows // units
    n2 = (N2 + rng.integers(-100, 100, STRATA * PSUS)).astype(np.int32)
    schema = pa.schema([("h", pa.int16()), ("psu", pa.int16()), ("ssu", pa.int16()),
                        ("N1", pa.int32()), ("N2", pa.int32()), ("w", pa.float64()),
                        ("region", pa.int8()), ("income", pa.float64())])
    tmp = path.with_suffix(".tmp")
    with pq.ParquetWriter(tmp, schema, compression="zstd") as out:
        for start in range(0, units * per, CHUNK):
            n = min(CHUNK, units * per - start)
            unit = (start + np.arange(n)) // per  # persons sorted by SSU, as files often are
            h, rest = np.divmod(unit, PSUS * SSUS)
            psu, ssu = np.divmod(rest, SSUS)
            p = h * PSUS + psu
            effect = np.sin(p * 0.37) * 8_000 + np.cos(unit * 0.11) * 3_000
            cols = [pa.array(h.astype(np.int16)), pa.array(psu.astype(np.int16)),
                    pa.array(ssu.astype(np.int16)), pa.array(np.full(n, N1, np.int32)),
                    pa.array(n2[p]), pa.array(rng.uniform(50, 150, n)),
                    pa.array((rng.integers(0, 4, n) + 1).astype(np.int8)),
                    pa.array(rng.gamma(4.0, 9_000, n) + effect)]
            out.write_table(pa.Table.from_arrays(cols, schema=schema), row_group_size=ROW_GROUP)
    tmp.rename(path)


def run(data: Path, env: dict[str, str], engine: str, weights: bool) -> dict:
    cmd = [sys.executable, "-m", "survey", "stats", "mean", str(data), "--var", "income",
           "--by", "region", "--strata", "h", "--psu", "psu,ssu", "--fpc", "N1,N2",
           "--engine", engine, "--format", "json", *(["--weight", "w"] if weights else [])]
    wall, cpu, rss, text = run_child(cmd, env)
    rows = {str(r["by"]["region"]): r for r in json.loads(text)["estimates"]}
    return {"wall": wall, "cpu": cpu, "rss": rss, "rows": rows}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/scale"))
    ap.add_argument("--memory", action="store_true", help="also read the rows into memory")
    ap.add_argument("--weights", action="store_true", help="give the weight column")
    args = ap.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    path = args.dir / f"two_stage_{args.rows}.parquet"
    if not path.exists():
        write_two_stage(path, args.rows)
    env = child_env(args.dir)
    print(f"load average {os.getloadavg()[0]:.1f}; {path} ({path.stat().st_size / 1e6:.0f} MB)")
    print(f"{'engine':>8}{'wall s':>8}{'cpu s':>8}{'peak MB':>9}")
    runs = {}
    for engine in ("stream", *(["memory"] if args.memory else [])):
        runs[engine] = r = run(path, env, engine, args.weights)
        print(f"{engine:>8}{r['wall']:>8.2f}{r['cpu']:>8.2f}{r['rss']:>9.0f}", flush=True)
    for region, r in sorted(runs["stream"]["rows"].items()):
        print(f"region {region}: mean {r['estimate']:.4f} (SE {r['std_error']:.4f}, "
              f"df {r['df']})")
    if "memory" in runs:
        worst = max(abs(a[f] - b[f]) / abs(b[f]) for k, a in runs["stream"]["rows"].items()
                    for b in [runs["memory"]["rows"][k]]
                    for f in ("estimate", "std_error", "conf_low", "conf_high"))
        print(f"largest relative difference, streamed vs in memory: {worst:.1e}")


if __name__ == "__main__":
    main()
