"""Ingest rules, replace/prune/remove, validation failures, locking and crash safety."""

from __future__ import annotations

import json
import os
import re
import threading
import time

import polars as pl
import pytest

from survey.errors import StoreError, ValidationError
from survey.store import Manifest, StoreLock, WaveStore
from survey.store import _fs as fs_module
from survey.store import _store as store_module
from tests.store.helpers import small_survey


def _add(store: WaveStore, seed: int, wave: str = "w1", **kw):
    return store.add(small_survey(seed=seed), wave=wave, source_name=f"f{seed}.csv",
                     source_sha256=f"{seed:064x}", **kw)


def listing(store: WaveStore) -> set[str]:
    return {p.relative_to(store.root).as_posix() for p in store.root.rglob("*") if p.is_file()}


def test_add_then_same_source_is_unchanged_and_other_source_refused(tmp_path):
    store = WaveStore(tmp_path / "s")
    assert _add(store, 1).status == "added"
    assert _add(store, 1).status == "unchanged"
    with pytest.raises(StoreError, match="already holds f1.csv.*different file") as err:
        _add(store, 2)
    assert err.value.exit_code == 2 and "--replace" in str(err.value)
    assert store.entry("w1").source_file == "f1.csv"


def test_replace_keeps_previous_until_prune(tmp_path):
    store = WaveStore(tmp_path / "s")
    first = _add(store, 1).entry
    second = _add(store, 2, replace=True)
    assert second.status == "replaced"
    e = store.entry("w1")
    assert e.source_file == "f2.csv" and [p.file for p in e.previous] == [first.file]
    assert (store.root / first.file).is_file() and store.verify() == []
    deleted = store.prune()
    assert deleted == [first.file]
    assert store.entry("w1").previous == () and not (store.root / first.file).exists()


def test_remove_deletes_the_wave_and_its_files(tmp_path):
    store = WaveStore(tmp_path / "s")
    _add(store, 1)
    _add(store, 2, replace=True)
    _add(store, 3, wave="w2")
    files = store.entry("w1").files()
    store.remove("w1")
    assert [e.wave for e in store.waves()] == ["w2"]
    assert not any((store.root / f).exists() for f in files)
    with pytest.raises(StoreError, match="no wave 'w1'"):
        store.remove("w1")


def test_validation_failure_writes_nothing(tmp_path):
    store = WaveStore(tmp_path / "s")
    with pytest.raises(ValidationError) as err:
        store.add(small_survey(bad=True), wave="w1", source_name="bad.csv", source_sha256="0" * 64)
    assert err.value.exit_code == 1 and err.value.report.n_errors == 1
    assert err.value.survey.frame.height == 5
    assert not (store.root / "manifest.json").exists() and store.waves() == []
    assert not list((store.root / "waves").rglob("*.parquet"))


def test_bad_wave_id_and_store_that_is_a_file(tmp_path):
    with pytest.raises(StoreError, match="wave id '../x' is not valid"):
        _add(WaveStore(tmp_path / "s"), 1, wave="../x")
    (tmp_path / "f").write_text("x")
    with pytest.raises(StoreError, match="not a directory"):
        _add(WaveStore(tmp_path / "f"), 1)


def test_a_second_writer_gets_a_clear_message(tmp_path):
    store = WaveStore(tmp_path / "s")
    _add(store, 1)
    with StoreLock(store.root, action="ingest big.xlsx as wave w9"):
        with pytest.raises(StoreError, match=r"store is busy: ingest big.xlsx as wave w9 \(pid \d+"):
            _add(store, 2, wave="w2")
        with pytest.raises(StoreError, match="busy"):
            store.prune()
    assert _add(store, 2, wave="w2").status == "added"  # lock released


