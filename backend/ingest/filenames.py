"""Tell what a dump file holds from its name: format, source, agent and the hours it covers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from backend.codes import Agent, Source
from backend.timeutil import day_number, hour_number, month_days, month_number

_HOURLY = re.compile(r"^(pageviews|pagecounts)-(\d{8})-(\d{2})(\d{2})(\d{2})(?:\.gz|\.bz2)?$")
_COMPLETE_DAILY = re.compile(r"^pageviews-(\d{8})-(user|spider|automated)(?:\.bz2|\.gz)?$")
_COMPLETE_MONTHLY = re.compile(r"^pageviews-(\d{6})-(user|spider|automated)(?:\.bz2|\.gz)?$")


@dataclass(frozen=True)
class DumpFile:
    """What a dump file is: its format, source, the hours it covers and (complete) its agent."""

    path: Path
    kind: str  # "pageviews" | "pagecounts" | "complete-daily" | "complete-monthly"
    source: Source
    first_hour: int
    hours: int
    agent: Agent | None = None

    @property
    def first_day(self) -> int:
        """Day number of the first covered hour."""
        return self.first_hour // 24

    @property
    def days(self) -> range:
        """Day numbers the file touches."""
        return range(self.first_hour // 24, (self.first_hour + self.hours - 1) // 24 + 1)


class UnknownFileName(ValueError):
    """The file name matches none of the dump formats."""


def _date(stamp: str) -> date:
    return datetime.strptime(stamp, "%Y%m%d").date()


def identify(path: Path) -> DumpFile:
    """Identify a dump by its name, or raise :class:`UnknownFileName`.

    ``pageviews-YYYYMMDD-HH0000`` holds the hour starting at HH:00 UTC; ``pagecounts-*``
    files are named after the end of their hour, so they hold the hour before.
    """
    name = path.name
    try:
        if match := _HOURLY.match(name):
            kind, stamp, hh = match.group(1), match.group(2), int(match.group(3))
            if hh > 23 or int(match.group(4)) > 59 or int(match.group(5)) > 59:
                raise UnknownFileName(f"{name}: invalid time in file name")
            hour = hour_number(_date(stamp), hh)
            if kind == "pagecounts":
                return DumpFile(path, "pagecounts", Source.PAGECOUNTS, hour - 1, 1)
            return DumpFile(path, "pageviews", Source.PAGEVIEWS, hour, 1)
        if match := _COMPLETE_DAILY.match(name):
            day = day_number(_date(match.group(1)))
            agent = Agent[match.group(2).upper()]
            return DumpFile(path, "complete-daily", Source.COMPLETE, day * 24, 24, agent)
        if match := _COMPLETE_MONTHLY.match(name):
            stamp = match.group(1)
            month = month_number(int(stamp[:4]), int(stamp[4:]))
            if not 1 <= int(stamp[4:]) <= 12:
                raise UnknownFileName(f"{name}: invalid month in file name")
            days = month_days(month)
            agent = Agent[match.group(2).upper()]
            return DumpFile(
                path, "complete-monthly", Source.COMPLETE, days[0] * 24, len(days) * 24, agent
            )
    except ValueError as exc:
        if isinstance(exc, UnknownFileName):
            raise
        raise UnknownFileName(f"{name}: invalid date in file name") from exc
    raise UnknownFileName(
        f"{name}: not a pageviews-YYYYMMDD-HH0000, pageviews-YYYYMMDD-AGENT, "
        "pageviews-YYYYMM-AGENT or pagecounts-YYYYMMDD-HHMMSS file"
    )
