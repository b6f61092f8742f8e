"""Wikimedia's pageview dump files: what a file name says, and where a file lives.

One type for both sides: the ingest identifies a local file by its name
(:func:`identify`), the fetcher names the files of a range of hours (:func:`hourly_dump`,
:func:`complete_dump`, :func:`dumps_between`) and finds them under a base URL
(``https://dumps.wikimedia.org/other`` or a mirror of it):

* ``pageviews/YYYY/YYYY-MM/pageviews-YYYYMMDD-HH0000.gz``: the hour starting at HH:00 UTC;
* ``pageview_complete/YYYY/YYYY-MM/pageviews-YYYYMMDD-{user,spider,automated}.bz2``: a day;
* ``pageview_complete/…/pageviews-YYYYMM-AGENT.bz2`` (a month) and the legacy
  ``pagecounts-YYYYMMDD-HHMMSS.gz``, named after the *end* of their hour, are read but not
  fetched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from backend.codes import Agent, Source
from backend.timeutil import EPOCH, day_number, hour_number, month_days, month_number

#: The datasets the fetcher knows: hourly ``pageviews`` and daily ``pageview_complete``.
DATASETS = ("pageviews", "complete")
COMPLETE_AGENTS = ("user", "spider", "automated")
#: How long after its period a file counts as the live edge, by dataset: a 404 then means
#: "not published yet" (hourly files usually appear within hours, daily files within days).
LIVE_EDGE_HOURS = {"pageviews": 48, "complete": 7 * 24}
#: The dataset of each kind of file.
_DATASET_OF = {
    "pageviews": "pageviews",
    "pagecounts": "pagecounts",
    "complete-daily": "complete",
    "complete-monthly": "complete",
}
_EPOCH = datetime(EPOCH.year, EPOCH.month, EPOCH.day)

_HOURLY = re.compile(r"^(pageviews|pagecounts)-(\d{8})-(\d{2})(\d{2})(\d{2})(?:\.gz|\.bz2)?$")
_COMPLETE_DAILY = re.compile(r"^pageviews-(\d{8})-(user|spider|automated)(?:\.bz2|\.gz)?$")
_COMPLETE_MONTHLY = re.compile(r"^pageviews-(\d{6})-(user|spider|automated)(?:\.bz2|\.gz)?$")


def hour_of(moment: datetime) -> int:
    """The store's hour number (hours since 1970-01-01 00:00 UTC) of a naive UTC datetime."""
    return int((moment - _EPOCH).total_seconds() // 3600)


def moment_of(hour: int) -> datetime:
    """The naive UTC datetime an hour number starts at."""
    return _EPOCH + timedelta(hours=hour)


@dataclass(frozen=True)
class DumpFile:
    """One dump file: its name, format, source, the hours it covers and (complete) its agent.

    ``path`` is where a local copy is (``None`` for a file still to be fetched).
    """

    name: str
    kind: str  # "pageviews" | "pagecounts" | "complete-daily" | "complete-monthly"
    source: Source
    first_hour: int
    hours: int
    agent: Agent | None = None
    path: Path | None = None

    @property
    def local_path(self) -> Path:
        """Where the local copy is (a file named but not fetched has none: ``ValueError``)."""
        if self.path is None:
            raise ValueError(f"{self.name}: no local copy")
        return self.path

    @property
    def dataset(self) -> str:
        """``pageviews``, ``complete`` or ``pagecounts``."""
        return _DATASET_OF[self.kind]

    @property
    def first_day(self) -> int:
        """Day number of the first covered hour."""
        return self.first_hour // 24

    @property
    def days(self) -> range:
        """Day numbers the file touches."""
        return range(self.first_hour // 24, (self.first_hour + self.hours - 1) // 24 + 1)

    @property
    def ready_hour(self) -> int:
        """The first hour after the covered period: the file cannot exist before it starts."""
        return self.first_hour + self.hours

    @property
    def key(self) -> str:
        """The name without its compression suffix: the same dump, however it was stored."""
        return dump_key(self.name)

    @property
    def directory(self) -> str:
        """Its month directory relative to the base URL, e.g. ``pageviews/2024/2024-03``."""
        at = moment_of(self.first_hour)
        top = "pageview_complete" if self.dataset == "complete" else self.dataset
        return f"{top}/{at:%Y}/{at:%Y-%m}"

    @property
    def remote_path(self) -> str:
        """The file's path relative to the base URL."""
        return f"{self.directory}/{self.name}"

    def url(self, base_url: str) -> str:
        """The file's URL under ``base_url``."""
        return f"{base_url.rstrip('/')}/{self.remote_path}"

    def at_live_edge(self, now_hour: int) -> bool:
        """Whether a 404 for this file at ``now_hour`` may just mean "not published yet"."""
        return self.ready_hour >= now_hour - LIVE_EDGE_HOURS.get(self.dataset, 48)

    def label(self) -> str:
        """The period covered, for messages: ``2024-03-01 05:00`` or ``2024-03-01 (user)``."""
        start = moment_of(self.first_hour)
        if self.agent is None:
            return f"{start:%Y-%m-%d %H}:00"
        return f"{start:%Y-%m-%d} ({self.agent.name.lower()})"


class UnknownFileName(ValueError):
    """The file name matches none of the dump formats."""


def _date(stamp: str) -> date:
    return datetime.strptime(stamp, "%Y%m%d").date()


def identify(path: Path | str) -> DumpFile:
    """Identify a dump by its name, or raise :class:`UnknownFileName`.

    ``pageviews-YYYYMMDD-HH0000`` holds the hour starting at HH:00 UTC; ``pagecounts-*``
    files are named after the end of their hour, so they hold the hour before. A
    :class:`~pathlib.Path` is kept as the file's ``path``; a plain string is only a name.
    """
    local = path if isinstance(path, Path) else None
    name = Path(path).name
    try:
        if match := _HOURLY.match(name):
            kind, stamp, hh = match.group(1), match.group(2), int(match.group(3))
            if hh > 23 or int(match.group(4)) > 59 or int(match.group(5)) > 59:
                raise UnknownFileName(f"{name}: invalid time in file name")
            hour = hour_number(_date(stamp), hh)
            if kind == "pagecounts":
                return DumpFile(name, "pagecounts", Source.PAGECOUNTS, hour - 1, 1, path=local)
            return DumpFile(name, "pageviews", Source.PAGEVIEWS, hour, 1, path=local)
        if match := _COMPLETE_DAILY.match(name):
            day = day_number(_date(match.group(1)))
            agent = Agent[match.group(2).upper()]
            return DumpFile(
                name, "complete-daily", Source.COMPLETE, day * 24, 24, agent, path=local
            )
        if match := _COMPLETE_MONTHLY.match(name):
            stamp = match.group(1)
            if not 1 <= int(stamp[4:]) <= 12:
                raise UnknownFileName(f"{name}: invalid month in file name")
            days = month_days(month_number(int(stamp[:4]), int(stamp[4:])))
            agent = Agent[match.group(2).upper()]
            return DumpFile(
                name,
                "complete-monthly",
                Source.COMPLETE,
                days[0] * 24,
                len(days) * 24,
                agent,
                path=local,
            )
    except ValueError as exc:
        if isinstance(exc, UnknownFileName):
            raise
        raise UnknownFileName(f"{name}: invalid date in file name") from exc
    raise UnknownFileName(
        f"{name}: not a pageviews-YYYYMMDD-HH0000, pageviews-YYYYMMDD-AGENT, "
        "pageviews-YYYYMM-AGENT or pagecounts-YYYYMMDD-HHMMSS file"
    )


def is_dump_name(name: str) -> bool:
    """Whether a file found in a directory is taken as a dump (by its name alone).

    The selection of ``wikiviews ingest`` and ``backfill`` when they search a directory:
    names starting ``pageviews-`` or ``pagecounts-``, but not the checksum and listing files
    published beside the dumps. A file named explicitly is taken whatever its name.
    """
    return name.startswith(("pageviews-", "pagecounts-")) and not name.endswith(
        (".json", ".md5", ".sha1", ".txt")
    )


def dump_order(name: str) -> tuple[int, str]:
    """Sort key of the files of a load: oldest hour first, then by name (unknown names first)."""
    try:
        return identify(name).first_hour, name
    except UnknownFileName:
        return 0, name


def dump_key(name: str) -> str:
    """A file name without its compression suffix: the same dump, however it was stored."""
    for suffix in (".gz", ".bz2"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def hourly_dump(hour: int) -> DumpFile:
    """The ``pageviews`` file of an hour, as published."""
    return DumpFile(
        f"pageviews-{moment_of(hour):%Y%m%d-%H}0000.gz", "pageviews", Source.PAGEVIEWS, hour, 1
    )


def complete_dump(day_hour: int, agent: str) -> DumpFile:
    """The daily ``pageview_complete`` file of one agent for the day starting at ``day_hour``."""
    return DumpFile(
        f"pageviews-{moment_of(day_hour):%Y%m%d}-{agent}.bz2",
        "complete-daily",
        Source.COMPLETE,
        day_hour,
        24,
        Agent[agent.upper()],
    )


def dumps_between(
    first_hour: int,
    last_hour: int,
    datasets: Iterable[str] = ("pageviews",),
    agents: Sequence[str] = COMPLETE_AGENTS,
) -> Iterator[DumpFile]:
    """Every published file covering hours ``first_hour`` … ``last_hour`` (inclusive).

    Oldest first; daily files are included for every day the range touches.
    """
    wanted = set(datasets)
    first_day, last_day = first_hour // 24, last_hour // 24
    for day in range(first_day, last_day + 1):
        if "pageviews" in wanted:
            for hour in range(max(first_hour, day * 24), min(last_hour, day * 24 + 23) + 1):
                yield hourly_dump(hour)
        if "complete" in wanted:
            for agent in agents:
                yield complete_dump(day * 24, agent)
