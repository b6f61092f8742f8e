"""The same questions of every read model: the store, our API, and a Wikimedia-like API.

The store holds (tests/api/conftest.py) February 2024 from ``pageview_complete`` (user and
spider), 1 March 2024 from hourly ``pageviews`` and 1 May 2014 from legacy ``pagecounts``.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from backend.sources import NotPublished, PageviewSource
from tests.api.conftest import TITLES, main_page_user, title_views

EN = "en.wikipedia"
FEB_1, FEB_3, FEB_29, MAR_1 = (
    date(2024, 2, 1),
    date(2024, 2, 3),
    date(2024, 2, 29),
    date(2024, 3, 1),
)


def user_main_page(day: int) -> int:
    return sum(main_page_user(day))


def test_through_is_the_last_published_day(source: PageviewSource):
    assert source.through(EN) == MAR_1
    assert source.through("xx.wikipedia") is None


def test_daily_answers_for_titles_as_given(source: PageviewSource):
    titles = ["Main Page", "AC/DC", "Zoë Saldaña", *TITLES[2:], "No_such_title"]
    got = source.daily(EN, titles, FEB_1, FEB_3)
    assert list(got) == titles
    assert got["Main Page"] == {f"202402{d:02d}": user_main_page(d) for d in (1, 2, 3)}
    assert got["AC/DC"] == {f"202402{d:02d}": title_views(0, d) for d in (1, 2, 3)}
    assert got["Zoë Saldaña"] == {f"202402{d:02d}": title_views(4, d) for d in (1, 2, 3)}
    for index, title in enumerate(TITLES[2:], start=2):
        assert got[title] == {f"202402{d:02d}": title_views(index, d) for d in (1, 2, 3)}, title
    assert got["No_such_title"] == {}


def test_zero_is_not_absence(source: PageviewSource):
    # Main_Page's spider views were all desktop: mobile-web spider is 0 on a viewed day.
    got = source.daily(EN, ["Main_Page"], FEB_1, FEB_3, access="mobile-web", agent="spider")
    assert got == {"Main_Page": {"20240201": 0, "20240202": 0, "20240203": 0}}
    # The hourly dumps won 1 March: they cannot tell mobile-web apart, so that day is absent.
    web = source.daily(EN, ["Main_Page"], FEB_29, MAR_1, access="mobile-web")
    assert web == {"Main_Page": {"20240229": 50}}


def test_daily_crosses_sources_and_zero_fills_to_the_last_published_day(source: PageviewSource):
    got = source.daily(EN, ["Main_Page"], FEB_29, MAR_1)
    assert got == {"Main_Page": {"20240229": user_main_page(29), "20240301": 24 * 7}}
    filled = source.daily(
        EN, ["No_such_title"], date(2024, 2, 27), date(2024, 3, 10), zero_fill=True
    )
    assert filled == {"No_such_title": {"20240227": 0, "20240228": 0, "20240229": 0, "20240301": 0}}


def test_unknown_project_answers_nothing(source: PageviewSource):
    assert source.daily("xx.wikipedia", ["Main_Page"], FEB_1, FEB_3) == {"Main_Page": {}}
    assert source.aggregate("xx.wikipedia", FEB_1, FEB_3) == {}
    assert source.top("xx.wikipedia", FEB_1).articles == []
    with pytest.raises(NotPublished):
        source.summary("xx.wikipedia", "Main_Page")


def test_monthly_counts_whole_months_only(source: PageviewSource):
    got = source.monthly(EN, ["Main_Page", "AC/DC"], date(2024, 1, 15), date(2024, 3, 31))
    assert got == {
        "Main_Page": {
            "20240201": sum(user_main_page(d) for d in range(1, 30)),
            "20240301": 24 * 7,
        },
        "AC/DC": {"20240201": sum(title_views(0, d) for d in range(1, 30))},
    }
    assert source.monthly(EN, ["Main_Page"], date(2024, 2, 2), date(2024, 2, 28)) == {
        "Main_Page": {}
    }


def test_top_lists_of_a_day_and_a_month(source: PageviewSource):
    day = source.top(EN, date(2024, 2, 10))
    assert (day.start, day.end) == (date(2024, 2, 10), date(2024, 2, 10))
    ranked = [(a.title, a.views, a.rank) for a in day.articles]
    expected = [("Main_Page", user_main_page(10), 1)] + [
        (title, title_views(index, 10), index + 2) for index, title in enumerate(TITLES)
    ]
    assert ranked == expected
    assert [a.title for a in source.top(EN, date(2024, 2, 10), limit=2).articles] == [
        "Main_Page",
        "AC/DC",
    ]
    month = source.top(EN, FEB_1, FEB_29)
    assert month.articles[0].title == "Main_Page"
    assert month.articles[0].views == sum(user_main_page(d) for d in range(1, 30))


def test_aggregates(source: PageviewSource):
    daily = source.aggregate(EN, date(2024, 2, 10), date(2024, 2, 11))
    expected = {
        f"202402{d}": user_main_page(d) + sum(title_views(i, d) for i in range(len(TITLES)))
        for d in (10, 11)
    }
    assert daily == expected
    hourly = source.aggregate(EN, MAR_1, MAR_1, granularity="hourly")
    assert hourly == {f"20240301{h:02d}": 7 for h in range(24)}
    spider = source.aggregate(EN, FEB_1, FEB_1, agent="spider")
    assert spider == {"20240201": 4}


def test_summary(source: PageviewSource):
    found = source.summary(EN, "Main_Page", days=10)
    assert (found.project, found.title, found.through) == (EN, "Main_Page", MAR_1)
    expected_series = [(MAR_1 - timedelta(days=9 - n), 0) for n in range(10)]
    expected_series = [
        (day, 24 * 7 if day == MAR_1 else user_main_page(day.day)) for day, _ in expected_series
    ]
    assert found.series == expected_series
    last_30 = 24 * 7 + sum(user_main_page(d) for d in range(1, 30))
    assert found.total_30 == last_30
    assert found.average_30 == round(last_30 / 30, 1)
    assert found.previous_total_30 == 0 and found.change_pct is None
    assert (found.rank, found.rank_date) == (1, MAR_1)
    assert found.redirects == []


def test_extensions_are_used_only_where_the_server_offers_them(request, source):
    kind = request.node.callspec.params["source"]
    if kind == "store":
        pytest.skip("a property of ApiSource")
    assert source.extensions is (kind == "served")
