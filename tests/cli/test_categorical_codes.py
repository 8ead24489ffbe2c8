"""`--categorical COL`: integer codes counted as categories without a codebook (R's
svytotal(~factor(x))), and the note when a total adds up a few small integer codes."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from survey.bind import small_integer_codes
from tests.clirun import run, stats_json

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "r"
DESIGN = ["--psu", "dnum", "--weight", "pw", "--fpc", "fpc"]


@pytest.fixture(scope="module")
def coded(tmp_path_factory: pytest.TempPathFactory) -> str:
    """apiclus1 with school type also as codes 1/2/3 (a codebook-less public file's way)."""
    frame = pl.read_csv(FIX / "apiclus1.csv").with_columns(
        pl.col("stype").replace_strict({"E": 1, "H": 2, "M": 3}, return_dtype=pl.Int64)
        .alias("stype_code"))
    path = tmp_path_factory.mktemp("codes") / "apiclus1_codes.csv"
    frame.write_csv(path)
    return str(path)


@pytest.mark.parametrize("statistic", ["total", "mean", "proportion"])
def test_categorical_codes_equal_the_labelled_categories(coded: str, statistic: str) -> None:
    labelled = stats_json(statistic, coded, "--var", "stype", *DESIGN)["estimates"]
    codes = stats_json(statistic, coded, "--var", "stype_code", "--categorical", "stype_code",
                       *DESIGN)["estimates"]
    assert [e["category"] for e in codes] == ["1", "2", "3"]
    assert [e["category"] for e in labelled] == ["E", "H", "M"]
    for a, b in zip(codes, labelled, strict=True):
        for k in ("estimate", "std_error", "conf_low", "conf_high"):
            assert a[k] == pytest.approx(b[k], rel=1e-12)
    assert min(e["std_error"] for e in codes) > 0


def test_a_total_of_small_integer_codes_notes_categorical(coded: str) -> None:
    r = run("stats", "total", coded, "--var", "stype_code", *DESIGN)
    assert r.exit_code == 0
    assert r.stderr.strip() == (
        "note: stype_code holds 3 distinct small integers (1, 2, 3): its total adds them up; if "
        "they are codes, --categorical stype_code counts each category (as R's "
        "svytotal(~factor(stype_code)))")
    quiet = [run("stats", "total", coded, "--var", "stype_code", "--categorical", "stype_code",
                 *DESIGN), run("stats", "total", coded, "--var", "enroll", *DESIGN),
             run("stats", "mean", coded, "--var", "stype_code", *DESIGN)]
    assert [(q.exit_code, q.stderr) for q in quiet] == [(0, "")] * 3


def test_categorical_must_name_a_var(coded: str) -> None:
    r = run("stats", "total", coded, "--var", "enroll", "--categorical", "stype_code", *DESIGN)
    assert r.exit_code == 2 and "stype_code is not among --var (enroll)" in r.output


@pytest.mark.parametrize(("values", "codes"), [
    ([1, 2, 3, 4, 4], [1, 2, 3, 4]),
    ([-9, 1, 2], [-9, 1, 2]),
    ([0, 1, 1, 0], None),            # a 0/1 indicator: its total counts the 1s
    (list(range(11)), None),         # too many values
    ([1.0, 2.0, 2.5], None),         # not integers
    ([1, 2, 500], None),             # not small
])
def test_small_integer_codes(values: list[float], codes: list[int] | None) -> None:
    assert small_integer_codes(pl.Series(values)) == codes
