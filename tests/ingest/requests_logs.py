"""Raw request log lines for the tests: webrequest-like JSON and combined access logs."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"


def recent_hour(hours_ago: int = 3) -> int:
    """An hour number a few hours before now (actor state of it is kept)."""
    return int(time.time() // 3600) - hours_ago


def early_hour_of_yesterday(hour_of_day: int = 1) -> int:
    """An hour number of yesterday (UTC), ``hour_of_day`` hours after its midnight.

    A test's few hours after it stay in one UTC day whatever the time of the run (actors are
    keyed per day, so a log crossing midnight has more of them), and that day's actor state is
    still kept (it lives 48 hours from the day's start).
    """
    return (int(time.time() // 86400) - 1) * 24 + hour_of_day


def stamp(hour: int, minute: int = 0, second: int = 0) -> str:
    """The ``dt`` of a webrequest line."""
    at = datetime.fromtimestamp(hour * 3600 + minute * 60 + second, UTC)
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def clf_stamp(hour: int, minute: int = 0) -> str:
    """The ``[time_local]`` of a combined log line, written in UTC+02:00."""
    at = datetime.fromtimestamp(hour * 3600 + minute * 60 + 7200, UTC)
    return at.strftime("%d/%b/%Y:%H:%M:%S +0200")


def json_line(
    hour: int,
    minute: int = 0,
    *,
    path: str = "/wiki/Foo",
    query: str = "",
    host: str = "en.wikipedia.org",
    ip: str = "81.2.69.160",
    ua: str = FIREFOX,
    status: int = 200,
    ctype: str = "text/html; charset=UTF-8",
    referer: str = "-",
    hostname: str = "cp1001",
    sequence: int | None = None,
    second: int = 0,
    x_analytics: str = "",
) -> str:
    """One webrequest-like JSON line."""
    record = {
        "hostname": hostname,
        "dt": stamp(hour, minute, second),
        "ip": ip,
        "http_status": str(status),
        "http_method": "GET",
        "uri_host": host,
        "uri_path": path,
        "uri_query": query,
        "content_type": ctype,
        "user_agent": ua,
        "x_analytics": x_analytics,
        "referer": referer,
        "accept_language": "en",
    }
    if sequence is not None:
        record["sequence"] = sequence
    return json.dumps(record)


def combined_line(
    hour: int,
    minute: int = 0,
    *,
    host: str | None = "wiki.example.org",
    path: str = "/wiki/Foo",
    ip: str = "81.2.69.160",
    ua: str = FIREFOX,
    status: int = 200,
    referer: str = "-",
    ctype: str | None = "text/html; charset=UTF-8",
) -> str:
    """One combined access-log line, led by the host and followed by the content type."""
    line = (
        f'{ip} - - [{clf_stamp(hour, minute)}] "GET {path} HTTP/1.1" {status} 512 '
        f'"{referer}" "{ua}"'
    )
    if host:
        line = f"{host} {line}"
    if ctype is not None:
        line += f' "{ctype}"'
    return line
