"""Day, hour and month numbers as the store keeps them (counted from 1970-01-01 UTC)."""

from __future__ import annotations

import calendar
import functools
import re
from datetime import date

EPOCH = date(1970, 1, 1)
_EPOCH_ORDINAL = EPOCH.toordinal()
FULL_DAY_MASK = (1 << 24) - 1


def day_number(d: date) -> int:
    """Days since 1970-01-01."""
    return d.toordinal() - _EPOCH_ORDINAL


def day_date(day: int) -> date:
    """The date of a day number."""
    return date.fromordinal(day + _EPOCH_ORDINAL)


def hour_number(d: date, hour: int) -> int:
    """Hours since 1970-01-01 00:00 UTC of ``hour`` on ``d``."""
    return day_number(d) * 24 + hour


def month_number(year: int, month: int) -> int:
    """Months since January 1970."""
    return (year - 1970) * 12 + month - 1


def month_of_day(day: int) -> int:
    """The month number a day number falls in."""
    d = day_date(day)
    return month_number(d.year, d.month)


def month_start(month: int) -> date:
    """The first date of a month number."""
    return date(1970 + month // 12, month % 12 + 1, 1)


def month_days(month: int) -> range:
    """The day numbers of a month number (December 9999 included)."""
    first = month_start(month)
    start = day_number(first)
    return range(start, start + calendar.monthrange(first.year, first.month)[1])


def whole_months(first_day: int, last_day: int) -> tuple[int, int] | None:
    """First and last month numbers wholly inside the days ``[first_day, last_day]``, or
    ``None`` when no month is (Wikimedia's monthly trimming)."""
    first_month, last_month = month_of_day(first_day), month_of_day(last_day)
    if month_days(first_month)[0] != first_day:
        first_month += 1
    if month_days(last_month)[-1] != last_day:
        last_month -= 1
    return (first_month, last_month) if first_month <= last_month else None


@functools.lru_cache(maxsize=1 << 16)
def day_stamp(day: int) -> str:
    """``YYYYMMDD`` of a day number (memoised: series format the same days again and again)."""
    return f"{day_date(day):%Y%m%d}"


def month_stamp(month: int) -> str:
    """``YYYYMM01`` of a month number."""
    return f"{month_start(month):%Y%m}01"


def hour_stamp(hour: int) -> str:
    """``YYYYMMDDHH`` of an hour number."""
    return f"{day_stamp(hour // 24)}{hour % 24:02d}"


_HOUR = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})(?:[T -]?(\d{2}))(?::?00(?::?00)?)?Z?$")


def parse_hour(value: str) -> int | None:
    """The hour number of ``YYYYMMDDHH`` (also ``YYYYMMDD-HH``, ``YYYY-MM-DDTHH[:00]``).

    Returns ``None`` for anything of another shape; raises :class:`ValueError` for an
    impossible date or hour.
    """
    match = _HOUR.match(value.strip())
    if match is None:
        return None
    year, month, day, hour = (int(g) for g in match.groups())
    if hour > 23:
        raise ValueError(f"{value}: not a valid hour (hour must be 00 to 23)")
    try:
        return hour_number(date(year, month, day), hour)
    except ValueError as exc:
        raise ValueError(f"{value}: not a valid hour ({exc})") from exc
