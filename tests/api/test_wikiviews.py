"""The extensions under /api/wikiviews/v1/: exact values, limits, CSV, caching, escaping.

The store is described in tests/api/wikiviews_store.py.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import date
from urllib.parse import quote

import pytest
from sqlalchemy import text

from backend import create_app, db, queries
from backend.timeutil import day_number, month_number
from tests.api.wikiviews_store import ODD_TITLES, days_between
from tests.helpers import run_cli

V1 = "/api/wikiviews/v1"


def ok(response) -> dict:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    return response.get_json()


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "application/problem+json"
    return response.get_json()


def main_page_user(day: date) -> int:
    """All-access user views of Main_Page on a day."""
    if day.month == 1:
        return 1000
    if day.month == 2:
        return 2000
    return 3100


# --- summary ------------------------------------------------------------------------------


def test_summary_has_exactly_the_design_shape_and_values(ext_client):
    body = ok(ext_client.get(f"{V1}/summary/en.wikipedia/Main_Page?days=60&agent=user"))
    assert list(body) == [
        "project",
        "title",
        "through",
        "series",
        "total_30",
        "average_30",
        "previous_total_30",
        "change_pct",
        "rank",
        "rank_date",
        "redirects",
    ]
    dates = days_between(date(2024, 1, 4), date(2024, 3, 3))
    assert body["series"] == [{"date": f"{d:%Y%m%d}", "views": main_page_user(d)} for d in dates]
    assert len(body["series"]) == 60
    # Last 30 days: 3 Feb … 3 Mar; the 30 before: 4 Jan … 2 Feb.
    assert body["total_30"] == 27 * 2000 + 3 * 3100 == 63300
    assert body["previous_total_30"] == 28 * 1000 + 2 * 2000 == 32000
    assert body["average_30"] == 2110.0
    assert body["change_pct"] == 97.8
    # "Hidden" (blocked) had more views on 3 March; the served list ranks Main_Page first.
    assert (body["rank"], body["rank_date"], body["through"]) == (1, "20240303", "20240303")
    assert (body["project"], body["title"], body["redirects"]) == ("en.wikipedia", "Main_Page", [])


def test_summary_zero_fills_days_agents_and_access(ext_client):
    body = ok(ext_client.get(f"{V1}/summary/en.wikipedia/Target?days=5"))
    assert body["series"] == [
        {"date": "20240228", "views": 20},
        {"date": "20240229", "views": 20},
        {"date": "20240301", "views": 30},
        {"date": "20240302", "views": 30},
        {"date": "20240303", "views": 30},
    ]
    assert body["rank"] is None
    everyone = ok(ext_client.get(f"{V1}/summary/en.wikipedia/Main_Page?days=1&agent=all-agents"))
    assert everyone["series"] == [{"date": "20240303", "views": 3107}]
    assert everyone["total_30"] == 63300 + 3 * 7
    web = ok(ext_client.get(f"{V1}/summary/en.wikipedia/Main_Page?days=1&access=mobile-web"))
    assert web["series"] == [{"date": "20240303", "views": 100}]
    never = ok(ext_client.get(f"{V1}/summary/en.wikipedia/Never_viewed?days=3"))
    assert [p["views"] for p in never["series"]] == [0, 0, 0]
    assert (never["total_30"], never["change_pct"], never["rank"]) == (0, None, None)


def test_summary_sums_redirects_but_not_blocked_ones(ext_client):
    body = ok(ext_client.get(f"{V1}/summary/en.wikipedia/Target?days=3&redirects=1"))
    assert body["redirects"] == ["Redirect_A", "Redirect_B", "Redirect_Unviewed"]
    assert [p["views"] for p in body["series"]] == [33, 33, 33]
    assert body["total_30"] == 3 * 33 + 27 * 20
    plain = ok(ext_client.get(f"{V1}/summary/en.wikipedia/Target?days=3&redirects=0"))
    assert [p["views"] for p in plain["series"]] == [30, 30, 30]
    assert plain["redirects"] == []


def test_summary_of_a_blocked_title_is_empty(ext_client):
    body = ok(ext_client.get(f"{V1}/summary/en.wikipedia/Hidden?days=2"))
    assert [p["views"] for p in body["series"]] == [0, 0]
    assert body["rank"] is None


def test_summary_errors(ext_client):
    assert problem(ext_client.get(f"{V1}/summary/xx.wikipedia/Main_Page"), 404)["title"] == (
        "Not Found"
    )
    too_long = problem(ext_client.get(f"{V1}/summary/en.wikipedia/Main_Page?days=3661"), 400)
    assert "max_days" in too_long["detail"] and "3660" in too_long["detail"]
    assert problem(ext_client.get(f"{V1}/summary/en.wikipedia/Main_Page?days=0"), 400)
    assert problem(ext_client.get(f"{V1}/summary/en.wikipedia/Main_Page?days=x"), 400)
    bad_agent = problem(ext_client.get(f"{V1}/summary/en.wikipedia/Main_Page?agent=bot"), 400)
    assert bad_agent["detail"].startswith("data.params.agent should be equal to one of")
    assert problem(ext_client.get(f"{V1}/summary/en.wikipedia/Main_Page?redirects=maybe"), 400)


def test_summary_is_cacheable_with_etag_and_304(ext_client):
    url = f"{V1}/summary/en.wikipedia/Main_Page?days=7"
    first = ext_client.get(url)
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "s-maxage=14400, max-age=14400"
    again = ext_client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    other = ext_client.get(f"{V1}/summary/en.wikipedia/Main_Page?days=8")
    assert other.headers["ETag"] != etag


@pytest.mark.parametrize("title", ODD_TITLES)
def test_summary_keeps_odd_titles_intact(ext_client, title):
    body = ok(ext_client.get(f"{V1}/summary/en.wikipedia/{quote(title, safe='')}?days=3"))
    assert body["title"] == title
    assert [p["views"] for p in body["series"]] == [3, 3, 3]


def test_summary_reads_a_handful_of_queries(extensions_app, ext_client):
    """The gadget's request is benchmarked: it must not grow a query per day or redirect."""
    engine = extensions_app.extensions["wikiviews_engine"]
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append(statement)

    from sqlalchemy import event

    event.listen(engine, "before_cursor_execute", count)
    try:
        ok(ext_client.get(f"{V1}/summary/en.wikipedia/Target?days=60&redirects=1"))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) <= 7, statements


