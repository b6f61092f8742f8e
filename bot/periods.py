"""Report periods (a day, an ISO week, a calendar month) and the titles of their pages."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

KINDS = ("day", "week", "month")

#: Default report page titles per period kind; fields: kind, start, end, year, month, week.
DEFAULT_PAGE_PATTERNS = {
    "day": "Project:Top articles/Daily/{start}",
    "week": "Project:Top articles/Weekly/{year}-W{week}",
    "month": "Project:Top articles/Monthly/{year}-{month}",
}
DEFAULT_CURRENT_PAGES = {
    "day": "Project:Top articles/Daily",
    "week": "Project:Top articles/Weekly",
    "month": "Project:Top articles/Monthly",
}


@dataclass(frozen=True)
class Period:
    """An inclusive range of days of one kind."""

    kind: str
    start: date
    end: date

    @property
    def days(self) -> int:
        """How many days the period has."""
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same kind just before this one."""
        return period_of(self.kind, self.start - timedelta(days=1))

    def label(self) -> str:
        """``2024-05-01`` for a day, ``2024-05-01 – 2024-05-07`` for longer periods."""
        if self.kind == "day":
            return self.start.isoformat()
        return f"{self.start.isoformat()} – {self.end.isoformat()}"

    def key(self) -> str:
        """A stable identifier (state files, the current page's period comment)."""
        return f"{self.kind}:{self.start.isoformat()}/{self.end.isoformat()}"

    def page_title(self, pattern: str) -> str:
        """The report page title for this period from ``pattern`` (see the module constants)."""
        iso_year, iso_week, _ = self.start.isocalendar()
        return pattern.format(
            kind=self.kind,
            start=self.start.isoformat(),
            end=self.end.isoformat(),
            year=iso_year if self.kind == "week" else self.start.year,
            month=f"{self.start.month:02d}",
            week=f"{iso_week:02d}",
        )


def period_of(kind: str, day: date) -> Period:
    """The period of ``kind`` that contains ``day`` (weeks run Monday to Sunday)."""
    if kind == "day":
        return Period(kind, day, day)
    if kind == "week":
        start = day - timedelta(days=day.weekday())
        return Period(kind, start, start + timedelta(days=6))
    if kind == "month":
        last = calendar.monthrange(day.year, day.month)[1]
        return Period(kind, day.replace(day=1), day.replace(day=last))
    raise ValueError(f"unknown period {kind!r} (expected one of {', '.join(KINDS)})")


def latest_complete(kind: str, through: date) -> Period:
    """The latest period of ``kind`` that ends on or before ``through``."""
    period = period_of(kind, through)
    return period if period.end <= through else period.previous()
