"""Survival benchmark: Kaplan-Meier curves with standard errors and Cox regression against
R's ``svykm(..., se = TRUE)`` and ``svycoxph`` on 1,000,000 rows.

Generates a stratified cluster sample (20 strata, 1,000 PSUs nested in them, unequal
weights) with follow-up times in whole days (exponential, hazard log-linear in two
numeric covariates and a 3-level group, about 64% events, some 4,500 distinct event
times: many ties), writes it as Parquet and CSV, and times

    svykm(Surv(time, event) ~ 1, design, se = TRUE)     (R's km.stderr)
    svycoxph(Surv(time, event) ~ x1 + x2 + grp, design)  (Efron ties, dfbeta sandwich)

Our side runs in a child process that reads the Parquet file, binds the design and
times each call (wall and CPU seconds; import and read excluded). R's side
(``Rscript``, ``read.csv`` excluded) times the same calls with ``system.time``.
Neither of R's functions finishes a million rows. R's ``svykm(se = TRUE)`` forms an
``n x events`` at-risk matrix and the covariance of its ``2 x events`` totals,
quadratic in memory: on a million rows (640,000 events) it would need terabytes (on
this design 1,000 rows took R 4 GB and 26 CPU seconds), so R's curve is timed on the
first ``--km-rows`` rows (default 500 and 1,000). R's ``svycoxph`` grows faster than
quadratically here (20,000 rows 1.5 CPU seconds, 200,000 rows 190; a million would
take hours), so it is timed on the first ``--cox-rows`` rows (default 20,000 and
100,000). Ours runs on
those same rows and design and on the full sample. Coefficients, SEs and the
curves are compared (largest relative difference). Ratios are R / ours (the machine
is shared: CPU time is the steadier figure). Target (issue 23): at least 5x.

Not a timed test: run it by hand, with nice.

    python benchmarks/bench_survival.py [--rows 1000000] [--km-rows 500,1000]
                                        [--cox-rows 20000,100000] [--no-r]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_estimation import child_env, run_child  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
N_STRATA, N_PSU = 20, 1000
RHS = "x1 + x2 + grp"


def make_sample(rows: int, seed: int = 2026) -> pl.DataFrame:
    """A stratified cluster sample with right-censored times in whole days."""
    rng = np.random.default_rng(seed)
    psu = np.sort(np.r_[np.arange(N_PSU), rng.integers(0, N_PSU, rows - N_PSU)])
    h = psu // (N_PSU // N_STRATA)
    x1, x2, grp = rng.normal(size=rows), rng.uniform(18, 80, rows), rng.integers(0, 3, rows)
    frailty = rng.normal(0, 0.2, N_PSU)[psu]
    t = rng.exponential(1 / np.exp(0.3 * x1 + 0.01 * (x2 - 50) + 0.2 * grp + frailty)) * 1000
    c = rng.exponential(1500, rows)
    order = rng.permutation(rows)  # rows in no particular order
    return pl.DataFrame({
        "stratum": h + 1, "psu": psu + 1, "w": (rng.uniform(0.5, 2, rows) * 50).round(3),
        "time": np.ceil(np.minimum(t, c)), "event": (t <= c).astype(np.int8),
        "x1": x1.round(4), "x2": x2.round(1), "grp": pl.Series(["a", "b", "c"])[grp],
    })[order]


def write_data(dir_: Path, rows: int, km_rows: list[int]) -> dict[int, tuple[Path, Path]]:
    dir_.mkdir(parents=True, exist_ok=True)
    out = {}
    full: pl.DataFrame | None = None
    for n in sorted({rows, *km_rows}):
        pq, csv = dir_ / f"survival_{rows}_{n}.parquet", dir_ / f"survival_{rows}_{n}.csv"
        if not (pq.exists() and csv.exists()):
            full = make_sample(rows) if full is None else full
            part = full.head(n)
            part.write_parquet(pq)
            part.write_csv(csv)
        out[n] = (pq, csv)
    return out


_OURS = """
import json, sys, time
import polars as pl
from survey.design import svydesign
from survey.models import svycoxph, svykm
df = pl.read_parquet(sys.argv[1])
clock = lambda: (time.perf_counter(), time.process_time())
sf = svydesign(df, ids="psu", strata="stratum", weights="w")
out = {}
if "km" in sys.argv[2]:
    a = clock(); km = svykm(sf, "time", "event").to_frame(); b = clock()
    out.update(km=b[0] - a[0], km_cpu=b[1] - a[1], surv=km["estimate"].to_list(),
               varlog=(km["std_error_log"] ** 2).to_list())
if "cox" in sys.argv[2]:
    a = clock(); m = svycoxph(sf, "Surv(time, event) ~ " + sys.argv[3]); b = clock()
    out.update(cox=b[0] - a[0], cox_cpu=b[1] - a[1],
               coef=dict(zip(m.terms["term"], m.terms["estimate"])),
               se=dict(zip(m.terms["term"], m.terms["std_error"])))
