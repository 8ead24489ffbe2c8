"""A UTF-8 file is parsed by polars from the file itself (the fast path); the grid, encoding,
delimiter and notes are those of decoding the whole file first (the slow path)."""

from __future__ import annotations

from pathlib import Path

import pytest

import survey.io._csv as csvmod
from survey.io import read_table

LONG = "".join(f"{i},Strongly agree,전혀 그렇지 않다,\"a, \"\"b\"\"\"\n" for i in range(20_000))


def _both(path: Path, monkeypatch: pytest.MonkeyPatch, **kwargs: object) -> tuple[object, object]:
    fast = read_table(path, **kwargs)  # type: ignore[arg-type]
    with monkeypatch.context() as m:
        m.setattr(csvmod, "_read_utf8", lambda *a, **k: None)
        slow = read_table(path, **kwargs)  # type: ignore[arg-type]
    return fast, slow


@pytest.mark.parametrize(
    "content",
    [
        b"id,scale,ko,quoted\n" + LONG.encode(),                        # larger than the sample
        b"\xef\xbb\xbfid,scale,ko,quoted\n" + LONG.encode(),            # UTF-8 BOM
        b"id\tq\n1\t\"Quoted\" answer\n2\t\n3\twhole\n",                 # TSV without quoting
        b"id\tq\n1\t\"He said \"\"hi\"\"\"\n",                           # TSV with csv quoting
        b"id;q\n1;\"x;y\"\n\n2;\"\"\n3;z;extra\n",                      # blank row, empty quoted, long row
        b"a,b\n1,2",                                                     # no final line break
    ],
)
def test_fast_path_reads_what_decoding_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             content: bytes) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    fast, slow = _both(path, monkeypatch)
    assert fast.frame.equals(slow.frame)  # type: ignore[attr-defined]
    for attr in ("columns", "encoding", "delimiter", "notes", "layout", "blank_rows"):
        assert getattr(fast, attr) == getattr(slow, attr), attr


def test_non_utf8_byte_past_the_sample_falls_back_to_detection(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(b"id,q\n" + LONG.replace("전혀 그렇지 않다", "x").encode() + b"9,caf\xe9,x,y\n")
    table = read_table(path)
    assert table.encoding == "cp1252"
    assert table.frame.row(-1)[1:3] == ("9", "café")
