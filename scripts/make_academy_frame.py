"""Generate a sampling frame of 2,000 academy members in the five divisions of the sample
data (sample_data/population_2025.csv), for drawing the next sample with `survey sample`.

Usage::

    python scripts/make_academy_frame.py --out frame.csv [--members 2000]

Divisions keep the population's shares (320:380:190:110:100 of 1,100); each member has a
department (the frame's clusters, 5 to 40 members each, within one division), a gender
with the division's female share, and a publication count (lognormal, a PPS size
measure). One numpy Generator with a fixed seed: the same file on every run.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import polars as pl

SEED = 20261206
DIVISIONS = [("Natural Sciences", 320, 45), ("Engineering", 380, 30),
             ("Medicine & Pharmacy", 190, 50), ("Agriculture & Fisheries", 110, 10),
             ("Policy Research", 100, 15)]


def _largest_remainder(shares: np.ndarray, total: int) -> np.ndarray:
    base = np.floor(shares).astype(int)
    order = np.argsort(-(shares - base), kind="stable")
    base[order[: total - base.sum()]] += 1
    return base


def make_frame(members: int = 2000, seed: int = SEED) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    pop = np.array([d[1] for d in DIVISIONS], dtype=float)
    sizes = _largest_remainder(pop / pop.sum() * members, members)
    parts = []
    next_id = 1
    for (label, n_pop, n_female), n in zip(DIVISIONS, sizes, strict=True):
        dept_sizes: list[int] = []
        while sum(dept_sizes) < n:
            dept_sizes.append(int(min(rng.integers(5, 41), n - sum(dept_sizes))))
        dept = np.repeat(np.arange(len(dept_sizes)), dept_sizes)
        code = "".join(w[0] for w in label.replace("&", "").split())
        parts.append(pl.DataFrame({
            "member_id": np.arange(next_id, next_id + n),
            "division": [label] * n,
            "department": [f"{code}-{d + 1:02d}" for d in dept],
            "gender": np.where(rng.uniform(size=n) < n_female / n_pop, "Female", "Male"),
            "publications": np.maximum(1, np.round(rng.lognormal(3.0, 0.8, size=n))).astype(int),
        }))
        next_id += n
    return pl.concat(parts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--members", type=int, default=2000)
    args = ap.parse_args()
    make_frame(args.members).write_csv(args.out)
    print(f"wrote {args.members} members to {args.out}")


if __name__ == "__main__":
    main()