print(json.dumps(out))
"""

_R = r"""
suppressPackageStartupMessages({library(survey); library(survival)})
args <- commandArgs(trailingOnly = TRUE)
df <- read.csv(args[1], colClasses = c(grp = "character"))
d <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, data = df)
num <- function(x) trimws(formatC(x, digits = 17, format = "g"))
arr <- function(v) paste0("[", paste(num(v), collapse = ", "), "]")
obj <- function(v) paste0("{", paste(sprintf('"%s": %s', names(v), num(v)), collapse = ", "), "}")
cpu <- function(t) t[["user.self"]] + t[["sys.self"]]
parts <- c(sprintf('"r": "%s", "survey": "%s"', R.version.string, packageVersion("survey")))
if (grepl("km", args[2])) {
  t_km <- system.time(s <- svykm(Surv(time, event) ~ 1, d, se = TRUE))
  last <- !duplicated(s$time, fromLast = TRUE)
  parts <- c(parts, sprintf('"km": %s, "km_cpu": %s, "surv": %s, "varlog": %s',
                            num(t_km[["elapsed"]]), num(cpu(t_km)), arr(s$surv[last]),
                            arr(s$varlog[last])))
}
if (grepl("cox", args[2])) {
  f <- as.formula(paste("Surv(time, event) ~", args[3]))
  t_cox <- system.time(m <- svycoxph(f, d))
  parts <- c(parts, sprintf('"cox": %s, "cox_cpu": %s, "coef": %s, "se": %s',
                            num(t_cox[["elapsed"]]), num(cpu(t_cox)), obj(coef(m)),
                            obj(SE(m))))
}
cat("{", paste(parts, collapse = ", "), "}\n")
"""


def ours(pq: Path, env: dict[str, str], what: str) -> dict:
    wall, cpu, rss, text = run_child([sys.executable, "-c", _OURS, str(pq), what, RHS], env)
    doc = json.loads(text.strip().splitlines()[-1])
    doc.update(wall=wall, cpu=cpu, rss=rss)
    return doc


def theirs(csv: Path, script: Path, what: str) -> dict:
    wall, cpu, rss, text = run_child(["Rscript", str(script), str(csv), what, RHS])
    doc = json.loads(text.strip().splitlines()[-1])
    doc.update(wall=wall, cpu=cpu, rss=rss)
    return doc


def rel(a: list[float] | dict[str, float], b: list[float] | dict[str, float]) -> float:
    if isinstance(a, dict) and isinstance(b, dict):
        named = {k.replace("[T.", "").replace("]", ""): v for k, v in a.items()}
        if set(named) != set(b):
            return float("inf")
        x, y = np.array([named[k] for k in b]), np.array(list(b.values()))
    else:
        x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        if x.shape != y.shape:
            return float("inf")
    return float(np.max(np.abs(x - y) / np.maximum(np.abs(y), 1e-300)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--km-rows", default="500,1000",
                    help="sizes at which R's svykm(se=TRUE) is timed (quadratic memory)")
    ap.add_argument("--cox-rows", default="20000,100000",
                    help="sizes at which R's svycoxph is timed (it grows faster than "
                         "quadratically)")
    ap.add_argument("--no-r", action="store_true", help="skip R even when Rscript is present")
    ap.add_argument("--dir", type=Path, default=ROOT / "benchmarks" / ".data")
    args = ap.parse_args()
    km_rows = [int(v) for v in args.km_rows.split(",") if v.strip()]
    cox_rows = [int(v) for v in args.cox_rows.split(",") if v.strip()]
    files = write_data(args.dir, args.rows, km_rows + cox_rows)
    env = child_env(args.dir)
    run_child([sys.executable, "-c", "import survey.models"], env)  # warm-up: bytecode cache
    load = os.getloadavg()
    print(f"{args.rows:,} rows, {N_STRATA} strata, {N_PSU} PSUs; Surv(time, event) ~ {RHS}; "
          f"load average {load[0]:.1f} on {os.cpu_count()} CPUs\n")
    full = ours(files[args.rows][0], env, "km,cox")
    print(f"ours, {args.rows:,} rows: svykm(se=TRUE) {full['km']:.2f} s "
          f"({full['km_cpu']:.2f} cpu), "
          f"{len(full['surv'])} event times; svycoxph {full['cox']:.2f} s "
          f"({full['cox_cpu']:.2f} cpu); whole process {full['wall']:.1f} s, "
          f"peak {full['rss']:.0f} MB")
    use_r = shutil.which("Rscript") is not None and not args.no_r
    script = args.dir / "bench_survival.R"
    script.write_text(_R)
    for n in cox_rows:
        mine = full if n == args.rows else ours(files[n][0], env, "cox")
        line = (f"svycoxph, first {n:,} rows: ours {mine['cox']:.2f} s "
                f"({mine['cox_cpu']:.2f} cpu)")
        if use_r:
            r = theirs(files[n][1], script, "cox")
            line += (f"; R {r['cox']:.1f} s ({r['cox_cpu']:.1f} cpu, peak {r['rss']:.0f} MB): "
                     f"R / ours {r['cox'] / mine['cox']:.0f}x (wall), "
                     f"{r['cox_cpu'] / mine['cox_cpu']:.0f}x (cpu); coefficients agree to "
                     f"{rel(mine['coef'], r['coef']):.1e}, SEs to {rel(mine['se'], r['se']):.1e}")
        print(line)
    for n in km_rows:
        mine = ours(files[n][0], env, "km")
        line = (f"svykm(se=TRUE), first {n:,} rows ({len(mine['surv'])} event times): ours "
                f"{mine['km']:.3f} s ({mine['km_cpu']:.3f} cpu)")
        if use_r:
            r = theirs(files[n][1], script, "km")
            line += (f"; R {r['km']:.2f} s ({r['km_cpu']:.2f} cpu, peak {r['rss']:.0f} MB): "
                     f"R / ours {r['km'] / mine['km']:.0f}x (wall), "
                     f"{r['km_cpu'] / mine['km_cpu']:.0f}x (cpu); curve agrees to "
                     f"{rel(mine['surv'], r['surv']):.1e}, varlog to "
                     f"{rel(mine['varlog'], r['varlog']):.1e}")
        print(line)
    if use_r:
        print(f"R: {r['r']}, survey {r['survey']}")

if __name__ == "__main__":
    main()
