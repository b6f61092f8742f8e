"""The first API request of a view, as the server predicts it and inlines its answer."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from backend.web.first_answer import first_request, inline_block

SPANS = {
    "en.wikipedia": (date(2024, 1, 1), date(2024, 3, 3)),
    "de.wikipedia": (None, date(2024, 3, 3)),
}
PER_ARTICLE = "/api/wikiviews/v1/per-article"
TOP = "/api/rest_v1/metrics/pageviews/top"


def predict(view: str, query: str, per_request: int = 50) -> str | None:
    args = MultiDict(re.findall(r"([^&=]+)=([^&]*)", query))
    return first_request(view, args, SPANS, "en.wikipedia", per_request)


@pytest.mark.parametrize(
    ("view", "query", "expected"),
    [
        (
            "pageviews",
            "pages=Main_Page|Second&start=2024-03-01&end=2024-03-03",
            f"{PER_ARTICLE}/en.wikipedia/all-access/user/daily/2024030100/2024030300"
            "?zero_fill=1&title=Main_Page&title=Second",
        ),
        (
            "pageviews",
            "project=de.wikipedia.org&platform=desktop&agent=bot&redirects=1&range=latest-3"
            "&pages=A~B*C d",
            f"{PER_ARTICLE}/de.wikipedia/desktop/automated/daily/2024030100/2024030300"
            "?zero_fill=1&redirects=1&title=A%7EB*C_d",
        ),
        (
            "pageviews",
            "pages=X&start=2024-01&end=2024-02",
            f"{PER_ARTICLE}/en.wikipedia/all-access/user/daily/2024010100/2024022900"
            "?zero_fill=1&title=X",
        ),
        (
            "pageviews",
            "pages=X&range=all-time",
            f"{PER_ARTICLE}/en.wikipedia/all-access/user/daily/2024010100/2024030300"
            "?zero_fill=1&title=X",
        ),
        (
            "pageviews",
            "pages=X&range=last-month",
            f"{PER_ARTICLE}/en.wikipedia/all-access/user/daily/2024020100/2024022900"
            "?zero_fill=1&title=X",
        ),
        (
            "pageviews",
            "pages=X",
            f"{PER_ARTICLE}/en.wikipedia/all-access/user/daily/2024020300/2024030300"
            "?zero_fill=1&title=X",
        ),
        ("topviews", "", f"{TOP}/en.wikipedia/all-access/2024/03/03"),
        (
            "topviews",
            "date=2024-02&platform=desktop",
            f"{TOP}/en.wikipedia/desktop/2024/02/all-days",
        ),
        ("topviews", "date=2024-02-10", f"{TOP}/en.wikipedia/all-access/2024/02/10"),
    ],
)
def test_the_prediction_is_the_url_the_script_builds(view: str, query: str, expected: str) -> None:
    """The same URLs the browser tests see the script build (state.js and series.js)."""
    assert predict(view, query) == expected


@pytest.mark.parametrize(
    ("view", "query"),
    [
        ("pageviews", ""),  # no article: the page shows a hint, asks nothing
        ("pageviews", "pages=X&start=2024-02-30"),  # a bad date is an error in words
        ("pageviews", "pages=X&start=2024-03-02&end=2024-03-01"),
        ("pageviews", "project=xx.nowhere&pages=X"),
        ("topviews", "date=last-month"),
        ("topviews", "start=2024-03-01&end=2024-03-03"),
        ("siteviews", "sites=en.wikipedia"),
        ("massviews", "pages=A|B"),
    ],
)
def test_nothing_is_predicted_where_the_script_would_not_ask(view: str, query: str) -> None:
    assert predict(view, query) is None


def test_only_the_first_request_of_a_long_list_is_predicted() -> None:
    url = predict("pageviews", "pages=" + "|".join(f"T{i}" for i in range(12)), per_request=3)
    assert url is not None and url.endswith("&title=T0&title=T1&title=T2")


def test_the_inlined_block_cannot_close_its_script_element() -> None:
    body = json.dumps({"items": [{"article": "</script><script>alert(1)</script>&"}]}).encode()
    block = str(inline_block("/api/x?a=1&b=2", body))
    assert "<" not in block and ">" not in block and "&" not in block
    assert json.loads(block) == {"url": "/api/x?a=1&b=2", "body": json.loads(body)}


def test_the_shell_inlines_the_answer_the_api_gives(ext_client: FlaskClient) -> None:
    query = "pages=Main_Page|%3Cscript%3Ealert(1)%3C%2Fscript%3E&start=2024-03-01&end=2024-03-03"
    shell = ext_client.get(f"/?{query}").text
    block = json.loads(re.search(r'id="wv-first">(.*?)</script>', shell, re.S).group(1))
    api = ext_client.get(block["url"])
    assert api.status_code == 200
    assert block["body"] == api.get_json()
    assert [i["views"] for i in block["body"]["items"]] == [3100, 3100, 3100, 3, 3, 3]


def test_no_answer_is_inlined_when_the_api_has_none(ext_client: FlaskClient) -> None:
    shell = ext_client.get("/?pages=X&start=2023-01-01&end=2023-01-31").text
    assert 'id="wv-first"' not in shell
