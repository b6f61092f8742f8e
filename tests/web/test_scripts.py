"""The page's view logic that needs no browser, tested by Node's own runner (state.test.mjs)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.web.support import ROOT, need

TESTS = Path(__file__).with_name("state.test.mjs")


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
