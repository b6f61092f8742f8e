"""Periods and their page titles."""

from __future__ import annotations

from datetime import date

import pytest

from bot.periods import DEFAULT_PAGE_PATTERNS, latest_complete, period_of


def test_week_runs_monday_to_sunday() -> None:
    week = period_of("week", date(2024, 5, 1))  # a Wednesday
    assert (week.start, week.end) == (date(2024, 4, 29), date(2024, 5, 5))
    assert week.previous().end == date(2024, 4, 28)
    assert week.page_title(DEFAULT_PAGE_PATTERNS["week"]) == "Project:Top articles/Weekly/2024-W18"


def test_month_knows_leap_years() -> None:
    assert period_of("month", date(2024, 2, 10)).end == date(2024, 2, 29)
    assert period_of("month", date(2024, 3, 1)).previous().start == date(2024, 2, 1)
    assert period_of("month", date(2024, 1, 5)).previous().start == date(2023, 12, 1)


def test_iso_week_year_is_used_for_week_titles() -> None:
    week = period_of("week", date(2024, 12, 31))
    assert week.page_title("{year}-W{week}") == "2025-W01"


@pytest.mark.parametrize(
    ("kind", "through", "start", "end"),
    [
        ("day", date(2024, 5, 31), date(2024, 5, 31), date(2024, 5, 31)),
        ("month", date(2024, 5, 31), date(2024, 5, 1), date(2024, 5, 31)),
        ("month", date(2024, 5, 30), date(2024, 4, 1), date(2024, 4, 30)),
        ("week", date(2024, 5, 4), date(2024, 4, 22), date(2024, 4, 28)),
        ("week", date(2024, 5, 5), date(2024, 4, 29), date(2024, 5, 5)),
    ],
)
def test_latest_complete(kind, through, start, end) -> None:
    period = latest_complete(kind, through)
    assert (period.start, period.end) == (start, end)


def test_unknown_kind() -> None:
    with pytest.raises(ValueError):
        period_of("year", date(2024, 1, 1))
