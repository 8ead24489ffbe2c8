"""The main job on sample_data/: what `make demo` runs.

Validates, ingests and describes the 2025 wave (SurveyMonkey xlsx) and the 2023 wave
(Qualtrics csv, CP949), printing each command before running it.  Outputs go to
demo-output/.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "demo-output"

STEPS = [
    ["validate", "sample_data/academy_2025.xlsx", "--schema", "schemas/academy_member_survey.yaml"],
    ["ingest", "sample_data/academy_2025.xlsx", "--schema", "schemas/academy_member_survey.yaml",
     "--out", "demo-output/academy_2025.parquet"],
    ["validate", "sample_data/academy_2023.csv", "--schema", "schemas/academy_member_survey_2023.yaml"],
    ["ingest", "sample_data/academy_2023.csv", "--schema", "schemas/academy_member_survey_2023.yaml",
     "--out", "demo-output/academy_2023.parquet"],
    ["describe", "demo-output/academy_2025.parquet"],
]


def main() -> int:
    OUT.mkdir(exist_ok=True)
    start = time.perf_counter()
    for args in STEPS:
        print(f"\n$ survey {shlex.join(args)}", flush=True)
        rc = subprocess.call([sys.executable, "-m", "survey", *args], cwd=ROOT)
        if rc != 0:
            print(f"demo step failed with exit code {rc}", file=sys.stderr)
            return rc
    print(f"\ndemo finished in {time.perf_counter() - start:.1f} s; outputs in {OUT.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
