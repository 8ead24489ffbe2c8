"""Raking benchmark: 1,000,000 rows to 3 margins (20, 8 and 5 categories) vs R's ``rake``.

Both sides rake the same data (written once as CSV) with R's defaults (epsilon=1,
maxit=10); only the raking call is timed (R: ``rake(d, ...)`` on a bound
``svydesign``; Python: ``survey.weighting.rake`` on a bound ``SurveyFrame``,
including matching the margins and keeping the calibration residual data). The weights
are compared, then the ratio R / Python printed. Not a test: run it by hand.

    python benchmarks/bench_weighting.py [--rows 1000000] [--repeat 3] [--skip-r]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from survey.design import svydesign  # noqa: E402
from survey.weighting import Margins, rake  # noqa: E402

SIZES = {"region": 20, "age": 8, "edu": 5}

R_SCRIPT = r"""
suppressMessages(library(survey))
args <- commandArgs(TRUE)
df <- read.csv(args[1], colClasses = c(region = "character", age = "character",
                                       edu = "character", w0 = "numeric"))
m <- read.csv(args[2], colClasses = "character"); m$population <- as.numeric(m$population)
pop <- lapply(c("region", "age", "edu"), function(v) {
  x <- m[m$variable == v, ]; d <- data.frame(x$category, Freq = x$population); names(d)[1] <- v; d })
d <- svydesign(id = ~1, weights = ~w0, data = df)
best <- Inf
for (i in seq_len(as.integer(args[4]))) {
  t0 <- proc.time()[["elapsed"]]
  r <- rake(d, list(~region, ~age, ~edu), pop)
  best <- min(best, proc.time()[["elapsed"]] - t0)
}
writeLines(format(weights(r), digits = 17), args[3])
cat(sprintf("R_SECONDS %.4f\n", best))
"""


def make_data(rows: int, seed: int = 11) -> tuple[pl.DataFrame, Margins]:
    rng = np.random.default_rng(seed)
    cols = {}
    for name, k in SIZES.items():
        p = rng.dirichlet(np.full(k, 3.0))
        cols[name] = np.array([f"{name}{i:02d}" for i in range(k)])[rng.choice(k, rows, p=p)]
    df = pl.DataFrame({**cols, "w0": rng.uniform(0.5, 2.0, rows)})
    total = float(df["w0"].sum()) * 1.1
    spec = {}
    for name, k in SIZES.items():  # margins off the sample's by up to +-15%
        have = df.group_by(name).agg(pl.col("w0").sum()).sort(name)
        target = have["w0"].to_numpy() * rng.uniform(0.85, 1.15, k)
        target *= total / target.sum()
        spec[name] = dict(zip(have[name].to_list(), target.tolist(), strict=True))
    return df, Margins.from_dict(spec)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-r", action="store_true")
    a = ap.parse_args()
    df, margins = make_data(a.rows)
    sf = svydesign(df, weights="w0")
    times = []
    for _ in range(a.repeat):
        t0 = time.perf_counter()
        raked = rake(sf, margins)
        times.append(time.perf_counter() - t0)
    py = min(times)
    sweeps = raked.calibration.history[-1]["sweeps"]  # type: ignore[union-attr]
    print(f"rows {a.rows:,}; margins {', '.join(f'{k} ({v})' for k, v in SIZES.items())}; "
          f"{sweeps} sweeps")
    print(f"python survey.weighting.rake: {py:.3f} s (best of {a.repeat})")
    if a.skip_r:
        return
    with tempfile.TemporaryDirectory() as tmp:
        data, mfile, wfile, script = (Path(tmp) / n for n in ("d.csv", "m.csv", "w.txt", "b.R"))
        df.write_csv(data, float_precision=17)
        margins.to_frame().write_csv(mfile, float_precision=17)
        script.write_text(R_SCRIPT)
        sf = svydesign(pl.read_csv(data, schema_overrides={k: pl.String for k in SIZES}),
                       weights="w0")  # the same numbers R reads
        raked = rake(sf, margins)
        out = subprocess.run(["Rscript", str(script), str(data), str(mfile), str(wfile),
                              str(min(a.repeat, 2))], capture_output=True, text=True, check=True)
        r_sec = float(out.stdout.split("R_SECONDS")[1])
        rw = np.loadtxt(wfile)
    gap = float(np.max(np.abs(rw / raked.frame["weight"].to_numpy() - 1)))
    print(f"R survey::rake: {r_sec:.3f} s (best of {min(a.repeat, 2)})")
    print(f"weights agree to {gap:.2e} relative")
    print(f"ratio R / python: {r_sec / py:.1f}x")


if __name__ == "__main__":
    main()
