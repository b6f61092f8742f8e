"""What the benchmark scripts share: progress lines, measured subprocesses, clean stores.

Imported by ``bench/ingest.py`` and ``bench/fetch.py`` (run as scripts from the repository
root, so ``bench/`` is on the path, as for ``datagen``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "bench" / "out"


def say(message: str = "") -> None:
    """Print a progress or result line at once."""
    print(message, flush=True)


@dataclass(frozen=True)
class Measured:
    """One finished subprocess: wall time, peak resident memory and exit code."""

    seconds: float
    peak_kib: int
    returncode: int

    @property
    def peak_mb(self) -> float:
        """Peak RSS in MB (10^6 bytes)."""
        return self.peak_kib * 1024 / 1e6


def run_measured(command: Sequence[str], env: dict[str, str], log: Path) -> Measured:
    """Run ``command`` to its end, its output going to ``log``; time it and read its peak RSS."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as output:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, env=env, cwd=REPO, stdout=output, stderr=subprocess.STDOUT
        )
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return Measured(seconds, usage.ru_maxrss, process.returncode)


def clean_env(**settings: str) -> dict[str, str]:
    """The environment without any ``WIKIVIEWS_*`` variable, plus ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIKIVIEWS_")}
    env.update(settings)
    return env


def wikiviews_command(*arguments: str) -> list[str]:
    """``wikiviews …`` with this interpreter (the project's virtualenv)."""
    return [sys.executable, "-m", "backend", *arguments]


def log_tail(log: Path, lines: int = 15) -> str:
    """The last lines of a run's output, for failure reports."""
    text = log.read_text(errors="replace").splitlines()
    return "\n".join(f"    | {line}" for line in text[-lines:])


def fresh_dir(path: Path) -> Path:
    """An empty directory at ``path``."""
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def code_revision() -> str:
    """The commit measured, and whether ``backend/`` or ``migrations/`` had local changes."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "backend", "migrations"],
            cwd=REPO,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown revision"
    return f"commit {head or '?'}" + (" + uncommitted changes in backend/" if dirty else "")