# --- several articles ----------------------------------------------------------------------


def many(client, query: str, *, gran="daily", start="20240301", end="20240303", agent="user"):
    return client.get(
        f"{V1}/per-article/en.wikipedia/all-access/{agent}/{gran}/{start}/{end}?{query}"
    )


def test_several_articles_daily(ext_client):
    body = ok(many(ext_client, "titles=Main_Page|Target|Never_viewed"))
    assert [(i["article"], i["timestamp"], i["views"]) for i in body["items"]] == [
        ("Main_Page", "2024030100", 3100),
        ("Main_Page", "2024030200", 3100),
        ("Main_Page", "2024030300", 3100),
        ("Target", "2024030100", 30),
        ("Target", "2024030200", 30),
        ("Target", "2024030300", 30),
    ]
    assert body["items"][0] == {
        "project": "en.wikipedia",
        "article": "Main_Page",
        "granularity": "daily",
        "timestamp": "2024030100",
        "access": "all-access",
        "agent": "user",
        "views": 3100,
    }
    assert "redirects" not in body


def test_several_articles_with_redirects_and_zero_fill(ext_client):
    body = ok(
        many(
            ext_client,
            "titles=Target|Never_viewed&redirects=1&zero_fill=1",
            start="20240229",
            end="20240304",
        )
    )
    # 4 March is not complete, so it is not published: zero-filled days stop at 3 March.
    assert [(i["article"], i["timestamp"], i["views"]) for i in body["items"]] == [
        ("Target", "2024022900", 20),
        ("Target", "2024030100", 33),
        ("Target", "2024030200", 33),
        ("Target", "2024030300", 33),
        ("Never_viewed", "2024022900", 0),
        ("Never_viewed", "2024030100", 0),
        ("Never_viewed", "2024030200", 0),
        ("Never_viewed", "2024030300", 0),
    ]
    assert body["redirects"] == {
        "Target": ["Redirect_A", "Redirect_B", "Redirect_Unviewed"],
        "Never_viewed": [],
    }


