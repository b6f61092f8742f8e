"""Database fixtures shared by every test of the store.

Each database test gets a brand-new, empty store of its own:

* ``sqlite``: a file in the test's ``tmp_path``;
* ``postgresql`` / ``mariadb``: a database ``wv_test_<pid>_<n>`` created on the server named by
  ``WIKIVIEWS_TEST_POSTGRES_URL`` / ``WIKIVIEWS_TEST_MARIADB_URL`` and dropped afterwards.

Server tests are skipped when their variable is unset, and also when the server does not
answer, unless ``WIKIVIEWS_REQUIRE_SERVICES=1`` (as in CI), which turns the skip into a failure.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from backend import create_app, db
from backend.settings import Settings

BACKENDS = ("sqlite", "postgresql", "mariadb")
#: The backends, and PostgreSQL with its large tables partitioned by month
#: (``WIKIVIEWS_PARTITION_LARGE_TABLES``): for modules that check both layouts of the store.
STORE_KINDS = (*BACKENDS, "postgresql-partitioned")


@dataclass(frozen=True)
class Server:
    """A database server the tests may use, and how to make a throwaway database on it."""

    label: str
    env: str
    example: str
    create_options: str = ""


SERVERS = {
    "postgresql": Server(
        "PostgreSQL",
        "WIKIVIEWS_TEST_POSTGRES_URL",
        "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    ),
    "mariadb": Server(
        "MariaDB",
        "WIKIVIEWS_TEST_MARIADB_URL",
        "mysql+pymysql://root@127.0.0.1:3306/test?charset=utf8mb4",
        # Binary collation: titles compare byte for byte, as in production stores.
        " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
    ),
}

_database_numbers = itertools.count(1)

#: A skip reason naming the variable that would enable a server, and the servers' names.
_SERVICE_VARIABLE = re.compile(r"\bWIKIVIEWS_TEST_(\w+?)_URL\b")
_SERVICE_LABELS = {"POSTGRES": "PostgreSQL", "MARIADB": "MariaDB", "REDIS": "Redis"}


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Sum up skipped tests in a line per reason instead of a line per test.

    Tests skipped because a database or Redis server is not configured (or not reachable)
    share one line naming the servers and the variables that enable them.
    """
    services: Counter[tuple[str, str]] = Counter()
    others: Counter[str] = Counter()
    for report in terminalreporter.stats.get("skipped", []):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        reason = reason.removeprefix("Skipped: ")
        match = _SERVICE_VARIABLE.search(reason)
        if match:
            label = _SERVICE_LABELS.get(match[1], match[1].title())
            services[(label, match[0])] += 1
        else:
            others[reason] += 1
    if services:
        total = sum(services.values())
        names = ", ".join(f"{label} ({count})" for (label, _), count in sorted(services.items()))
        variables = sorted({env for _, env in services})
        variables_text = ", ".join(variables[:-1]) + " and " * (len(variables) > 1) + variables[-1]
        terminalreporter.write_line(
            f"skipped {total} tests needing servers: {names}; set {variables_text} to run them "
            "(docs/running.md#tests)"
        )
    for reason, count in sorted(others.items()):
        terminalreporter.write_line(f"skipped {count}: {reason}")


@pytest.fixture(scope="session", autouse=True)
def _isolated_environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep every test away from the developer's real store.

    ``WIKIVIEWS_DATA_DIR`` points at a session temporary directory and
    ``WIKIVIEWS_DATABASE_URL`` is unset; both are restored when the session ends.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WIKIVIEWS_DATA_DIR", str(tmp_path_factory.mktemp("data_dir")))
        patch.delenv("WIKIVIEWS_DATABASE_URL", raising=False)
        yield


@pytest.fixture(scope="session")
def _admin_engine() -> Iterator[Callable[[str], Engine]]:
    """A function giving the AUTOCOMMIT engine of a server (``postgresql`` or ``mariadb``).

    It skips the calling test when the server's variable is unset or the server does not
    answer (fails instead with ``WIKIVIEWS_REQUIRE_SERVICES=1``). Each server is tried once
    per session; the engines are disposed at the end.
    """
    engines: dict[str, Engine] = {}
    errors: dict[str, str] = {}

    def get(backend: str) -> Engine:
        server = SERVERS[backend]
        url = os.environ.get(server.env)
        if not url:
            message = f"{server.label} tests need {server.env}, e.g. {server.example}"
            if os.environ.get("WIKIVIEWS_REQUIRE_SERVICES") == "1":
                pytest.fail(f"WIKIVIEWS_REQUIRE_SERVICES=1 but {message}")
            pytest.skip(message)
        if backend not in engines and backend not in errors:
            engine = create_engine(
                url,
                isolation_level="AUTOCOMMIT",
                pool_pre_ping=True,
                connect_args={"connect_timeout": 5},
            )
            try:
                with engine.connect() as connection:
                    connection.execute(text("SELECT 1"))
            except Exception as exc:
                engine.dispose()
                detail = " ".join(str(getattr(exc, "orig", None) or exc).split())
                errors[backend] = (
                    f"{server.label} at {make_url(url)!r} ({server.env}) is unreachable: {detail}"
                )
            else:
                engines[backend] = engine
        if backend in errors:
            if os.environ.get("WIKIVIEWS_REQUIRE_SERVICES") == "1":
                pytest.fail(f"{errors[backend]} (WIKIVIEWS_REQUIRE_SERVICES=1)", pytrace=False)
            pytest.skip(errors[backend])
        return engines[backend]

    yield get
    for engine in engines.values():
        engine.dispose()


