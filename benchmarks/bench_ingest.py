"""Ingest benchmark: typed, validated read of a 100,000 x 60 workbook vs a bare polars read.

Prints the ratio of `survey.read_survey` (read + header layout + typing + validation) to
`polars.read_excel(engine="calamine")` of the same file, each the best of N runs in this
process, and the peak memory of each in a fresh subprocess against the in-memory size of the
typed frame.  Targets (issue 2): time ratio <= 1.5, peak memory < 5x the typed frame.

    python benchmarks/bench_ingest.py [--rows 100000] [--repeat 3] [--keep]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LIKERT = ["1 Strongly disagree", "2 Disagree", "3 Neutral", "4 Agree", "5 Strongly agree"]
CHOICES = ["Natural Sciences", "Engineering", "Medicine & Pharmacy", "Agriculture & Fisheries", "Policy Research"]
COUNTRIES = ["China", "United States", "Hong Kong", "Singapore", "Japan", "Canada", "Europe", "Middle East"]


def make_codebook() -> dict:
    qs: list[dict] = [{"id": "rid", "type": "text", "role": "id", "column": "Respondent ID"}]
    for i in range(20):
        qs.append({"id": f"s{i:02d}", "type": "single", "column": f"Single {i}",
                   "options": [{"code": j + 1, "label": c} for j, c in enumerate(CHOICES)]})
    for i in range(10):
        qs.append({"id": f"l{i:02d}", "type": "ordinal", "column": f"Likert {i}",
                   "options": [{"code": j + 1, "label": c} for j, c in enumerate(LIKERT)],
                   "missing_codes": [{"code": 8, "label": "Don't know"}]})
    qs.append({"id": "countries", "type": "multiple", "column": "Countries",
               "options": [{"code": f"c{j}", "label": c, "column": f"Country {c}"} for j, c in enumerate(COUNTRIES)]})
    for i in range(10):
        qs.append({"id": f"n{i:02d}", "type": "number", "column": f"Number {i}", "range": [0, 1000]})
    for i in range(5):
        qs.append({"id": f"i{i:02d}", "type": "integer", "column": f"Integer {i}", "range": [0, 100000]})
    for i in range(3):
        qs.append({"id": f"d{i:02d}", "type": "date", "column": f"Date {i}"})
    for i in range(3):
        qs.append({"id": f"t{i:02d}", "type": "text", "column": f"Text {i}"})
    return {"survey": "bench", "version": "1", "questions": qs}


def make_workbook(path: Path, rows: int, seed: int = 7) -> None:
    import datetime as dt

    import xlsxwriter

    rng = np.random.default_rng(seed)
    cb = make_codebook()
    headers: list[str] = []
    for q in cb["questions"]:
        if q["type"] == "multiple":
            headers += [o["column"] for o in q["options"]]
        else:
            headers.append(q["column"])
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("Responses")
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(0, 0, headers)
    singles = rng.integers(0, 5, size=(rows, 20))
    likert = rng.integers(0, 6, size=(rows, 10))
    ticks = rng.random(size=(rows, 8)) < 0.3
    nums = rng.gamma(2.0, 50.0, size=(rows, 10)).round(2)
    ints = rng.integers(0, 100000, size=(rows, 5))
    days = rng.integers(0, 3650, size=(rows, 3))
    base = dt.date(2015, 1, 1)
    words = np.array(["research", "funding", "autonomy", "salary", "연구", "환경", "제안", "평가"])
    text_idx = rng.integers(0, len(words), size=(rows, 3, 4))
    for r in range(rows):
        row: list[object] = [f"{10_000_000_000 + r:011d}"]
        row += [CHOICES[k] for k in singles[r]]
        row += [LIKERT[k] if k < 5 else "Don't know" for k in likert[r]]
        row += [COUNTRIES[j] if ticks[r, j] else None for j in range(8)]
        row += nums[r].tolist()
        row += ints[r].tolist()
        ws.write_row(r + 1, 0, row)
        c = len(row)
        for j in range(3):
            ws.write_datetime(r + 1, c + j, dt.datetime.combine(base + dt.timedelta(days=int(days[r, j])), dt.time()), date_fmt)
        ws.write_row(r + 1, c + 3, [" ".join(words[text_idx[r, j]]) for j in range(3)])
    wb.close()


def _peak_rss() -> int:
    """Peak resident memory of this process image, bytes (VmHWM; ru_maxrss is inherited
    across fork+exec from the parent, so it would report the parent's peak)."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _child(mode: str, path: str, cb_path: str) -> None:
    import polars as pl

    from survey.codebook import load_codebook
    from survey.frames import read_survey

    start = time.perf_counter()
    if mode == "bare":
        df = pl.read_excel(path, engine="calamine")
        size = df.estimated_size()
    else:
        res = read_survey(path, load_codebook(cb_path))
        assert res.report.ok, res.report.to_text()
        size = res.frame.estimated_size()
    elapsed = time.perf_counter() - start
    peak = _peak_rss()
    print(json.dumps({"seconds": elapsed, "peak_rss": peak, "frame_bytes": size}))


def _baseline_rss() -> int:
    out = subprocess.run([sys.executable, "-c",
                          "import polars, survey.frames, survey.codebook, benchmarks.bench_ingest as b;"
                          "print(b._peak_rss())"],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    return int(out.stdout.strip())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", action="store_true", help="keep the generated workbook in benchmarks/.data")
    args = ap.parse_args()
    import polars as pl
    import yaml

    from survey.codebook import load_codebook
    from survey.frames import read_survey

    work = Path(tempfile.mkdtemp()) if not args.keep else ROOT / "benchmarks" / ".data"
    work.mkdir(parents=True, exist_ok=True)
    xlsx = work / f"bench_{args.rows}.xlsx"
    cb_path = work / "bench.yaml"
    cb_path.write_text(yaml.safe_dump(make_codebook(), allow_unicode=True), encoding="utf-8")
    if not xlsx.exists():
        t = time.perf_counter()
        make_workbook(xlsx, args.rows)
        print(f"generated {xlsx.name} ({xlsx.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - t:.1f} s")
    cb = load_codebook(cb_path)
    bare, ours = [], []
    for _ in range(args.repeat):  # interleaved, same process
        t = time.perf_counter(); pl.read_excel(xlsx, engine="calamine"); bare.append(time.perf_counter() - t)
        t = time.perf_counter(); res = read_survey(xlsx, cb); ours.append(time.perf_counter() - t)
    assert res.report.ok, res.report.to_text()
    typed_bytes = res.frame.estimated_size()
    print(f"rows x columns: {res.frame.height} x {len(res.raw.columns)} source -> {res.frame.width} typed")
    print(f"bare polars.read_excel (calamine): best {min(bare):.2f} s")
    print(f"survey.read_survey (read+type+validate): best {min(ours):.2f} s")
    print(f"time ratio: {min(ours) / min(bare):.2f} (target <= 1.50)")
    base = _baseline_rss()
    mem = {}
    for mode in ("bare", "ours"):
        out = subprocess.run([sys.executable, __file__, "--child", mode, str(xlsx), str(cb_path)],
                             capture_output=True, text=True, check=True, cwd=ROOT)
        mem[mode] = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"typed frame in memory: {typed_bytes / 1e6:.1f} MB; interpreter+imports baseline {base / 1e6:.0f} MB")
    for mode, m in mem.items():
        extra = m["peak_rss"] - base
        print(f"peak RSS {mode}: {m['peak_rss'] / 1e6:.0f} MB (+{extra / 1e6:.0f} MB over baseline, "
              f"{extra / typed_bytes:.1f}x the typed frame)")
    print("memory target: peak over baseline < 5x the typed frame")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        main()
