"""Local run state under the data directory: where a run got to, and the deliveries made.

A run's state file lists the pages already treated; a rerun of the same job and period
skips them, so a crash costs only the page in flight. The file is removed when a run ends
with no failures. Deliveries are kept for good: a report revision is announced once.
Files are replaced atomically (write, fsync, rename).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

#: Outcomes that need no retry on a rerun.
SETTLED = frozenset({"edited", "created", "unchanged", "excluded", "skipped"})


def _write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, indent=1, sort_keys=True)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _read_json(path: Path) -> dict:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        return {}
    return data if isinstance(data, dict) else {}


def run_key(*parts: str) -> str:
    """A file-name-safe key for a run (site, job, period, …)."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:20]


class RunState:
    """The pages a run has treated, with their outcome."""

    def __init__(self, path: Path, *, fresh: bool = False, persist: bool = True) -> None:
        self.path = path
        self.persist = persist
        self.pages: dict[str, str] = {} if fresh else dict(_read_json(path).get("pages", {}))

    def settled(self, title: str) -> bool:
        """Whether ``title`` was finished by an earlier, interrupted run."""
        return self.pages.get(title) in SETTLED

    def record(self, title: str, outcome: str) -> None:
        """Remember the outcome of ``title`` (written to disk at once)."""
        self.pages[title] = outcome
        if self.persist:
            _write_json(self.path, {"pages": self.pages})

    def finish(self, failed: int) -> None:
        """End of the run: forget it when nothing failed, keep it for a resume otherwise."""
        if failed == 0 and self.persist:
            self.path.unlink(missing_ok=True)


class DeliveryLog:
    """Deliveries made: ``(report, revision, target)`` triples, kept for good."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.done: set[str] = set(_read_json(path).get("deliveries", []))

    @staticmethod
    def _key(report: str, revid: int, target: str) -> str:
        return f"{report}\x1f{revid}\x1f{target}"

    def delivered(self, report: str, revid: int, target: str) -> bool:
        """Whether this report revision was delivered to ``target`` already."""
        return self._key(report, revid, target) in self.done

    def record(self, report: str, revid: int, target: str) -> None:
        """Remember a delivery (written to disk at once)."""
        self.done.add(self._key(report, revid, target))
        _write_json(self.path, {"deliveries": sorted(self.done)})
