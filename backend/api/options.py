"""Query options of the extensions: flags, bounded numbers, limits, raw paths, CSV answers."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from flask import Response, current_app, request

from backend.api import params
from backend.api.problems import ApiProblem, invalid_request
from backend.api.responses import cached_response
from backend.settings import Settings

CSV_TYPE = "text/csv; charset=utf-8"
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off", "")


def settings() -> Settings:
    """The app's settings."""
    return current_app.config["WIKIVIEWS_SETTINGS"]


def raw_segments(marker: str, at_least: int) -> list[str]:
    """Still-encoded path segments after ``marker`` (Flask decodes ``%2F`` before routing)."""
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    path = urlsplit(raw).path if raw else request.path
    at = path.find(marker)
    segments = path[at + len(marker) :].split("/") if at >= 0 else []
    if len(segments) < at_least:
        raise ApiProblem(404, "not_found", "Invalid route")
    return segments


def flag(name: str) -> bool:
    """A boolean query parameter (``1``/``0``, ``true``/``false``, ``yes``/``no``)."""
    value = request.args.get(name, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise invalid_request(f"The parameter `{name}` must be 1 or 0 (true or false).")


def number(name: str, default: int, minimum: int, maximum: int, limit: str | None = None) -> int:
    """An integer query parameter; above ``maximum`` the 400 names ``limit`` when it is one."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    # str.isdigit() also accepts digits such as "²" that int() refuses.
    if not (raw.isascii() and raw.isdigit()):
        raise invalid_request(f"The parameter `{name}` must be a whole number.")
    value = int(raw)
    if value < minimum:
        raise invalid_request(f"The parameter `{name}` must be at least {minimum}.")
    if value > maximum and limit:
        raise limit_exceeded(limit, f"`{name}` is {value}", maximum)
    if value > maximum:
        raise invalid_request(f"The parameter `{name}` must be at most {maximum}.")
    return value


def limit_exceeded(setting: str, what: str, maximum: int) -> ApiProblem:
    """The 400 of a request beyond one of the extensions' limits, naming the setting."""
    return invalid_request(
        f"Limit exceeded: {what}, but the {setting} limit is {maximum} "
        f"(setting WIKIVIEWS_{setting.upper()})."
    )


def check_days(days: int) -> None:
    """The 400 naming ``max_days`` when a range spans more days than it allows."""
    maximum = settings().max_days
    if days > maximum:
        raise limit_exceeded("max_days", f"the range spans {days} days", maximum)


def output_format() -> str:
    """``json`` (the default) or ``csv`` from ``format=``, else the 400."""
    value = request.args.get("format", "json")
    if value not in ("json", "csv"):
        raise params.bad_parameter("format", ("json", "csv"))
    return value


def csv_response(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Response:
    """A cacheable CSV answer (RFC 4180 quoting, CRLF line ends, UTF-8)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return cached_response(out.getvalue().encode(), CSV_TYPE)
