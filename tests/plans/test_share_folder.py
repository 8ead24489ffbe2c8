"""A report folder is safe to share whole: no respondent-level data and no key in it, and
its files readable by the group where the user's umask allows."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from click.testing import CliRunner

from survey.cli import cli
from tests.plans.test_validation import GOOD, write


@contextmanager
def umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def _modes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): stat.S_IMODE(p.stat().st_mode)
            for p in folder.rglob("*") if p.is_file()}


def test_report_folder_holds_no_respondent_data_and_is_group_readable(tmp_path: Path) -> None:
    plan = write(tmp_path, GOOD)
    out = tmp_path / "report"
    with umask(0o022):
        r = CliRunner().invoke(cli, ["run", str(plan), "--out", str(out), "--no-progress"])
    assert r.exit_code == 0, r.output
    store, key = tmp_path / "plan.store", tmp_path / "plan.store.key"
    assert f"respondent-level data: {store} (key {key}); keep both private" in r.stdout
    assert "safe to share whole" in r.stdout
    modes = _modes(out)
    assert "report.html" in modes and "estimates/offer_rate.csv" in modes
    # nothing respondent-level, no key: no Parquet, no store, no key file anywhere inside
    assert not [f for f in modes if f.endswith((".parquet", ".key")) or "store" in f], modes
    assert not list(out.rglob("*store*"))
    assert {m for m in modes.values()} == {0o644}, modes
    assert all(stat.S_IMODE(d.stat().st_mode) & 0o055 == 0o055 for d in out.rglob("*")
               if d.is_dir())
    # the store and its key are beside the plan; the key stays private whatever the umask
    assert (store / "manifest.json").is_file() and list((store / "waves").rglob("*.parquet"))
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_a_strict_umask_keeps_outputs_private_and_store_goes_where_asked(tmp_path: Path) -> None:
    plan = write(tmp_path, GOOD)
    out, store = tmp_path / "report", tmp_path / "elsewhere" / "wave-store"
    with umask(0o077):
        r = CliRunner().invoke(cli, ["run", str(plan), "--out", str(out), "--no-progress",
                                     "--store", str(store)])
    assert r.exit_code == 0, r.output
    assert set(_modes(out).values()) == {0o600}
    assert (store / "manifest.json").is_file() and not (tmp_path / "plan.store").exists()
    assert stat.S_IMODE((tmp_path / "elsewhere" / "wave-store.key").stat().st_mode) == 0o600
