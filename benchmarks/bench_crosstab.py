"""Crosstab benchmark: 50 questions x 10 banner variables (500 question-by-banner tables,
on 50 sheets) from 100,000 weighted respondents, with significance tests and disclosure
control, written to xlsx; against XlsxWriter alone writing the same cells.

Prints both times and their ratio (target, issue 7: under 3x). The baseline writes every
cell of the finished workbook's table, contents and notes sheets from precomputed Python
lists (strings, numbers with the same number formats), with no computation.

    python benchmarks/bench_crosstab.py [--rows 100000] [--repeat 2] [--keep]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from survey.codebook import parse_codebook  # noqa: E402
from survey.reports import layout, write_xlsx  # noqa: E402
from survey.tables import crosstabs  # noqa: E402

LIKERT = ["1 Strongly disagree", "2 Disagree", "3 Neutral", "4 Agree", "5 Strongly agree"]
SINGLE = ["Natural Sciences", "Engineering", "Medicine & Pharmacy", "Agriculture & Fisheries",
          "Policy Research"]
OPTIONS = ["China", "United States", "Hong Kong", "Singapore", "Japan", "Europe"]
BANNER_SIZES = [2, 3, 4, 5, 3, 2, 4, 3, 5, 2]  # 33 banner columns + Total


def make_data(rows: int, seed: int = 11) -> tuple[pl.DataFrame, object]:
    """20 single-choice, 20 Likert (with Don't know), 10 multiple-choice questions,
    10 banner variables and a weight."""
    rng = np.random.default_rng(seed)
    qs: list[dict] = []
    cols: dict[str, pl.Series] = {}
    for b, k in enumerate(BANNER_SIZES):
        labels = [f"B{b} level {j + 1}" for j in range(k)]
        qs.append({"id": f"b{b}", "type": "single", "column": f"b{b}",
                   "options": [{"code": j + 1, "label": lab} for j, lab in enumerate(labels)]})
        cols[f"b{b}"] = pl.Series(rng.choice(labels, rows)).cast(pl.Enum(labels))
    for i in range(20):
        qs.append({"id": f"s{i:02d}", "type": "single", "column": f"s{i}",
                   "options": [{"code": j + 1, "label": c} for j, c in enumerate(SINGLE)]})
        p = rng.dirichlet(np.ones(5))
        cols[f"s{i:02d}"] = pl.Series(rng.choice(SINGLE, rows, p=p)).cast(pl.Enum(SINGLE))
    for i in range(20):
        qs.append({"id": f"l{i:02d}", "type": "ordinal", "column": f"l{i}",
                   "options": [{"code": j + 1, "label": c} for j, c in enumerate(LIKERT)],
                   "missing_codes": [{"code": 8, "label": "Don't know"}]})
        k = rng.integers(0, 6, rows)
        vals = np.array([*LIKERT, ""], dtype=object)[k]
        vals[k == 5] = None
        cols[f"l{i:02d}"] = pl.Series(vals.tolist(), dtype=pl.String).cast(pl.Enum(LIKERT))
        cols[f"l{i:02d}__missing"] = pl.Series(
            np.where(k == 5, "Don't know", None).tolist(), dtype=pl.String)
    for i in range(10):
        qs.append({"id": f"m{i:02d}", "type": "multiple", "column": f"m{i}",
                   "options": [{"code": f"o{j}", "label": c} for j, c in enumerate(OPTIONS)]})
        answered = rng.random(rows) < 0.9
        ticks = rng.random((rows, len(OPTIONS))) < rng.uniform(0.1, 0.6, len(OPTIONS))
        for j in range(len(OPTIONS)):
            cols[f"m{i:02d}__o{j}"] = pl.Series(
                np.where(answered, ticks[:, j], None).tolist(), dtype=pl.Boolean)
    cols["w"] = pl.Series(rng.lognormal(0.0, 0.5, rows))
    cb = parse_codebook({"survey": "bench", "version": "1", "questions": qs})
    return pl.DataFrame(cols), cb


def ours(frame: pl.DataFrame, cb: object, path: Path) -> tuple[float, object]:
    start = time.perf_counter()
    tables = crosstabs(frame, [f"s{i:02d}" for i in range(20)] + [f"l{i:02d}" for i in range(20)]
                       + [f"m{i:02d}" for i in range(10)],
                       banner=[f"b{b}" for b in range(10)], codebook=cb, weight="w")
    mid = time.perf_counter()
    write_xlsx(tables, path)
    end = time.perf_counter()
    return end - start, (tables, mid - start, end - mid)


def baseline_cells(tables) -> list[tuple[str, list[list[object]], list[str]]]:
    """Every cell of each table sheet as plain Python values (no computation later)."""
    sheets = []
    for i, t in enumerate(tables.tables, start=1):
        lay = layout(t)
        grid: list[list[object]] = [[lay.title], [lay.subtitle]]
        for texts in (lay.groups, lay.labels, lay.letters):
            grid.append([""] + [x for v in texts for x in (v, "")])
        fmts = []
        for row in lay.rows:
            line: list[object] = [row.label]
            for v, s in zip(row.values, row.sig, strict=True):
                line += [v, s or None]
            grid.append(line)
            fmts.append(row.fmt)
        grid.append([])
        grid += [[n] for n in lay.notes]
        sheets.append((f"Table_{i}", grid, fmts))
    return sheets


def baseline(sheets, path: Path) -> float:
    import xlsxwriter

    start = time.perf_counter()
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True,
                                         "strings_to_formulas": False})
    nf = {k: wb.add_format({"num_format": v})
          for k, v in {"pct": "0%", "int": "#,##0", "dec2": "0.00", "section": "@"}.items()}
    contents = wb.add_worksheet("Contents")
    for r, (name, grid, _) in enumerate(sheets):
        contents.write_url(r, 0, f"internal:'{name}'!A1", string=name)
        contents.write_string(r, 1, str(grid[0][0]))
    for name, grid, fmts in sheets:
        ws = wb.add_worksheet(name)
        for r, line in enumerate(grid):
            f = nf[fmts[r - 5]] if 5 <= r < 5 + len(fmts) else None
            for c, v in enumerate(line):
                if v is None:
                    continue
                if isinstance(v, str):
                    ws.write_string(r, c, v)
                else:
                    ws.write_number(r, c, v, f)
    wb.close()
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--keep", action="store_true", help="keep the workbooks")
    args = ap.parse_args()
    frame, cb = make_data(args.rows)
    tmp = Path(tempfile.mkdtemp(prefix="bench_crosstab_"))
    best, best_base, detail = float("inf"), float("inf"), None
    sheets = None
    for _ in range(args.repeat):
        t, d = ours(frame, cb, tmp / "ours.xlsx")
        if t < best:
            best, detail = t, d
        if sheets is None:
            sheets = baseline_cells(d[0])
        best_base = min(best_base, baseline(sheets, tmp / "baseline.xlsx"))
    tables, t_compute, t_write = detail
    n_cells = sum(len(x) for _, g, _ in sheets for x in g)
    n_sub = sum(len(t.tests) if t.kind != "multiple" else 10 for t in tables.tables)
    print(f"{args.rows:,} weighted respondents; {len(tables.tables)} questions x 10 banner "
          f"variables = {len(tables.tables) * 10} question-by-banner tables on "
          f"{len(tables.tables)} sheets ({n_sub} banner groups tested); {n_cells:,} cells")
    print(f"survey crosstabs + write_xlsx: {best:.2f} s "
          f"(compute {t_compute:.2f} s, render {t_write:.2f} s)")
    print(f"XlsxWriter alone, same cells:  {best_base:.2f} s")
    print(f"ratio: {best / best_base:.2f}x (target < 3x)")
    if args.keep:
        print(f"workbooks in {tmp}")
    else:
        for p in tmp.iterdir():
            p.unlink()
        tmp.rmdir()


if __name__ == "__main__":
    main()