def _drop_database(admin: Engine, backend: str, name: str) -> None:
    """Drop ``name``, first ending the sessions still connected to it."""
    with admin.connect() as connection:
        if backend == "postgresql":
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            return
        # MariaDB has no WITH (FORCE): a session left in a transaction would hold metadata
        # locks and make DROP wait (lock_wait_timeout defaults to a year), so end it first.
        sessions = connection.execute(
            text(
                "SELECT id FROM information_schema.processlist "
                "WHERE db = :name AND id <> CONNECTION_ID()"
            ),
            {"name": name},
        ).scalars()
        for session_id in sessions.all():
            try:
                connection.execute(text(f"KILL {int(session_id)}"))
            except DBAPIError as exc:
                # 1094 "Unknown thread id": the session ended between the listing and the KILL.
                if getattr(exc.orig, "args", (None,))[0] != 1094:
                    raise
        connection.execute(text("SET SESSION lock_wait_timeout = 60"))
        connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))


def _sqlite_settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=str(tmp_path), database_url=f"sqlite:///{tmp_path}/wikiviews.sqlite3")


@pytest.fixture(params=BACKENDS)
def store_settings(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    _admin_engine: Callable[[str], Engine],
) -> Iterator[Settings]:
    """Settings of a brand-new, EMPTY store (not migrated), once per backend.

    The ids are ``sqlite``, ``postgresql`` and ``mariadb`` (``pytest -k sqlite``). Server
    databases are dropped after the test, even if connections to them are still open.
    """
    with empty_store(request.param, tmp_path, _admin_engine) as settings:
        yield settings


@contextmanager
def empty_store(
    backend: str, directory: Path, admin_engine: Callable[[str], Engine]
) -> Iterator[Settings]:
    """A brand-new, empty store on ``backend`` (its data directory ``directory``).

    ``backend`` is one of :data:`STORE_KINDS`: ``postgresql-partitioned`` gives settings
    with ``partition_large_tables``, which :func:`backend.db.upgrade` creates partitioned. For
    fixtures of wider scope than a test; server databases are dropped on exit.
    """
    if backend == "postgresql-partitioned":
        with empty_store("postgresql", directory, admin_engine) as settings:
            yield dataclasses.replace(settings, partition_large_tables=True)
        return
    if backend == "sqlite":
        yield _sqlite_settings(directory)
        return
    admin = admin_engine(backend)
    name = f"wv_test_{os.getpid()}_{next(_database_numbers)}"
    # A leftover of a crashed run can only be from a dead process that had our pid.
    _drop_database(admin, backend, name)
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}{SERVERS[backend].create_options}"))
    try:
        url = admin.url.set(database=name).render_as_string(hide_password=False)
        yield Settings(data_dir=str(directory), database_url=url)
    finally:
        _drop_database(admin, backend, name)


@pytest.fixture
def migrated_settings(store_settings: Settings) -> Settings:
    """Settings of a new store migrated to head, once per backend (same ids as above)."""
    db.upgrade(store_settings)
    return store_settings


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Settings:
    """Settings of a new SQLite store in ``tmp_path``, migrated to head (no server needed)."""
    settings = _sqlite_settings(tmp_path)
    db.upgrade(settings)
    return settings


# --- The extensions' store (tests/api/wikiviews_store.py): the API's and the page's tests ----


@pytest.fixture(scope="module", params=BACKENDS)
def extensions_store(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    _admin_engine: Callable[[str], Engine],
) -> Iterator[Settings]:
    """The store of tests/api/wikiviews_store.py (top lists of 3, hourly window), per backend."""
    from tests.api.wikiviews_store import extensions_store_on

    directory = tmp_path_factory.mktemp(f"extensions_{request.param}")
    with extensions_store_on(request.param, directory, _admin_engine) as settings:
        yield settings


@pytest.fixture(scope="module")
def extensions_app(extensions_store: Settings) -> Iterator[Flask]:
    """The app on ``extensions_store``, without a rate limit."""
    application = create_app(dataclasses.replace(extensions_store, rate_limit=""))
    application.config["TESTING"] = True
    yield application
    application.extensions["wikiviews_engine"].dispose()


@pytest.fixture
def ext_client(extensions_app: Flask) -> FlaskClient:
    """A client of ``extensions_app`` that identifies itself."""
    from tests.api.wikiviews_store import identified_client

    return identified_client(extensions_app)