def test_several_articles_monthly(ext_client):
    body = ok(
        many(
            ext_client,
            "titles=Main_Page|Spike_12",
            gran="monthly",
            start="20240101",
            end="20240331",
        )
    )
    assert [(i["article"], i["timestamp"], i["views"]) for i in body["items"]] == [
        ("Main_Page", "2024010100", 31000),
        ("Main_Page", "2024020100", 58000),
        ("Main_Page", "2024030100", 9300),
        ("Spike_12", "2024020100", 500),
    ]
    trimmed = problem(
        many(ext_client, "titles=Main_Page", gran="monthly", start="20240102", end="20240130"), 400
    )
    assert trimmed["detail"] == "no full months found in specified date range"


def test_several_articles_leave_blocked_titles_out(ext_client):
    assert problem(many(ext_client, "titles=Hidden|HIDDEN"), 404)
    body = ok(many(ext_client, "titles=Hidden|Steady"))
    assert {i["article"] for i in body["items"]} == {"Steady"}


def test_several_articles_csv_quotes_odd_titles(ext_client):
    query = "&".join(f"title={quote(t, safe='')}" for t in ODD_TITLES) + "&format=csv"
    response = many(ext_client, query, start="20240301", end="20240301")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    text_body = response.get_data(as_text=True)
    lines = text_body.split("\r\n")
    assert lines[0] == "project,article,granularity,timestamp,access,agent,views"
    assert lines[3] == 'en.wikipedia,"Say_""Hi"",_World",daily,2024030100,all-access,user,3'
    rows = list(csv.reader(io.StringIO(text_body)))
    assert [row[1] for row in rows[1:]] == ODD_TITLES
    assert all(row[6] == "3" for row in rows[1:])
    etag = response.headers["ETag"]
    cached = many(ext_client, query, start="20240301", end="20240301")
    assert cached.headers["ETag"] == etag


def test_several_articles_json_keeps_odd_titles(ext_client):
    query = "&".join(f"title={quote(t, safe='')}" for t in ODD_TITLES)
    body = ok(many(ext_client, query, start="20240301", end="20240301"))
    assert [i["article"] for i in body["items"]] == ODD_TITLES
    raw = many(ext_client, query, start="20240301", end="20240301").get_data(as_text=True)
    assert "<script>alert(1)</script>" in raw and "עברית_(ספר)" in raw


def test_several_articles_limits(extensions_store):
    app = create_app(
        dataclasses.replace(extensions_store, max_articles=2, max_days=40, rate_limit="")
    )
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = "wikiviews-tests/1.0"
    try:
        too_many = problem(many(client, "titles=A|B|C"), 400)
        assert "max_articles" in too_many["detail"] and "3 articles" in too_many["detail"]
        assert ok(many(client, "titles=A|Main_Page|A"))["items"][0]["article"] == "Main_Page"
        too_long = problem(many(client, "titles=Main_Page", start="20240101", end="20240210"), 400)
        assert "max_days" in too_long["detail"] and "41 days" in too_long["detail"]
        assert ok(many(client, "titles=Main_Page", start="20240101", end="20240209"))
        assert problem(many(client, ""), 400)["detail"].startswith("Name at least one article")
        assert problem(many(client, "titles=Main_Page&format=xml"), 400)
    finally:
        app.extensions["wikiviews_engine"].dispose()


# --- hourly ----------------------------------------------------------------------------------


def hourly(client, title, start, end, query="", access="all-access"):
    encoded = quote(title, safe="")
    return client.get(
        f"{V1}/per-article-hourly/en.wikipedia/{access}/user/{encoded}/{start}/{end}?{query}"
    )


def test_hourly_window(ext_client):
    body = ok(hourly(ext_client, "Main_Page", "2024030400", "2024030423"))
    assert [(i["timestamp"], i["views"]) for i in body["items"]] == [
        (f"20240304{h:02d}", 55) for h in range(6)
    ]
    assert body["items"][0]["granularity"] == "hourly"
    desktop = ok(hourly(ext_client, "Main_Page", "2024030402", "2024030403", access="desktop"))
    assert [i["views"] for i in desktop["items"]] == [50, 50]
    # The complete daily files put every view in hour 0.
    day = ok(hourly(ext_client, "Main_Page", "2024030300", "2024030323", "zero_fill=1"))
    assert len(day["items"]) == 24
    assert [i["views"] for i in day["items"]] == [3100] + [0] * 23
    # The combined mobile bucket of hourly files never answers for mobile-web.
    assert problem(
        hourly(ext_client, "Main_Page", "2024030400", "2024030405", access="mobile-web"), 404
    )


