"""AAPOR response rates: the Standard Definitions' formulas on counted dispositions."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import polars as pl
import pytest

from survey.errors import EstimationError
from survey.estimators import disposition_category, response_rates
from tests.clirun import run, run_json

ROOT = Path(__file__).resolve().parents[2]
DISPOSITIONS = ROOT / "sample_data" / "dispositions_2025.csv"


def _by_hand(codes: list[str]) -> dict[str, float]:
    """The rates from counts made with the csv module and AAPOR's code prefixes."""
    c = Counter()
    for code in codes:
        major, minor = code.split(".")
        if major == "1":
            key = {"1": "I", "2": "P"}[minor[0]]
        elif major == "2":
            key = {"1": "R", "2": "NC", "3": "O"}[minor[0]]
        else:
            key = ("UH" if minor[0] == "1" else "UO") if major == "3" else "NE"
        c[key] += 1
    ip = c["I"] + c["P"]
    elig = ip + c["R"] + c["NC"] + c["O"]
    unk = c["UH"] + c["UO"]
    e = elig / (elig + c["NE"])
    return {"RR1": c["I"] / (elig + unk), "RR2": ip / (elig + unk), "RR3": c["I"] / (elig + e * unk),
            "RR4": ip / (elig + e * unk), "RR5": c["I"] / elig, "RR6": ip / elig,
            "COOP1": c["I"] / (ip + c["R"] + c["O"]), "COOP4": ip / (ip + c["R"]),
            "REF2": c["R"] / (elig + e * unk), "CON3": (ip + c["R"] + c["O"]) / elig}


def _codes(division: str | None = None) -> list[str]:
    with DISPOSITIONS.open(encoding="utf-8") as fh:
        return [r["disposition"] for r in csv.DictReader(fh) if division in (None, r["division"])]


def test_sample_dispositions_rates_equal_the_formulas():
    res = response_rates(pl.read_csv(DISPOSITIONS, infer_schema_length=0))
    for rate, value in _by_hand(_codes()).items():
        assert res.rate(rate) == pytest.approx(value, rel=1e-12), rate


def test_rates_by_stratum_equal_the_formulas_within_each_stratum():
    res = response_rates(pl.read_csv(DISPOSITIONS, infer_schema_length=0), by="division")
    for division in ("Engineering", "Policy Research"):
        for rate, value in _by_hand(_codes(division)).items():
            assert res.rate(rate, division=division) == pytest.approx(value, rel=1e-12)


def test_worked_rr1_of_the_sample_file():
    # 200 completes among 500 invitations, 23 of them not eligible: RR1 = 200 / 477
    res = response_rates(pl.read_csv(DISPOSITIONS, infer_schema_length=0))
    counts = res.counts.row(0, named=True)
    assert (counts["I"], counts["NE"], counts["cases"]) == (200, 23, 500)
    assert res.rate("RR1") == pytest.approx(200 / 477)


def test_given_e_replaces_the_estimate():
    d = pl.DataFrame({"disposition": ["1.1", "1.1", "2.20", "3.10", "3.20"]})
    res = response_rates(d, e=0.5)
    assert res.rate("RR3") == pytest.approx(2 / (3 + 0.5 * 2))
    assert "given" in res.e_method


def test_words_and_codes_are_the_same_categories():
    assert [disposition_category(v) for v in ("Complete", "partial", "Break-off", "No contact",
                                              "not eligible", "2.31", "3.19", "3.9")] == \
        ["I", "P", "R", "NC", "NE", "O", "UH", "UO"]
    assert disposition_category("9.1") is None and disposition_category("maybe") is None


def test_extra_codes_map_labels_of_a_codebook():
    d = pl.DataFrame({"status": ["Done", "Done", "Said no"]})
    res = response_rates(d, disposition="status", codes={"Done": "I", "Said no": "R"})
    assert res.rate("RR1") == pytest.approx(2 / 3)


def test_unknown_disposition_is_refused_with_the_values():
    with pytest.raises(EstimationError, match="'maybe'"):
        response_rates(pl.DataFrame({"disposition": ["1.1", "maybe"]}))


def test_missing_disposition_is_refused():
    with pytest.raises(EstimationError, match="no disposition"):
        response_rates(pl.DataFrame({"disposition": ["1.1", None]}))


def test_cli_json_and_table():
    doc = run_json("response-rates", str(DISPOSITIONS), "--by", "division")
    overall = next(g for g in doc["groups"] if g["by"]["division"] is None)
    assert overall["rates"]["RR1"] == pytest.approx(200 / 477)
    r = run("response-rates", str(DISPOSITIONS))
    assert r.exit_code == 0 and "RR1" in r.output and "41.9%" in r.output


def test_cli_unknown_column_is_a_usage_error(tmp_path):
    r = run("response-rates", str(DISPOSITIONS), "--disposition", "status")
    assert r.exit_code == 2 and "--disposition" in r.output
    bad = tmp_path / "d.csv"
    bad.write_text("disposition\n1.1\nperhaps\n", encoding="utf-8")
    r = run("response-rates", str(bad))
    assert r.exit_code == 2 and "perhaps" in r.output and "Traceback" not in r.output


def test_cli_uses_the_codebook_disposition_question(tmp_path):
    (tmp_path / "cb.yaml").write_text(
        "survey: fieldwork\nversion: '1'\nsource: {header_rows: 1}\nquestions:\n"
        "  - {id: member, type: text, column: member, role: id}\n"
        "  - id: outcome\n    type: single\n    role: disposition\n    column: outcome\n"
        "    options:\n      - {code: '1.1', label: Done}\n      - {code: '2.11', label: Said no}\n"
        "      - {code: '4.10', label: Moved away}\n", encoding="utf-8")
    (tmp_path / "d.csv").write_text("member,outcome\n1,Done\n2,Done\n3,Said no\n4,Moved away\n",
                                    encoding="utf-8")
    doc = run_json("response-rates", str(tmp_path / "d.csv"), "--schema", str(tmp_path / "cb.yaml"))
    assert doc["disposition"] == "outcome"
    counts = doc["groups"][0]["counts"]
    assert (counts["I"], counts["R"], counts["NE"]) == (2, 1, 1)
    assert doc["groups"][0]["rates"]["RR1"] == pytest.approx(2 / 3)
