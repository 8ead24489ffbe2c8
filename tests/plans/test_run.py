"""The flagship plan end to end: files, headline numbers, provenance, determinism."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from survey.cli import cli
from survey.plans import RunResult
from tests.plans.conftest import FLAGSHIP


def row(t: pl.DataFrame, **keys: object) -> dict:
    for k, v in keys.items():
        t = t.filter(pl.col(k) == v)
    assert t.height == 1, (keys, t)
    return t.row(0, named=True)


def test_report_folder_has_every_output(flagship: RunResult) -> None:
    out = flagship.out_dir
    for rel in ["report.html", "estimates.json", "models.json", "provenance.json",
                "estimates/offer_rate.csv", "estimates/offer_countries.csv",
                "estimates/offer_rate_by_division.csv", "estimates/offer_rate_change.csv",
                "models/intent_logit.csv", "models/intent_ologit.csv",
                "plots/estimate-offer_countries.png", "plots/model-intent_logit.png",
                "crosstabs.xlsx"]:
        assert (out / rel).is_file(), rel
    assert (out / "plots/estimate-offer_countries.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_headline_numbers(flagship: RunResult) -> None:
    rate = row(flagship.estimates["offer_rate"], weighted=False)
    assert (rate["estimate"], rate["n"]) == (pytest.approx(0.615), 200)
    assert rate["conf_low"] == pytest.approx(0.5452, abs=1e-4)
    assert rate["conf_high"] == pytest.approx(0.6804, abs=1e-4)
    countries = flagship.estimates["offer_countries"]
    china = row(countries, weighted=False, category="china")
    us = row(countries, weighted=False, category="us")
    assert (china["estimate"], china["n"]) == (pytest.approx(102 / 123), 123)
    assert round(china["estimate"] * 100, 1) == 82.9
    assert round(us["estimate"] * 100, 1) == 26.8
    assert china["conf_low"] < china["estimate"] < china["conf_high"]
    weighted = row(flagship.estimates["offer_rate"], weighted=True)
    assert weighted["estimate"] != pytest.approx(0.615)  # post-stratified: another number
    assert 0.5 < weighted["estimate"] < 0.7


def test_wave_comparison(flagship: RunResult) -> None:
    t = flagship.comparisons["offer_rate_change"].filter(~pl.col("weighted"))
    assert t["row"].to_list() == ["2025", "2023", "2025 - 2023", "2025 - 2023, panel"]
    e25, e23, d, d_panel = t["estimate"].to_list()
    assert d_panel == pytest.approx(d, rel=1e-12)
    assert t["panel_members"].to_list() == [None, None, None, 40]
    assert t["std_error"][3] != pytest.approx(t["std_error"][2], rel=1e-3)
    assert (e25, e23) == (pytest.approx(0.615), pytest.approx(89 / 180))
    assert d == pytest.approx(e25 - e23)
    lo, hi = t["conf_low"][2], t["conf_high"][2]
    assert lo < d < hi and lo > 0  # the rise is significant at 5%
    assert 0 < t["p_value"][2] < 0.05


def test_intent_model_matches_docs(flagship: RunResult) -> None:
    # docs/models.md: design stratified by division with fpc, unweighted by margins; the
    # plan post-stratifies, so compare the ordering and signs, not the digits
    t = flagship.models["intent_logit"]
    salary = row(t, term="salary_multiple")
    autonomy = row(t, term="autonomy")
    assert salary["odds_ratio"] > 1 and salary["odds_ratio_low"] > 1
    assert autonomy["odds_ratio"] < 1 and autonomy["odds_ratio_high"] < 1
    cuts = flagship.models["intent_ologit"].filter(pl.col("term").str.contains("|", literal=True))
    assert cuts.height == 3


def test_salary_gamma_model_and_margins(flagship: RunResult) -> None:
    # Gamma/log link: exp(coefficient) is a ratio of mean salary multiples, with its interval
    china = row(flagship.models["salary_gamma"], term="china[T.True]")
    assert china["exp_conf_low"] < china["exp_estimate"] < china["exp_conf_high"]
    assert china["odds_ratio"] is None
    out = flagship.out_dir
    margins = pl.read_csv(out / "models/intent_logit_margins.csv")
    assert margins["level"].sort().to_list() == sorted(
        ["Engineering", "Natural Sciences", "Medicine & Pharmacy", "Agriculture & Fisheries",
         "Policy Research"])
    assert margins.select((pl.col("estimate") > 0) & (pl.col("estimate") < 1)).to_series().all()
    assert (out / "models/salary_gamma_margins.csv").is_file()
    assert (out / "plots/model-salary_gamma.png").is_file()
    html = (out / "report.html").read_text()
    assert "adjusted probabilities" in html and "svypredmeans" in html


def test_estimates_json_and_provenance(flagship: RunResult) -> None:
    out = flagship.out_dir
    doc = json.loads((out / "estimates.json").read_text())
    assert [e["id"] for e in doc["estimates"]][:2] == ["offer_rate", "offer_countries"]
    prov = json.loads((out / "provenance.json").read_text())
    assert prov["plan"]["sha256"] == flagship.plan.sha256
    assert {i["wave"] for i in prov["inputs"]} == {"2023", "2025"}
    assert all(len(i["sha256"]) == 64 for i in prov["inputs"])
    assert {i["codebook"]["version"] for i in prov["inputs"]} == {"2023.1", "2025.1"}
    assert prov["seed"] == 20250701
    assert prov["environment"]["packages"]["polars"]
    assert prov["started_at"].endswith("Z")
    assert "estimates/offer_rate.csv" in prov["outputs"]


def test_two_runs_give_identical_outputs(flagship: RunResult, tmp_path: Path) -> None:
    """Everything but provenance.json (the run's times) is byte-identical, the crosstab
    workbook included; run 2 is the CLI."""
    second = tmp_path / "again"
    r = CliRunner().invoke(cli, ["run", str(FLAGSHIP), "--out", str(second), "--format", "json",
                                 "--store", str(tmp_path / "store")])
    assert r.exit_code == 0, r.output
    files = [f for f in flagship.files if f != "provenance.json"]
    assert json.loads(r.output)["files"] == list(flagship.files)
    for rel in files:
        assert (second / rel).read_bytes() == (flagship.out_dir / rel).read_bytes(), rel
    a = json.loads((flagship.out_dir / "provenance.json").read_text())
    b = json.loads((second / "provenance.json").read_text())
    for key in ("plan", "seed", "codebook", "other_files", "environment"):
        assert a[key] == b[key], key
    # the stored Parquet differs: ids are hashed with each store's own random key
    drop = lambda inputs: [{k: v for k, v in i.items() if k != "stored_as"} for i in inputs]  # noqa: E731
    assert drop(a["inputs"]) == drop(b["inputs"])
    same = {k: v for k, v in a["outputs"].items() if not k.endswith(".xlsx")}
    assert same == {k: v for k, v in b["outputs"].items() if not k.endswith(".xlsx")}