def test_hourly_redirects_and_csv(ext_client):
    response = hourly(ext_client, "Target", "2024030404", "2024030405", "redirects=1&format=csv")
    assert response.get_data(as_text=True) == (
        "project,article,granularity,timestamp,access,agent,views\r\n"
        "en.wikipedia,Target,hourly,2024030404,all-access,user,5\r\n"
        "en.wikipedia,Target,hourly,2024030405,all-access,user,5\r\n"
    )


def test_hourly_errors(ext_client):
    outside = problem(hourly(ext_client, "Main_Page", "2024022000", "2024022023"), 404)
    assert "2024022606" in outside["detail"] and "2024030405" in outside["detail"]
    assert "outside the hourly window" in outside["detail"]
    assert "--project" not in outside["detail"]
    # February came from monthly files: inside the window, but no per-page hours.
    unfilled = problem(hourly(ext_client, "Main_Page", "2024022700", "2024022723"), 404)
    assert unfilled["detail"] == (
        "No hourly per-page data for 2024022700 to 2024022723: the hourly window "
        "(2024022606 to 2024030405) holds no per-page rows for those hours, because only "
        "loads with --project or --hourly fill it."
    )
    # A range reaching back before the window is judged on the part inside it.
    clipped = problem(hourly(ext_client, "Main_Page", "2024022000", "2024022723"), 404)
    assert clipped["detail"].startswith("No hourly per-page data for 2024022606 to 2024022723")
    dates = problem(hourly(ext_client, "Main_Page", "20240304", "2024030405"), 400)
    assert dates["detail"] == (
        "start timestamp is invalid, must be a valid date in YYYYMMDDHH format"
    )
    span = problem(hourly(ext_client, "Main_Page", "2004030400", "2024030405"), 400)
    assert "max_days" in span["detail"]


# --- range tops ------------------------------------------------------------------------------


def top(client, start, end, query="", access="all-access"):
    return client.get(f"{V1}/top/en.wikipedia/{access}/{start}/{end}?{query}")


def articles(body) -> list[tuple[str, int, int]]:
    (item,) = body["items"]
    return [(a["article"], a["views"], a["rank"]) for a in item["articles"]]


def test_range_top_sums_days_exactly(ext_client):
    # Over 10–19 February, Steady (60 a day) is in no daily top 3 but beats every spike.
    body = ok(top(ext_client, "20240210", "20240219", "limit=3"))
    assert articles(body) == [("Main_Page", 20000, 1), ("Second", 1000, 2), ("Steady", 600, 3)]
    (item,) = body["items"]
    assert {k: item[k] for k in ("start", "end", "granularity", "days")} == {
        "start": "20240210",
        "end": "20240219",
        "granularity": "daily",
        "days": 10,
    }
    # Spikes tie at 500: a tie straddling the cut is dropped, as Wikimedia cuts its lists.
    five = ok(top(ext_client, "20240210", "20240219", "limit=5"))
    assert articles(five) == [("Main_Page", 20000, 1), ("Second", 1000, 2), ("Steady", 600, 3)]
    twenty = articles(ok(top(ext_client, "20240210", "20240219", "limit=20")))
    assert sorted(twenty[3:13]) == [(f"Spike_{d}", 500, 4) for d in range(10, 20)]
    assert twenty[13:] == [("Target", 200, 14)]


def test_range_top_over_packed_and_staged_days_without_blocked(ext_client):
    body = ok(top(ext_client, "20240228", "20240303", "limit=3"))
    # Hidden (2500 on 3 March) is blocked; 28–29 Feb are packed, 1–3 March staged.
    assert articles(body) == [
        ("Main_Page", 2 * 2000 + 3 * 3100, 1),
        ("Second", 500, 2),
        ("Steady", 300, 3),
    ]
    desktop = ok(top(ext_client, "20240301", "20240303", "limit=1", access="desktop"))
    assert articles(desktop) == [("Main_Page", 9000, 1)]


