"""Supplied replicate weights at scale: binding and a proportion on 1,000,000 rows x 80
bootstrap columns, against the bare computation in the same process.

The reference is what any implementation must at least do: copy the weights out of
the frame (``to_numpy``) and form the replicate totals ``W' x`` with one matrix
product. Ours also ranks the weights (R's ``degf``), binds the design, counts the
domain and computes the logit interval. Peak memory is reported over the generated
frame's own size; the weights are summed over blocks of rows, never copied whole.

    python benchmarks/bench_replicates.py [--rows 1000000] [--replicates 80]
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import polars as pl

from survey.design import ReplicateDesign, SurveyFrame
from survey.estimators import proportion


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--replicates", type=int, default=80)
    args = ap.parse_args()
    rng = np.random.default_rng(7)
    n, reps = args.rows, args.replicates
    names = tuple(f"r{j:02d}" for j in range(reps))
    frame = pl.DataFrame({"y": rng.random(n) < 0.4, "g": rng.integers(0, 2, n),
                          "w": rng.uniform(1, 3, n),
                          **{c: rng.uniform(0.5, 1.5, n) for c in names}})
    data_mb, base_mb = frame.estimated_size() / 1e6, _rss_mb()

    t = time.perf_counter()
    sf = SurveyFrame(frame, ReplicateDesign(weights="w", repweights=names, type="bootstrap"))
    bind = time.perf_counter() - t
    t = time.perf_counter()
    est = proportion(sf, "y")
    ours = time.perf_counter() - t
    t = time.perf_counter()
    proportion(sf, "y", where=pl.col("g") == 1)
    domain = time.perf_counter() - t
    ours_mb = _rss_mb()

    t = time.perf_counter()  # the reference: dense copy and one product
    wmat = frame.select(names).to_numpy()  # combined weights, R's default
    x = np.column_stack([frame["y"].to_numpy().astype(float), np.ones(n)])
    totals = wmat.T @ x
    ref = time.perf_counter() - t
    ref_p = totals[:, 0] / totals[:, 1]
    del wmat

    print(f"{n:,} rows x {reps} replicate columns: frame {data_mb:.0f} MB "
          f"(RSS {base_mb:.0f} MB with it)")
    print(f"bind (rank of the weights, R's degf = {sf.df}): {bind:.2f} s")
    print(f"proportion, whole sample: {ours:.2f} s; on a domain: {domain:.2f} s")
    print(f"reference (to_numpy + W'x): {ref:.2f} s -> proportion {ours / ref:.2f}x the reference")
    print(f"peak RSS over the frame's: ours {ours_mb - base_mb:.0f} MB "
          f"({(ours_mb - base_mb) / data_mb:.2f}x the data); the reference's dense copy alone "
          f"is {n * reps * 8 / 1e6:.0f} MB")
    reps_est = est.replicates
    assert reps_est is not None
    print(f"replicate estimates equal the reference's to "
          f"{np.max(np.abs(reps_est[:, 1] - ref_p)):.1e}")


if __name__ == "__main__":
    main()
