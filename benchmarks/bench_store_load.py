"""Store benchmark: load 10 waves of 100,000 rows harmonised vs a bare polars scan.

Builds a temporary store with 10 waves resampled from the sample data (five in the 2023
questionnaire's terms, five in 2025's), then times `survey.store.load` (harmonised: renames,
recodes, merged options, not-asked columns, panel flag) against
`polars.scan_parquet(<the same files>).collect()` (each wave's frame as stored, no
harmonisation), best of N runs.  Prints the ratio.

    python benchmarks/bench_store_load.py [--rows 100000] [--waves 10] [--repeat 3]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from survey.codebook import load_codebook  # noqa: E402
from survey.frames import type_table  # noqa: E402
from survey.io import read_table  # noqa: E402
from survey.io._model import ROW_COLUMN  # noqa: E402
from survey.store import WaveStore, load  # noqa: E402
from tests.store.conftest import codebook_2025  # noqa: E402


def resampled(path: Path, cb, rows: int, seed: int, id_col: str):
    src = cb.source
    raw = read_table(path, sheet=src.sheet, header_rows=src.header_rows, encoding=src.encoding,
                     delimiter=src.delimiter)
    f = raw.frame.sample(rows, with_replacement=True, seed=seed)
    f = f.with_columns(pl.format("{}-{}", pl.lit(seed), pl.int_range(pl.len())).alias(id_col),
                       pl.int_range(pl.len(), dtype=pl.UInt32).alias(ROW_COLUMN) + 4)
    return type_table(dataclasses.replace(raw, frame=f), cb)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--waves", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    cb23 = load_codebook(ROOT / "schemas/academy_member_survey_2023.yaml")
    cb25 = codebook_2025()
    with tempfile.TemporaryDirectory() as tmp:
        store = WaveStore(Path(tmp) / "store")
        t0 = time.perf_counter()
        for i in range(a.waves):
            old = i < a.waves // 2
            survey = (resampled(ROOT / "sample_data/academy_2023.csv", cb23, a.rows, i, "ResponseId")
                      if old else
                      resampled(ROOT / "sample_data/academy_2025.xlsx", cb25, a.rows, i, "Respondent ID"))
            store.add(survey, wave=f"w{i:02d}", source_name=f"w{i}", source_sha256=f"{i:064x}",
                      panel_key="member_no")  # hashed at rest in every wave
        print(f"built {a.waves} waves x {a.rows:,} rows in {time.perf_counter() - t0:.1f} s")
        files = [str(store.root / e.file) for e in store.waves()]

        def best(fn):
            times = []
            for _ in range(a.repeat):
                t = time.perf_counter()
                out = fn()
                times.append(time.perf_counter() - t)
            return min(times), out

        t_bare, bare = best(lambda: [pl.scan_parquet(f).collect() for f in files])
        t_load, h = best(lambda: load(store))
        print(f"bare polars.scan_parquet of {len(files)} files: {t_bare:.3f} s "
              f"({sum(b.height for b in bare):,} rows)")
        print(f"survey.store.load harmonised:               {t_load:.3f} s "
              f"({h.frame.height:,} rows x {h.frame.width} columns)")
        print(f"ratio load / bare scan: {t_load / t_bare:.2f}")


if __name__ == "__main__":
    main()