def test_range_top_beyond_31_days_uses_whole_months(ext_client):
    body = ok(top(ext_client, "20240115", "20240310", "limit=3"))
    (item,) = body["items"]
    assert (item["start"], item["end"], item["granularity"], item["days"]) == (
        "20240201",
        "20240229",
        "monthly",
        29,
    )
    assert articles(body) == [("Main_Page", 58000, 1), ("Second", 2900, 2), ("Steady", 1740, 3)]
    both = ok(top(ext_client, "20240101", "20240229", "limit=4"))
    assert articles(both) == [
        ("Main_Page", 89000, 1),
        ("Second", 6000, 2),
        ("Steady", 3600, 3),
        ("Target", 890, 4),
    ]
    # The same two months day by day would be the same sums: the months are complete.
    assert problem(top(ext_client, "20240102", "20240215"), 400)["detail"] == (
        "no full months found in specified date range"
    )


def test_range_top_proves_from_lists_or_scans(extensions_store):
    engine = db.make_engine(extensions_store)
    with engine.connect() as connection:
        feb10, feb19 = day_number(date(2024, 2, 10)), day_number(date(2024, 2, 19))
        proven = queries.range_top_days(connection, "en.wikipedia", "all-access", feb10, feb19, 1)
        scanned = queries.range_top_days(connection, "en.wikipedia", "all-access", feb10, feb19, 3)
        months = queries.range_top_months(
            connection,
            "en.wikipedia",
            "all-access",
            month_number(2024, 1),
            month_number(2024, 2),
            2,
        )
    engine.dispose()
    assert (proven.method, [(e.title, e.views) for e in proven.entries]) == (
        "lists",
        [("Main_Page", 20000)],
    )
    assert (scanned.method, [e.title for e in scanned.entries]) == (
        "scan",
        ["Main_Page", "Second", "Steady"],
    )
    assert (months.method, [(e.title, e.views) for e in months.entries]) == (
        "lists",
        [("Main_Page", 89000), ("Second", 6000)],
    )


def test_range_top_errors_and_csv(ext_client):
    assert problem(top(ext_client, "20240210", "20240219", "limit=1001"), 400)
    assert problem(top(ext_client, "20240210", "20240219", "limit=0"), 400)
    assert problem(top(ext_client, "20230101", "20230110"), 404)
    assert problem(top(ext_client, "20240219", "20240210"), 400)["detail"] == (
        "start timestamp should be before the end timestamp"
    )
    response = top(ext_client, "20240210", "20240219", "limit=2&format=csv")
    assert response.get_data(as_text=True) == (
        "project,access,start,end,rank,article,views\r\n"
        "en.wikipedia,all-access,20240210,20240219,1,Main_Page,20000\r\n"
        "en.wikipedia,all-access,20240210,20240219,2,Second,1000\r\n"
    )


# --- freshness -------------------------------------------------------------------------------


def test_freshness(ext_client):
    body = ok(ext_client.get(f"{V1}/freshness/en.wikipedia?days=3"))
    assert body == {
        "project": "en.wikipedia",
        "last_day": "20240303",
        "last_hour": "2024030405",
        "days": [
            {"date": "20240304", "published": False, "source": None, "hours": {"pageviews": 6}},
            {
                "date": "20240303",
                "published": True,
                "source": "pageview_complete",
                "hours": {"pageview_complete": 24},
            },
            {
                "date": "20240302",
                "published": True,
                "source": "pageview_complete",
                "hours": {"pageview_complete": 24},
            },
        ],
        "held_hours": [],
    }
    response = ext_client.get(f"{V1}/freshness/en.wikipedia")
    assert len(response.get_json()["days"]) == 7
    assert response.headers["Cache-Control"] == "s-maxage=300, max-age=300"


def test_freshness_lists_held_hours(ext_client):
    body = ok(ext_client.get(f"{V1}/freshness/de.wikipedia?days=2"))
    assert body["held_hours"] == [
        {
            "hour": "2024030310",
            "reason": "spike: 5x the hour a week before",
            "held_at": "2024-03-04T01:02:03",
        }
    ]
    assert problem(ext_client.get(f"{V1}/freshness/xx.wikipedia"), 404)
    assert problem(ext_client.get(f"{V1}/freshness/en.wikipedia?days=32"), 400)


