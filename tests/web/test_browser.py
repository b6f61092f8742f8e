"""The statistics page in headless Chromium against a real ``wikiviews serve``.

Every scenario of ``browser.mjs`` runs once per module (one browser); each test here checks
one of them against the store's known views (tests/api/wikiviews_store.py) or against the
API's own answer for the same question. Screenshots land in tests/web/artifacts/.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.api.gunicorn import LiveServer

pytestmark = pytest.mark.slow

PER_ARTICLE = "/api/wikiviews/v1/per-article/en.wikipedia/all-access/user/daily"


def rows_of(csv_text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(csv_text)))


def scenario(browser: dict[str, dict], name: str) -> dict:
    seen = browser[name]
    assert "failure" not in seen, seen.get("failure")
    return seen


@pytest.mark.parametrize(
    "name",
    [
        "article",
        "articleDark",
        "selectors",
        "titleBox",
        "permalink",
        "hostile",
        "siteviews",
        "topviews",
        "topRange",
        "redirectviews",
        "massviews",
        "massviewsMany",
        "category",
        "german",
    ],
)
def test_no_console_errors_and_no_dialogs(browser: dict[str, dict], name: str) -> None:
    seen = scenario(browser, name)
    assert seen["log"] == {"console": [], "dialogs": []}


def test_the_article_view_shows_the_stores_numbers(browser: dict[str, dict]) -> None:
    seen = scenario(browser, "article")
    assert seen["state"] == "ready" and seen["error"] is None
    assert seen["status"] == "Data through 2024-03-03"
    assert seen["legend"] == ["Main Page", "Second"]
    assert seen["chartPoints"] == [29, 29]
    assert seen["readoutFirst"] == "2024-02-01: Main Page 2,000; Second 100"
    assert seen["readoutLast"] == "2024-02-29: Main Page 2,000; Second 100"
    assert seen["summary"] == [
        ["Main Page", "58,000", "2,000", "0%"],
        ["Second", "2,900", "100", "0%"],
    ]
    assert seen["chartLabel"].startswith("Chart of Main Page, Second from 2024-02-01 to 2024-02-29")
    # The shell held the answer to the first request: the page asked the API nothing.
    assert seen["inlined"] is True
    assert seen["apiRequests"] == []


def test_the_csv_download_is_the_apis_csv_of_the_same_question(
    browser: dict[str, dict], live_page: LiveServer
) -> None:
    seen = scenario(browser, "article")
    status, body = live_page.get(
        f"{PER_ARTICLE}/20240201/20240229?title=Main_Page&title=Second&zero_fill=1&format=csv"
    )
    assert status == 200
    assert seen["csv"]["text"] == body.decode()
    assert seen["csv"]["name"] == "pageviews-en.wikipedia-2024-02-01-2024-02-29.csv"
    # The data table (the chart's text alternative) holds the same rows.
    assert [seen["dataHeader"], *seen["data"]] == rows_of(body.decode())
    views = [int(row[-1]) for row in rows_of(body.decode())[1:]]
    assert views == [2000] * 29 + [100] * 29


def test_the_json_download_is_the_apis_items(
    browser: dict[str, dict], live_page: LiveServer
) -> None:
    seen = scenario(browser, "article")
    status, body = live_page.get(
        f"{PER_ARTICLE}/20240201/20240229?title=Main_Page&title=Second&zero_fill=1"
    )
    assert status == 200
    assert json.loads(seen["json"]["text"]) == {"items": json.loads(body)["items"]}


def test_dark_mode_follows_the_system_scheme(browser: dict[str, dict]) -> None:
    seen = scenario(browser, "articleDark")
    assert seen["background"] == "rgb(16, 20, 24)"
    assert seen["summary"][0][:2] == ["Main Page", "98,300"]


def test_selectors_change_chart_and_url_and_back_restores(browser: dict[str, dict]) -> None:
    steps = scenario(browser, "selectors")["steps"]
    first, mobile, agents, monthly, back1, back2, forward = steps
    assert first["url"] == "/?project=en.wikipedia&pages=Main_Page&start=2024-03-01&end=2024-03-03"
    assert [row[-1] for row in first["data"]] == ["3100", "3100", "3100"]
    assert "platform=mobile-web" in mobile["url"]
    assert [row[4:] for row in mobile["data"]] == [["mobile-web", "user", "100"]] * 3
    assert "agent=all-agents" in agents["url"]
    assert [row[4:] for row in agents["data"]] == [["mobile-web", "all-agents", "100"]] * 3
    assert first["apiRequests"] == []
    assert [r.split("?")[0].rsplit("/", 5)[1:3] for r in mobile["apiRequests"]] == [
        ["mobile-web", "user"]
    ]
    assert "granularity=monthly" in monthly["url"]
    assert monthly["data"] == [
        ["en.wikipedia", "Main_Page", "monthly", "2024030100", "mobile-web", "all-agents", "300"]
    ]
    assert monthly["legend"] == ["Main Page"]
    assert (back1["url"], back1["data"], back1["form"]) == (
        agents["url"],
        agents["data"],
        agents["form"],
    )
    assert (back2["url"], back2["data"], back2["form"]) == (
        mobile["url"],
        mobile["data"],
        mobile["form"],
    )
    assert (forward["url"], forward["data"]) == (agents["url"], agents["data"])


def test_the_title_box_suggests_adds_and_removes_by_keyboard(browser: dict[str, dict]) -> None:
    seen = scenario(browser, "titleBox")
    assert "Second" in seen["suggestions"]
    added, removed = seen["steps"]
    assert added["chips"] == ["Main Page", "Second"]
    assert added["url"].endswith("pages=Main_Page|Second")
    assert [row[0] for row in added["summary"]] == ["Main Page", "Second"]
    assert removed["chips"] == ["Second"]
    assert removed["url"].endswith("pages=Second")


def test_the_permalink_restores_the_whole_state(browser: dict[str, dict]) -> None:
    seen = scenario(browser, "permalink")
    before, after = seen["before"], seen["after"]
    assert "redirects=1" in before["url"] and "scale=log" in before["url"]
    assert before["permalink"].endswith(before["url"])
    for key in ("url", "form", "data", "summary", "legend", "chips"):
        assert after[key] == before[key], key
    # Target 10 a day in January, 20 in February, 30 on 1-3 March, plus Redirect_A (3) and
    # Redirect_B (6); the blocked redirect is not summed in.
    assert before["summary"][0][:2] == ["Target (+3)", "989"]


def test_hostile_titles_render_as_text(browser: dict[str, dict]) -> None:
    seen = scenario(browser, "hostile")
    assert seen["injected"] == 0
    titles = [row[0] for row in seen["summary"]]
    assert "<script>alert(1)</script>" in titles
    assert 'Say "Hi", World' in titles
    assert "עברית (ספר)" in titles
    lines = rows_of(seen["csv"]["text"])
    assert [
        "en.wikipedia",
        'Say_"Hi",_World',
        "all-access",
        "user",
        "2024-03-01",
        "2024-03-03",
        "9",
    ] in lines
    assert json.loads(seen["json"]["text"])["items"][0]["article"] == "<script>alert(1)</script>"


def test_errors_are_shown_in_words(browser: dict[str, dict]) -> None:
    seen = scenario(browser, "errors")
    assert seen["badTitle"]["state"] == "error"
    assert "longer than 512 bytes" in seen["badTitle"]["error"]
    assert not seen["badTitle"]["resultsShown"]
    assert seen["unknownProject"]["error"] == (
        "This server has no data for the wiki “xx.wikinothing”. "
        "Wikis it has: de.wikipedia, en.wikipedia."
    )
    assert seen["neverViewed"]["error"] == (
        "No views recorded for Never Viewed Anything between 2024-03-01 and 2024-03-03."
    )
    assert seen["badDate"]["error"] == "“2024-02-30” is not a date (use YYYY-MM-DD)."
    assert seen["badPattern"]["error"].startswith("The pattern is not a valid regular expression")


def test_the_wiki_view_is_the_aggregate_routes_data(
    browser: dict[str, dict], live_page: LiveServer
) -> None:
    seen = scenario(browser, "siteviews")
    expected = [["project", "access", "agent", "granularity", "timestamp", "views"]]
    for project in ("en.wikipedia", "de.wikipedia"):
        status, body = live_page.get(
            f"/api/rest_v1/metrics/pageviews/aggregate/{project}/all-access/user/daily/"
            "2024030100/2024030300"
        )
        assert status == 200
        expected += [
            [
                i["project"],
                i["access"],
                i["agent"],
                i["granularity"],
                i["timestamp"],
                str(i["views"]),
            ]
            for i in json.loads(body)["items"]
        ]
    assert rows_of(seen["csv"]["text"]) == expected
    assert seen["legend"] == ["en.wikipedia", "de.wikipedia"]
    # en: 3,313 user views a day on 1-3 March (Main_Page 3,100, Second 100, Steady 60, Target
    # 30, the redirects 8, five odd titles 15) and Hidden's 2,500 on the 3rd; de: Berlin 9.
    assert [row[:2] for row in seen["summary"]] == [
        ["en.wikipedia", "12,439"],
        ["de.wikipedia", "27"],
    ]


LOW = "Likely automated: mobile share 0% (under 10%)"


def test_the_top_view_leaves_out_the_main_page_and_reranks(browser: dict[str, dict]) -> None:
    seen = scenario(browser, "topviews")
    # The all-access list is inlined; the desktop list (for the mobile share) is fetched.
    assert seen["inlined"] is True
    assert seen["apiRequests"] == [
        "/api/rest_v1/metrics/pageviews/top/en.wikipedia/desktop/2024/03/01"
    ]
    # Every view of Second and Steady is on desktop: a mobile share of 0 %, flagged.
    assert seen["summary"] == [
        ["1", "Second", "100", "", "0%", LOW],
        ["2", "Steady", "60", "", "0%", LOW],
    ]
    assert rows_of(seen["csv"]["text"])[1:] == [
        ["en.wikipedia", "all-access", "2024-03-01", "2024-03-01", "1", "Second", "100"],
        ["en.wikipedia", "all-access", "2024-03-01", "2024-03-01", "2", "Steady", "60"],
    ]
    patterned = seen["patterned"]
    assert "pattern=%5ESec" in patterned["url"]
    assert patterned["summary"] == [["1", "Steady", "60", "", "0%", LOW]]
    assert seen["flagTips"] == ["mobile share 0% (under 10%)"]


def test_the_top_view_hides_flagged_entries_and_keeps_it_in_the_permalink(
    browser: dict[str, dict],
) -> None:
    seen = scenario(browser, "topviews")
    for shown in (seen["hidden"], seen["hiddenRestored"]):
        assert "hideflagged=1" in shown["url"] and "pattern=%5ESec" in shown["url"]
        assert shown["state"] == "ready" and shown["error"] is None
        assert shown["form"]["hideflagged"] is True
        assert shown["summary"] == []


def test_the_range_top_view_flags_the_main_page_by_its_mobile_share(
    browser: dict[str, dict],
) -> None:
    # 1–3 March: 3 × (3000 desktop + 100 mobile-web) user views, a mobile share of 300/9300.
    seen = scenario(browser, "topRange")
    assert seen["summary"][0] == [
        "1",
        "Main Page",
        "9,300",
        "",
        "3.2%",
        "Likely automated: mobile share 3.2% (under 10%)",
    ]


def test_the_range_top_view_is_the_range_top_route(
    browser: dict[str, dict], live_page: LiveServer
) -> None:
    seen = scenario(browser, "topRange")
    status, body = live_page.get(
        "/api/wikiviews/v1/top/en.wikipedia/all-access/20240301/20240303?limit=1000"
    )
    assert status == 200
    articles = json.loads(body)["items"][0]["articles"]
    assert [[r[4], r[5], r[6]] for r in rows_of(seen["csv"]["text"])[1:]] == [
        [str(a["rank"]), a["article"], str(a["views"])] for a in articles
    ]
    assert articles[0]["article"] == "Main_Page"


def test_the_redirects_view_shows_each_redirect(browser: dict[str, dict]) -> None:
    seen = scenario(browser, "redirectviews")
    assert [row[:3] for row in seen["summary"]] == [
        ["Target", "Article", "90"],
        ["Redirect B", "Redirect", "6"],
        ["Redirect A", "Redirect", "3"],
        ["Redirect Unviewed", "Redirect", "0"],
    ]
    assert [r[1:3] + r[-1:] for r in rows_of(seen["csv"]["text"])[1:]] == [
        ["Target", "target", "90"],
        ["Redirect_B", "redirect", "6"],
        ["Redirect_A", "redirect", "3"],
        ["Redirect_Unviewed", "redirect", "0"],
    ]


def test_many_pages_are_summed_and_sorted(browser: dict[str, dict]) -> None:
    seen = scenario(browser, "massviews")
    assert seen["summary"] == [
        ["Main Page", "58,000", "2,000"],
        ["Second", "2,900", "100"],
        ["Steady", "1,740", "60"],
        ["Never Viewed", "0", "0"],
    ]
    assert seen["readoutLast"] == "2024-02-29: Total (4 pages) 2,160"


def test_german_on_a_phone_sized_screen(browser: dict[str, dict]) -> None:
    seen = scenario(browser, "german")
    assert seen["heading"] == "Seitenaufrufe von Artikeln"
    assert seen["status"] == "Daten bis 2024-03-03"
    assert seen["scrollWidth"] <= 390, "nothing wider than the screen"


def test_many_pages_of_a_category_read_from_the_wikis_api(browser: dict[str, dict]) -> None:
    seen = scenario(browser, "category")
    assert seen["url"].startswith("/massviews?project=en.wikipedia&")
    assert "source=category" in seen["url"]
    assert [row[:2] for row in seen["summary"]] == [
        ["Main Page", "58,000"],
        ["Second", "2,900"],
        ["Steady", "1,740"],
    ]
    missing = seen["missing"]
    assert missing["state"] == "error"
    assert missing["error"] == (
        "The category could not be read from the wiki: The category name is not valid."
    )


def test_many_pages_are_read_in_requests_the_api_allows(browser: dict[str, dict]) -> None:
    seen = scenario(browser, "massviewsMany")
    assert seen["requests"] == 3  # 120 titles, 50 a request
    assert [row[:2] for row in seen["summary"][:10]] == [
        [f"Spike {d}", "500"] for d in range(10, 20)
    ]
    assert seen["footer"][:2] == ["Total (120 pages)", "5,000"]
    assert len(rows_of(seen["csv"]["text"])) == 121
