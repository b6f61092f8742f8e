"""The stats.grok.se shape at /json/{lang}/{YYYYMM}/{title} (store: wikiviews_store.py)."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.api.wikiviews_store import ODD_TITLES


def grok(client, lang: str, month: str, title: str):
    return client.get(f"/json/{lang}/{month}/{quote(title, safe='')}")


def ok(response) -> dict:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    return response.get_json()


def test_month_of_daily_views_in_the_old_shape(ext_client):
    body = ok(grok(ext_client, "en", "202402", "Main_Page"))
    assert list(body) == ["daily_views", "project", "month", "rank", "title"]
    assert body["daily_views"] == {f"2024-02-{d:02d}": 2000 for d in range(1, 30)}
    assert (body["project"], body["month"], body["rank"], body["title"]) == (
        "en",
        "202402",
        1,
        "Main_Page",
    )


def test_every_day_is_zero_filled_and_rank_is_minus_one_outside_the_list(ext_client):
    body = ok(grok(ext_client, "en", "202403", "Target"))
    assert len(body["daily_views"]) == 31
    assert body["daily_views"]["2024-03-01"] == 30
    assert body["daily_views"]["2024-03-03"] == 30
    assert body["daily_views"]["2024-03-04"] == 0  # hours loaded, day not complete
    assert sum(body["daily_views"].values()) == 90
    assert body["rank"] == -1
    january = ok(grok(ext_client, "en", "202401", "Target"))
    assert set(january["daily_views"].values()) == {10}
    assert january["rank"] == -1  # the stored monthly list holds three titles
    assert ok(grok(ext_client, "en", "202402", "Steady"))["rank"] == 3


def test_all_agents_are_counted(ext_client):
    body = ok(grok(ext_client, "en", "202403", "Main_Page"))
    assert body["daily_views"]["2024-03-02"] == 3000 + 100 + 7


def test_title_is_echoed_as_requested(ext_client):
    body = ok(grok(ext_client, "en", "202402", "Main Page"))
    assert body["title"] == "Main Page"
    assert body["daily_views"]["2024-02-10"] == 2000
    assert ok(grok(ext_client, "EN", "202403", "Berlin"))["daily_views"]["2024-03-01"] == 0
    assert ok(grok(ext_client, "de", "202403", "Berlin"))["daily_views"]["2024-03-01"] == 9


@pytest.mark.parametrize("title", ODD_TITLES)
def test_odd_titles_come_out_intact(ext_client, title):
    body = ok(grok(ext_client, "en", "202403", title))
    assert body["title"] == title
    assert sum(body["daily_views"].values()) == 9


def test_blocked_titles_have_no_views(ext_client):
    body = ok(grok(ext_client, "en", "202403", "Hidden"))
    assert set(body["daily_views"].values()) == {0}
    assert body["rank"] == -1


@pytest.mark.parametrize("month", ["202413", "202400", "2024", "2024-03", "abcdef", "000001"])
def test_bad_months_are_400(ext_client, month):
    response = grok(ext_client, "en", month, "Main_Page")
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"


def test_any_valid_month_is_accepted(ext_client):
    # stats.grok.se listed every day of a month, 0 without data; old months are no error.
    for month in ("190001", "197001", "999912"):
        body = ok(grok(ext_client, "en", month, "Main_Page"))
        assert set(body["daily_views"].values()) == {0} and len(body["daily_views"]) == 31


def test_unknown_language_is_404_and_answers_are_cached(ext_client):
    assert grok(ext_client, "xx", "202402", "Main_Page").status_code == 404
    first = grok(ext_client, "en", "202402", "Main_Page")
    again = ext_client.get(
        "/json/en/202402/Main_Page", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304