def test_every_extension_view_uses_the_query_limit(extensions_app, ext_client):
    """Each view runs its queries on the time-limited connection."""
    engine = extensions_app.extensions["wikiviews_engine"]
    setting = {"postgresql": "SET LOCAL statement_timeout", "mysql": "SET SESSION max_statement"}
    if engine.dialect.name not in setting:
        pytest.skip("SQLite's limit is a progress handler, not a statement")
    seen: list[str] = []

    def watch(_conn, _cursor, statement, *_args):
        seen.append(statement)

    from sqlalchemy import event

    event.listen(engine, "before_cursor_execute", watch)
    try:
        for url in (
            f"{V1}/summary/en.wikipedia/Main_Page",
            f"{V1}/per-article/en.wikipedia/all-access/user/daily/20240301/20240303?titles=Target",
            f"{V1}/per-article-hourly/en.wikipedia/all-access/user/Main_Page/2024030400/2024030401",
            f"{V1}/top/en.wikipedia/all-access/20240301/20240303",
            f"{V1}/freshness/en.wikipedia",
            "/json/en/202402/Main_Page",
        ):
            seen.clear()
            ok(ext_client.get(url))
            reads = [s for s in seen if s.strip().lower() != "select 1"]
            assert reads[0].startswith(setting[engine.dialect.name]), (url, reads[:2])
    finally:
        event.remove(engine, "before_cursor_execute", watch)


def test_store_has_no_unexpected_redirect_rows(extensions_store):
    engine = db.make_engine(extensions_store)
    with engine.connect() as connection:
        count = connection.execute(text("SELECT COUNT(*) FROM redirects")).scalar_one()
    engine.dispose()
    assert count == 4


def test_range_top_scan_stops_at_its_deadline(extensions_store):
    """Summing packed days runs in Python, out of the SQL time limit's reach: it has its own."""
    engine = db.make_engine(extensions_store)
    feb10, feb19 = day_number(date(2024, 2, 10)), day_number(date(2024, 2, 19))
    with engine.connect() as connection:
        with pytest.raises(queries.ScanTooLong):
            queries.range_top_days(
                connection, "en.wikipedia", "all-access", feb10, feb19, 3, deadline=0.0
            )
        proven = queries.range_top_days(
            connection, "en.wikipedia", "all-access", feb10, feb19, 1, deadline=0.0
        )
    engine.dispose()
    assert [e.title for e in proven.entries] == ["Main_Page"]


def test_projects_says_what_is_loaded(ext_client, extensions_store):
    response = ext_client.get(f"{V1}/projects")
    body = ok(response)
    assert body["backend"] in ("sqlite", "postgresql", "mysql")
    assert isinstance(body["size_bytes"], int) and body["size_bytes"] > 0
    assert body["items"] == [
        {
            "project": "de.wikipedia",
            "first_day": "20240301",
            "last_day": "20240303",
            "days": 3,
            "sources": {"pageview_complete": 3},
            "held_hours": 1,
        },
        {
            "project": "en.wikipedia",
            "first_day": "20240101",
            "last_day": "20240303",
            "days": 63,
            "sources": {"pageview_complete": 63},
            "held_hours": 0,
        },
    ]
    assert "max-age=" in response.headers["Cache-Control"]
    # The command prints the same, one line a project.
    result = run_cli(extensions_store, "status")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("store: ")
    assert lines[1].split() == [
        "de.wikipedia",
        "2024-03-01",
        "to",
        "2024-03-03,",
        "3",
        "days",
        "published",
        "(pageview_complete",
        "3);",
        "1",
        "hours",
        "held",
    ]
    assert lines[2].startswith("en.wikipedia  2024-01-01 to 2024-03-03, 63 days published")
    # de.wikipedia's one held hour is of a day whose other hours are missing.
    assert lines[3] == (
        "pending: 1 incomplete project-day waits for its missing hours"
        " (counted when the last one loads)"
    )
    assert lines[4].startswith(f"store: {body['backend']}, ")
