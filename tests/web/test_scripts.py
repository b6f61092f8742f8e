"""The page's scripts: the view logic's Node tests, and the served bundle built from the sources."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path

from tests.web.support import ROOT, need

TESTS = Path(__file__).with_name("state.test.mjs")
BUNDLE = ROOT / "backend" / "web" / "static" / "app.js"


def test_the_view_logic_passes_its_node_tests() -> None:
    need(shutil.which("node") is not None, "the script tests need Node.js (node)")
    done = subprocess.run(
        ["node", "--test", str(TESTS)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "# fail 0" in done.stdout


def test_the_served_bundle_is_built_from_the_sources(tmp_path: Path) -> None:
    """``npm run build:page`` was run after the last change to backend/web/scripts/."""
    esbuild = ROOT / "node_modules" / ".bin" / "esbuild"
    need(esbuild.exists(), "the bundle check needs esbuild: run `npm ci`")
    command = shlex.split(json.loads((ROOT / "package.json").read_text())["scripts"]["build:page"])
    assert command[0] == "esbuild"
    out = tmp_path / "app.js"
    command = [
        str(esbuild),
        *(f"--outfile={out}" if a.startswith("--outfile=") else a for a in command[1:]),
    ]
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == BUNDLE.read_bytes(), "stale bundle: run `npm run build:page`"


def test_the_top_views_flag_thresholds_are_the_report_bots() -> None:
    """The page flags entries by the same mobile-share limits as bot/top_report.py."""
    from bot.top_report import MOBILE_HIGH, MOBILE_LOW

    source = (ROOT / "backend" / "web" / "scripts" / "views" / "topviews.js").read_text()
    found = dict(re.findall(r"export const (MOBILE_LOW|MOBILE_HIGH) = ([0-9.]+);", source))
    assert {name: float(value) for name, value in found.items()} == {
        "MOBILE_LOW": MOBILE_LOW,
        "MOBILE_HIGH": MOBILE_HIGH,
    }
