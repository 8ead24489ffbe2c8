"""The HTML report in a real browser: Debian's chromium, headless, no network.

Needs the Debian packages ``chromium`` (and its dependencies; fonts-dejavu-core for
legible text in screenshots). Without /usr/bin/chromium the test is skipped.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from survey.plans import RunResult

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--disable-default-apps", "--disable-extensions", "--enable-logging=stderr", "--v=0"]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="/usr/bin/chromium is absent: install the Debian package `chromium` "
           "(apt-get install -y --no-install-recommends chromium) to run the browser test")


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "profile"
    return subprocess.run([str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=90, check=False)


def test_report_renders_with_plots_and_no_console_errors(flagship: RunResult,
                                                         tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    shutil.copy(flagship.out_dir / "report.html", report)  # alone: nothing beside it to load
    r = chromium(tmp_path, "--dump-dom", report.as_uri())
    assert r.returncode == 0, r.stderr[-2000:]
    dom = r.stdout
    assert "<h1>Foreign job offers to academy members, 2025</h1>" in dom
    imgs = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" alt="([^"]+)"', dom)
    assert len(imgs) >= 3, "offer rates by country, by division and wave, forest plot"
    alts = " | ".join(alt for _, alt in imgs)
    assert "Where the offers came from" in alts
    assert "Offer rate by division and wave" in alts
    assert "Forest plot of odds ratios" in alts
    assert all(len(data) > 5000 for data, _ in imgs)
    assert "<script" not in dom and "http://" not in dom and "https://" not in dom
    console = [ln for ln in r.stderr.splitlines() if "CONSOLE" in ln or "Uncaught" in ln]
    assert not console, console

    shot = tmp_path / "shot.png"
    r = chromium(tmp_path, "--window-size=1100,2400", f"--screenshot={shot}", report.as_uri())
    assert r.returncode == 0, r.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000
