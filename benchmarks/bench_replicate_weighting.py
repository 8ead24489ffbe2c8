"""Raking a replicate-weight design: rows x 80 supplied bootstrap columns to 3 margins
(20, 8 and 5 categories), every replicate re-raked, vs R's ``rake`` of a ``svrepdesign``.

Both sides rake the same data (written once as CSV) with R's defaults (epsilon=1,
maxit=10), then estimate a mean with its replicate SE; only rake + mean are timed
(R: ``rake(d, ...)`` and ``svymean``; Python: ``survey.weighting.rake`` and
``survey.mean``). The SEs are compared, then the ratio R / Python printed, with
Python's peak memory over the frame's own size. Not a test: run it by hand.

    python benchmarks/bench_replicate_weighting.py [--rows 200000] [--replicates 80] [--skip-r]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_weighting import SIZES, make_data  # noqa: E402
from survey.design import ReplicateDesign, SurveyFrame  # noqa: E402
from survey.estimators import mean  # noqa: E402
from survey.weighting import rake  # noqa: E402

R_SCRIPT = r"""
suppressMessages(library(survey))
args <- commandArgs(TRUE)
df <- read.csv(args[1], colClasses = c(region = "character", age = "character",
                                       edu = "character"))
m <- read.csv(args[2], colClasses = "character"); m$population <- as.numeric(m$population)
pop <- lapply(c("region", "age", "edu"), function(v) {
  x <- m[m$variable == v, ]; d <- data.frame(x$category, Freq = x$population); names(d)[1] <- v; d })
d <- svrepdesign(data = df, weights = ~w0, repweights = "^r[0-9]", type = "bootstrap",
                 combined.weights = TRUE)
t0 <- proc.time()[["elapsed"]]
r <- rake(d, list(~region, ~age, ~edu), pop, compress = FALSE)
s <- svymean(~y, r)
cat(sprintf("R_SECONDS %.4f\nR_SE %.17g\n", proc.time()[["elapsed"]] - t0, SE(s)))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--replicates", type=int, default=80)
    ap.add_argument("--skip-r", action="store_true")
    a = ap.parse_args()
    df, margins = make_data(a.rows)
    rng = np.random.default_rng(5)
    names = tuple(f"r{j:02d}" for j in range(a.replicates))
    w0 = df["w0"].to_numpy()
    df = df.with_columns(pl.Series("y", rng.normal(50, 10, a.rows)),
                         *(pl.Series(c, w0 * rng.uniform(0.5, 1.5, a.rows)) for c in names))
    data_mb = df.estimated_size() / 1e6
    with tempfile.TemporaryDirectory() as tmp:
        data, mfile, script = (Path(tmp) / n for n in ("d.csv", "m.csv", "b.R"))
        if not a.skip_r:
            df.write_csv(data, float_precision=17)
            margins.to_frame().write_csv(mfile, float_precision=17)
            script.write_text(R_SCRIPT)
            df = pl.read_csv(data, schema_overrides={k: pl.String for k in SIZES})
        base_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        sf = SurveyFrame(df, ReplicateDesign(weights="w0", repweights=names, type="bootstrap"))
        t0 = time.perf_counter()
        se = float(mean(rake(sf, margins), "y").std_error[0])
        py = time.perf_counter() - t0
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - base_mb
        print(f"rows {a.rows:,} x {a.replicates} replicates ({data_mb:.0f} MB); margins "
              f"{', '.join(f'{k} ({v})' for k, v in SIZES.items())}")
        print(f"python rake + mean: {py:.3f} s; peak memory +{peak_mb:.0f} MB over the frame")
        if a.skip_r:
            return
        out = subprocess.run(["Rscript", str(script), str(data), str(mfile)],
                             capture_output=True, text=True, check=True).stdout
    found = dict(line.split() for line in out.splitlines() if line.startswith("R_"))
    r_sec, r_se = float(found["R_SECONDS"]), float(found["R_SE"])
    print(f"R rake + svymean: {r_sec:.3f} s; SE agrees to {abs(se / r_se - 1):.2e} relative")
    print(f"ratio R / python: {r_sec / py:.1f}x")


if __name__ == "__main__":
    main()
