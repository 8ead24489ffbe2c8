"""`survey ingest --store` and `survey waves ...` through click's CliRunner: output and exit codes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
import yaml

from survey.store import StoreLock, WaveStore
from tests.clirun import run
from tests.store.conftest import CSV_2023, ROOT, SCHEMAS, XLSX_2025, codebook_2025

CB23 = str(SCHEMAS / "academy_member_survey_2023.yaml")


@pytest.fixture()
def cb25_file(tmp_path: Path) -> str:
    from survey.codebook import dump_codebook
    path = tmp_path / "academy_member_survey.yaml"
    dump_codebook(codebook_2025(), path)
    return str(path)


def test_ingest_into_store_then_noop_then_refusal(tmp_path, cb25_file):
    store = str(tmp_path / "s")
    r = run("ingest", str(XLSX_2025), "-s", cb25_file, "--store", store, "--wave", "2025")
    assert r.exit_code == 0 and "added wave 2025: 200 rows" in r.output
    r = run("ingest", str(XLSX_2025), "-s", cb25_file, "--store", store, "--wave", "2025")
    assert r.exit_code == 0 and "nothing to do" in r.output
    r = run("ingest", str(CSV_2023), "-s", CB23, "--store", store, "--wave", "2025")
    assert r.exit_code == 2 and "already holds academy_2025.xlsx" in r.output and "--replace" in r.output
    r = run("ingest", str(CSV_2023), "-s", CB23, "--store", store, "--wave", "2025", "--replace")
    assert r.exit_code == 0 and "replaced academy_2025.xlsx in wave 2025" in r.output


def test_invalid_file_exits_1_with_the_report_and_writes_nothing(tmp_path):
    store = tmp_path / "s"
    r = run("ingest", str(XLSX_2025), "-s", CB23, "--store", str(store), "--wave", "2025",
            "--rejects", str(tmp_path / "rej.csv"))
    assert r.exit_code == 1
    assert "missing_column" in r.output and "nothing written" in r.output
    assert not (store / "manifest.json").exists()
    assert (tmp_path / "rej.csv").exists()


def test_store_needs_a_wave_and_out_or_store_is_required(tmp_path, cb25_file):
    r = run("ingest", str(XLSX_2025), "-s", cb25_file, "--store", str(tmp_path / "s"))
    assert r.exit_code == 2 and "--wave" in r.output
    r = run("ingest", str(XLSX_2025), "-s", cb25_file)
    assert r.exit_code == 2 and "--out" in r.output


def test_out_still_writes_a_typed_parquet(tmp_path, cb25_file):
    out = tmp_path / "w.parquet"
    r = run("ingest", str(XLSX_2025), "-s", cb25_file, "-o", str(out))
    assert r.exit_code == 0 and pl.read_parquet(out).height == 200


def test_waves_list_show_load_remove_prune_verify(sample_store: WaveStore, tmp_path):
    s = str(sample_store.root)
    r = run("waves", "list", "--store", s)
    assert r.exit_code == 0 and "2023" in r.output and "academy_member_survey 2025.1" in r.output
    listed = json.loads(run("waves", "list", "--store", s, "--format", "json").output)
    assert [w["rows"] for w in listed] == [180, 200]
    r = run("waves", "show", "2023", "--store", s)
    assert r.exit_code == 0 and "validation  0 error(s)" in r.output and "encoding cp949" in r.output
    shown = json.loads(run("waves", "show", "2025", "--store", s, "--format", "json").output)
    assert shown["validation"]["layout"] == "surveymonkey" and shown["codebook"]["version"] == "2025.1"
    out = tmp_path / "trend.parquet"
    r = run("waves", "load", "--store", s, "--wave", "2023,2025", "--out", str(out))
    assert r.exit_code == 0 and "380 rows" in r.output and "not asked" in r.output
    assert pl.read_parquet(out).height == 380
    assert run("waves", "verify", "--store", s).exit_code == 0
    assert run("waves", "show", "2019", "--store", s).exit_code == 2
    r = run("waves", "remove", "2023", "--store", s)
    assert r.exit_code == 0 and "removed wave 2023" in r.output
    assert run("waves", "prune", "--store", s).exit_code == 0
    assert [e.wave for e in sample_store.waves()] == ["2025"]


def test_verify_exits_2_on_a_damaged_file(sample_store: WaveStore):
    p = sample_store.path("2025")
    p.write_bytes(p.read_bytes()[:-10])
    r = run("waves", "verify", "--store", str(sample_store.root))
    assert r.exit_code == 2 and "does not match its SHA-256" in r.output


def test_busy_store_exits_2_with_a_clear_message(sample_store: WaveStore, cb25_file):
    with StoreLock(sample_store.root, action="ingest other.xlsx as wave 2026"):
        r = run("ingest", str(XLSX_2025), "-s", cb25_file, "--store", str(sample_store.root),
                "--wave", "2026")
    assert r.exit_code == 2 and "store is busy: ingest other.xlsx as wave 2026" in r.output


def test_ingest_with_wait_loads_once_the_other_writer_finishes(sample_store: WaveStore, cb25_file):
    # a second process waits for the lock held here; it says so on stderr, then loads
    cmd = [sys.executable, "-m", "survey", "ingest", str(XLSX_2025), "-s", cb25_file,
           "--store", str(sample_store.root), "--wave", "2026", "--wait", "600"]
    with StoreLock(sample_store.root, action="ingest other.xlsx as wave 2027"):
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        assert proc.stderr is not None
        note = proc.stderr.readline()  # blocks until the waiter has found the lock held
        assert note.startswith("note: the store is busy (ingest other.xlsx as wave 2027 (pid ")
        assert note.rstrip().endswith("); waiting up to 600 s")
        assert proc.poll() is None
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    assert out.startswith("added wave 2026: 200 rows")
    assert [e.wave for e in sample_store.waves()] == ["2023", "2025", "2026"]


def test_ingest_with_wait_0_fails_at_once_with_the_busy_message(sample_store: WaveStore, cb25_file):
    with StoreLock(sample_store.root, action="prune"):
        r = run("ingest", str(XLSX_2025), "-s", cb25_file, "--store", str(sample_store.root),
                "--wave", "2026", "--wait", "0")
        bad = run("waves", "prune", "--store", str(sample_store.root), "--wait", "-1")
    assert r.exit_code == 2
    first = r.output.splitlines()[0]
    assert re.fullmatch(r"error: .*: the store is busy: prune \(pid \d+, since [^)]+\)", first), first
    assert "--wait SECONDS" in r.output
    assert bad.exit_code == 2 and "--wait" in bad.output


def test_keep_pii_and_key_file_options(tmp_path, cb25_file):
    key = tmp_path / "keys" / "k"
    key.parent.mkdir()
    r = run("ingest", str(XLSX_2025), "-s", cb25_file, "--store", str(tmp_path / "s"),
            "--wave", "2025", "--key-file", str(key))
    assert r.exit_code == 0 and key.exists()
    r = run("ingest", str(XLSX_2025), "-s", cb25_file, "--store", str(tmp_path / "s2"),
            "--wave", "2025", "--keep-pii")
    assert r.exit_code == 0
    assert "email" in pl.read_parquet(WaveStore(tmp_path / "s2").path("2025")).columns


def test_harmonize_mistake_exits_2_listing_every_unmapped_option(tmp_path, cb25_file):
    raw = yaml.safe_load(Path(cb25_file).read_text(encoding="utf-8"))
    del raw["harmonize"]["from"][0]["questions"]["age_band"]
    Path(cb25_file).write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    s = str(tmp_path / "s")
    run("ingest", str(XLSX_2025), "-s", cb25_file, "--store", s, "--wave", "2025")
    run("ingest", str(CSV_2023), "-s", CB23, "--store", s, "--wave", "2023")
    r = run("waves", "load", "--store", s)
    assert r.exit_code == 2
    assert "earlier option '70-79' (code 4) has no counterpart" in r.output
    assert "earlier option '80+' (code 5)" in r.output
