"""What `survey export` writes (.sav, .dta) reads back through `survey schema draft`,
`validate` and `ingest` (the unedited draft) to the same typed frame: labels, missing
codes ("Don't know" is Stata's .a), multiple-choice columns, text ids and dates."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from polars.testing import assert_frame_equal

from survey.cli import cli
from survey.frames import read_typed_parquet

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "sample_data" / "academy_2025.xlsx"
SCHEMA = ROOT / "schemas" / "academy_member_survey.yaml"


def _ok(*args: str) -> str:
    r = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return r.output


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("orig") / "wave.parquet"
    _ok("ingest", str(DATA), "--schema", str(SCHEMA), "--out", str(out))
    return out


@pytest.mark.parametrize("fmt", ["sav", "dta"])
@pytest.mark.parametrize("keep_pii", [True, False])
def test_export_reads_back_to_the_same_typed_frame(original: Path, tmp_path: Path, fmt: str,
                                                   keep_pii: bool) -> None:
    exported, draft, back = tmp_path / f"w.{fmt}", tmp_path / "draft.yaml", tmp_path / "b.parquet"
    _ok("export", str(original), str(exported), *(["--keep-pii"] if keep_pii else []))
    _ok("schema", "draft", str(exported), "--out", str(draft))
    assert "valid: no problems found" in _ok("validate", str(exported), "--schema", str(draft))
    _ok("ingest", str(exported), "--schema", str(draft), "--out", str(back))
    want, _ = read_typed_parquet(original)
    got, _ = read_typed_parquet(back)
    if not keep_pii:
        pii = ["ip_address", "email", "first_name", "last_name", "comment"]
        assert not set(pii) & set(got.columns)
        want = want.drop(pii)
    assert_frame_equal(got, want)
    assert (want["push_funding__missing"] == "Don't know").sum() > 0  # the .a of Stata
