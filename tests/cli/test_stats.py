"""`survey stats`: R's numbers through the command line, output shapes, errors and exit codes."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from click.testing import CliRunner

from survey.cli import cli
from survey.bind import META_CODEBOOK, parse_where
from tests.clirun import modules_loaded, stats as run, stats_json as run_json

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "tests" / "fixtures" / "r"
STRAT = str(FIX / "apistrat.csv")
CLUS1 = str(FIX / "apiclus1.csv")
POPULATION = str(ROOT / "sample_data" / "population_2025.csv")
STRAT_DESIGN = ["--strata", "stype", "--weight", "pw", "--fpc", "fpc"]


@pytest.fixture(scope="module")
def wave(tmp_path_factory) -> str:
    """The 2025 academy wave as typed Parquet, through `survey ingest`."""
    out = tmp_path_factory.mktemp("wave") / "wave2025.parquet"
    r = CliRunner().invoke(cli, ["ingest", str(ROOT / "sample_data/academy_2025.xlsx"), "--schema",
                                 str(ROOT / "schemas/academy_member_survey.yaml"), "--out", str(out)])
    assert r.exit_code == 0, r.output
    return str(out)


# -- R's numbers, replayed through the command line ----------------------------------------


def _cases(file: str, ids: list[str]) -> list[dict[str, Any]]:
    cases = {c["id"]: c for c in json.loads((FIX / file).read_text())["cases"]}
    return [cases[i] for i in ids]


REPLAY = (
    _cases("taylor.json", ["strat_mean", "strat_prop", "strat_total", "strat_total_cat",
                           "strat_ratio", "clus1_mean", "clus1_nofpc_ratio", "srs_frac_mean",
                           "clus2_total", "lonely_remove_mean"])
    + _cases("domains.json", ["strat_by_mean", "strat_by2_mean", "strat_subset_total",
                              "clus1_subset_by", "clus2_by_prop"])
    + _cases("replicates.json", ["jk1_mean", "jk1_fpc_ciprop_logit", "jkn_by", "jkn_mse_ratio",
                                 "brr_prop", "fay_total", "jk1_cols_mean"])
    + _cases("ciprop.json", ["strat_logit", "strat_likelihood_level90_domain", "strat_beta",
                             "clus1_asin_level90_domain", "clus1_xlogit", "srs_logit"])
    + _cases("multichoice.json", ["mc_strat_logit_E", "mc_strat_mentions"])
    + _cases("compare.json", ["strat_chisq_F", "clus1_chisq_Chisq", "clus1_chisq_domain",
                              "clus2_fpc_chisq_F", "jk1_chisq_F", "jkn_fpc_chisq_domain"])
    # two stages with an fpc each (--psu dnum,snum --fpc fpc1,fpc2), replicate domains
    + _cases("taylor.json", ["clus2_fpc_mean", "clus2_fpc_w_total", "lonely2_adjust_total"])
    + _cases("domains.json", ["clus2_fpc_by_mean", "clus2_fpc_subset_total"])
    + _cases("replicates.json", ["jk1_ciprop_domain", "jkn_fpc_ciprop_by", "boot_cols_ciprop_by",
                                 "jk1_clus2_fpc_mean"])
)


def _argv(case: dict[str, Any]) -> list[str]:
    """The `survey stats` command line of a fixture case."""
    spec, args = case["design"], dict(case["args"])
    if "supplied" in spec:
        s = spec["supplied"]
        argv = [str(FIX / f"{s['data']}.csv"), "--weight", s["weights"], "--replicate",
                s["type"].lower(), "--replicate-weights", f"{s['prefix']}*"]
        if s.get("scale") is not None:
            argv += ["--scale", repr(s["scale"])]
    else:
        argv = [str(FIX / f"{spec['data']}.csv")]
        flags = {"strata": "--strata", "weights": "--weight", "fpc": "--fpc",
                 "lonely_psu": "--lonely-psu"}
        argv += [x for k, f in flags.items() if k in spec
                 for x in (f, spec[k] if isinstance(spec[k], str) else ",".join(spec[k]))]
        if "ids" in spec:
            ids = spec["ids"] if isinstance(spec["ids"], str) else ",".join(spec["ids"])
            argv += ["--psu", ids]
        rep = spec.get("replicate")
        if rep:
            argv += ["--replicate", rep["type"].lower()]
            if rep.get("fay_rho"):
                argv += ["--fay-rho", str(rep["fay_rho"])]
            if rep.get("mse"):
                argv.append("--mse")
    fn = case["fn"]
    if fn == "chisq":
        return ["chisq", *argv, "--row", args["row"], "--col", args["col"],
                "--statistic", args.get("statistic", "F"),
                *(["--where", args["where"]] if "where" in args else [])]
    if fn == "multiple_choice":
        argv = ["proportion", *argv, "--var", args.pop("question")]
        if "share" in args:
            argv += ["--share", args.pop("share")]
    elif fn == "ratio":
        argv = ["ratio", *argv, "--var", args.pop("numerator"), "--var2", args.pop("denominator")]
    else:
        argv = [fn, *argv, "--var", args.pop("var")]
    for key, flag in (("method", "--ci"), ("level", "--conf"), ("where", "--where")):
        if key in args:
            argv += [flag, str(args.pop(key))]
    if args.pop("by", None):
        argv += ["--by", ",".join(case["args"]["by"])]
    if args.pop("deff", False):
        argv.append("--deff")
    assert not args, f"unmapped arguments {args}"
    return argv


@pytest.mark.parametrize("case", REPLAY, ids=[c["id"] for c in REPLAY])
def test_cli_reproduces_r(case):
    doc = run_json(*_argv(case))
    tol = case["tol"]
    if case["fn"] == "chisq":
        want = case["rows"][0]
        assert math.isclose(doc["statistic"], want["statistic"], rel_tol=tol)
        assert math.isclose(doc["p_value"], want["p_value"], rel_tol=tol)
        return
    for row in case["rows"]:
        hits = [g for g in doc["estimates"]
                if g["variable"] == row["variable"]
                and (row["category"] is None or g["category"] == str(row["category"]))
                and all(str(g["by"].get(k)) == str(v) for k, v in (row.get("by") or {}).items())]
        assert len(hits) == 1, (row, doc["estimates"])
        got = hits[0]
        for field in ("estimate", "std_error", "conf_low", "conf_high", "deff"):
            if row.get(field) is not None:
                assert math.isclose(got[field], row[field], rel_tol=tol, abs_tol=1e-12), (field, got, row)


# -- the academy headline figures, against R ---------------------------------------------


ACADEMY = json.loads((FIX / "academy.json").read_text())["cases"]


@pytest.mark.parametrize("case", ACADEMY, ids=[c["id"] for c in ACADEMY])
def test_academy_headline_figures_match_r(wave, case):
    argv = [a.replace("sample_data/", f"{ROOT}/sample_data/") for a in case["cli"]]
    doc = run_json("proportion", wave, *argv)
    got = next(g for g in doc["estimates"] if g["category"] == case["category"])
    assert got["variable"] == case["variable"]
    for field in ("estimate", "std_error", "conf_low", "conf_high"):
        assert math.isclose(got[field], case[field], rel_tol=case["tol"]), (field, got, case)


def test_academy_figures_as_published(wave):
    offered = run_json("proportion", wave, "--var", "offer_received")["estimates"]
    assert round(next(r for r in offered if r["category"] == "Yes")["estimate"] * 100, 1) == 61.5
    among = run_json("proportion", wave, "--var", "offer_countries",
                     "--where", "offer_received = 'Yes'", "--sort", "descending")["estimates"]
    assert [r["category"] for r in among[:2]] == ["China", "United States"]  # codebook labels
    assert [round(r["estimate"] * 100, 1) for r in among[:2]] == [82.9, 26.8]
    assert {r["n"] for r in among} == {123}  # the base: those offered who answered


# -- statistics, domains, formats -----------------------------------------------------------


def test_json_vocabulary_and_by_object():
    doc = run_json("mean", STRAT, "--var", "api00", "--by", "stype", *STRAT_DESIGN, "--deff")
    assert (doc["statistic"], doc["level"], doc["method"]) == ("mean", 0.95, "wald")
    assert doc["design"] == {"weights": "pw", "strata": "stype", "psu": None, "fpc": "fpc",
                             "lonely_psu": "fail"}
    row = doc["estimates"][0]
    assert list(row)[:3] == ["variable", "category", "by"]
    assert {"estimate", "std_error", "conf_low", "conf_high", "n", "deff"} <= set(row)
    assert [r["by"] for r in doc["estimates"]] == [{"stype": s} for s in ("E", "H", "M")]
    assert sum(r["n"] for r in doc["estimates"]) == 200


def test_csv_has_the_same_columns():
    r = run("proportion", STRAT, "--var", "sch.wide", "--by", "stype", *STRAT_DESIGN, "--format", "csv")
    assert r.exit_code == 0, r.output
    lines = r.output.strip().splitlines()
    assert lines[0] == "stype,variable,category,estimate,std_error,conf_low,conf_high,cv,n,df"
    assert len(lines) == 1 + 3 * 2


def test_table_output_shows_percentages_and_design():
    r = run("proportion", STRAT, "--var", "sch.wide", *STRAT_DESIGN)
    assert r.exit_code == 0, r.output
    assert "%" in r.output and "95% CI" in r.output
    assert "strata stype" in r.output and "fpc fpc" in r.output


def test_where_with_a_dotted_column_name():
    plain = run_json("mean", STRAT, "--var", "api00", *STRAT_DESIGN, "--where", "sch.wide = 'Yes' AND api00 > 600")
    quoted = run_json("mean", STRAT, "--var", "api00", *STRAT_DESIGN, "--where", "\"sch.wide\" = 'Yes' AND api00 > 600")
    assert plain["estimates"] == quoted["estimates"]
    # a domain keeps the full design: every row's stratum counts in the degrees of freedom
    assert plain["estimates"][0]["n"] < 200


def test_where_in_list():
    doc = run_json("proportion", STRAT, "--var", "sch.wide", *STRAT_DESIGN, "--where", "stype IN ('E', 'M')")
    assert doc["estimates"][0]["n"] == 150


def test_parse_where_quotes_only_outside_literals():
    e = parse_where("sch.wide = 'sch.wide' OR \"sch.wide\" = 'x'", ["sch.wide"])
    assert e.meta.root_names() == ["sch.wide", "sch.wide"]


def test_integer_codes_are_categories():
    doc = run_json("proportion", CLUS1, "--var", "stype", "--psu", "dnum", "--weight", "pw")
    assert [r["category"] for r in doc["estimates"]] == ["E", "H", "M"]
    coded = run_json("proportion", STRAT, "--var", "psu2", *STRAT_DESIGN)
    assert [r["category"] for r in coded["estimates"]] == ["1", "2"]


def test_srs_interval_methods_on_a_simple_random_sample(wave):
    doc = run_json("proportion", wave, "--var", "offer_received", "--ci", "wilson")
    yes = next(r for r in doc["estimates"] if r["category"] == "Yes")
    z, x, n = 1.959963984540054, 123, 200  # Wilson's interval by hand
    centre, half = (x + z * z / 2) / (n + z * z), z / (n + z * z) * math.sqrt(x * (n - x) / n + z * z / 4)
    assert math.isclose(yes["conf_low"], centre - half, rel_tol=1e-9)
    assert math.isclose(yes["conf_high"], centre + half, rel_tol=1e-9)


# -- errors: one line, exit 2 ---------------------------------------------------------------


@pytest.mark.parametrize("argv,message", [
    (["mean", STRAT, "--var", "api01"], "no column 'api01' in the data; did you mean 'api00'"),
    (["mean", STRAT, "--var", "api00", "--weight", "pww"], "no column 'pww'"),
    (["mean", STRAT, "--var", "api00", "--where", "nosuch > 1"], "no column 'nosuch'"),
    (["mean", STRAT, "--var", "api00", "--where", "api00 >"], "cannot read the condition"),
    (["mean", STRAT, "--var", "api00", "--by", "stypo"], "no column 'stypo'"),
    (["mean", STRAT, "--var", "api00", "--strata", "lone", "--weight", "pw"], "only one PSU"),
    (["mean", STRAT, "--var", "api00", "--where", "stype = 'X'"], "the domain is empty"),
    (["proportion", STRAT, "--var", "api00"], "use `survey stats mean`"),
    (["proportion", STRAT, "--var", "sch.wide", *STRAT_DESIGN, "--ci", "wilson"], "simple random sample"),
    (["mean", str(FIX / "nosuch.csv"), "--var", "api00"], "is not a file"),
    (["mean", STRAT, "--var", "api00", "--replicate", "fay", "--strata", "stype", "--psu", "psu2"],
     "--fay-rho"),
    (["mean", STRAT, "--var", "api00", "--fpc-file", POPULATION], "--fpc-file needs --strata"),
])
def test_errors_exit_2_with_one_message(argv, message):
    r = run(*argv)
    assert r.exit_code == 2, r.output
    assert message in r.output
    assert "Traceback" not in r.output


def test_lonely_psu_hint_names_the_flag():
    r = run("mean", STRAT, "--var", "api00", "--strata", "lone", "--weight", "pw")
    assert "--lonely-psu adjust" in r.output
    ok = run_json("mean", STRAT, "--var", "api00", "--strata", "lone", "--weight", "pw",
                  "--lonely-psu", "remove")
    assert ok["estimates"][0]["n"] == 200


def test_fpc_file_must_cover_every_stratum(tmp_path):
    pop = tmp_path / "pop.csv"
    pl.DataFrame({"stype": ["E", "M"], "population": [4421, 1018]}).write_csv(pop)
    r = run("mean", STRAT, "--var", "api00", "--strata", "stype", "--fpc-file", str(pop))
    assert r.exit_code == 2 and "no population size for stype = 'H'" in r.output


def test_fpc_file_two_column_layout(tmp_path):
    pop = tmp_path / "pop.csv"
    pl.DataFrame({"stype": ["E", "H", "M"], "N": [4421, 755, 1018]}).write_csv(pop)
    via_file = run_json("mean", STRAT, "--var", "api00", "--strata", "stype", "--weight", "pw",
                        "--fpc-file", str(pop))
    via_col = run_json("mean", STRAT, "--var", "api00", *STRAT_DESIGN)
    assert via_file["estimates"] == via_col["estimates"]


# -- reuse by other commands; start-up ------------------------------------------------------


def test_stats_is_a_group_other_layers_extend():
    import click

    from survey.cli._design_opts import DesignArgs, design_options, open_data, read_design
    from survey.cli._stats import stats

    assert isinstance(stats, click.Group)

    @stats.command("rows")
    @design_options
    def rows_cmd(design: DesignArgs) -> None:
        click.echo(read_design(design, open_data(design), ["api00"]).n)

    try:
        r = run("rows", STRAT, *STRAT_DESIGN)
        assert (r.exit_code, r.output.strip()) == (0, "200")
    finally:
        del stats.commands["rows"]


def test_codebook_metadata_key_matches_frames():
    from survey.frames._parquet import META_CODEBOOK as FRAMES_KEY

    assert META_CODEBOOK == FRAMES_KEY


def test_stats_table_loads_no_scipy_rich_or_spreadsheet_readers(wave):
    heavy = ("scipy", "survey.frames", "pyreadstat", "fastexcel", "statsmodels", "rich")
    assert modules_loaded(["stats", "proportion", wave, "--var", "offer_received"],
                          among=heavy) == []


# -- the wave store ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> str:
    """Both sample waves in a wave store, through `survey ingest --store`."""
    root = tmp_path_factory.mktemp("store") / "store"
    for wave_id, file, schema in (("2025", "academy_2025.xlsx", "academy_member_survey.yaml"),
                                  ("2023", "academy_2023.csv", "academy_member_survey_2023.yaml")):
        r = CliRunner().invoke(cli, ["ingest", str(ROOT / "sample_data" / file), "--schema",
                                     str(ROOT / "schemas" / schema), "--store", str(root),
                                     "--wave", wave_id])
        assert r.exit_code == 0, r.output
    return str(root)


def test_store_wave_gives_the_file_estimates(store, wave):
    from_store = run_json("proportion", "--store", store, "--wave", "2025", "--var", "offer_countries",
                          "--where", "offer_received = 'Yes'")
    from_file = run_json("proportion", wave, "--var", "offer_countries", "--where", "offer_received = 'Yes'")
    assert from_store["estimates"] == from_file["estimates"]


def test_store_waves_as_domains(store):
    doc = run_json("proportion", "--store", store, "--var", "offer_received", "--by", "wave")
    yes = {r["by"]["wave"]: r for r in doc["estimates"] if r["category"] == "Yes"}
    assert set(yes) == {"2023", "2025"}
    assert round(yes["2025"]["estimate"] * 100, 1) == 61.5 and yes["2023"]["n"] == 180


def test_compare_waves_gives_each_difference_with_independent_waves_se(store):
    doc = run_json("proportion", "--store", store, "--var", "offer_received", "--by", "wave",
                   "--compare", "2025,2023", "--independent")
    est = {(r["by"]["wave"], r["category"]): r for r in doc["estimates"]}
    diff = {r["category"]: r for r in doc["differences"]}
    assert {r["by"]["wave"] for r in doc["differences"]} == {"2025 - 2023"}
    a, b = est[("2025", "Yes")], est[("2023", "Yes")]
    assert diff["Yes"]["estimate"] == pytest.approx(a["estimate"] - b["estimate"], rel=1e-12)
    # the waves share no PSU, so the covariance is zero
    se = math.hypot(a["std_error"], b["std_error"])
    assert diff["Yes"]["std_error"] == pytest.approx(se, rel=1e-9)
    assert round(diff["Yes"]["estimate"] * 100, 1) == 12.1 and diff["Yes"]["p_value"] < 0.05


def test_compare_an_option_one_wave_did_not_ask_has_no_difference(store):
    doc = run_json("proportion", "--store", store, "--var", "offer_countries", "--where",
                   "offer_received = 'Yes'", "--by", "wave", "--compare", "2025,2023")
    me = {r["by"]["wave"]: r for r in doc["estimates"] if r["category"] == "Middle East"}
    assert me["2023"]["n"] == 0 and me["2023"]["estimate"] is None
    assert [r["estimate"] for r in doc["differences"] if r["category"] == "Middle East"] == [None]


def test_compare_table_and_csv_show_the_difference_rows(store):
    args = ("mean", "--store", store, "--var", "salary_multiple", "--by", "wave",
            "--compare", "2025,2023")
    table = run(*args)
    assert table.exit_code == 0 and "difference wave 2025 - 2023" in table.output
    csv = pl.read_csv(run(*args, "--format", "csv").stdout.encode())
    assert csv["wave"].to_list() == ["2023", "2025", "2025 - 2023"]
    assert csv["p_value"].null_count() == 2


def test_replicates_from_a_two_stage_design_say_the_second_fpc_is_dropped():
    clus2 = str(FIX / "apiclus2.csv")
    r = run("mean", clus2, "--var", "api00", "--psu", "dnum,snum", "--fpc", "fpc1,fpc2",
            "--replicate", "jk1")
    assert r.exit_code == 0 and "second-stage fpc is dropped" in r.stderr
    plain = run("mean", clus2, "--var", "api00", "--psu", "dnum,snum", "--fpc", "fpc1,fpc2")
    assert "dropped" not in plain.stderr


@pytest.mark.parametrize("argv,message", [
    (["mean", STRAT, "--var", "api00", "--compare", "E,H"], "--compare needs --by"),
    (["mean", STRAT, "--var", "api00", "--by", "stype", "--compare", "E"], "FIRST,SECOND"),
    (["mean", STRAT, "--var", "api00", "--by", "stype", "--compare", "E,X"],
     "no estimates for stype = 'X'"),
])
def test_compare_usage_errors(argv, message):
    r = run(*argv)
    assert r.exit_code == 2 and message in r.output


@pytest.mark.parametrize("argv,message", [
    (["mean", "--var", "api00"], "give a DATA file, --store DIR (with --wave) or --imputations GLOB"),
    (["mean", STRAT, "--var", "api00", "--wave", "2025"], "--wave needs --store"),
])
def test_data_or_store_usage_errors(argv, message):
    r = run(*argv)
    assert r.exit_code == 2 and message in r.output


def test_zero_one_codes_are_categories_0_and_1(tmp_path):
    data = tmp_path / "d.csv"
    pl.read_csv(STRAT).with_columns(
        (pl.col("sch.wide") == "Yes").cast(pl.Int8).alias("wide01")).write_csv(data)
    coded = run_json("proportion", str(data), "--var", "wide01", *STRAT_DESIGN)["estimates"]
    text = run_json("proportion", STRAT, "--var", "sch.wide", *STRAT_DESIGN)["estimates"]
    assert [r["category"] for r in coded] == ["0", "1"]
    assert [r["estimate"] for r in coded] == pytest.approx([r["estimate"] for r in text], rel=1e-12)
    assert [r["conf_low"] for r in coded] == pytest.approx([r["conf_low"] for r in text], rel=1e-12)


def test_design_flags_are_a_spelling_of_the_library_spec(tmp_path):
    """A command's flags become one survey.bind.DesignSpec; weighting flags its steps."""
    import click

    from survey.bind import DesignSpec, Weighting
    from survey.cli._design_opts import DesignArgs, design_options

    margins = tmp_path / "m.csv"
    margins.write_text("variable,category,population\nstype,E,4421\nstype,H,755\nstype,M,1018\n")
    seen: list[DesignSpec] = []

    @click.command()
    @design_options
    def cmd(design: DesignArgs) -> None:
        seen.append(design.spec)

    r = CliRunner().invoke(cmd, [STRAT, *STRAT_DESIGN, "--psu", "dnum", "--replicate", "JK1",
                                 "--poststratify", str(margins), "--margin", "stype"])
    assert r.exit_code == 0, r.output
    assert seen == [DesignSpec(weights="pw", strata="stype", ids=("dnum",), fpc=("fpc",),
                               replicate="jk1", weighting=(Weighting("poststratify",
                                                                     margins, ("stype",)),))]


