"""Benchmark: the front door on a large, wide export, each step as a whole process.

Generates a csv of 100,000 respondents x 300 columns (an id; a final weight and 80
replicate weights holding -9/-8; scales of each family; 179-country and other
many-option categoricals; ``;``-joined lists of 49 options whose labels hold spaces;
``, ``-joined checkbox cells with "Other" write-ins; numeric free-entry columns with a few
typed answers; counts; short free text) and times, each as a fresh process:

* ``polars``: a process that imports polars, ``read_csv``s the file (every column as
  text, as the toolkit's reader does) and ``write_parquet``s it: the floor;
* ``survey schema draft``, ``survey validate`` and ``survey ingest`` with the draft.

It prints the seconds and each step's ratio to the floor side by side (target: <= 5x),
wall and CPU (user + sys over all threads; steadier on a shared machine).

    nice python benchmarks/bench_draft.py                 # 100,000 x 300
    nice python benchmarks/bench_draft.py --rows 20000    # quicker
    nice python benchmarks/bench_draft.py --csv real.csv  # time a real export instead
    nice python benchmarks/bench_draft.py --csv export.csv --draft-only
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]

SCALES = {
    "agree": ["Strongly disagree", "Disagree", "Somewhat disagree", "Neither agree nor disagree",
              "Somewhat agree", "Agree", "Strongly agree"],
    "favor": ["Very unfavorable", "Unfavorable", "Indifferent", "Favorable", "Very favorable"],
    "satis": ["Very dissatisfied", "Slightly dissatisfied", "Neither satisfied nor dissatisfied",
              "Slightly satisfied", "Very satisfied"],
    "freq": ["Never", "Rarely", "Sometimes", "Often", "Always"],
    "likely": ["Very unlikely", "Unlikely", "Likely", "Very likely"],
    "important": ["Not at all important", "Slightly important", "Moderately important",
                  "Very important", "Extremely important"],
    "quality": ["Very poor", "Poor", "Fair", "Good", "Excellent"],
    "years": ["Less than 1 year", "1 to 4 years", "5 to 9 years", "10 to 19 years", "More than 20 years"],
    "ko_agree": ["전혀 그렇지 않다", "그렇지 않다", "보통이다", "그렇다", "매우 그렇다"],
}
NON_SUBSTANTIVE = ["Unsure", "Don't know", "Prefer not to say", "N/A"]
COUNTRIES = [f"Country {chr(65 + i // 26)}{chr(97 + i % 26)}land" for i in range(179)]
LANGUAGES = [f"Language {i} (v{i % 7})" for i in range(49)]
TOOLS = ["Statistical analysis", "Data transformation", "Visualization", "Machine learning",
         "Text mining", "Web scraping", "Reporting", "Teaching"]


def _pick(rng: np.random.Generator, values: list[str], n: int, p: np.ndarray | None = None) -> np.ndarray:
    return np.asarray(values, dtype=object)[rng.choice(len(values), size=n, p=p)]


def _blank(rng: np.random.Generator, col: np.ndarray, share: float) -> list[str | None]:
    out = col.astype(object)
    out[rng.random(len(col)) < share] = None
    return out.tolist()


def _joined(rng: np.random.Generator, options: list[str], n: int, sep: str, rate: float) -> pl.Series:
    parts = [pl.Series(np.where(rng.random(n) < rate, o, None).tolist(), dtype=pl.String) for o in options]
    frame = pl.DataFrame({f"o{i}": s for i, s in enumerate(parts)})
    return frame.select(pl.concat_str(pl.all(), separator=sep, ignore_nulls=True)).to_series()


def generate(path: Path, rows: int, seed: int = 20) -> None:
    """Write the benchmark csv (300 columns) to ``path``."""
    rng = np.random.default_rng(seed)
    cols: dict[str, pl.Series | list[str | None]] = {}
    cols["ResponseId"] = [f"R_{i:08d}" for i in range(rows)]
    cols["final_weight"] = (rng.gamma(2.0, 50.0, rows)).round(3).astype(str).tolist()
    for r in range(1, 81):                                   # replicate weights with -9/-8
        w = rng.integers(-9, 400, rows)
        cols[f"wgtp{r}"] = w.astype(str).tolist()
    k = 0
    while len(cols) < 82 + 110:                               # scales of each family
        name, labels = list(SCALES.items())[k % len(SCALES)]
        col = _pick(rng, labels + NON_SUBSTANTIVE[k % 4: k % 4 + 1], rows)
        cols[f"{name}{k}"] = _blank(rng, col, 0.1)
        k += 1
    p = rng.dirichlet(np.ones(len(COUNTRIES)) * 0.5)
    for i in range(8):
        cols[f"country{i}"] = _blank(rng, _pick(rng, COUNTRIES, rows, p), 0.05)
    for i in range(20):
        s = _joined(rng, LANGUAGES, rows, ";", 0.08)
        cols[f"languages{i}"] = s.to_list()
    for i in range(10):
        s = _joined(rng, TOOLS, rows, ", ", 0.3).to_list()
        writes = rng.random(rows) < 0.03
        cols[f"tools{i}"] = [f"{c}, my own thing no. {j % 500}" if w and c else c
                              for j, (c, w) in enumerate(zip(s, writes))]
    for i in range(50):                                       # numbers with a few typed answers
        v = rng.integers(0, 300_000, rows).astype(str).astype(object)
        strays = rng.random(rows) < 0.003
        v[strays] = _pick(rng, ["about 40", "varies", "n/a", "40ish", "depends", "1,000+"], int(strays.sum()))
        if i == 0:
            v[7] = "1234567890"                               # one 10-digit value
        cols[f"amount{i}"] = _blank(rng, v, 0.2)
    for i in range(10):
        cols[f"count{i}"] = rng.integers(0, 10_001, rows).astype(str).tolist()
    while len(cols) < 300:
        i = len(cols)
        words = _pick(rng, ["good", "bad", "more time", "fine", "nothing", "coffee", "the team"], rows)
        cols[f"comment{i}"] = _blank(rng, words + " " + rng.integers(0, 10**6, rows).astype(str).astype(object), 0.7)
    pl.DataFrame({k: pl.Series(k, v, dtype=pl.String) for k, v in cols.items()}).write_csv(path)


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _time(args: list[str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + sys, all threads) of one process: on a shared
    machine the CPU time is the steadier of the two."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    t0, c0 = time.perf_counter(), _cpu()
    done = subprocess.run(args, env=env, capture_output=True, text=True)
    elapsed, cpu = time.perf_counter() - t0, _cpu() - c0
    if done.returncode not in (0,):
        print(f"  ! {' '.join(args[:5])} ... exit {done.returncode}: {done.stderr.strip()[-400:]}")
    return elapsed, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--csv", type=Path, default=None, help="time this file instead of a generated one")
    ap.add_argument("--keep", type=Path, default=None, help="folder to keep the files in")
    ap.add_argument("--draft-only", action="store_true", help="time the floor and schema draft only")
    a = ap.parse_args()
    folder = a.keep or Path(tempfile.mkdtemp(prefix="bench_draft_"))
    folder.mkdir(parents=True, exist_ok=True)
    csv = a.csv or folder / "export.csv"
    if a.csv is None:
        t0 = time.perf_counter()
        generate(csv, a.rows)
        print(f"generated {csv} ({csv.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t0:.1f}s")
    py = sys.executable
    schema, out, floor_out = folder / "draft.yaml", folder / "wave.parquet", folder / "floor.parquet"
    floor = _time([py, "-c", "import sys, polars as pl; "
                   "pl.read_csv(sys.argv[1], infer_schema=False).write_parquet(sys.argv[2])",
                   str(csv), str(floor_out)])
    steps = {
        "schema draft": [py, "-m", "survey", "schema", "draft", str(csv), "--out", str(schema), "--force"],
        "validate": [py, "-m", "survey", "validate", str(csv), "--schema", str(schema)],
        "ingest": [py, "-m", "survey", "ingest", str(csv), "--schema", str(schema), "--out", str(out)],
    }
    times = {name: _time(args) for name, args in steps.items() if name == "schema draft" or not a.draft_only}
    shape = pl.scan_csv(csv, infer_schema=False).collect_schema().len()
    print(f"{csv.name}: {shape} columns")
    print(f"{'step':<18}{'seconds':>9}{'x polars':>10}{'cpu s':>9}{'x polars':>10}")
    print(f"{'polars read+write':<18}{floor[0]:>9.2f}{1.0:>10.1f}{floor[1]:>9.2f}{1.0:>10.1f}")
    for name, (t, c) in times.items():
        print(f"{name:<18}{t:>9.2f}{t / floor[0]:>10.1f}{c:>9.2f}{c / floor[1]:>10.1f}")


if __name__ == "__main__":
    main()
