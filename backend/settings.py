"""Every setting once: its name, default and help, read from ``WIKIVIEWS_*`` variables.

Settings are data: :data:`SETTINGS` lists them, :func:`load_settings` reads them from the
environment, and the README's settings table is checked against this list by the tests.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class InvalidSetting(ValueError):
    """A ``WIKIVIEWS_*`` variable whose value cannot be used."""


@dataclass(frozen=True)
class Setting:
    """One setting: ``WIKIVIEWS_<NAME>`` in the environment, ``name`` on :class:`Settings`."""

    name: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str
    #: Whether an empty variable is a value (``WIKIVIEWS_RATE_LIMIT=`` turns the limit off)
    #: rather than "unset".
    empty_is_value: bool = False


def _parse_bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError("expected 1/0, true/false, yes/no or on/off")


def _parse_connections(raw: str) -> int:
    value = int(raw)
    if not 1 <= value <= 3:
        raise ValueError("must be 1, 2 or 3 (the dumps host allows 3 connections)")
    return value


def _parse_positive(raw: str) -> int:
    value = int(raw)
    if value < 1:
        raise ValueError("must be a positive number")
    return value


def _parse_order(raw: str) -> str:
    if raw not in ("oldest", "newest"):
        raise ValueError("must be oldest or newest")
    return raw


def _parse_retention(raw: str) -> int:
    value = int(raw)
    if not 1 <= value <= 90:
        raise ValueError("must be between 1 and 90 days (raw logs are deleted within 90 days)")
    return value


def _parse_at_least(floor: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        value = int(raw)
        if value < floor:
            raise ValueError(f"must be at least {floor} (Wikimedia's privacy floor)")
        return value

    return parse


def _default_data_dir() -> str:
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(Path.home(), ".local", "share")
    return os.path.join(base, "wikiviews")


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "data_dir",
        None,
        "Directory for the embedded SQLite store and local state "
        "(default: $XDG_DATA_HOME/wikiviews or ~/.local/share/wikiviews).",
    ),
    Setting(
        "database_url",
        None,
        "SQLAlchemy URL of the store: postgresql+psycopg://… or mysql+pymysql://… "
        "(default: SQLite file wikiviews.sqlite3 in the data directory).",
    ),
    Setting(
        "hourly_window_days",
        7,
        "Days of per-page hourly counts kept for the hourly window (0 turns it off). "
        "It is filled only by loads restricted with --project unless --hourly is given.",
        int,
    ),
    Setting(
        "staging_days",
        3,
        "Complete days younger than this stay as plain daily rows before they are packed "
        "into per-page monthly series.",
        int,
    ),
    Setting(
        "top_size",
        1000,
        "Entries kept per precomputed top list (Wikimedia keeps 1000).",
        int,
    ),
    Setting("bind", "127.0.0.1:8000", "Address and port `wikiviews serve` listens on."),
    Setting("workers", 2, "gunicorn worker processes of `wikiviews serve`.", int),
    Setting(
        "allow_anonymous",
        False,
        "Answer requests that send neither User-Agent nor Api-User-Agent (default: 403).",
        _parse_bool,
    ),
    Setting(
        "cache_seconds",
        14400,
        "max-age and s-maxage of successful API responses (Wikimedia sends 14400).",
        int,
    ),
    Setting(
        "max_days",
        3660,
        "Longest date range of one request to the /api/wikiviews/v1/ extensions, in days.",
        int,
    ),
    Setting(
        "max_articles",
        50,
        "Most articles one request to the /api/wikiviews/v1/ extensions may name.",
        int,
    ),
    Setting(
        "query_timeout_ms",
        5000,
        "Longest a query of the extensions may run before the request gets a 503 (0: no limit).",
        int,
    ),
    Setting(
        "rate_limit",
        "50 per second",
        "Requests per client to the extensions (flask-limiter syntax; empty: no limit).",
        empty_is_value=True,
    ),
    Setting(
        "redis_url",
        "",
        "Redis URL for the rate limiter's counters, shared by all workers "
        "(default: in the memory of each worker).",
    ),
    Setting(
        "fetch_base_url",
        "https://dumps.wikimedia.org/other",
        "Where `wikiviews fetch` finds the dumps: the `other/` directory of "
        "dumps.wikimedia.org or of a mirror (holding pageviews/ and pageview_complete/).",
    ),
    Setting(
        "fetch_connections",
        3,
        "Connections `wikiviews fetch` opens at once, 1 to 3 (the dumps host allows 3).",
        _parse_connections,
    ),
    Setting(
        "fetch_retries",
        5,
        "Retries of a download that makes no progress, with exponential backoff.",
        int,
    ),
    Setting(
        "fetch_poll_seconds",
        600,
        "Seconds between two polls of `wikiviews fetch --follow` for new hours.",
        _parse_positive,
    ),
    Setting(
        "fetch_order",
        "oldest",
        "Order of a back-fill: `oldest` first or `newest` first.",
        _parse_order,
    ),
    Setting(
        "fetch_download_dir",
        "",
        "Where downloads wait for their ingest (default: downloads/ in the data directory).",
    ),
    Setting(
        "fetch_user_agent",
        "",
        "User-Agent of `wikiviews fetch` (default: wikiviews/VERSION and what it is; "
        "add a contact address, as Wikimedia asks of automated clients).",
    ),
    # Raw request logs (`wikiviews ingest-requests`, `check`, `purge`, `publish`).
    Setting(
        "request_hosts",
        "",
        "Hosts of your own wiki in raw request logs, as `host=project` pairs separated by "
        "commas (`wiki.example.org=example.wiki`); Wikimedia's hosts need no entry.",
    ),
    Setting(
        "request_article_path",
        "/wiki/",
        "Article path prefix of your wiki ($wgArticlePath without `$1`).",
    ),
    Setting("request_script_path", "/w", "Script path of your wiki ($wgScriptPath)."),
    Setting(
        "raw_log_dir",
        "",
        "Directory of raw request logs that `wikiviews purge` deletes after the retention.",
    ),
    Setting(
        "raw_log_retention_days",
        90,
        "Days raw request logs are kept in the raw-log directory (at most 90).",
        _parse_retention,
    ),
    Setting(
        "hourly_row_retention_days",
        0,
        "Days `wikiviews purge` keeps hourly per-page rows (0: the hourly window decides).",
        int,
    ),
    Setting(
        "automated_max_pageviews",
        800,
        "An actor with more pageviews than this in a day is automated (Wikimedia: 800).",
        _parse_positive,
    ),
    Setting(
        "automated_max_rate",
        30.0,
        "An actor reading this many pages a minute or more is automated (Wikimedia: 30).",
        float,
    ),
    Setting(
        "country_min_actors",
        1000,
        "Per-article country counts are published only above this many distinct readers "
        "(Wikimedia's floor: 1000; only higher values are accepted).",
        _parse_at_least(1000),
    ),
    Setting(
        "country_month_min_views",
        100,
        "Monthly country totals below this are not published (Wikimedia's floor: 100).",
        _parse_at_least(100),
    ),
    Setting(
        "protected_countries",
        "",
        "Country codes to withhold in addition to the built-in protected list (comma-separated).",
    ),
    Setting(
        "gate_drop_ratio",
        0.5,
        "A new hour below this share of both the previous hour and the same hour a week "
        "earlier is held back.",
        float,
    ),
    Setting(
        "gate_spike_ratio",
        3.0,
        "A new hour above this multiple of both comparison hours is held back.",
        float,
    ),
    Setting(
        "gate_min_views",
        1000,
        "The publish gate judges only hours whose comparison hours have at least this many views.",
        int,
    ),
)


@dataclass(frozen=True)
class Settings:
    """The resolved settings of one process."""

    data_dir: str = field(default_factory=_default_data_dir)
    database_url: str = ""
    hourly_window_days: int = 7
    staging_days: int = 3
    top_size: int = 1000
    bind: str = "127.0.0.1:8000"
    workers: int = 2
    allow_anonymous: bool = False
    cache_seconds: int = 14400
    max_days: int = 3660
    max_articles: int = 50
    query_timeout_ms: int = 5000
    rate_limit: str = "50 per second"
    redis_url: str = ""
    fetch_base_url: str = "https://dumps.wikimedia.org/other"
    fetch_connections: int = 3
    fetch_retries: int = 5
    fetch_poll_seconds: int = 600
    fetch_order: str = "oldest"
    fetch_download_dir: str = ""
    fetch_user_agent: str = ""
    request_hosts: str = ""
    request_article_path: str = "/wiki/"
    request_script_path: str = "/w"
    raw_log_dir: str = ""
    raw_log_retention_days: int = 90
    hourly_row_retention_days: int = 0
    automated_max_pageviews: int = 800
    automated_max_rate: float = 30.0
    country_min_actors: int = 1000
    country_month_min_views: int = 100
    protected_countries: str = ""
    gate_drop_ratio: float = 0.5
    gate_spike_ratio: float = 3.0
    gate_min_views: int = 1000

    def __post_init__(self) -> None:
        if not self.database_url:
            path = os.path.join(self.data_dir, "wikiviews.sqlite3")
            object.__setattr__(self, "database_url", f"sqlite:///{path}")


def load_settings(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Read every setting from ``environ`` (default: the process environment).

    Keyword arguments win over the environment; unknown names raise ``TypeError``.
    """
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = environ.get(f"WIKIVIEWS_{setting.name.upper()}")
        if raw is not None and (raw != "" or setting.empty_is_value):
            try:
                values[setting.name] = setting.parse(raw)
            except ValueError as exc:
                raise InvalidSetting(
                    f"WIKIVIEWS_{setting.name.upper()}={raw!r} is not valid: {exc}"
                ) from exc
    values.update({k: v for k, v in overrides.items() if v is not None})
    if values.get("data_dir") is None:
        values.pop("data_dir", None)
    return Settings(**values)