def test_compare_waves_from_the_store_links_panel_members_by_the_member_key(store):
    args = ("proportion", "--store", store, "--var", "offer_received", "--by", "wave",
            "--compare", "2025,2023")
    linked, independent = run_json(*args), run_json(*args, "--independent")
    assert linked["panel"]["members_in_both"] == 40 and linked["panel"]["member"] == "member_no"
    assert independent["panel"] is None
    yes = [{r["category"]: r for r in d["differences"]}["Yes"] for d in (linked, independent)]
    assert yes[0]["estimate"] == pytest.approx(yes[1]["estimate"], rel=1e-12)
    assert yes[0]["std_error"] != pytest.approx(yes[1]["std_error"], rel=1e-3)


@pytest.mark.parametrize("order", ["descending", "ascending"])
def test_sort_orders_a_single_choice_question_by_share(order):
    rows = run_json("proportion", STRAT, "--var", "stype", "--by", "awards", *STRAT_DESIGN,
                    "--sort", order)["estimates"]
    plain = run_json("proportion", STRAT, "--var", "stype", "--by", "awards", *STRAT_DESIGN)["estimates"]
    for dom in ("No", "Yes"):
        got = [r for r in rows if r["by"]["awards"] == dom]
        assert sorted(r["estimate"] for r in got) == [r["estimate"] for r in (got[::-1] if order == "descending" else got)]
        same = {r["category"]: r for r in plain if r["by"]["awards"] == dom}
        assert all(math.isclose(r["std_error"], same[r["category"]]["std_error"]) for r in got)
    assert [r["by"]["awards"] for r in rows] == [r["by"]["awards"] for r in plain]
    assert {r["category"] for r in rows} == {"E", "H", "M"}
