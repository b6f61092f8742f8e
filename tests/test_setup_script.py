"""scripts/setup.sh says what it is doing while it installs."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _stub(path: Path, body: str) -> None:
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)


def test_setup_names_each_step_and_is_silent_when_nothing_changed(tmp_path):
    # A copy of the script in a tree whose .venv has stand-in pip and python: no real install.
    (tmp_path / "scripts").mkdir()
    shutil.copy(REPO / "scripts" / "setup.sh", tmp_path / "scripts" / "setup.sh")
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    _stub(bin_dir / "python", "exit 0")
    _stub(bin_dir / "pip", 'echo "pip $*" >> "$(dirname "$0")/../pip.log"')
    env = {**os.environ}
    first = subprocess.run(
        ["bash", "scripts/setup.sh"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert first.returncode == 0, first.stderr
    assert first.stderr.splitlines() == [
        "setup: updating pip",
        "setup: installing wikiviews and its dependencies into .venv "
        "(about a minute the first time)",
        "setup: done: .venv is ready",
    ]
    assert "-e .[dev]" in (tmp_path / ".venv" / "pip.log").read_text()
    again = subprocess.run(
        ["bash", "scripts/setup.sh"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert again.returncode == 0 and again.stderr == "" and again.stdout == ""
