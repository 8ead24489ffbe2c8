"""`survey schema draft` then `survey ingest` with the unedited draft keeps every respondent."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from survey.cli import cli
from survey.frames import read_typed_parquet
from tests.platforms import BUILDERS


@pytest.mark.parametrize("platform", sorted(BUILDERS))
def test_unedited_draft_ingests_every_respondent(tmp_path, platform):
    built = BUILDERS[platform](tmp_path)
    schema = tmp_path / "draft.yaml"
    out = tmp_path / "wave.parquet"
    runner = CliRunner()
    r = runner.invoke(cli, ["schema", "draft", str(built.path), "--out", str(schema)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    v = runner.invoke(cli, ["validate", str(built.path), "--schema", str(schema)], catch_exceptions=False)
    assert v.exit_code == 0, v.output
    i = runner.invoke(cli, ["ingest", str(built.path), "--schema", str(schema), "--out", str(out)],
                      catch_exceptions=False)
    assert i.exit_code == 0, i.output
    frame, cb = read_typed_parquet(out)
    assert frame.height == built.respondents
    assert cb is not None and len(cb.questions) > 0


def test_draft_refuses_to_overwrite_without_force(tmp_path):
    built = BUILDERS["google_forms_csv"](tmp_path)
    schema = tmp_path / "draft.yaml"
    schema.write_text("keep me", encoding="utf-8")
    r = CliRunner().invoke(cli, ["schema", "draft", str(built.path), "--out", str(schema)])
    assert r.exit_code == 2 and "--force" in r.output
    assert schema.read_text(encoding="utf-8") == "keep me"
