"""`survey stats ttest|ranktest|var|cor|alpha`: R's numbers through the command line,
output shapes and errors."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from tests.clirun import modules_loaded, stats as run, stats_json as run_json

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "tests" / "fixtures" / "r"
STRAT = str(FIX / "apistrat.csv")
STRAT_DESIGN = ["--strata", "stype", "--weight", "pw", "--fpc", "fpc"]
CASES = {c["id"]: c for c in json.loads((FIX / "tests.json").read_text())["cases"]}
REPLAY = ["strat_two_group", "clus1_one_sample", "srs_paired", "strat_paired_mu",
          "jk1_two_group_domain", "clus2_fpc_two_group_na", "strat_wilcoxon_two",
          "clus1_vanderwaerden_three", "jk1_median_two", "strat_median_ties",
          "strat_kruskalwallis_domain",
          "strat_var2", "jk1_var_by", "clus1_sd", "strat_cor_domain", "strat_cor_by_H",
          "strat_alpha", "strat_alpha_by_E"]
COMMANDS = {"ttest": "ttest", "ranktest": "ranktest", "variance": "var", "std_dev": "var",
            "correlation": "cor", "cronbach_alpha": "alpha"}


def _argv(case: dict[str, Any]) -> list[str]:
    spec, args = case["design"], dict(case["args"])
    argv = [COMMANDS[case["fn"]], str(FIX / f"{spec['data']}.csv")]
    for key, flag in (("strata", "--strata"), ("weights", "--weight"), ("fpc", "--fpc"),
                      ("ids", "--psu")):
        if key in spec:
            argv += [flag, spec[key] if isinstance(spec[key], str) else ",".join(spec[key])]
    if "replicate" in spec:
        argv += ["--replicate", spec["replicate"]["type"].lower()]
    var = args.pop("var")
    argv += ["--var", var if isinstance(var, str) else ",".join(var)]
    for key in ("by", "mu", "paired", "test", "where"):
        if key in args:
            argv += [f"--{key}", str(args.pop(key))]
    if case["fn"] == "std_dev":
        argv.append("--sd")
    assert not args, args
    return argv


def _close(a: Any, b: Any, tol: float) -> bool:
    return math.isclose(a, b, rel_tol=tol, abs_tol=1e-12)


@pytest.mark.parametrize("cid", REPLAY)
def test_cli_reproduces_r(cid: str) -> None:
    case = CASES[cid]
    doc = run_json(*_argv(case))
    if case["fn"] in ("ttest", "ranktest"):
        want = case["rows"][0]
        for field in ("estimate", "statistic", "df", "ddf", "p_value", "conf_low", "conf_high"):
            if want.get(field) is not None:
                assert _close(doc[field], want[field], case["tol"]), (field, doc, want)
        return
    for row in case["rows"]:
        hits = [g for g in doc["estimates"] if g["variable"] == row["variable"]
                and all(str(g["by"].get(k)) == v for k, v in (row.get("by") or {}).items())]
        assert len(hits) == 1, (row, doc["estimates"])
        for field in ("estimate", "std_error", "conf_low", "conf_high"):
            assert _close(hits[0][field], row[field], case["tol"]), (field, hits[0], row)


def test_ttest_json_has_the_documented_fields() -> None:
    doc = run_json("ttest", STRAT, "--var", "api00", "--by", "sch.wide", *STRAT_DESIGN)
    assert {"estimate", "statistic", "df", "p_value", "conf_low", "conf_high"} <= set(doc)
    assert doc["contrast"] == "Yes - No"


def test_kruskal_wallis_json_has_df_and_ddf() -> None:
    doc = run_json("ranktest", STRAT, "--var", "api00", "--by", "stype", "--test",
                   "kruskalwallis", *STRAT_DESIGN)
    assert doc["df"] == 2 and doc["ddf"] == 195 and doc["groups"] == ["E", "H", "M"]


def test_table_output_names_the_test_and_the_contrast() -> None:
    r = run("ttest", STRAT, "--var", "api00", "--paired", "api99", *STRAT_DESIGN)
    assert r.exit_code == 0 and "paired t-test: api00 - api99" in r.output
    r = run("ranktest", STRAT, "--var", "meals", "--by", "stype", *STRAT_DESIGN)
    assert r.exit_code == 0 and "Kruskal-Wallis" in r.output and "ddf = 195" in r.output


def test_csv_output_is_one_row() -> None:
    r = run("ttest", STRAT, "--var", "api00", "--mu", "600", *STRAT_DESIGN, "--format", "csv")
    assert r.exit_code == 0 and len(r.output.strip().splitlines()) == 2


@pytest.mark.parametrize(("argv", "needle"), [
    (["ttest", STRAT, "--var", "api00", "--by", "stype"], "a t-test compares two groups"),
    (["ttest", STRAT, "--var", "api00", "--by", "sch.wide", "--mu", "1"], "not both"),
    (["ttest", STRAT, "--var", "stype"], "not numeric"),
    (["ranktest", STRAT, "--var", "api00", "--by", "stype", "--test", "sign"], "sign"),
    (["ranktest", str(FIX / "apiclus1.csv"), "--var", "api00", "--by", "stype", "--psu", "dnum",
      "--weight", "pw", "--replicate", "jk1"], "linearisation design"),  # three groups
    (["cor", STRAT, "--var", "api00"], "at least 2"),
    (["alpha", STRAT, "--var", "api00,stype"], "not numeric"),
    (["var", STRAT, "--var", "nosuch"], "nosuch"),
])
def test_bad_requests_exit_2_with_a_message(argv: list[str], needle: str) -> None:
    r = run(*argv)
    assert r.exit_code == 2 and needle in r.output
    assert "Traceback" not in r.output


def test_tests_and_spreads_load_no_scipy() -> None:
    """scipy.stats costs a second of start-up: t and F tails come from estimators._dist."""
    assert modules_loaded(["stats", "ttest", STRAT, "--var", "api00", "--by", "sch.wide"],
                          ["stats", "ranktest", STRAT, "--var", "api00", "--by", "stype"],
                          ["stats", "cor", STRAT, "--var", "api00,meals"],
                          among=("scipy", "statsmodels")) == []


def test_crosstab_ordinal_rows_by_rank_test(tmp_path: Path) -> None:
    from tests.clirun import run as survey

    wave = tmp_path / "wave.parquet"
    r = survey("ingest", str(ROOT / "sample_data/academy_2025.xlsx"), "--schema",
               str(ROOT / "schemas/academy_member_survey.yaml"), "--out", str(wave))
    assert r.exit_code == 0, r.output
    out = tmp_path / "xt.md"
    design = ["--strata", "division", "--fpc-file", str(ROOT / "sample_data/population_2025.csv")]
    r = survey("crosstab", str(wave), "--rows", "push_autonomy", "--banner", "gender,age_band",
               *design, "--ordinal-test", "wilcoxon", "--out", str(out))
    assert r.exit_code == 0, r.output
    text = out.read_text()
    assert "(Design-based Wilcoxon rank-sum test): t = " in text
    assert "(Design-based Kruskal-Wallis test): chi-square = " in text
    r = survey("crosstab", str(wave), "--rows", "push_autonomy", "--banner", "gender",
               "--ordinal-test", "median", "--out", str(out))
    assert r.exit_code == 2 and "needs a survey design" in r.output
