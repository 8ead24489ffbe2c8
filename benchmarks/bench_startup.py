"""Start-up benchmark: `survey --help` and a `survey stats` run on the 200-row sample wave.

Issue 4's target: each under half a second. Most of a `survey stats` run is importing
polars and numpy, which this script times as the floor in the same session: the rounds
interleave the commands, so a busy machine slows them all alike. Printed per command:
mean, median, 90th percentile, the share of runs under 0.5 s and the time over the floor.

    python benchmarks/bench_startup.py [--runs 40] [--python PATH ...]

``--python`` (repeatable) times other installations, interleaved with each other: e.g. a
virtualenv with a wheel install, as a user gets it (``python -m venv /tmp/v &&
/tmp/v/bin/pip install --only-binary=:all: .``), beside the editable one ``make`` builds.
By default the interpreter running this script. Child processes get a bytecode cache
(``PYTHONPYCACHEPREFIX``), as an installed package has, and warm-up runs that are not timed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 0.5


def _survey(python: Path) -> list[str]:
    script = python.parent / "survey"
    return [str(script)] if script.exists() else [str(python), "-m", "survey.cli"]


def _time(argv: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                   check=True)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--python", type=Path, action="append",
                    help="interpreter of an installation to time (repeatable)")
    args = ap.parse_args()
    pythons = args.python or [Path(sys.executable)]
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "PYTHONPYCACHEPREFIX": str(Path(tmp) / "pycache")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        wave = Path(tmp) / "wave2025.parquet"
        subprocess.run([*_survey(pythons[0]), "ingest",
                        str(ROOT / "sample_data" / "academy_2025.xlsx"),
                        "--schema", str(ROOT / "schemas" / "academy_member_survey.yaml"),
                        "--out", str(wave)], check=True, env=env, stdout=subprocess.DEVNULL)
        commands: dict[tuple[int, str], list[str]] = {}
        for i, python in enumerate(pythons):
            survey = _survey(python)
            stats = [*survey, "stats", "proportion", str(wave), "--var", "offer_received"]
            commands |= {
                (i, "floor: import polars, numpy"): [str(python), "-c", "import polars, numpy"],
                (i, "survey --help"): [*survey, "--help"],
                (i, "survey stats proportion (table)"): stats,
                (i, "survey stats proportion --format json"): [*stats, "--format", "json"],
            }
        for _ in range(args.warmup):
            for argv in commands.values():
                _time(argv, env)
        times: dict[tuple[int, str], list[float]] = {key: [] for key in commands}
        for _ in range(args.runs):  # interleaved: load changes hit every command alike
            for key, argv in commands.items():
                times[key].append(_time(argv, env))
    print(f"{args.runs} interleaved runs of each command")
    for i, python in enumerate(pythons):
        floor = statistics.mean(times[(i, "floor: import polars, numpy")])
        print(f"\npython {python}")
        print(f"{'command':40} {'mean':>8} {'median':>8} {'p90':>8} {'<0.5 s':>7} "
              f"{'over floor':>11}")
        for (j, name), ts in times.items():
            if j != i:
                continue
            ts = sorted(ts)
            mean = statistics.mean(ts)
            p90 = ts[int(0.9 * (len(ts) - 1))]
            under = sum(t < TARGET for t in ts) / len(ts)
            over = "" if name.startswith("floor") else f"{(mean - floor) * 1000:+.0f} ms"
            print(f"{name:40} {mean * 1000:6.0f}ms {statistics.median(ts) * 1000:6.0f}ms "
                  f"{p90 * 1000:6.0f}ms {under:7.0%} {over:>11}")


if __name__ == "__main__":
    main()
