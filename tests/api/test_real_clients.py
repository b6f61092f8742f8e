"""Wikimedia's Python pageview clients, unchanged but for their base URL, against gunicorn.

``mwviews`` (0.2.1) reads its URLs from the module-level ``endpoints`` dict at call time;
``pageviewapi`` (0.5.0) binds its base URL in a default argument of ``_api`` (reference §8),
so each test points them at the live server. Both send titles their own way (mwviews turns
spaces into ``_`` and quotes with ``safe=''``; pageviewapi sends ``%20``) and both must get
exactly what the store holds: the expected values come from :mod:`backend.queries` on the
same store and, for a few, from the dump contents written in ``tests/api/conftest.py``.

The store is loaded once per backend (SQLite, PostgreSQL, MariaDB) and served by a real
``wikiviews serve`` with one worker on a free loopback port.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import mwviews.api.pageviews as mwviews_module
import pageviewapi
import pageviewapi.client
import pytest
import requests
import schemathesis
from mwviews.api import PageviewsClient
from sqlalchemy import Connection

from backend import queries
from backend.codes import Source
from backend.settings import Settings
from backend.timeutil import day_number, month_number
from tests.api.conftest import TITLES, main_page_user, title_views
from tests.api.gunicorn import LiveServer
from tests.helpers import store_connection

pytestmark = pytest.mark.slow

UA = "wikiviews-tests/1.0 (tests@example.org)"
FEB = [date(2024, 2, 1) + timedelta(days=n) for n in range(29)]
FIRST, LAST = day_number(FEB[0]), day_number(FEB[-1])
#: Every stored title as a person types it (spaces for underscores): '/', '?', '%', wikitext,
#: HTML, right-to-left text and 255 bytes of UTF-8 among them.
TYPED = {title.replace("_", " "): title for title in [*TITLES, "Main_Page"]}


@pytest.fixture(scope="module")
def store(api_store: Settings) -> Iterator[Connection]:
    """A read connection to the served store, for the expected values."""
    with store_connection(api_store) as connection:
        yield connection


@pytest.fixture
def mwviews(api_server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> PageviewsClient:
    """An mwviews client whose endpoints point at the live server."""
    for name, url in mwviews_module.endpoints.items():
        monkeypatch.setitem(
            mwviews_module.endpoints, name, url.replace("https://wikimedia.org", api_server.url)
        )
    return PageviewsClient(UA, parallelism=4)


@pytest.fixture
def pva(api_server: LiveServer, monkeypatch: pytest.MonkeyPatch):
    """The pageviewapi module, its base URL pointing at the live server."""
    monkeypatch.setattr(
        pageviewapi.client._api, "__defaults__", (f"{api_server.url}/api/rest_v1/metrics",)
    )
    return pageviewapi


def _daily(store: Connection, title: str, access="all-access", agent="all-agents") -> dict:
    rows = queries.article_daily(store, "en.wikipedia", title, access, agent, FIRST, LAST)
    assert rows, f"the store holds nothing for {title!r}: the comparison would be empty"
    return dict(rows)


def test_the_store_holds_what_the_dumps_said(store: Connection) -> None:
    """The expectations below are not vacuous: a few values straight from the dumps."""
    assert _daily(store, "Main_Page", agent="user")[day_number(date(2024, 2, 7))] == sum(
        main_page_user(7)
    )
    for index, title in enumerate(TITLES):
        assert _daily(store, title, agent="user")[FIRST + 9] == title_views(index, 10)


# --- mwviews -----------------------------------------------------------------------------------


def test_mwviews_article_views_daily(mwviews: PageviewsClient, store: Connection) -> None:
    got = mwviews.article_views("en.wikipedia", list(TYPED), start="20240201", end="20240229")
    assert set(got) == {datetime(d.year, d.month, d.day) for d in FEB}
    for stored in TYPED.values():
        expected = _daily(store, stored)
        assert {day_number(moment.date()): views[stored] for moment, views in got.items()} == (
            expected
        ), stored


def test_mwviews_article_views_user_agent_and_access(
    mwviews: PageviewsClient, store: Connection
) -> None:
    got = mwviews.article_views(
        "en.wikipedia",
        "Main Page",
        access="mobile-web",
        agent="user",
        start="20240205",
        end="20240206",
    )
    assert {k.day: v["Main_Page"] for k, v in got.items()} == {5: 50, 6: 50}
    assert _daily(store, "Main_Page", "mobile-web", "user")[FIRST + 4] == 50


def test_mwviews_article_views_monthly(mwviews: PageviewsClient, store: Connection) -> None:
    got = mwviews.article_views(
        "en.wikipedia",
        ["AC/DC", "Zoë Saldaña"],
        granularity="monthly",
        start="20240201",
        end="20240229",
    )
    for stored in ("AC/DC", "Zoë_Saldaña"):
        expected = queries.article_monthly(
            store, "en.wikipedia", stored, "all-access", "all-agents", FIRST, LAST
        )
        assert got[datetime(2024, 2, 1)][stored] == dict(expected)[month_number(2024, 2)]


def test_mwviews_article_views_missing_title_is_none(mwviews: PageviewsClient) -> None:
    got = mwviews.article_views(
        "en.wikipedia", ["AC/DC", "No such page"], start="20240210", end="20240211"
    )
    assert all(views["No_such_page"] is None for views in got.values())
    assert all(isinstance(views["AC/DC"], int) for views in got.values())


def test_mwviews_project_views_daily_and_hourly(
    mwviews: PageviewsClient, store: Connection
) -> None:
    daily = mwviews.project_views(
        ["en.wikipedia", "de.wikipedia", "all-projects"],
        agent="user",
        start="2024020100",
        end="2024022900",
    )
    for project in ("en.wikipedia", "de.wikipedia", "all-projects"):
        expected = dict(queries.project_daily(store, project, "all-access", "user", FIRST, LAST))
        assert len(expected) == 29
        assert {day_number(k.date()): v[project] for k, v in daily.items()} == expected, project
    march = day_number(date(2024, 3, 1))
    hourly = mwviews.project_views(
        ["en.wikipedia"], granularity="hourly", start="2024030100", end="2024030123"
    )
    expected = dict(
        queries.project_hourly(
            store, "en.wikipedia", "all-access", "all-agents", march * 24, march * 24 + 23
        )
    )
    assert set(expected.values()) == {7}  # 5 desktop + 2 mobile an hour, from the dumps
    assert {
        day_number(k.date()) * 24 + k.hour: v["en.wikipedia"] for k, v in hourly.items()
    } == expected


def test_mwviews_top_articles_of_a_day_and_a_month(
    mwviews: PageviewsClient, store: Connection
) -> None:
    for day, period in ((10, {"day": FIRST + 9}), ("all-days", {"month": month_number(2024, 2)})):
        got = mwviews.top_articles("en.wikipedia", year=2024, month=2, day=day)
        expected = queries.top_articles(store, "en.wikipedia", "all-access", **period)
        assert len(expected) == len(TITLES) + 1, day
        assert got == [{"article": e.title, "views": e.views, "rank": e.rank} for e in expected]
    first_two = queries.top_articles(store, "en.wikipedia", "all-access", day=FIRST + 9)[:2]
    assert mwviews.top_articles("en.wikipedia", year=2024, month=2, day=10, limit=2) == [
        {"article": e.title, "views": e.views, "rank": e.rank} for e in first_two
    ]


def test_mwviews_top_without_data_raises_its_error(mwviews: PageviewsClient) -> None:
    with pytest.raises(Exception, match="returned nothing useful"):
        mwviews.top_articles("en.wikipedia", year=2023, month=1, day=1)


# --- pageviewapi -------------------------------------------------------------------------------


def test_pageviewapi_per_article_sends_spaces_as_percent_20(pva, store: Connection) -> None:
    for typed, stored in TYPED.items():
        response = pva.per_article("en.wikipedia", typed, "20240201", "20240229")
        assert {item.article for item in response["items"]} == {stored}, typed
        got = {
            day_number(datetime.strptime(i.timestamp, "%Y%m%d%H").date()): i.views
            for i in response["items"]
        }
        assert got == _daily(store, stored), typed


def test_pageviewapi_per_article_monthly_and_agent(pva, store: Connection) -> None:
    response = pva.per_article(
        "en.wikipedia", "Main Page", "20240201", "20240229", agent="spider", granularity="monthly"
    )
    assert [(i.timestamp, i.views, i.granularity) for i in response["items"]] == [
        ("2024020100", 4 * 29, "monthly")
    ]


def test_pageviewapi_missing_data_is_its_404_exception(pva) -> None:
    with pytest.raises(pageviewapi.client.ZeroOrDataNotLoadedException):
        pva.per_article("en.wikipedia", "No such page", "20240201", "20240229")
    with pytest.raises(requests.HTTPError) as error:
        pva.per_article("en.wikipedia", "AC/DC", "20240229", "20240201")
    assert error.value.response.status_code == 400


def test_pageviewapi_aggregate(pva, store: Connection) -> None:
    response = pva.aggregate("de.wikipedia", "2024020100", "2024022900", agent="user")
    expected = queries.project_daily(store, "de.wikipedia", "all-access", "user", FIRST, LAST)
    assert [(i.timestamp, i.views) for i in response["items"]] == [
        (f"{(date(2024, 2, 1) + timedelta(days=d - FIRST)):%Y%m%d}00", v) for d, v in expected
    ]
    assert {v for _, v in expected} == {3}  # Berlin, 3 views a day in the dumps


def test_pageviewapi_top(pva, store: Connection) -> None:
    response = pva.top("en.wikipedia", 2024, "02", "10", access="desktop")
    (item,) = response["items"]
    assert (item.project, item.access, item.year, item.month, item.day) == (
        "en.wikipedia",
        "desktop",
        "2024",
        "02",
        "10",
    )
    expected = queries.top_articles(store, "en.wikipedia", "desktop", day=FIRST + 9)
    assert [(a.article, a.views, a.rank) for a in item.articles] == [
        (e.title, e.views, e.rank) for e in expected
    ]


def test_pageviewapi_legacy_pagecounts_appends_org(pva, store: Connection) -> None:
    day = day_number(date(2014, 5, 1))
    response = pva.legacy_pagecounts("en.wikipedia", "2014050100", "2014050100")
    expected = queries.project_daily(
        store, "en.wikipedia", "all-access", "all-agents", day, day, source=Source.PAGECOUNTS
    )
    assert [(i.timestamp, i.count) for i in response["items"]] == [("2014050100", expected[0][1])]
    assert expected[0][1] == 24 * 9


# --- the document, over real HTTP --------------------------------------------------------------


def test_the_documented_examples_answer_as_documented_over_http(api_server: LiveServer) -> None:
    """Each operation's example request, through gunicorn, conforms to the OpenAPI document."""
    status, body = api_server.get("/api/openapi.json")
    assert status == 200
    schema = schemathesis.openapi.from_dict(json.loads(body))
    statuses = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        examples = {
            p.name: p.definition["example"]
            for p in operation.path_parameters
            if "example" in p.definition
        }
        case = operation.Case(path_parameters=examples)
        response = case.call(base_url=api_server.url, headers={"User-Agent": UA})
        case.validate_response(response)
        statuses[operation.definition.raw["operationId"]] = response.status_code
    assert statuses["pageviews.per_article"] == statuses["pageviews.top"] == 200, statuses
    assert statuses["health.healthz"] == statuses["legacy.aggregate"] == 200, statuses
