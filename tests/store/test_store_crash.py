"""kill -9 at random moments and two writers at once: the store stays before or after."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl

from survey.store import Manifest, WaveStore
from tests.store.conftest import ROOT

PY = [sys.executable, "-m", "tests.store.crash_worker"]


def assert_consistent(store: WaveStore) -> None:
    m = Manifest.read(store.root)  # parses
    assert store.verify() == []  # every listed file (current and previous): present, hash, rows
    for e in m.waves.values():
        assert pl.scan_parquet(store.root / e.file).select(pl.len()).collect().item() == e.rows


def test_sigkill_at_random_moments_leaves_a_consistent_store(tmp_path: Path):
    # two stores side by side, each killed twice while writing, checked after every kill
    stores = [WaveStore(tmp_path / f"s{i}") for i in range(2)]
    rng = random.Random(20250815)
    kills = 0
    for _ in range(2):
        procs = [subprocess.Popen([*PY, str(s.root), "loop", "20000"], cwd=ROOT,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for s in stores]
        for p in procs:
            assert p.stdout is not None and p.stdout.readline().strip() == "ready"
        start = time.monotonic()
        for at, p in sorted(((rng.uniform(0.05, 1.0), p) for p in procs), key=lambda x: x[0]):
            time.sleep(max(0.0, start + at - time.monotonic()))
            p.send_signal(signal.SIGKILL)
        for p, s in zip(procs, stores):
            p.wait(timeout=10)
            p.communicate()
            kills += p.returncode == -signal.SIGKILL
            assert_consistent(s)
    assert kills == 4
    for s in stores:
        s.prune()  # the lock died with its process; leftovers of the killed writes go
        assert not [p for p in (s.root / "waves").rglob("*") if p.name.startswith(".tmp-")]
        assert_consistent(s)
        assert set(Manifest.read(s.root).referenced_files()) == {
            p.relative_to(s.root).as_posix() for p in (s.root / "waves").rglob("*.parquet")}


def test_two_ingests_at_once_one_wins_the_other_is_told(tmp_path: Path):
    store = WaveStore(tmp_path / "s")
    procs = [subprocess.Popen([*PY, str(store.root), "once", "w", str(seed)], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for seed in (1, 2)]
    outs = [(p.wait(timeout=30), p.communicate()[0].strip()) for p in procs]
    codes = sorted(c for c, _ in outs)
    assert codes == [0, 2], outs
    loser = next(o for c, o in outs if c == 2)
    assert "store is busy" in loser or "already holds" in loser
    winner = next(o for c, o in outs if c == 0)
    assert winner == "added"
    assert [e.wave for e in store.waves()] == ["w"] and store.entry("w").rows == 50
    assert_consistent(store)
