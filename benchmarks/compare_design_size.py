"""Sample size and power for the academy, side by side: ours, svy's SampleSize, the textbook.

Not a timing: a cross-check of the figures (issue 15). The academy has 1,100 members in five
divisions (sample_data/population_2025.csv); the target is +-5 points at 95% for a proportion
near 60%, with a 40% response rate; the change to detect is 61.5% (2025) against 49.4% (2023)
with 20% of members in both waves.

svy runs in its own virtualenv (never a dependency of ours):

    python -m venv /tmp/svyenv && /tmp/svyenv/bin/pip install svy
    python benchmarks/compare_design_size.py [--svy-python /tmp/svyenv/bin/python]
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
from pathlib import Path
from statistics import NormalDist

from survey.design import allocate, margin_of_error, power_change, sample_size, sample_size_change

ROOT = Path(__file__).resolve().parents[1]
DIVISIONS = {"Natural Sciences": 320, "Engineering": 380, "Medicine & Pharmacy": 190,
             "Agriculture & Fisheries": 110, "Policy Research": 100}
CASES = [  # (label, our call, svy call, textbook formula)
    ("n, p=0.6, +-5 pts, SRS, no fpc",
     lambda: sample_size(p=0.6, moe=0.05).n,
     "SampleSize().estimate_prop(0.6, 0.05).n",
     lambda z: math.ceil(z * z * 0.24 / 0.0025)),
    ("n, + fpc N=1100",
     lambda: sample_size(p=0.6, moe=0.05, population=1100).n,
     "SampleSize().estimate_prop(0.6, 0.05, pop_size=1100).n",
     lambda z: math.ceil(z * z * 1100 * 0.24 / (0.0025 * 1099 + z * z * 0.24))),
    ("invitations at 40% response",
     lambda: sample_size(p=0.6, moe=0.05, population=1100, response_rate=0.4).invitations,
     "SampleSize().estimate_prop(0.6, 0.05, pop_size=1100, resp_rate=0.4).n",
     lambda z: math.ceil(math.ceil(z * z * 1100 * 0.24 / (0.0025 * 1099 + z * z * 0.24)) / 0.4)),
    ("invitations, deff 1.5",
     lambda: sample_size(p=0.6, moe=0.05, deff=1.5, population=1100, response_rate=0.4).invitations,
     "SampleSize().estimate_prop(0.6, 0.05, deff=1.5, pop_size=1100, resp_rate=0.4).n",
     lambda z: math.ceil(math.ceil((n0 := 1.5 * z * z * 0.24 / 0.0025) / (1 + (n0 - 1) / 1100)) / 0.4)),
    ("proportional allocation of 277 (Policy Research)",
     lambda: int(allocate(277, DIVISIONS).table.filter(stratum="Policy Research")["n"][0]),
     f"SampleSize().allocate(277, pop_size={DIVISIONS!r}).n['Policy Research']",
     lambda z: round(277 * 100 / 1100)),
    ("n per wave, 61.5% vs 49.4%, 80% power, independent",
     lambda: sample_size_change(0.615, 0.494).n_needed,
     "SampleSize().compare_props(0.615, 0.494).n[0]",
     lambda z: math.ceil((z + NormalDist().inv_cdf(0.8)) ** 2 * (0.615 * 0.385 + 0.494 * 0.506) / 0.121**2)),
    ("n per wave, 20% overlap, rho 0.5",
     lambda: sample_size_change(0.615, 0.494, overlap=0.2, correlation=0.5).n_needed,
     "SampleSize().compare_props(0.615, 0.494, overlap=0.2, rho=0.5).n[0]",
     lambda z: math.ceil((z + NormalDist().inv_cdf(0.8)) ** 2 * (0.615 * 0.385 + 0.494 * 0.506
                         - 2 * 0.2 * 0.5 * math.sqrt(0.615 * 0.385 * 0.494 * 0.506)) / 0.121**2)),
]


def _svy(python: str | None, expr: str) -> str:
    if python is None or not Path(python).exists():
        return "n/a"
    code = f"import warnings, json; warnings.simplefilter('ignore'); from svy import SampleSize; print(json.dumps({expr}))"
    r = subprocess.run([python, "-c", code], capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else f"error: {r.stderr.strip().splitlines()[-1]}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--svy-python", default="/tmp/svyenv/bin/python")
    args = ap.parse_args()
    z = NormalDist().inv_cdf(0.975)
    print(f"{'case':52} {'ours':>8} {'svy':>8} {'textbook':>9}")
    for label, ours, svy_expr, book in CASES:
        svy = _svy(args.svy_python, svy_expr)
        try:
            svy = str(int(float(json.loads(svy))))
        except (ValueError, TypeError):
            pass
        print(f"{label:52} {ours():>8} {svy:>8} {book(z):>9}")
    m = margin_of_error(200, p=0.615)
    print(f"\nmargin of error of 61.5% on 200 completes (SRS): +-{100 * m.moe:.2f} points")
    for o, r in [(0.0, 0.0), (0.2, 0.5)]:
        pw = power_change(0.615, 0.494, 200, overlap=o, correlation=r)
        print(f"power with 200 per wave, overlap {o:g}, rho {r:g}: {100 * pw.power:.1f}%")


if __name__ == "__main__":
    main()
