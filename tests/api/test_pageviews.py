"""The Wikimedia-compatible routes: exact values, normalisation, errors and headers.

Paths and expectations follow shared/reference/pageview-api.md (§1–§5 and the test vectors
of §9); the store is described in tests/api/conftest.py.
"""

from __future__ import annotations

from http import HTTPStatus
from urllib.parse import quote

import pytest
from sqlalchemy import text

from backend import create_app, db
from backend.api.pageviews import views_interval
from backend.api.problems import NOT_FOUND_DETAIL
from tests.api.conftest import TITLES, main_page_user, title_views

P = "/api/rest_v1/metrics/pageviews"


def article_url(title: str, *, access="all-access", agent="user", gran="daily", start, end):
    encoded = quote(title, safe="")
    return f"{P}/per-article/en.wikipedia/{access}/{agent}/{encoded}/{gran}/{start}/{end}"


def items(response) -> list[dict]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["items"]


def problem(response, status: int) -> dict:
    """The body of a problem answer, checked to be shaped as AQS 2.0 sends them."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "application/problem+json"
    body = response.get_json()
    assert list(body) == ["detail", "method", "status", "title", "type", "uri"]
    assert (body["type"], body["status"], body["method"]) == ("about:blank", status, "get")
    assert body["title"] == HTTPStatus(status).phrase
    assert isinstance(body["detail"], str)
    return body


# --- per-article --------------------------------------------------------------------------


def test_per_article_daily_sums_access_and_agents(client):
    got = items(
        client.get(
            f"{P}/per-article/en.wikipedia/all-access/all-agents/Main_Page/daily/20240209/20240211"
        )
    )
    assert got == [
        {
            "project": "en.wikipedia",
            "article": "Main_Page",
            "granularity": "daily",
            "timestamp": f"202402{day:02d}00",
            "access": "all-access",
            "agent": "all-agents",
            "views": sum(main_page_user(day)) + 4,
        }
        for day in (9, 10, 11)
    ]
    desktop_spider = items(
        client.get(
            f"{P}/per-article/en.wikipedia/desktop/spider/Main_Page/daily/2024021000/2024021023"
        )
    )
    assert [(i["timestamp"], i["views"]) for i in desktop_spider] == [("2024021000", 4)]
    app = items(
        client.get(
            f"{P}/per-article/en.wikipedia/mobile-app/user/Main_Page/daily/20240201/20240201"
        )
    )
    assert app[0]["views"] == 10


def test_range_is_inclusive_and_crosses_sources(client):
    # 29 February from pageview_complete, 1 March from hourly pageviews (user agent only).
    got = items(
        client.get(
            f"{P}/per-article/en.wikipedia/all-access/user/Main_Page/daily/20240229/20240301"
        )
    )
    assert [(i["timestamp"], i["views"]) for i in got] == [
        ("2024022900", sum(main_page_user(29))),
        ("2024030100", 24 * 7),
    ]
    # The combined mobile bucket of hourly dumps never answers for mobile-web.
    web = items(
        client.get(
            f"{P}/per-article/en.wikipedia/mobile-web/user/Main_Page/daily/20240229/20240301"
        )
    )
    assert [i["timestamp"] for i in web] == ["2024022900"]


def test_start_equal_to_end_gives_one_item(client):
    got = items(client.get(article_url("AC/DC", start="20240202", end="20240202")))
    assert got == [
        {
            "project": "en.wikipedia",
            "article": "AC/DC",
            "granularity": "daily",
            "timestamp": "2024020200",
            "access": "all-access",
            "agent": "user",
            "views": title_views(0, 2),
        }
    ]


@pytest.mark.parametrize("index", range(len(TITLES)))
def test_awkward_titles_round_trip(client, index):
    title = TITLES[index]
    got = items(client.get(article_url(title, start="20240205", end="20240205")))
    assert [(i["article"], i["views"]) for i in got] == [(title, title_views(index, 5))]


def test_title_decoded_once_spaces_become_underscores(client):
    raw = "dash%20-%20space%20%3A%20colon%20%25%20percent%20%2F%20slash"
    got = items(
        client.get(f"{P}/per-article/en.wikipedia/all-access/user/{raw}/daily/20240203/20240203")
    )
    assert got[0]["article"] == "dash_-_space_:_colon_%_percent_/_slash"
    # %2525 is "%25" after one decoding: no such title, so not found (not the "%" title).
    twice = "100%2525_Pure"
    problem(
        client.get(f"{P}/per-article/en.wikipedia/all-access/user/{twice}/daily/20240203/20240203"),
        404,
    )


@pytest.mark.parametrize("project", ["EN.WIKIPEDIA.ORG", "www.en.wikipedia.org", " en.wikipedia "])
def test_project_forms_are_normalised(client, project):
    got = items(
        client.get(
            f"{P}/per-article/{quote(project)}/all-access/user/AC%2FDC/daily/20240201/20240201"
        )
    )
    assert got[0]["project"] == "en.wikipedia"


def test_monthly_is_trimmed_to_whole_months(client):
    got = items(
        client.get(article_url("Main_Page", gran="monthly", start="20240115", end="20240310"))
    )
    feb = sum(sum(main_page_user(day)) for day in range(1, 30))
    assert [(i["timestamp"], i["granularity"], i["views"]) for i in got] == [
        ("2024020100", "monthly", feb)
    ]
    both = items(
        client.get(article_url("Main_Page", gran="monthly", start="20240101", end="20240331"))
    )
    assert [(i["timestamp"], i["views"]) for i in both] == [
        ("2024020100", feb),
        ("2024030100", 168),
    ]
    body = problem(
        client.get(article_url("Main_Page", gran="monthly", start="20240203", end="20240220")), 400
    )
    assert body["detail"] == "no full months found in specified date range"


def test_no_data_is_a_404_with_wikimedias_text(client):
    body = problem(client.get(article_url("No_such_page", start="20240201", end="20240229")), 404)
    assert body["detail"] == NOT_FOUND_DETAIL
    problem(client.get(article_url("AC/DC", start="20230101", end="20230131")), 404)


# --- aggregate and legacy -----------------------------------------------------------------


def en_user_day(day: int) -> int:
    return sum(main_page_user(day)) + sum(title_views(i, day) for i in range(len(TITLES)))


def test_aggregate_daily_hourly_monthly_and_all_projects(client):
    daily = items(
        client.get(f"{P}/aggregate/en.wikipedia/all-access/user/daily/2024021000/2024021100")
    )
    assert daily == [
        {
            "project": "en.wikipedia",
            "access": "all-access",
            "agent": "user",
            "granularity": "daily",
            "timestamp": f"202402{d}00",
            "views": en_user_day(d),
        }
        for d in (10, 11)
    ]
    every = items(
        client.get(f"{P}/aggregate/all-projects/all-access/user/daily/2024021000/2024021000")
    )
    assert every[0]["project"] == "all-projects" and every[0]["views"] == en_user_day(10) + 3
    hourly = items(
        client.get(f"{P}/aggregate/en.wikipedia/all-access/user/hourly/2024030100/2024030102")
    )
    assert [(i["timestamp"], i["views"]) for i in hourly] == [
        ("2024030100", 7),
        ("2024030101", 7),
        ("2024030102", 7),
    ]
    monthly = items(
        client.get(
            f"{P}/aggregate/www.en.wikipedia.org/all-access/user/monthly/2024020100/2024040100"
        )
    )
    assert [(i["project"], i["timestamp"], i["views"]) for i in monthly] == [
        ("en.wikipedia", "2024020100", sum(en_user_day(d) for d in range(1, 30)))
    ]


def test_legacy_pagecounts_reads_only_pagecounts(client):
    base = "/api/rest_v1/metrics/legacy/pagecounts/aggregate"
    got = items(client.get(f"{base}/en.wikipedia.org/all-sites/daily/2014050100/2014050100"))
    assert got == [
        {
            "project": "en.wikipedia",
            "access-site": "all-sites",
            "granularity": "daily",
            "timestamp": "2014050100",
            "count": 24 * 9,
        }
    ]
    desktop = items(client.get(f"{base}/en.wikipedia/desktop-site/hourly/2014050100/2014050101"))
    assert [(i["timestamp"], i["count"]) for i in desktop] == [("2014050100", 7), ("2014050101", 7)]
    mobile = items(client.get(f"{base}/en.wikipedia/mobile-site/daily/2014050100/2014050100"))
    assert mobile[0]["count"] == 48
    # February 2024 is pageview_complete data: the legacy route does not see it.
    problem(client.get(f"{base}/en.wikipedia/all-sites/daily/2024020100/2024020200"), 404)
    body = problem(client.get(f"{base}/en.wikipedia/all-access/daily/2014050100/2014050100"), 400)
    assert "access-site" in body["detail"]


# --- top lists ----------------------------------------------------------------------------


def test_top_of_a_day_and_of_a_month(client):
    day = items(client.get(f"{P}/top/en.wikipedia/all-access/2024/02/10"))
    assert len(day) == 1
    head = day[0]
    assert {k: head[k] for k in ("project", "access", "year", "month", "day")} == {
        "project": "en.wikipedia",
        "access": "all-access",
        "year": "2024",
        "month": "02",
        "day": "10",
    }
    expected = [("Main_Page", sum(main_page_user(10)))] + [
        (title, title_views(i, 10)) for i, title in enumerate(TITLES)
    ]
    assert [(a["article"], a["views"], a["rank"]) for a in head["articles"]] == [
        (title, views, rank) for rank, (title, views) in enumerate(expected, 1)
    ]
    month = items(client.get(f"{P}/top/en.wikipedia/all-access/2024/02/all-days"))[0]
    assert month["day"] == "all-days"
    assert month["articles"][0] == {
        "article": "Main_Page",
        "views": sum(sum(main_page_user(d)) for d in range(1, 30)),
        "rank": 1,
    }
    desktop = items(client.get(f"{P}/top/en.wikipedia/desktop/2024/02/10"))[0]["articles"]
    assert desktop[0] == {"article": "Main_Page", "views": 110, "rank": 1}


@pytest.mark.parametrize(
    "path",
    ["2015/01/all-dayz", "all-years/01/01", "2015/all-months/01", "2015/02/29", "2024/2/10"],
)
def test_top_bad_dates(client, path):
    body = problem(client.get(f"{P}/top/en.wikipedia/mobile-web/{path}"), 400)
    assert body["detail"] == "Given year/month/day is invalid date"


def test_country_routes_answer_404_while_their_tables_are_empty(client):
    problem(client.get(f"{P}/top-by-country/en.wikipedia/all-access/2024/02"), 404)
    problem(client.get(f"{P}/top-by-country/all-projects/all-access/2024/02"), 404)
    problem(client.get(f"{P}/top-per-country/US/all-access/2024/02/10"), 404)
    body = problem(client.get(f"{P}/top-by-country/en.wikipedia/all-access/2024/13"), 400)
    assert body["detail"] == "Given year/month is invalid date"
    problem(client.get(f"{P}/top-per-country/US/mobile-web/2021/01/00"), 400)


@pytest.mark.parametrize(
    ("ceiled", "interval"),
    [
        (99, "100-999"),
        (999, "100-999"),
        (1000, "100-999"),
        (1001, "1000-9999"),
        (2000, "1000-9999"),
        (10000, "1000-9999"),
        (10001, "10000-99999"),
    ],
)
def test_country_view_intervals(ceiled, interval):
    assert views_interval(ceiled) == interval


def test_listing(client):
    assert items(client.get(f"{P}/")) == [
        "per-article",
        "aggregate",
        "top",
        "top-by-country",
        "top-per-country",
    ]


# --- bad input, one named case at a time ---------------------------------------------------

DAILY = f"{P}/per-article/en.wikipedia/all-access/user"


@pytest.mark.parametrize(
    ("path", "status", "says"),
    [
        (
            f"{DAILY.replace('/user', '/bot')}/AC%2FDC/daily/20240201/20240202",
            400,
            "agent",
        ),
        (f"{DAILY}/AC%2FDC/hourly/20240201/20240202", 400, "granularity"),
        (
            f"{P}/per-article/en.wikipedia/phone/user/X/daily/20240201/20240202",
            400,
            "access",
        ),
        (
            f"{DAILY}/AC%2FDC/daily/20150229/20150301",
            400,
            "start timestamp is invalid",
        ),
        (f"{DAILY}/AC%2FDC/daily/20240205/20240201", 400, "should be before"),
        (
            f"{DAILY}/AC%2FDC/daily/20240201000/20240205",
            400,
            "start timestamp is invalid",
        ),
        (
            f"{DAILY}/AC%2FDC/daily/20240201/202402050000",
            400,
            "end timestamp is invalid",
        ),
        (
            f"{P}/aggregate/en.wikipedia/all-access/user/hourly/20240301/20240302",
            400,
            "YYYYMMDDHH",
        ),
        (f"{DAILY}/A%00B/daily/20240201/20240202", 400, "control characters"),
        (f"{DAILY}/..%2FAC%2FDC/daily/20240201/20240202", 400, "relative path"),
        (
            f"{DAILY}/{'x' * 10000}/daily/20240201/20240202",
            400,
            "longer than 512 bytes",
        ),
        (f"{DAILY}/100%_Pure/daily/20240201/20240202", 400, "percent-encoding"),
        (f"{DAILY}/%C3%28/daily/20240201/20240202", 400, "UTF-8"),
        (f"{P}/top-per-country/us/all-access/2024/02/10", 400, "upper case"),
        (f"{DAILY}/AC%2FDC/daily/00000101/20240202", 400, "start timestamp is invalid"),
        (f"{DAILY}/AC%2FDC/daily/20230229/20240202", 400, "start timestamp is invalid"),
        (f"{P}/top/en.wikipedia/all-access/2023/02/29", 400, "invalid date"),
        (
            f"{P}/aggregate/en_wiki!pedia/all-access/user/daily/20240201/20240202",
            400,
            "`project`",
        ),
        (f"{P}/per-article/en.wikipedia/all-access/user/daily", 404, "Invalid route"),
        ("/api/rest_v1/metrics/nothing/here", 404, "Invalid route"),
    ],
)
def test_bad_input_gets_a_problem_that_says_what_was_wrong(client, path, status, says):
    body = problem(client.get(path), status)
    assert says in body["detail"]
    # The server keeps serving.
    assert client.get(article_url("AC/DC", start="20240201", end="20240201")).status_code == 200


def test_date_errors_are_reported_together(client):
    body = problem(client.get(f"{DAILY}/AC%2FDC/daily/2015a229/201507a3"), 400)
    assert body["detail"] == (
        "start timestamp is invalid, must be a valid date in YYYYMMDD format; "
        "end timestamp is invalid, must be a valid date in YYYYMMDD format"
    )


@pytest.mark.parametrize(
    "path",
    [
        # Wikimedia's own examples: any valid date is accepted, and no data is a 404.
        f"{P}/aggregate/en.wikipedia/all-access/all-agents/hourly/1970010100/1970010200",
        f"{P}/aggregate/en.wikipedia/all-access/all-agents/daily/1969010100/1970010100",
        f"{DAILY}/AC%2FDC/daily/19990101/19991231",
        f"{DAILY}/AC%2FDC/daily/21000101/99991231",
        f"{P}/top/en.wikipedia/all-access/1999/01/01",
        f"{P}/top/en.wikipedia/all-access/2999/12/all-days",
        f"{P}/top-by-country/en.wikipedia/all-access/1970/01",
    ],
)
def test_any_valid_date_is_accepted_and_no_data_is_a_404(client, path):
    assert problem(client.get(path), 404)["detail"] == NOT_FOUND_DETAIL


def test_a_range_reaching_far_back_still_finds_the_data(client):
    got = items(client.get(article_url("AC/DC", start="19700101", end="20240201")))
    assert [i["timestamp"] for i in got] == ["2024020100"]


def test_sql_metacharacters_are_just_a_title(client, api_store):
    title = "Robert'); DROP TABLE titles;--"
    problem(client.get(article_url(title, start="20240201", end="20240202")), 404)
    problem(client.get(article_url("%' OR '1'='1", start="20240201", end="20240202")), 404)
    engine = db.make_engine(api_store)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM titles")).scalar() > len(TITLES)
    engine.dispose()


# --- HTTP behaviour ------------------------------------------------------------------------


def test_success_headers_etag_and_304(client):
    url = article_url("AC/DC", start="20240201", end="20240203")
    first = client.get(url)
    assert first.headers["Content-Type"] == "application/json; charset=utf-8"
    assert first.headers["Cache-Control"] == "s-maxage=14400, max-age=14400"
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    assert first.headers["X-Content-Type-Options"] == "nosniff"
    etag = first.headers["ETag"]
    assert etag.startswith('"') and len(etag) == 42
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    other = client.get(url, headers={"If-None-Match": '"0000"'})
    assert other.status_code == 200 and other.data == first.data
    different = client.get(article_url("AC/DC", start="20240201", end="20240204"))
    assert different.headers["ETag"] != etag


def test_errors_are_not_cached_and_carry_cors(client):
    response = client.get(article_url("No_such_page", start="20240201", end="20240202"))
    assert response.headers["Cache-Control"].startswith("private, max-age=0")
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_head_and_options(client):
    url = article_url("AC/DC", start="20240201", end="20240203")
    head = client.head(url)
    assert head.status_code == 200 and head.data == b"" and head.headers["ETag"]
    options = client.options(url)
    assert options.status_code == 200
    assert "api-user-agent" in options.headers["Access-Control-Allow-Headers"]
    assert options.headers["Access-Control-Allow-Methods"] == "GET,HEAD"


def test_a_client_must_say_who_it_is(app, api_store):
    url = article_url("AC/DC", start="20240201", end="20240201")
    anonymous = app.test_client()
    body = problem(anonymous.get(url, environ_overrides={"HTTP_USER_AGENT": ""}), 403)
    assert "User-Agent" in body["detail"]
    browser = anonymous.get(
        url, environ_overrides={"HTTP_USER_AGENT": ""}, headers={"Api-User-Agent": "Gadget/1.0"}
    )
    assert browser.status_code == 200
    allowing = create_app(type(api_store)(**{**api_store.__dict__, "allow_anonymous": True}))
    assert (
        allowing.test_client().get(url, environ_overrides={"HTTP_USER_AGENT": ""}).status_code
        == 200
    )
    allowing.extensions["wikiviews_engine"].dispose()


def test_zero_is_not_absence(client):
    # Main_Page had spider views on desktop only: mobile-web spider is 0 on those days, not
    # absent (Wikimedia writes every access × agent of a viewed day).
    got = items(
        client.get(
            f"{P}/per-article/en.wikipedia/mobile-web/spider/Main_Page/daily/20240201/20240203"
        )
    )
    assert [(i["timestamp"], i["views"]) for i in got] == [
        ("2024020100", 0),
        ("2024020200", 0),
        ("2024020300", 0),
    ]
    # A title never viewed on any day is still a 404, and so is a day without any views.
    no_such = article_url("No_such_title", start="20240201", end="20240203")
    assert client.get(no_such).status_code == 404
    assert (
        client.get(
            f"{P}/per-article/en.wikipedia/all-access/all-agents/Main_Page/daily/20240110/20240111"
        ).status_code
        == 404
    )
