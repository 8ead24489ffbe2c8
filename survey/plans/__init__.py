"""Analysis plans: a declarative TOML file from raw waves to a reproducible report.

Format: docs/plans.md.  :func:`load_plan` validates a plan (every mistake with its
line); :func:`run_plan` runs it into a report folder.
"""

from survey.plans._load import load_plan
from survey.plans._model import Plan
from survey.plans._run import Progress, RunResult, output_dir, plan_store, run_plan

__all__ = ["Plan", "Progress", "RunResult", "load_plan", "output_dir", "plan_store", "run_plan"]
