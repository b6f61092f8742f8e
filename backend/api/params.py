"""Path parameters of the pageview routes: validated and normalised as Wikimedia does.

Validation order follows the reference service: allowed values first, then the project,
then the dates. Date errors are collected and answered together as an array.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import unquote_to_bytes

from backend.api.problems import ApiProblem, bad_parameter, invalid_request
from backend.timeutil import (
    day_number,
    day_stamp,
    hour_stamp,
    month_of_day,
    month_stamp,
    whole_months,
)

ACCESS = ("all-access", "desktop", "mobile-app", "mobile-web")
AGENTS = ("all-agents", "automated", "spider", "user")
ARTICLE_GRANULARITIES = ("daily", "monthly")
AGGREGATE_GRANULARITIES = ("hourly", "daily", "monthly")
LEGACY_ACCESS_SITES = ("all-sites", "desktop-site", "mobile-site")
#: Longest title accepted: Wikimedia's dumps turn longer titles into ``-``.
MAX_TITLE_BYTES = 512

_PROJECT = re.compile(r"^[a-z0-9_.\-]+$")
_DIGITS = re.compile(r"^[0-9]+$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def choice(name: str, value: str, allowed: tuple[str, ...]) -> str:
    """``value`` if it is one of ``allowed``, else the 400 Wikimedia sends."""
    if value not in allowed:
        raise bad_parameter(name, allowed)
    return value


def project(raw: str, *, legacy: bool = False) -> str:
    """A project as the store names it: trimmed, lower case, ``www.`` and ``.org`` dropped."""
    name = raw.strip().lower()
    name = name.removeprefix("www.").removesuffix(".org")
    if not _PROJECT.match(name):
        raise invalid_request("The parameter `project` contains invalid charaters.")
    return name


def country(raw: str) -> str:
    """An ISO 3166-1 alpha-2 code, upper case as the store keeps it."""
    if not _COUNTRY.match(raw):
        raise invalid_request(
            "The parameter `country` must be an ISO 3166-1 alpha-2 code in upper case, like FR"
        )
    return raw


def article(raw_segment: str) -> str:
    """A title from its still-encoded path segment: decoded once, spaces as underscores."""
    if _BAD_ESCAPE.search(raw_segment):
        raise invalid_request(
            "The parameter `article` has invalid percent-encoding: '%' must be followed by "
            "two hexadecimal digits (encode '%' itself as %25)."
        )
    try:
        title = unquote_to_bytes(raw_segment).decode("utf-8")
    except UnicodeDecodeError:
        raise invalid_request(
            "The parameter `article` is not valid UTF-8 after percent-decoding."
        ) from None
    title = title.replace(" ", "_")
    if not title:
        raise invalid_request("The parameter `article` is empty.")
    if len(title.encode()) > MAX_TITLE_BYTES:
        raise invalid_request(f"The parameter `article` is longer than {MAX_TITLE_BYTES} bytes.")
    if any(ch < " " or ch == "\x7f" for ch in title):
        raise invalid_request("The parameter `article` contains control characters.")
    if title in (".", "..") or title.startswith(("./", "../")) or "/./" in title or "/../" in title:
        raise invalid_request("The parameter `article` is a relative path, not a title.")
    return title


@dataclass(frozen=True)
class Range:
    """An inclusive range of hours (``first_hour``..``last_hour``) from two timestamps."""

    first_hour: int
    last_hour: int

    @property
    def first_day(self) -> int:
        return self.first_hour // 24

    @property
    def last_day(self) -> int:
        return self.last_hour // 24


def _timestamp(which: str, raw: str, with_hour: bool) -> tuple[int | None, str | None]:
    """(hour number, None) or (None, error text) for one timestamp."""
    fmt = "YYYYMMDDHH" if with_hour else "YYYYMMDD"
    invalid = f"{which} timestamp is invalid, must be a valid date in {fmt} format"
    if len(raw) > 10 or not _DIGITS.match(raw) or len(raw) not in ((10,) if with_hour else (8, 10)):
        return None, invalid
    hour = int(raw[8:10]) if with_hour else 0
    try:
        moment = datetime(int(raw[0:4]), int(raw[4:6]), int(raw[6:8]), hour)
    except ValueError:
        return None, invalid
    return day_number(moment.date()) * 24 + hour, None


def date_range(start: str, end: str, *, with_hour: bool) -> Range:
    """Both timestamps validated; without ``with_hour`` the hour part is ignored."""
    first, error_start = _timestamp("start", start, with_hour)
    last, error_end = _timestamp("end", end, with_hour)
    errors = [e for e in (error_start, error_end) if e]
    if errors:
        raise invalid_request(errors)
    assert first is not None and last is not None
    if first > last:
        raise invalid_request(["start timestamp should be before the end timestamp"])
    return Range(first, last)


def full_months(span: Range) -> tuple[int, int]:
    """First and last month numbers wholly inside ``span`` (its days), or the 400."""
    months = whole_months(span.first_day, span.last_day)
    if months is None:
        raise invalid_request(["no full months found in specified date range"])
    return months


def top_period(year: str, month: str, day: str) -> tuple[int | None, int | None]:
    """(day number, None) for a day, (None, month number) for ``all-days``, or the 400."""
    error = invalid_request(["Given year/month/day is invalid date"])
    moment = _year_month_day(year, month, "01" if day == "all-days" else day, error)
    if day == "all-days":
        return None, month_of_day(day_number(moment))
    return day_number(moment), None


def top_month(year: str, month: str) -> int:
    """Month number of ``YYYY``/``MM``, or the 400."""
    moment = _year_month_day(
        year, month, "01", invalid_request(["Given year/month is invalid date"])
    )
    return month_of_day(day_number(moment))


def _year_month_day(year: str, month: str, day: str, error: ApiProblem) -> date:
    if not (
        len(year) == 4 and len(month) == 2 and len(day) == 2 and _DIGITS.match(year + month + day)
    ):
        raise error
    try:
        moment = date(int(year), int(month), int(day))
    except ValueError:
        raise error from None
    return moment


def stamp_hour(hour: int) -> str:
    """``YYYYMMDDHH`` of an hour number (the API's hourly timestamp)."""
    return hour_stamp(hour)


def stamp_day(day: int) -> str:
    """``YYYYMMDD00`` of a day number (the API's daily timestamp)."""
    return day_stamp(day) + "00"


def stamp_month(month: int) -> str:
    """``YYYYMM0100`` of a month number (the API's monthly timestamp)."""
    return month_stamp(month) + "00"
