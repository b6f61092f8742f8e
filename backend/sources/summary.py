"""The summary's arithmetic, in one place: 30-day totals, their change, the zero-filled series.

Both sources build a :class:`~backend.sources.Summary` here from the daily views of the
:data:`READ_DAYS` (or more) days ending at ``through``, so the gadget sees the same numbers
whether they come from the store or over HTTP.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from backend.sources.types import Summary

#: Days the summary reads whatever ``days`` is: its totals compare two 30-day periods.
READ_DAYS = 60
DEFAULT_DAYS = 60
PERIOD = 30


def read_start(through: date, days: int) -> date:
    """The first day whose views a summary of ``days`` days ending at ``through`` needs."""
    return through - timedelta(days=max(days, READ_DAYS) - 1)


def summarise(
    project: str,
    title: str,
    through: date,
    daily: Mapping[date, int],
    *,
    days: int,
    rank: int | None,
    redirects: list[str] | None = None,
) -> Summary:
    """The summary of ``daily`` (views by day; missing days count 0) ending at ``through``."""
    total = sum(daily.get(through - timedelta(days=n), 0) for n in range(PERIOD))
    previous = sum(daily.get(through - timedelta(days=n), 0) for n in range(PERIOD, 2 * PERIOD))
    first = through - timedelta(days=days - 1)
    series = [(day, daily.get(day, 0)) for day in (first + timedelta(days=n) for n in range(days))]
    return Summary(
        project=project,
        title=title,
        through=through,
        series=series,
        total_30=total,
        average_30=round(total / PERIOD, 1),
        previous_total_30=previous,
        change_pct=round((total - previous) * 100 / previous, 1) if previous else None,
        rank=rank,
        rank_date=through,
        redirects=list(redirects or []),
    )
