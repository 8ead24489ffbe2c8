"""Labelled .sav/.dta/csv exports read back with pyreadstat: labels, codes, missing values."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pyreadstat
import pytest

import survey
from survey.errors import ReportError
from survey.reports import export_labelled
from survey.reports._labelled import _names
from tests.clirun import run

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wave():
    cb = survey.load_codebook(ROOT / "schemas" / "academy_member_survey.yaml")
    return survey.read_survey(ROOT / "sample_data" / "academy_2025.xlsx", cb)


def _decoded(values, labels):
    return [None if v is None or v != v else labels[v] for v in values]


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_choice_answers_read_back_as_their_labels(wave, tmp_path, fmt):
    export_labelled(wave.frame, wave.codebook, tmp_path / f"w.{fmt}")
    read = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
    df, meta = read(str(tmp_path / f"w.{fmt}"), user_missing=True)
    for qid in ("division", "intent", "age_band", "offer_received"):
        labels = {float(k) if not isinstance(k, str) else k: v for k, v in meta.variable_value_labels[qid].items()}
        assert _decoded(df[qid].tolist(), labels) == wave.frame[qid].cast(pl.String).to_list()
        q = wave.codebook.question(qid)
        assert [labels[float(o.code)] for o in q.options] == [o.label for o in q.options]


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_missing_codes_stay_user_missing_and_apart_from_not_asked(wave, tmp_path, fmt):
    export_labelled(wave.frame, wave.codebook, tmp_path / f"w.{fmt}")
    read = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
    df, meta = read(str(tmp_path / f"w.{fmt}"), user_missing=True)
    dont_know = wave.frame["push_autonomy__missing"].is_not_null().to_list()
    assert sum(dont_know) > 0
    code = 8.0 if fmt == "sav" else "a"
    assert [v == code for v in df["push_autonomy"]] == dont_know
    assert meta.variable_value_labels["push_autonomy"][code] == "Don't know"
    if fmt == "sav":
        assert meta.missing_ranges["push_autonomy"] == [{"lo": 8.0, "hi": 8.0}]
    else:
        assert meta.missing_user_values["push_autonomy"] == ["a"]
    plain, _ = read(str(tmp_path / f"w.{fmt}"))  # without user_missing: a missing value
    assert plain["push_autonomy"].isna().sum() == wave.frame["push_autonomy"].null_count()


def test_sav_carries_question_texts_and_a_multiple_response_set(wave, tmp_path):
    res = export_labelled(wave.frame, wave.codebook, tmp_path / "w.sav")
    df, meta = pyreadstat.read_sav(str(tmp_path / "w.sav"))
    q = wave.codebook.question("offer_received")
    assert meta.column_names_to_labels["offer_received"] == q.text_en
    mr = meta.mr_sets["offer_countries"]
    assert mr["is_dichotomy"] and mr["counted_value"] == 1
    cols = [c for c in wave.frame.columns if c.startswith("offer_countries__") and c != "offer_countries__other_text"]
    assert mr["variable_list"] == cols and res.mr_sets == ("offer_countries",)
    assert (df["offer_countries__china"] == 1).sum() == wave.frame["offer_countries__china"].sum()


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_korean_labels_and_text_survive(wave, tmp_path, fmt):
    export_labelled(wave.frame, wave.codebook, tmp_path / f"w.{fmt}", language="ko", keep_pii=True)
    read = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
    df, meta = read(str(tmp_path / f"w.{fmt}"))
    q = wave.codebook.question("division")
    assert meta.column_names_to_labels["division"] == q.text_ko
    assert set(meta.variable_value_labels["division"].values()) == {o.label_ko for o in q.options}
    comments = [c for c in wave.frame["comment"].to_list() if c]
    assert any(any("\uac00" <= ch <= "\ud7a3" for ch in c) for c in comments)
    assert sorted(c for c in df["comment"].tolist() if c) == sorted(comments)


def test_pii_columns_are_left_out_unless_kept(wave, tmp_path):
    res = export_labelled(wave.frame, wave.codebook, tmp_path / "w.dta")
    assert "email" in res.dropped and "email" not in res.variables
    res = export_labelled(wave.frame, wave.codebook, tmp_path / "w2.dta", keep_pii=True)
    assert "email" in res.variables


def test_names_fit_each_format_and_stay_unique():
    cols = ["a" * 40, "a" * 40 + "b", "1st", "in", "x-y", "ALL"]
    dta = _names(cols, "dta")
    assert all(len(n) <= 32 for n in dta.values()) and len(set(dta.values())) == len(cols)
    assert dta["in"] != "in" and dta["1st"][0].isalpha()
    sav = _names(cols, "sav")
    assert sav["ALL"] != "ALL" and len({n.lower() for n in sav.values()}) == len(cols)


def test_csv_has_labels_and_a_variables_sidecar(wave, tmp_path):
    export_labelled(wave.frame, wave.codebook, tmp_path / "w.csv")
    back = pl.read_csv(tmp_path / "w.csv", infer_schema_length=0)
    assert back["division"].to_list() == wave.frame["division"].cast(pl.String).to_list()
    side = pl.read_csv(tmp_path / "w_variables.csv")
    row = side.filter(pl.col("variable") == "push_autonomy").row(0, named=True)
    assert "8 = Don't know" in row["value_labels"] and row["missing_codes"] == "8"


def test_unknown_format_is_refused(wave, tmp_path):
    with pytest.raises(ReportError, match="--to"):
        export_labelled(wave.frame, wave.codebook, tmp_path / "w.xls")


def test_cli_exports_a_parquet_wave_and_refuses_data_without_codebook(tmp_path):
    parquet = tmp_path / "w.parquet"
    r = run("ingest", str(ROOT / "sample_data/academy_2025.xlsx"), "--schema",
            str(ROOT / "schemas/academy_member_survey.yaml"), "--out", str(parquet))
    assert r.exit_code == 0, r.output
    r = run("export", str(parquet), str(tmp_path / "w.sav"))
    assert r.exit_code == 0 and "$offer_countries" in r.output
    df, _ = pyreadstat.read_sav(str(tmp_path / "w.sav"))
    assert len(df) == 200
    r = run("export", str(ROOT / "sample_data/population_2025.csv"), str(tmp_path / "p.sav"))
    assert r.exit_code == 2 and "--schema" in r.output
