"""The read side: published data only, access/agent sums, all-projects, months, held hours."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import text

from backend import db, queries
from backend.codes import Source
from backend.ingest.ingest_command import run_ingest
from backend.ingest.parsed import ProjectFilter
from backend.ingest.publication import refresh
from backend.ingest.run import expand_paths
from backend.timeutil import day_number, month_number
from tests.helpers import write_dump

FEB = month_number(2024, 2)


@pytest.fixture
def store(migrated_settings, tmp_path):
    """February 2024 and 1 March from complete files; one legacy pagecounts day in 2014."""
    for offset in range(30):
        day = date(2024, 2, 1) + timedelta(days=offset)
        write_dump(
            tmp_path,
            f"pageviews-{day:%Y%m%d}-user.bz2",
            [
                "de.wikipedia Berlin null desktop 2 A2",
                "en.wikipedia Main_Page 1 desktop 10 A4B6",
                "en.wikipedia Main_Page 1 mobile-web 5 C5",
                "en.wikipedia Main_Page 1 mobile-app 1 D1",
            ],
        )
        write_dump(
            tmp_path,
            f"pageviews-{day:%Y%m%d}-spider.bz2",
            ["en.wikipedia Main_Page 1 desktop 3 A3"],
        )
    for hour in range(24):
        end = datetime(2014, 5, 1, hour) + timedelta(hours=1)
        write_dump(
            tmp_path,
            f"pagecounts-{end:%Y%m%d-%H%M%S}.gz",
            ["en Main_Page 7 100", "en.m Main_Page 2 10", "de Berlin 1 10"],
        )
    assert run_ingest(migrated_settings, expand_paths([str(tmp_path)]), ProjectFilter())
    engine = db.make_engine(migrated_settings)
    with engine.connect() as connection:
        yield connection
    engine.dispose()


def test_article_series_sum_access_and_agents(store):
    d = day_number(date(2024, 2, 10))

    def one(access, agent):
        return dict(queries.article_daily(store, "en.wikipedia", "Main_Page", access, agent, d, d))

    assert one("all-access", "all-agents") == {d: 19}
    assert one("all-access", "user") == {d: 16}
    assert one("desktop", "all-agents") == {d: 13}
    assert one("mobile-app", "user") == {d: 1}
    # Zero is not absence: a viewed day is present in every combination, 0 where it had none.
    assert one("mobile-web", "spider") == {d: 0}
    assert one("all-access", "automated") == {d: 0}
    assert (
        dict(
            queries.article_daily(
                store, "en.wikipedia", "Main_Page", "all-access", "user", d - 400, d - 400
            )
        )
        == {}
    )


def test_article_monthly_and_project_aggregates(store):
    first, last = day_number(date(2024, 2, 1)), day_number(date(2024, 3, 1))
    monthly = queries.article_monthly(
        store, "en.wikipedia", "Main_Page", "all-access", "all-agents", first, last
    )
    assert monthly == [(FEB, 19 * 29), (FEB + 1, 19)]
    assert queries.project_monthly(store, "en.wikipedia", "all-access", "user", FEB, FEB) == [
        (FEB, 16 * 29)
    ]
    assert queries.project_monthly(store, "all-projects", "all-access", "user", FEB, FEB) == [
        (FEB, 18 * 29)
    ]
    # March is not complete: no monthly aggregate for it
    assert (
        queries.project_monthly(store, "en.wikipedia", "all-access", "user", FEB + 1, FEB + 1) == []
    )
    hours = queries.project_hourly(
        store, "en.wikipedia", "desktop", "user", first * 24, first * 24 + 23
    )
    assert hours == [(first * 24, 4), (first * 24 + 1, 6)]


def test_the_legacy_source_answers_only_when_asked(store):
    day = day_number(date(2014, 5, 1))
    legacy = queries.project_daily(
        store, "en.wikipedia", "all-access", "all-agents", day, day, source=Source.PAGECOUNTS
    )
    assert legacy == [(day, 24 * 9)]
    desktop = queries.project_daily(
        store, "en.wikipedia", "desktop", "all-agents", day, day, source=Source.PAGECOUNTS
    )
    assert desktop == [(day, 24 * 7)]
    # February has no pagecounts data, and legacy data has no user split
    feb = day_number(date(2024, 2, 3))
    assert (
        queries.project_daily(
            store, "en.wikipedia", "all-access", "all-agents", feb, feb, source=Source.PAGECOUNTS
        )
        == []
    )
    assert queries.project_daily(store, "en.wikipedia", "all-access", "user", day, day) == []


def test_held_hours_hide_their_day_and_hour(store):
    d = day_number(date(2024, 2, 29))
    store.execute(
        text(
            "INSERT INTO held_hours (project_id, hour, reason, held_at) "
            "VALUES (0, :h, 'spike', :now)"
        ),
        {"h": d * 24 + 1, "now": datetime(2024, 3, 2)},
    )
    refresh(store, None, [d])
    store.commit()
    assert (
        queries.article_daily(store, "en.wikipedia", "Main_Page", "all-access", "all-agents", d, d)
        == []
    )
    hours = queries.project_hourly(store, "en.wikipedia", "desktop", "user", d * 24, d * 24 + 23)
    assert hours == [(d * 24, 4)]
    assert queries.last_published_day(store, "en.wikipedia") == d + 1
    assert queries.top_articles(store, "en.wikipedia", "all-access", day=d) == []


def test_top_lists_and_unknown_names(store):
    d = day_number(date(2024, 2, 10))
    top = queries.top_articles(store, "en.wikipedia", "mobile-web", day=d)
    assert [(e.title, e.views, e.rank) for e in top] == [("Main_Page", 5, 1)]
    month = queries.top_articles(store, "en.wikipedia", "all-access", month=FEB)
    assert [(e.title, e.views) for e in month] == [("Main_Page", 16 * 29)]
    assert queries.top_articles(store, "xx.wikipedia", "all-access", day=d) == []
    assert (
        queries.article_daily(store, "en.wikipedia", "Nope", "all-access", "all-agents", 0, 10**6)
        == []
    )
    with pytest.raises(ValueError):
        queries.top_articles(store, "en.wikipedia", "all-access")
