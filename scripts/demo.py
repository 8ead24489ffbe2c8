"""The main job on sample_data/: what `make demo` runs.

Runs the flagship analysis plan, analyses/brain_drain_2025.toml: both sample waves
(2025 SurveyMonkey xlsx, 2023 Qualtrics csv in CP949) are validated and ingested into a
store beside the report folder (demo-output/brain_drain_2025.store/, never inside it: the
report folder can be shared whole), harmonised, estimated and modelled, and the report
folder demo-output/brain_drain_2025/ is written. Then the headline numbers are printed
from the estimates it wrote.
"""

from __future__ import annotations

import csv
import json
import shlex
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLAN = "analyses/brain_drain_2025.toml"
OUT = "demo-output/brain_drain_2025"
STORE = "demo-output/brain_drain_2025.store"  # the default would be analyses/<plan>.store
COUNTRIES = {"china": "China", "us": "United States"}


def _rows(name: str) -> list[dict[str, str]]:
    with (ROOT / OUT / "estimates" / f"{name}.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _pct(row: dict[str, str]) -> str:
    e, lo, hi = (float(row[k]) * 100 for k in ("estimate", "conf_low", "conf_high"))
    return f"{e:.1f}% (95% CI {lo:.1f}% to {hi:.1f}%)"


def headlines() -> list[str]:
    out = []
    rate = {r["weighted"]: r for r in _rows("offer_rate")}
    countries = _rows("offer_countries")
    for w, label in (("false", "unweighted"), ("true", "weighted: post-stratified to division x gender")):
        r = rate[w]
        out.append(f"  offered a foreign post, 2025 ({label}): {_pct(r)} of {r['n']} members")
        picks = {c["category"]: c for c in countries if c["weighted"] == w}
        base = picks["china"]["n"]
        out.append(f"    among the {base} offered: " + "; ".join(
            f"{name} {_pct(picks[code])}" for code, name in COUNTRIES.items()))
        med = next(m for m in _rows("salary_multiple_median") if m["weighted"] == w)
        out.append(f"    median offered salary multiple ({med['n']} answering): "
                   f"{float(med['estimate']):g} (95% CI {float(med['conf_low']):g} to "
                   f"{float(med['conf_high']):g}; Woodruff, R's svyquantile)")
    g = next(r for r in _rows("salary_multiple_gini") if r["weighted"] == "true")
    out.append(f"  Gini coefficient of the offered salary multiple (weighted, {g['n']} answering): "
               f"{float(g['estimate']):.3f} (SE {float(g['std_error']):.3f}; convey's svygini)")
    fits = {m["id"]: m["fits"][0] for m in json.loads(
        (ROOT / OUT / "models.json").read_text(encoding="utf-8"))["models"]}
    full, small = fits["intent_logit"], fits["intent_logit_small"]
    out.append(f"  intent models (weighted): full AIC {full['aic']:.1f}, BIC {full['bic']:.1f}; "
               f"pull and push only AIC {small['aic']:.1f}, BIC {small['bic']:.1f} "
               "(design-based, BIC against the full model; lower is preferred)")
    change = [r for r in _rows("offer_rate_change") if r["weighted"] == "false"]
    d = change[2]
    est, lo, hi = (float(d[k]) * 100 for k in ("estimate", "conf_low", "conf_high"))
    out.append(f"  2025 vs 2023 (unweighted): {float(change[0]['estimate']) * 100:.1f}% vs "
               f"{float(change[1]['estimate']) * 100:.1f}%, difference {est:+.1f} points "
               f"(95% CI {lo:+.1f} to {hi:+.1f}; p = {float(d['p_value']):.3f}; waves as "
               "independent samples)")
    for p in change[3:]:  # the panel row: members in both waves as clusters
        lo, hi = (float(p[k]) * 100 for k in ("conf_low", "conf_high"))
        out.append(f"    with the {p['panel_members']} members in both waves as clusters: "
                   f"95% CI {lo:+.1f} to {hi:+.1f}; p = {float(p['p_value']):.3f}")
    return out


def main() -> int:
    start = time.perf_counter()
    args = ["run", PLAN, "--out", OUT, "--store", STORE]
    print(f"$ survey {shlex.join(args)}", flush=True)
    rc = subprocess.call([sys.executable, "-m", "survey", *args], cwd=ROOT)
    if rc != 0:
        print(f"demo failed: `survey run` exited with code {rc}", file=sys.stderr)
        return rc
    print("\nHeadline numbers (95% logit intervals on the design degrees of freedom):")
    print("\n".join(headlines()))
    print(f"\nreport: {OUT}/report.html (open it in a browser; it needs no network)")
    print(f"demo finished in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
