"""Every setting once: its name, default, help and what it accepts, read from ``WIKIVIEWS_*``.

Settings are data: each field of :class:`Settings` is one setting, declared with
:func:`_setting` (its default, its help, how to read it from a string and what it
accepts). :data:`SETTINGS` lists them for the documentation and its tests;
:func:`load_settings` reads them from the environment and refuses any bad value with one line
naming the variable and what it accepts.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import MISSING, Field, dataclass, field, fields
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError


class InvalidSetting(ValueError):
    """A setting whose value cannot be used; the message names it and what it accepts."""


@dataclass(frozen=True)
class Setting:
    """One setting: ``WIKIVIEWS_<NAME>`` in the environment, ``name`` on :class:`Settings`."""

    name: str
    #: The default value (``None`` where it is computed: see ``shown_default``).
    default: Any
    help: str
    parse: Callable[[str], Any] = str
    #: What the setting accepts, in the words of the error a bad value gets.
    accepts: str = "any text"
    #: The default as the documentation shows it (``None``: the default itself; empty:
    #: unset by default).
    shown_default: str | None = None
    #: Whether an empty variable is a value (``WIKIVIEWS_RATE_LIMIT=`` turns the limit off)
    #: rather than "unset".
    empty_is_value: bool = False

    @property
    def variable(self) -> str:
        """The environment variable: ``WIKIVIEWS_<NAME>``."""
        return f"WIKIVIEWS_{self.name.upper()}"


# -- readers: each takes the raw string and returns the value or raises ValueError -----------


def _bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError


def _integer(low: int, high: int | None = None) -> Callable[[str], int]:
    def read(raw: str) -> int:
        value = int(raw.strip())
        if value < low or (high is not None and value > high):
            raise ValueError
        return value

    return read


def _one_of(*choices: str) -> Callable[[str], str]:
    def read(raw: str) -> str:
        if raw.strip() not in choices:
            raise ValueError
        return raw.strip()

    return read


#: How errors name a store's backend.
_BACKEND_NAMES = {"sqlite": "SQLite", "mysql": "MariaDB", "mariadb": "MariaDB"}

#: The store's backends and the driver each is used with.
BACKENDS = {"sqlite": "sqlite", "postgresql": "psycopg", "mysql": "pymysql", "mariadb": "pymysql"}


def _database_url(raw: str) -> str:
    try:
        url = make_url(raw.strip())
        if url.get_backend_name() not in BACKENDS:
            raise ValueError
        url.get_dialect()  # the driver named in the URL must be installed
    except (ArgumentError, NoSuchModuleError) as exc:
        raise ValueError from exc
    return raw.strip()


def _rate_limit(raw: str) -> str:
    from limits import parse_many

    if raw.strip():
        parse_many(raw)  # raises ValueError
    return raw.strip()


def _url(*schemes: str) -> Callable[[str], str]:
    def read(raw: str) -> str:
        value = raw.strip()
        if value and not value.startswith(tuple(f"{s}://" for s in schemes)):
            raise ValueError
        return value

    return read


def _bind(raw: str) -> str:
    host, _, port = raw.strip().rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError
    return raw.strip()


def _default_data_dir() -> str:
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(Path.home(), ".local", "share")
    return os.path.join(base, "wikiviews")


def _shown(default: Any) -> str:
    """A default as a value of its variable (``0``/``1`` for booleans)."""
    return str(int(default)) if isinstance(default, bool) else str(default)


def _setting(
    default: Any,
    help: str,
    parse: Callable[[str], Any] = str,
    accepts: str = "any text",
    *,
    shown: str | None = None,
    factory: Callable[[], Any] | None = None,
    empty_is_value: bool = False,
) -> Any:
    """Declare one setting as a field of :class:`Settings` (the only place it is defined)."""
    metadata = {
        "help": help,
        "parse": parse,
        "accepts": accepts,
        "shown": shown if shown is not None else _shown(default),
        "empty_is_value": empty_is_value,
    }
    if factory is not None:
        return field(default_factory=factory, metadata=metadata)
    return field(default=default, metadata=metadata)


_COUNT = "a whole number"


@dataclass(frozen=True)
class Settings:
    """The resolved settings of one process (see :data:`SETTINGS` for their documentation)."""

    data_dir: str = _setting(
        None,
        "Directory of the embedded SQLite store and local state (downloads, bot state). "
        "Every command uses the same one; the option --data-dir sets it too.",
        accepts="a directory",
        shown="$XDG_DATA_HOME/wikiviews, else ~/.local/share/wikiviews",
        factory=_default_data_dir,
    )
    database_url: str = _setting(
        "",
        "SQLAlchemy URL of the store: postgresql+psycopg://… or mysql+pymysql://…?charset=utf8mb4 "
        "(default: the SQLite file wikiviews.sqlite3 in the data directory); "
        "the option --database-url sets it too.",
        _database_url,
        "sqlite:///PATH, postgresql+psycopg://… or mysql+pymysql://…",
        shown="sqlite:///DATA_DIR/wikiviews.sqlite3",
    )
    partition_large_tables: bool = _setting(
        False,
        "PostgreSQL only: new stores get day_counts and page_hours partitioned by month and "
        "page_months by year, and `wikiviews partition` converts an existing store "
        "(docs/store.md). Refused on SQLite and MariaDB.",
        _bool,
        "1/0, true/false, yes/no or on/off",
    )
    hourly_window_days: int = _setting(
        7,
        "Days of per-page hourly counts kept for the hourly window (0 turns it off). "
        "It is filled only by loads restricted with --project unless --hourly is given.",
        _integer(0),
        f"{_COUNT} of days, 0 or more",
    )
    staging_days: int = _setting(
        3,
        "Complete days younger than this stay as plain daily rows before they are packed "
        "into per-page monthly series.",
        _integer(0),
        f"{_COUNT} of days, 0 or more",
    )
    top_size: int = _setting(
        1000,
        "Entries kept per precomputed top list (Wikimedia keeps 1000).",
        _integer(1),
        f"{_COUNT}, 1 or more",
    )
    bind: str = _setting(
        "127.0.0.1:8000", "Address and port `wikiviews serve` listens on.", _bind, "HOST:PORT"
    )
    workers: int = _setting(
        2, "gunicorn worker processes of `wikiviews serve`.", _integer(1), f"{_COUNT}, 1 or more"
    )
    allow_anonymous: bool = _setting(
        False,
        "Answer requests that send neither User-Agent nor Api-User-Agent (default: 403).",
        _bool,
        "1/0, true/false, yes/no or on/off",
    )
    cache_seconds: int = _setting(
        14400,
        "max-age and s-maxage of successful API responses (Wikimedia sends 14400).",
        _integer(0),
        f"{_COUNT} of seconds, 0 or more",
    )
    max_days: int = _setting(
        3660,
        "Longest date range of one request to the /api/wikiviews/v1/ extensions, in days.",
        _integer(1),
        f"{_COUNT} of days, 1 or more",
    )
    max_articles: int = _setting(
        50,
        "Most articles one request to the /api/wikiviews/v1/ extensions may name.",
        _integer(1),
        f"{_COUNT}, 1 or more",
    )
    query_timeout_ms: int = _setting(
        5000,
        "Longest a query of the extensions may run before the request gets a 503 (0: no limit).",
        _integer(0),
        f"{_COUNT} of milliseconds, 0 or more",
    )
    rate_limit: str = _setting(
        "50 per second",
        "Requests per client to the extensions (flask-limiter syntax; empty: no limit).",
        _rate_limit,
        "a rate such as '50 per second' or '1000/hour;50/second', or empty for no limit",
        empty_is_value=True,
    )
    redis_url: str = _setting(
        "",
        "Redis URL for the rate limiter's counters, shared by all workers "
        "(default: in the memory of each worker).",
        _url("redis", "rediss", "unix"),
        "redis://HOST:PORT/DB, rediss://… or unix://PATH",
        shown="",
    )
    fetch_base_url: str = _setting(
        "https://dumps.wikimedia.org/other",
        "Where `wikiviews fetch` finds the dumps: the `other/` directory of "
        "dumps.wikimedia.org or of a mirror (holding pageviews/ and pageview_complete/).",
        _url("http", "https"),
        "an http:// or https:// URL",
    )
    fetch_connections: int = _setting(
        3,
        "Connections `wikiviews fetch` opens at once, 1 to 3 (the dumps host allows 3).",
        _integer(1, 3),
        "1, 2 or 3 (the dumps host allows 3 connections)",
    )
    fetch_retries: int = _setting(
        5,
        "Retries of a download that makes no progress, with exponential backoff.",
        _integer(0),
        f"{_COUNT}, 0 or more",
    )
    fetch_poll_seconds: int = _setting(
        600,
        "Seconds between two polls of `wikiviews fetch --follow` for new hours.",
        _integer(1),
        f"{_COUNT} of seconds, 1 or more",
    )
    fetch_order: str = _setting(
        "oldest",
        "Order of a back-fill: `oldest` first or `newest` first.",
        _one_of("oldest", "newest"),
        "oldest or newest",
    )
    fetch_download_dir: str = _setting(
        "",
        "Where downloads wait for their ingest (default: downloads/ in the data directory).",
        accepts="a directory",
        shown="DATA_DIR/downloads",
    )
    fetch_user_agent: str = _setting(
        "",
        "User-Agent of `wikiviews fetch` (default: wikiviews/VERSION and what it is; "
        "add a contact address, as Wikimedia asks of automated clients).",
        shown="wikiviews/VERSION (self-hosted pageview statistics; wikiviews fetch)",
    )
    # Raw request logs (`wikiviews ingest-requests`, `check`, `purge`, `publish`).
    request_hosts: str = _setting(
        "",
        "Hosts of your own wiki in raw request logs, as `host=project` pairs separated by "
        "commas (`wiki.example.org=example.wiki`); Wikimedia's hosts need no entry.",
        accepts="host=project pairs",
    )
    request_article_path: str = _setting(
        "/wiki/", "Article path prefix of your wiki ($wgArticlePath without `$1`)."
    )
    request_script_path: str = _setting("/w", "Script path of your wiki ($wgScriptPath).")
    raw_log_dir: str = _setting(
        "",
        "Directory of raw request logs that `wikiviews purge` deletes after the retention.",
        accepts="a directory",
    )
    raw_log_retention_days: int = _setting(
        90,
        "Days raw request logs are kept in the raw-log directory (at most 90).",
        _integer(1, 90),
        f"{_COUNT} of days, 1 to 90",
    )
    hourly_row_retention_days: int = _setting(
        0,
        "Days `wikiviews purge` keeps hourly per-page rows (0: the hourly window decides).",
        _integer(0),
        f"{_COUNT} of days",
    )
    automated_max_pageviews: int = _setting(
        800,
        "An actor with more pageviews than this in a day is automated (Wikimedia: 800).",
        _integer(1),
        _COUNT,
    )
    automated_max_rate: float = _setting(
        30.0,
        "An actor reading this many pages a minute or more is automated (Wikimedia: 30).",
        float,
        "a number",
    )
    country_min_actors: int = _setting(
        1000,
        "Per-article country counts are published only above this many distinct readers "
        "(Wikimedia's floor: 1000; only higher values are accepted).",
        _integer(1000),
        f"{_COUNT}, 1000 or more",
    )
    country_month_min_views: int = _setting(
        100,
        "Monthly country totals below this are not published (Wikimedia's floor: 100).",
        _integer(100),
        f"{_COUNT}, 100 or more",
    )
    protected_countries: str = _setting(
        "",
        "Country codes to withhold in addition to the built-in protected list (comma-separated).",
        accepts="country codes",
    )
    gate_drop_ratio: float = _setting(
        0.5,
        "A new hour below this share of both the previous hour and the same hour a week "
        "earlier is held back.",
        float,
        "a number",
    )
    gate_spike_ratio: float = _setting(
        3.0,
        "A new hour above this multiple of both comparison hours is held back.",
        float,
        "a number",
    )
    gate_min_views: int = _setting(
        1000,
        "The publish gate judges only hours whose comparison hours have at least this many views.",
        _integer(0),
        _COUNT,
    )

    def __post_init__(self) -> None:
        if not self.database_url:
            path = os.path.join(self.data_dir, "wikiviews.sqlite3")
            object.__setattr__(self, "database_url", f"sqlite:///{path}")
        backend = make_url(self.database_url).get_backend_name()
        if self.partition_large_tables and backend != "postgresql":
            raise InvalidSetting(
                "WIKIVIEWS_PARTITION_LARGE_TABLES=1 needs a PostgreSQL store; the store is "
                f"{_BACKEND_NAMES.get(backend, backend)}, which has no partitioned tables: "
                "unset WIKIVIEWS_PARTITION_LARGE_TABLES"
            )


def _describe(item: Field[Any]) -> Setting:
    meta = item.metadata
    return Setting(
        name=item.name,
        default=None if item.default is MISSING else item.default,
        help=meta["help"],
        parse=meta["parse"],
        accepts=meta["accepts"],
        shown_default=meta["shown"],
        empty_is_value=meta["empty_is_value"],
    )


#: Every setting, in the order of :class:`Settings`.
SETTINGS: tuple[Setting, ...] = tuple(_describe(item) for item in fields(Settings))
_BY_NAME = {setting.name: setting for setting in SETTINGS}


def parse_setting(name: str, raw: str, source: str | None = None) -> Any:
    """The value of setting ``name`` read from ``raw``, or :class:`InvalidSetting`.

    ``source`` names where the value came from in the error (default: the variable).
    """
    setting = _BY_NAME[name]
    try:
        return setting.parse(raw)
    except ValueError:
        where = source or setting.variable
        raise InvalidSetting(f"{where}={raw!r} is not valid: expected {setting.accepts}") from None


def load_settings(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Read every setting from ``environ`` (default: the process environment).

    Keyword arguments (already typed values; ``None`` means "not given") win over the
    environment; unknown names raise ``TypeError``. A bad value raises
    :class:`InvalidSetting` naming the variable and what it accepts.
    """
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = environ.get(setting.variable)
        if raw is not None and (raw != "" or setting.empty_is_value):
            values[setting.name] = parse_setting(setting.name, raw)
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Settings(**values)
