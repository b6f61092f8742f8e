"""Where the public dumps live: file names, month directories and when a file can exist.

The layout under the base URL (``https://dumps.wikimedia.org/other`` or a mirror of it):

* ``pageviews/YYYY/YYYY-MM/pageviews-YYYYMMDD-HH0000.gz``: the hour starting at HH:00 UTC;
* ``pageview_complete/YYYY/YYYY-MM/pageviews-YYYYMMDD-{user,spider,automated}.bz2``: a day.

Each month directory also holds the checksum files (see :mod:`backend.fetch.checksums`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from backend.timeutil import EPOCH

DATASETS = ("pageviews", "complete")
COMPLETE_AGENTS = ("user", "spider", "automated")
#: How long after its period a file counts as the live edge, by dataset: a 404 then means
#: "not published yet" (hourly files usually appear within hours, daily files within days).
LIVE_EDGE_HOURS = {"pageviews": 48, "complete": 7 * 24}
_EPOCH = datetime(EPOCH.year, EPOCH.month, EPOCH.day)


def hour_of(moment: datetime) -> int:
    """The store's hour number (hours since 1970-01-01 00:00 UTC) of a naive UTC datetime."""
    return int((moment - _EPOCH).total_seconds() // 3600)


def moment_of(hour: int) -> datetime:
    """The naive UTC datetime an hour number starts at."""
    return _EPOCH + timedelta(hours=hour)


@dataclass(frozen=True)
class DumpItem:
    """One dump file to fetch: its name, its month directory and the hours it covers."""

    dataset: str  # "pageviews" | "complete"
    name: str
    directory: str  # relative to the base URL, e.g. "pageviews/2024/2024-03"
    first_hour: int
    hours: int

    @property
    def path(self) -> str:
        """The file's path relative to the base URL."""
        return f"{self.directory}/{self.name}"

    @property
    def ready_hour(self) -> int:
        """The first hour after the covered period: the file cannot exist before it starts."""
        return self.first_hour + self.hours

    def at_live_edge(self, now_hour: int) -> bool:
        """Whether a 404 for this file at ``now_hour`` may just mean "not published yet"."""
        return self.ready_hour >= now_hour - LIVE_EDGE_HOURS[self.dataset]

    def url(self, base_url: str) -> str:
        """The file's URL under ``base_url``."""
        return f"{base_url.rstrip('/')}/{self.path}"

    def label(self) -> str:
        """The period covered, for messages: ``2024-03-01 05:00`` or ``2024-03-01 (user)``."""
        start = moment_of(self.first_hour)
        if self.dataset == "pageviews":
            return f"{start:%Y-%m-%d %H}:00"
        return f"{start:%Y-%m-%d} ({self.name.rsplit('-', 1)[1].split('.')[0]})"


def hourly_item(hour: int) -> DumpItem:
    """The ``pageviews`` file of an hour."""
    at = moment_of(hour)
    return DumpItem(
        "pageviews",
        f"pageviews-{at:%Y%m%d-%H}0000.gz",
        f"pageviews/{at:%Y}/{at:%Y-%m}",
        hour,
        1,
    )


def complete_item(day_hour: int, agent: str) -> DumpItem:
    """The daily ``pageview_complete`` file of one agent for the day starting at ``day_hour``."""
    at = moment_of(day_hour)
    return DumpItem(
        "complete",
        f"pageviews-{at:%Y%m%d}-{agent}.bz2",
        f"pageview_complete/{at:%Y}/{at:%Y-%m}",
        day_hour,
        24,
    )


def items_between(
    first_hour: int,
    last_hour: int,
    datasets: Iterable[str] = ("pageviews",),
    agents: Sequence[str] = COMPLETE_AGENTS,
) -> Iterator[DumpItem]:
    """Every file covering hours ``first_hour`` … ``last_hour`` (inclusive), oldest first.

    Daily files are included for every day the range touches.
    """
    wanted = set(datasets)
    first_day, last_day = first_hour // 24, last_hour // 24
    for day in range(first_day, last_day + 1):
        if "pageviews" in wanted:
            for hour in range(max(first_hour, day * 24), min(last_hour, day * 24 + 23) + 1):
                yield hourly_item(hour)
        if "complete" in wanted:
            for agent in agents:
                yield complete_item(day * 24, agent)