def test_a_writer_with_wait_gets_the_lock_when_the_holder_releases_it(tmp_path, monkeypatch):
    store = WaveStore(tmp_path / "s")
    _add(store, 1)
    waiting = threading.Event()
    holders: list[str] = []

    def pause(seconds: float) -> None:  # the waiter has tried once and found the lock held
        waiting.set()
        time.sleep(seconds)

    monkeypatch.setattr(fs_module, "_pause", pause)
    waiter = WaveStore(store.root, wait=600, on_wait=holders.append)
    results: list[object] = []
    with StoreLock(store.root, action="ingest big.xlsx as wave w9"):
        t = threading.Thread(target=lambda: results.append(_add(waiter, 2, wave="w2")))
        t.start()
        assert waiting.wait(timeout=600)
        assert not results  # still blocked while the lock is held
    t.join(timeout=600)
    assert [r.status for r in results] == ["added"]  # type: ignore[attr-defined]
    assert holders and holders[0].startswith("ingest big.xlsx as wave w9 (pid ")
    assert [e.wave for e in store.waves()] == ["w1", "w2"]


def test_wait_zero_refuses_at_once_and_a_negative_wait_is_refused(tmp_path, monkeypatch):
    store = WaveStore(tmp_path / "s", wait=0)
    _add(store, 1)
    monkeypatch.setattr(fs_module, "_pause", lambda s: pytest.fail("wait=0 must not pause"))
    with StoreLock(store.root, action="prune"):
        with pytest.raises(StoreError) as err:
            _add(store, 2, wave="w2")
    assert re.fullmatch(r"the store is busy: prune \(pid \d+, since [^)]+\)", err.value.message)
    assert err.value.exit_code == 2 and "--wait SECONDS" in str(err.value.hint)
    with pytest.raises(StoreError, match="0 or more seconds"):
        _add(WaveStore(store.root, wait=-1), 2, wave="w2")


def test_crash_while_writing_the_manifest_leaves_the_store_as_before(tmp_path, monkeypatch):
    store = WaveStore(tmp_path / "s")
    _add(store, 1)
    before = (store.root / "manifest.json").read_bytes()

    def boom(self, root):
        raise OSError("disk full")

    monkeypatch.setattr(Manifest, "write", boom)
    with pytest.raises(OSError, match="disk full"):
        _add(store, 2, replace=True)
    with pytest.raises(OSError):
        _add(store, 3, wave="w2")
    monkeypatch.undo()
    assert (store.root / "manifest.json").read_bytes() == before
    assert [e.wave for e in store.waves()] == ["w1"] and store.verify() == []
    assert len(store.prune()) == 2  # the two unlisted Parquet files


def test_crash_while_renaming_the_parquet_leaves_no_file(tmp_path, monkeypatch):
    store = WaveStore(tmp_path / "s")
    _add(store, 1)
    before = listing(store)
    real = os.replace

    def failing_replace(src, dst):
        if str(dst).endswith(".parquet"):
            raise OSError("power cut")
        real(src, dst)

    monkeypatch.setattr(store_module.os, "replace", failing_replace)
    with pytest.raises(OSError, match="power cut"):
        _add(store, 2, wave="w2")
    monkeypatch.undo()
    assert listing(store) == before and store.verify() == []


def test_manifest_is_plain_json_with_relative_paths(tmp_path):
    store = WaveStore(tmp_path / "s")
    _add(store, 1)
    m = json.loads((store.root / "manifest.json").read_text())
    assert m["format"] == "survey-store" and m["format_version"] == 1
    w = m["waves"]["w1"]
    assert w["rows"] == 5 and w["source"]["file"] == "f1.csv" and w["previous"] == []
    f = pl.read_parquet(store.root / w["file"])
    assert "email" not in f.columns and f["rid"].str.len_chars().min() == 64


def test_unreadable_manifest_is_a_store_error(tmp_path):
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "manifest.json").write_text("{not json")
    with pytest.raises(StoreError, match="manifest cannot be read"):
        WaveStore(tmp_path / "s").waves()


def test_key_file_readable_by_others_is_refused(tmp_path):
    key = tmp_path / "k"
    key.write_text("a" * 64)
    key.chmod(0o644)
    with pytest.raises(StoreError, match="readable by others"):
        _add(WaveStore(tmp_path / "s", key_file=key), 1)
