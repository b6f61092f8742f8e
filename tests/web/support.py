"""Helpers of the statistics page's tests: where things are, and running the browser driver."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.api.gunicorn import LiveServer

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("browser.mjs")
#: Screenshots of each view (git-ignored).
ARTIFACTS = ROOT / "tests" / "web" / "artifacts"
CHROMIUM = os.environ.get("WIKIVIEWS_CHROMIUM", "/usr/bin/chromium")


def need(condition: bool, what: str) -> None:
    """Skip the calling test when ``condition`` is false (fail under REQUIRE_SERVICES=1)."""
    if condition:
        return
    if os.environ.get("WIKIVIEWS_REQUIRE_SERVICES") == "1":
        pytest.fail(f"WIKIVIEWS_REQUIRE_SERVICES=1 but {what}")
    pytest.skip(what)


def run_browser(server: LiveServer, *scenarios: str) -> dict[str, dict]:
    """What ``browser.mjs`` saw in each scenario (see its SCENARIOS)."""
    need(shutil.which("node") is not None, "the browser tests need Node.js (node)")
    need(Path(CHROMIUM).exists(), f"the browser tests need Chromium at {CHROMIUM} (apt chromium)")
    need(
        (ROOT / "node_modules" / "playwright-core").is_dir(),
        "the browser tests need playwright-core: run `npm ci`",
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["node", str(DRIVER), server.url, str(ARTIFACTS), *scenarios],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
