"""Monthly partitions of the large tables on PostgreSQL (``WIKIVIEWS_PARTITION_LARGE_TABLES``).

A partitioned store must hold and answer exactly what an unpartitioned one does: the
committed fixtures are loaded into one of each and compared table by table and answer by
answer. Unload and ``ingest --replace`` run on a partitioned store in tests/ingest/test_unload.py.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from urllib.parse import quote

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from backend import create_app, db
from backend.ingest.ingest_command import run_ingest
from backend.ingest.parsed import ProjectFilter
from backend.models import Base
from backend.partitions import (
    PARTITIONED,
    PartitionError,
    bounds,
    ensure_partitions,
    include_name,
    is_partition_name,
    partition_name,
    partitioned_tables,
)
from backend.settings import InvalidSetting, Settings, load_settings
from backend.timeutil import day_number, month_number
from tests.backfill.tables import tables
from tests.conftest import empty_store
from tests.helpers import run_cli, store_connection

FIXTURES = Path(__file__).resolve().parent / "fixtures"
MANIFEST = json.loads((FIXTURES / "manifest.json").read_text())["files"]
GOOD = sorted(FIXTURES / name for name in MANIFEST if not name.startswith("bad/"))
FEB_2024, MAR_2024 = month_number(2024, 2), month_number(2024, 3)
PARTITION_SETTING = {"WIKIVIEWS_PARTITION_LARGE_TABLES": "1"}


@pytest.fixture
def postgres(tmp_path: Path, _admin_engine: Callable[[str], Engine]) -> Iterator[Settings]:
    """An empty PostgreSQL store (not migrated), setting off."""
    with empty_store("postgresql", tmp_path, _admin_engine) as settings:
        yield settings


@pytest.fixture
def partitioned(postgres: Settings) -> Settings:
    """A new PostgreSQL store created with ``partition_large_tables``."""
    settings = dataclasses.replace(postgres, partition_large_tables=True)
    db.upgrade(settings)
    return settings


def _partitions(settings: Settings) -> dict[str, set[str]]:
    with store_connection(settings) as connection:
        return partitioned_tables(connection)


def _load_fixtures(settings: Settings) -> None:
    assert run_ingest(settings, GOOD, ProjectFilter(), hourly=True)


# -- names, bounds and the setting -------------------------------------------------------------


def test_partition_names_and_bounds_follow_the_calendar() -> None:
    assert partition_name("day_counts", FEB_2024) == "day_counts_p202402"
    first, march = day_number(date(2024, 2, 1)), day_number(date(2024, 3, 1))
    assert bounds("day_counts", FEB_2024) == (first, march)  # 29 days: a leap year
    assert march - first == 29
    assert bounds("page_hours", FEB_2024) == (first * 24, march * 24)
    assert partition_name("page_months", FEB_2024) == "page_months_y2024"
    assert bounds("page_months", FEB_2024) == (month_number(2024, 1), month_number(2025, 1))
    assert bounds("page_months", month_number(1970, 12)) == (0, 12)
    assert bounds("day_counts", month_number(2023, 12))[1] == day_number(date(2024, 1, 1))
    assert is_partition_name("page_months_y2014") and is_partition_name("page_hours_p201405")
    assert not is_partition_name("page_months") and not is_partition_name("titles_p202402")
    assert not is_partition_name("page_months_p201405")
    assert not include_name("day_counts_p202402", "table", None)
    assert include_name("day_counts", "table", None)


@pytest.mark.parametrize(
    ("url", "name"),
    [("", "SQLite"), ("mysql+pymysql://root@127.0.0.1:3306/x?charset=utf8mb4", "MariaDB")],
)
def test_the_setting_is_refused_off_postgresql(url: str, name: str) -> None:
    environ = {**PARTITION_SETTING, "WIKIVIEWS_DATABASE_URL": url}
    with pytest.raises(InvalidSetting) as error:
        load_settings(environ)
    assert str(error.value) == (
        f"WIKIVIEWS_PARTITION_LARGE_TABLES=1 needs a PostgreSQL store; the store is {name}, "
        "which has no partitioned tables: unset WIKIVIEWS_PARTITION_LARGE_TABLES"
    )
    postgres = "postgresql+psycopg://postgres@127.0.0.1/x"
    assert load_settings({**environ, "WIKIVIEWS_DATABASE_URL": postgres}).partition_large_tables
    assert not load_settings({"WIKIVIEWS_DATABASE_URL": url}).partition_large_tables


def test_the_command_line_refuses_the_setting_on_sqlite(sqlite_settings: Settings) -> None:
    result = run_cli(sqlite_settings, "status", **PARTITION_SETTING)
    assert result.returncode == 1
    assert "Error: WIKIVIEWS_PARTITION_LARGE_TABLES=1 needs a PostgreSQL store" in result.stderr
    assert "Traceback" not in result.stderr


def test_ensure_partitions_does_nothing_on_an_unpartitioned_store(
    migrated_settings: Settings,
) -> None:
    with store_connection(migrated_settings, write=True) as connection:
        assert ensure_partitions(connection, [day_number(date(2024, 2, 1))]) == []
        assert partitioned_tables(connection) == {}


# -- a store created partitioned -------------------------------------------------------------


def test_a_new_store_with_the_setting_is_partitioned_and_matches_the_models(
    partitioned: Settings,
) -> None:
    assert _partitions(partitioned) == {table: set() for table in PARTITIONED}
    with store_connection(partitioned, write=True) as connection:
        ensure_partitions(connection, [day_number(date(2024, 2, 1))])
    engine = db.make_engine(partitioned)
    try:
        assert db.schema_is_current(partitioned, engine)
        with engine.connect() as connection:
            plain = MigrationContext.configure(connection, opts={"compare_type": True})
            unfiltered = compare_metadata(plain, Base.metadata)
            filtered = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_name": include_name}
            )
            assert compare_metadata(filtered, Base.metadata) == []
    finally:
        engine.dispose()
    # Without the filter, Alembic would drop the partitions, and only them.
    assert sorted(d[1].name for d in unfiltered) == sorted(
        ["day_counts_p202402", "page_hours_p202402", "page_months_y2024"]
    )
    assert {d[0] for d in unfiltered} == {"remove_table"}


def test_partitions_are_created_for_new_months_once(partitioned: Settings) -> None:
    feb_day, mar_day = day_number(date(2024, 2, 29)), day_number(date(2024, 3, 1))
    with store_connection(partitioned, write=True) as connection:
        created = ensure_partitions(connection, [feb_day, feb_day - 3, mar_day])
        assert sorted(created) == sorted(
            {
                partition_name(table, month)
                for table in PARTITIONED
                for month in (FEB_2024, MAR_2024)
            }
        )
        assert len(created) == 5  # one page_months partition holds both months
        assert ensure_partitions(connection, [mar_day, feb_day]) == []
        values = {"d": feb_day, "e": mar_day}
        connection.execute(
            text("INSERT INTO day_counts VALUES (1, :d, 1, 1, 5), (1, :e, 1, 1, 6)"), values
        )
        connection.execute(text("INSERT INTO page_hours VALUES (1, 1, :d * 24 + 23, 1, 7)"), values)
        rows = connection.execute(
            text("SELECT tableoid::regclass::text, day FROM day_counts ORDER BY day")
        ).all()
    assert rows == [("day_counts_p202402", feb_day), ("day_counts_p202403", mar_day)]
    with (
        pytest.raises(DBAPIError, match="no partition of relation"),
        store_connection(partitioned, write=True) as connection,
    ):
        connection.execute(text("INSERT INTO day_counts VALUES (1, :d, 1, 1, 5)"), {"d": 0})


def test_a_detached_month_is_not_taken_back_silently(partitioned: Settings) -> None:
    with store_connection(partitioned, write=True) as connection:
        ensure_partitions(connection, [day_number(date(2024, 2, 1))])
        connection.execute(text("ALTER TABLE day_counts DETACH PARTITION day_counts_p202402"))
    with (
        pytest.raises(PartitionError, match="day_counts_p202402 exists but is not a partition"),
        store_connection(partitioned, write=True) as connection,
    ):
        ensure_partitions(connection, [day_number(date(2024, 2, 1))])
    assert "day_counts_p202402" not in _partitions(partitioned)["day_counts"]


def test_a_file_killed_mid_load_leaves_no_partition_behind(partitioned: Settings) -> None:
    name = "pageviews-20240301-000000.gz"
    result = run_cli(
        partitioned, "ingest", str(FIXTURES / name), WIKIVIEWS_TEST_KILL_AT="before-commit"
    )
    assert result.returncode != 0
    assert _partitions(partitioned) == {table: set() for table in PARTITIONED}
    result = run_cli(partitioned, "ingest", "--hourly", str(FIXTURES / name))
    assert result.returncode == 0, result.stderr
    assert _partitions(partitioned) == {
        "day_counts": {"day_counts_p202403"},
        "page_hours": {"page_hours_p202403"},
        "page_months": {"page_months_y2024"},
    }


# -- the same answers as an unpartitioned store ----------------------------------------------


def _urls(settings: Settings) -> list[str]:
    """Per-article (daily, monthly, hourly), summary, top and aggregate questions."""
    with store_connection(settings) as connection:
        titles = connection.execute(
            text(
                "SELECT p.name, t.title FROM titles t JOIN projects p ON p.id = t.project_id "
                "WHERE p.name IN ('en.wikipedia', 'de.wikipedia') ORDER BY p.name, t.title"
            )
        ).all()
    assert len(titles) > 20
    pv, ext = "/api/rest_v1/metrics/pageviews", "/api/wikiviews/v1"
    urls = []
    for project, title in titles:
        article = quote(title, safe="")
        for agent in ("user", "all-agents"):
            urls.append(
                f"{pv}/per-article/{project}/all-access/{agent}/{article}/daily/20140401/20240331"
            )
        urls.append(f"{pv}/per-article/{project}/desktop/user/{article}/monthly/20140101/20241231")
        urls.append(f"{ext}/summary/{project}/{article}?days=60")
        urls.append(
            f"{ext}/per-article-hourly/{project}/all-access/user/{article}/2024030100/2024030123"
        )
    for project in ("en.wikipedia", "de.wikipedia"):
        urls += [
            f"{pv}/top/{project}/all-access/2024/03/01",
            f"{pv}/top/{project}/mobile-web/2024/02/15",
            f"{pv}/top/{project}/all-access/2024/02/all-days",
            f"{ext}/top/{project}/all-access/20240201/20240301",
            f"{pv}/aggregate/{project}/all-access/all-agents/daily/20140401/20240331",
            f"{ext}/per-article/{project}/all-access/user/daily/20240201/20240301"
            + "?"
            + "&".join(f"article={quote(t, safe='')}" for p, t in titles[:5]),
        ]
    return urls


def _answers(settings: Settings, urls: list[str]) -> list[tuple[int, bytes]]:
    app = create_app(dataclasses.replace(settings, rate_limit=""))
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = "wikiviews-tests/1.0 (tests@example.org)"
    try:
        return [(r.status_code, r.data) for r in map(client.get, urls)]
    finally:
        app.extensions["wikiviews_engine"].dispose()


def test_a_partitioned_store_holds_and_answers_exactly_what_a_plain_one_does(
    partitioned: Settings, tmp_path: Path, _admin_engine: Callable[[str], Engine]
) -> None:
    _load_fixtures(partitioned)
    with empty_store("postgresql", tmp_path / "plain", _admin_engine) as plain:
        _load_fixtures(plain)
        assert _partitions(plain) == {}
        assert tables(partitioned) == tables(plain)
        urls = _urls(plain)
        answers = _answers(plain, urls)
        assert _answers(partitioned, urls) == answers
    assert sum(status == 200 for status, _ in answers) > len(urls) // 2
    months = {"p201405", "p202402", "p202403"}
    assert _partitions(partitioned) == {
        "day_counts": {f"day_counts_{m}" for m in months},
        "page_hours": {f"page_hours_{m}" for m in months},
        "page_months": {"page_months_y2014", "page_months_y2024"},
    }
    with store_connection(partitioned) as connection:
        counts = dict(
            connection.execute(
                text(
                    "SELECT tableoid::regclass::text, count(*) FROM page_months "
                    "GROUP BY 1 UNION ALL SELECT tableoid::regclass::text, count(*) "
                    "FROM page_hours GROUP BY 1"
                )
            ).all()
        )
    # February was packed from the monthly file; 1 March stayed in the hourly window.
    assert counts["page_months_y2024"] > 0 and counts["page_hours_p202403"] > 0


# -- converting an existing store ------------------------------------------------------------


def test_partition_converts_a_loaded_store_keeping_every_row(postgres: Settings) -> None:
    _load_fixtures(postgres)
    before = tables(postgres)

    refused = run_cli(postgres, "partition")
    assert refused.returncode == 1
    assert "WIKIVIEWS_PARTITION_LARGE_TABLES is off" in refused.stderr
    assert _partitions(postgres) == {}

    result = run_cli(postgres, "partition", **PARTITION_SETTING)
    assert result.returncode == 0, result.stderr
    # From the first to the last month of per-page data: February and March 2024. The
    # fixtures' 2014 files are single hours of their days, pending (not per page) and past
    # the hourly window.
    months, years = month_number(2024, 3) - month_number(2024, 2) + 1, 1
    rows = {name: len(values) for name, values in before.items()}
    assert rows["pending_counts"]
    assert result.stdout.splitlines() == [
        f"{table} partitioned by {span}: {rows[table]} rows moved into {count} partitions"
        for table, span, count in [
            ("day_counts", "month", months),
            ("page_months", "year", years),
            ("page_hours", "month", months),
        ]
    ]
    assert rows["day_counts"] and rows["page_months"] and rows["page_hours"]
    assert {t: len(p) for t, p in _partitions(postgres).items()} == {
        "day_counts": months,
        "page_months": years,
        "page_hours": months,
    }
    assert tables(postgres) == before
    engine = db.make_engine(postgres)
    try:
        assert db.schema_is_current(postgres, engine)  # `serve` starts on it as before
    finally:
        engine.dispose()

    again = run_cli(postgres, "partition", **PARTITION_SETTING)
    assert again.returncode == 0 and "already partitioned" in again.stdout

    # New files still load, into the partitions; unloading one still works.
    name = "pageviews-20240301-000000.gz"
    assert (
        run_cli(postgres, "ingest", "--replace", "--hourly", str(FIXTURES / name)).returncode == 0
    )
    assert tables(postgres) == before | {"ingested_files": tables(postgres)["ingested_files"]}
    assert run_cli(postgres, "unload", name).returncode == 0
    with store_connection(postgres) as connection:
        assert (
            name not in connection.execute(text("SELECT name FROM ingested_files")).scalars().all()
        )
