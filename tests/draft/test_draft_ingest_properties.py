"""The front door's guarantee: on any export the reader can read, the unedited draft loads
and ingesting the same file with it keeps every respondent with no error.

Exports are written to disk by ``tests.draft.hostile`` in every layout (1/2/3 header
rows), format (csv, xlsx) and encoding, with hostile headers and labels.  The number of
generated exports per run is ``DRAFT_INGEST_EXAMPLES`` (default 80).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from survey.codebook import load_codebook
from survey.codebook._draft import draft_codebook_yaml
from survey.frames import read_survey
from survey.io import read_table
from tests.draft.hostile import MARKERS, Export, exports, write_export

_EXAMPLES = int(os.environ.get("DRAFT_INGEST_EXAMPLES", "80"))


def _round_trip(exp: Export) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = write_export(exp, folder)
        raw = read_table(path)
        assert raw.n_rows == exp.respondents
        yaml_path = folder / "draft.yaml"
        yaml_path.write_text(draft_codebook_yaml(raw, survey_name="hostile"), encoding="utf-8")
        cb = load_codebook(yaml_path)
        typed = read_survey(path, cb)
        errors = typed.report.problems.filter(typed.report.problems["severity"] == "error")
        assert errors.height == 0, errors.select("question", "value", "reason").rows()[:5]
        assert typed.frame.height == exp.respondents
        marker_keys = {m.lower() for m in MARKERS}
        for q in cb.questions:
            labels = {o.label.strip().lower() for o in q.options}
            assert not labels & marker_keys, (q.id, labels & marker_keys)


@settings(max_examples=_EXAMPLES, suppress_health_check=[HealthCheck.too_slow,
                                                         HealthCheck.data_too_large])
@given(exports())
def test_unedited_draft_ingests_every_respondent_of_any_hostile_export(exp: Export) -> None:
    _round_trip(exp)
