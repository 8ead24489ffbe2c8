"""National files: ACS-shaped Parquet (int32 weight and 80 successive-difference
replicate weights, written in row groups) of 1M, 10M and 100M persons, and the whole
process ``survey stats proportion --var insured --by region`` on each, with its wall
time and peak RSS; side by side with svy (a scratch virtualenv, never a dependency)
where the file fits in its memory.

    nice python benchmarks/bench_scale.py --sizes 1000000,10000000 [--svy /tmp/svyenv/bin/python]
        [--dir /tmp/scale] [--engine polars|spark] [--keep]

Files are written under ``--dir`` (never the repository) and kept between runs unless
larger than 50M rows (deleted after, unless ``--keep``). Targets (2 cores): 10M x 80 in
at most 10 s with a peak of at most 1.5 GB; 100M x 80 completes within 2 GB; 1M x 80 at
least twice as fast as svy.
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

REPS = 80
CHUNK = 1_000_000  # rows generated at a time
ROW_GROUP = 100_000  # rows per Parquet row group
ROOT = Path(__file__).resolve().parents[1]


def _patterns(rng: np.random.Generator, k: int = 256) -> np.ndarray:
    """Successive-difference replicate factors: ``1 + 2^(-3/2) (a_r - b_r)`` with
    ``a, b`` rows of a Hadamard-like +-1 matrix, as the ACS; ``k`` distinct patterns."""
    a = rng.choice([-1.0, 1.0], (k, REPS))
    b = rng.choice([-1.0, 1.0], (k, REPS))
    return 1.0 + 2 ** -1.5 * (a - b)


def write_acs(path: Path, rows: int, seed: int = 22) -> None:
    """An ACS-shaped person file: region (4 domains), insured (0/1), age, the int32
    person weight PWGTP and PWGTP1..PWGTP80, in row groups of 100,000 rows."""
    rng = np.random.default_rng(seed)
    pats = _patterns(rng)
    names = ["region", "insured", "agep", "PWGTP", *(f"PWGTP{r}" for r in range(1, REPS + 1))]
    schema = pa.schema([("region", pa.int8()), ("insured", pa.int8()), ("agep", pa.int16()),
                        *((c, pa.int32()) for c in names[3:])])
    tmp = path.with_suffix(".tmp")
    with pq.ParquetWriter(tmp, schema, compression="zstd") as out:
        for start in range(0, rows, CHUNK):
            n = min(CHUNK, rows - start)
            region = rng.choice(4, n, p=[0.35, 0.3, 0.2, 0.15]).astype(np.int8) + 1
            insured = (rng.random(n) < 0.85 + 0.02 * region).astype(np.int8)
            w = rng.integers(5, 400, n).astype(np.int32)
            reps = np.rint(w[:, None] * pats[rng.integers(0, pats.shape[0], n)]).astype(np.int32)
            cols = [pa.array(region), pa.array(insured),
                    pa.array(rng.integers(0, 95, n).astype(np.int16)), pa.array(w),
                    *(pa.array(reps[:, r]) for r in range(REPS))]
            out.write_table(pa.Table.from_arrays(cols, schema=schema), row_group_size=ROW_GROUP)
    tmp.rename(path)


def ours(data: Path, env: dict[str, str], engine: str) -> dict:
    cmd = [sys.executable, "-m", "survey", "stats", "proportion", str(data), "--var", "insured",
           "--by", "region", "--weight", "PWGTP", "--replicate", "successive-difference",
           "--replicate-weights", "PWGTP[0-9]*", "--format", "json"]
    if engine != "polars":
        cmd += ["--engine", engine]
    if engine == "spark":  # the driver's JVM is a child of the command: sum the process tree
        return tree(cmd, env)
    wall, cpu, rss, text = run_child(cmd, env)
    return {"wall": wall, "cpu": cpu, "rss": rss, "rows": _rows(json.loads(text)["estimates"])}


def _tree_rss(root: int) -> float:
    """Resident MB of ``root`` and its descendants (from /proc)."""
    parent: dict[int, int] = {}
    rss: dict[int, int] = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
            parent[int(d.name)] = int(fields[1])
            rss[int(d.name)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    mine, grew = {root}, True
    while grew:
        more = {p for p, q in parent.items() if q in mine} - mine
        grew = bool(more)
        mine |= more
    return sum(rss.get(p, 0) for p in mine) / 1e6


def tree(cmd: list[str], env: dict[str, str]) -> dict:
    """Wall time and the peak resident memory of a command's whole process tree, sampled
    every 0.2 s (Spark: the Python driver and its JVM)."""
    import subprocess
    import tempfile
    import time

    with tempfile.TemporaryFile() as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
        peak = 0.0
        while proc.poll() is None:
            peak = max(peak, _tree_rss(proc.pid))
            time.sleep(0.2)
        wall = time.perf_counter() - t0
        out.seek(0)
        text = out.read().decode()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode})")
    return {"wall": wall, "cpu": float("nan"), "rss": peak,
            "rows": _rows(json.loads(text)["estimates"])}


def _rows(estimates: list[dict]) -> dict:
    return {(str(r["by"]["region"]), str(r["category"])): r for r in estimates}


_SVY = """
import json, sys
import polars as pl
import svy
df = pl.read_parquet(sys.argv[1])
design = svy.Design(wgt="PWGTP", rep_wgts=svy.SdrWgts(prefix="PWGTP", n_reps=80))
sample = svy.Sample(data=df, design=design)
est = sample.estimation.prop("insured", by="region", method="replication")
print(json.dumps({"ok": True}))
"""


def theirs(data: Path, python: str) -> dict:
    wall, cpu, rss, _ = run_child([python, "-c", _SVY, str(data)], {**os.environ})
    return {"wall": wall, "cpu": cpu, "rss": rss}


def agree(a: dict, b: dict) -> float:
    worst = 0.0
    for key, ra in a.items():
        for f in ("estimate", "std_error", "conf_low", "conf_high"):
            x, y = ra[f], b[key][f]
            worst = max(worst, abs(x - y) / max(abs(y), 1e-300))
    return worst


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000000,10000000")
    ap.add_argument("--dir", type=Path, default=Path("/tmp/scale"))
    ap.add_argument("--svy", help="python of a virtualenv with svy installed")
    ap.add_argument("--svy-max", type=int, default=10_000_000, help="largest file given to svy")
    ap.add_argument("--engine", default="polars", choices=["polars", "spark"])
    ap.add_argument("--keep", action="store_true", help="keep files over 50M rows")
    ap.add_argument("--repeat", type=int, default=1,
                    help="runs of each size, ours and svy's alternated: the fastest of each "
                         "kept, and the median of the paired ratios")
    args = ap.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    env = child_env(args.dir)
    load = os.getloadavg()
    print(f"load average {load[0]:.1f} on {os.cpu_count()} CPUs; engine {args.engine}")
    print(f"{'persons':>12}{'file MB':>9}{'wall s':>8}{'cpu s':>8}{'peak MB':>9}"
          f"{'svy wall':>9}{'svy MB':>8}{'x faster':>9}{'x median':>9}")
    for rows in (int(s) for s in args.sizes.split(",")):
        path = args.dir / f"acs_{rows}.parquet"
        if not path.exists():
            write_acs(path, rows)
        side = bool(args.svy) and rows <= args.svy_max
        runs, svys, failed = [], [], None
        for _ in range(args.repeat):  # alternated, so a busy spell slows both sides
            runs.append(ours(path, env, args.engine))
            if side and failed is None:
                try:
                    svys.append(theirs(path, args.svy))
                except RuntimeError as exc:
                    failed = str(exc)[-200:]
        mine = min(runs, key=lambda r: r["wall"])
        line = (f"{rows:>12,}{path.stat().st_size / 1e6:>9.0f}{mine['wall']:>8.2f}"
                f"{mine['cpu']:>8.2f}{mine['rss']:>9.0f}")
        if svys:
            svy = min(svys, key=lambda r: r["wall"])
            pairs = sorted(t["wall"] / o["wall"] for o, t in zip(runs, svys, strict=False))
            line += (f"{svy['wall']:>9.2f}{svy['rss']:>8.0f}{svy['wall'] / mine['wall']:>9.1f}"
                     f"{pairs[len(pairs) // 2]:>9.1f}")
        if failed is not None:
            line += f"  svy failed: {failed}"
        print(line, flush=True)
        if rows > 50_000_000 and not args.keep:
            path.unlink()


if __name__ == "__main__":
    main()
