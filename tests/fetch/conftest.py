"""Fixtures of the fetch tests: sample dumps in a dumps-like tree, served on 127.0.0.1."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest

from backend.sample import write_sample
from backend.settings import Settings
from tests.fetch.dumps_server import DumpsServer, build_tree

SAMPLE_DAY = date(2024, 3, 1)
#: A clock for runs that must see the whole sample day as published long ago.
LATER = datetime(2024, 3, 10, 12, 0)


@dataclasses.dataclass(frozen=True)
class Sample:
    """The sample dumps: the files as written and the served tree."""

    files: Path  # flat directory of the files written by write_sample
    tree: Path  # the dumps-like tree served by DumpsServer
    placed: dict[str, Path]  # file name → its path in the tree


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    """One day of hourly ``pageviews`` and daily ``pageview_complete`` files (2024-03-01)."""
    files = tmp_path_factory.mktemp("sample")
    write_sample(files, start=SAMPLE_DAY, days=1, formats=("pageviews", "complete"), titles=300)
    tree = tmp_path_factory.mktemp("tree")
    return Sample(files, tree, build_tree(files, tree))


@pytest.fixture
def server(sample: Sample) -> Iterator[DumpsServer]:
    """A fresh dumps host (no faults yet) serving the sample tree."""
    running = DumpsServer(sample.tree).start()
    try:
        yield running
    finally:
        running.stop()


def fetch_settings(settings: Settings, server: DumpsServer, tmp_path: Path) -> Settings:
    """``settings`` pointed at ``server``, downloading into ``tmp_path/downloads``."""
    return dataclasses.replace(
        settings,
        fetch_base_url=server.url,
        fetch_download_dir=str(tmp_path / "downloads"),
    )


class FakeSleep:
    """Records the waits asked for; optionally runs an action at each (e.g. publish a file)."""

    def __init__(self, action=None):
        self.calls: list[float] = []
        self.action = action

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        if self.action:
            self.action(len(self.calls))
