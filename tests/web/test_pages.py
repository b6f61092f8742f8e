"""The statistics page's routes through Flask's client: shells, headers, suggestions, assets."""

from __future__ import annotations

import gzip
import html
import json
import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from backend.web import pages
from tests.api.wikiviews_store import ODD_TITLES

STATIC = Path(pages.__file__).with_name("static")
SCRIPTS = Path(pages.__file__).with_name("scripts")
VIEW_PATHS = ["/", "/pageviews", "/siteviews", "/topviews", "/redirectviews", "/massviews"]
CONFIG = re.compile(r'<script type="application/json" id="wv-config">(.*?)</script>', re.S)


def config_of(body: str) -> dict:
    """The JSON config the shell hands the page's script."""
    match = CONFIG.search(body)
    assert match, "no config block"
    return json.loads(match.group(1))


@pytest.mark.parametrize("path", VIEW_PATHS)
def test_each_view_answers_html_where_pageviews_analysis_has_it(
    ext_client: FlaskClient, path: str
) -> None:
    response = ext_client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    view = "pageviews" if path == "/" else path[1:]
    assert config_of(response.text)["view"] == view
    assert f'data-view="{view}"' in response.text


def test_the_root_no_longer_answers_404_and_unknown_paths_still_do(
    ext_client: FlaskClient,
) -> None:
    assert ext_client.get("/").status_code == 200
    missing = ext_client.get("/langviews")
    assert missing.status_code == 404
    assert missing.mimetype == "application/problem+json"


def test_the_shell_lists_every_project_with_its_published_span(ext_client: FlaskClient) -> None:
    config = config_of(ext_client.get("/").text)
    assert config["projects"] == [
        {"name": "de.wikipedia", "first": "20240301", "last": "20240303"},
        {"name": "en.wikipedia", "first": "20240101", "last": "20240303"},
    ]
    assert config["defaultProject"] == "en.wikipedia"
    assert config["limits"]["maxArticles"] == 50


def test_the_page_runs_no_inline_script_under_a_strict_policy(ext_client: FlaskClient) -> None:
    response = ext_client.get("/topviews")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "default-src 'none'" in policy
    for tag in re.findall(r"<script\b[^>]*>", response.text):
        assert 'src="' in tag or 'type="application/json"' in tag, tag
    assert " on" not in "".join(re.findall(r"<[a-z]+\b[^>]*>", response.text)).replace(
        " one", ""
    ), "no inline event handlers"


def test_the_config_block_cannot_be_closed_by_data(ext_client: FlaskClient) -> None:
    """Messages and titles go through tojson, which escapes < > & so </script> cannot occur."""
    body = ext_client.get("/").text
    block = CONFIG.search(body).group(1)
    assert "<" not in block and ">" not in block


def test_messages_follow_uselang_then_accept_language(ext_client: FlaskClient) -> None:
    german = ext_client.get("/?uselang=de")
    assert '<html lang="de" dir="ltr">' in german.text
    assert "Seitenaufrufe von Artikeln" in german.text
    assert config_of(german.text)["messages"]["field-show"] == "Anzeigen"
    preferred = ext_client.get("/", headers={"Accept-Language": "de-CH, en;q=0.5"})
    assert preferred.headers["Content-Language"] == "de"
    assert (
        ext_client.get("/", headers={"Accept-Language": "fr"}).headers["Content-Language"] == "en"
    )


def test_every_message_has_its_translation_and_the_same_placeholders() -> None:
    english = json.loads((pages.MESSAGES / "en.json").read_text("utf-8"))
    for path in pages.MESSAGES.glob("*.json"):
        other = json.loads(path.read_text("utf-8"))
        for key, text in other.items():
            assert key in english, f"{path.name}: {key} is not an English message"
            if not key.startswith("@"):
                wanted = sorted(re.findall(r"\$\d", english[key]))
                assert sorted(re.findall(r"\$\d", text)) == wanted, f"{path.name}: {key}"


def test_every_message_the_template_and_scripts_use_exists() -> None:
    english = json.loads((pages.MESSAGES / "en.json").read_text("utf-8"))
    template = (Path(pages.__file__).with_name("templates") / "page.html").read_text("utf-8")
    used = set(re.findall(r'msg\[["\']([a-z0-9-]+)["\']\]', template))
    for script in SCRIPTS.rglob("*.js"):
        used |= set(re.findall(r'msg\("([a-z0-9-]+)"', script.read_text("utf-8")))
    assert used - set(english) == set()


def test_suggestions_are_stored_titles_with_the_prefix(ext_client: FlaskClient) -> None:
    found = ext_client.get("/web/titles/en.wikipedia.org?q=sec").get_json()
    assert found == {"project": "en.wikipedia", "q": "sec", "titles": ["Second"]}
    spikes = ext_client.get("/web/titles/en.wikipedia?q=Spike_1").get_json()["titles"]
    assert spikes == [f"Spike_{d}" for d in range(10, 20)]


def test_suggestions_leave_out_blocked_titles(ext_client: FlaskClient) -> None:
    assert ext_client.get("/web/titles/en.wikipedia?q=Hid").get_json()["titles"] == []
    blocked = ext_client.get("/web/titles/en.wikipedia?q=Blocked").get_json()["titles"]
    assert blocked == []


@pytest.mark.parametrize("title", ODD_TITLES)
def test_suggestions_carry_odd_titles_intact(ext_client: FlaskClient, title: str) -> None:
    prefix = title[:4]
    found = ext_client.get("/web/titles/en.wikipedia", query_string={"q": prefix}).get_json()
    assert title in found["titles"]


@pytest.mark.parametrize("query", ["", "?q=", "?q=%20"])
def test_an_empty_prefix_suggests_nothing(ext_client: FlaskClient, query: str) -> None:
    assert ext_client.get(f"/web/titles/en.wikipedia{query}").get_json()["titles"] == []


def test_an_unknown_project_suggests_nothing(ext_client: FlaskClient) -> None:
    response = ext_client.get("/web/titles/xx.nowhere?q=Main")
    assert response.status_code == 200
    assert response.get_json()["titles"] == []


def test_static_files_are_cached_for_good_under_their_digest(ext_client: FlaskClient) -> None:
    version = pages.static_version()
    assert f'src="/static/web/{version}/app.js"' in ext_client.get("/").text
    # Responses of files are closed explicitly: they hold the file open until then.
    with ext_client.get(f"/static/web/{version}/app.js") as response:
        assert response.status_code == 200
        assert response.mimetype in ("text/javascript", "application/javascript")
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    with ext_client.get("/static/web/000000000000/app.js") as older:
        assert older.status_code == 200
        assert older.headers["Cache-Control"] == "no-cache"
        etag = older.headers["ETag"]
    with ext_client.get(
        "/static/web/000000000000/app.js", headers={"If-None-Match": etag}
    ) as again:
        assert again.status_code == 304
    with ext_client.get(f"/static/web/{version}/../views.py") as outside:
        assert outside.status_code == 404


def test_the_digest_changes_with_any_static_file(tmp_path, monkeypatch) -> None:
    (tmp_path / "a.js").write_text("1")
    monkeypatch.setattr(pages, "STATIC", tmp_path)
    pages.static_version.cache_clear()
    try:
        first = pages.static_version()
        (tmp_path / "a.js").write_text("2")
        pages.static_version.cache_clear()
        assert pages.static_version() != first
    finally:
        monkeypatch.undo()
        pages.static_version.cache_clear()


def test_the_page_weighs_under_100_kb_gzipped_before_data(ext_client: FlaskClient) -> None:
    """The issue's budget: the shell plus every static file, each gzipped."""
    total = len(gzip.compress(ext_client.get("/").data))
    for path in STATIC.rglob("*"):
        if path.is_file():
            total += len(gzip.compress(path.read_bytes()))
    assert total < 100 * 1024


def test_titles_in_the_shell_are_escaped(ext_client: FlaskClient) -> None:
    """Nothing of the query reaches the HTML: the script reads it from the URL as text."""
    response = ext_client.get("/?pages=%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    assert "<script>alert(1)" not in response.text
    assert html.escape("<script>") not in response.text


def connect_sources(response) -> list[str]:
    policy = response.headers["Content-Security-Policy"]
    return next(p for p in policy.split("; ") if p.startswith("connect-src")).split()[1:]


def test_the_category_source_allows_its_one_wiki(ext_client: FlaskClient) -> None:
    target = "https://Wiki.Example.org/wiki/Category:Big_cats"
    response = ext_client.get("/massviews", query_string={"source": "category", "target": target})
    assert connect_sources(response) == ["'self'", "https://wiki.example.org"]
    with_site = ext_client.get(
        "/massviews",
        query_string={
            "source": "category",
            "target": target,
            "site": "http://127.0.0.1:8080/api.php",
        },
    )
    assert connect_sources(with_site) == [
        "'self'",
        "http://127.0.0.1:8080",
        "https://wiki.example.org",
    ]


@pytest.mark.parametrize(
    "target",
    [
        "javascript:alert(1)",
        "https://a.example;script-src *",
        "https://a.example b.example/wiki/X",
        "ftp://wiki.example.org/wiki/X",
        "data:text/plain,x",
    ],
)
def test_no_other_host_gets_into_the_policy(ext_client: FlaskClient, target: str) -> None:
    response = ext_client.get("/massviews", query_string={"source": "category", "target": target})
    assert connect_sources(response) == ["'self'"]
    assert "script-src 'self';" in response.headers["Content-Security-Policy"]


def test_other_views_never_allow_another_host(ext_client: FlaskClient) -> None:
    query = {"source": "category", "target": "https://wiki.example.org/wiki/Category:X"}
    assert connect_sources(ext_client.get("/pageviews", query_string=query)) == ["'self'"]


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_colours_reach_wcag_aa_contrast(scheme: str) -> None:
    """Every text/background pair of the style sheet's variables is at least 4.5:1."""
    css = (STATIC / "style.css").read_text("utf-8")
    light = css[css.index(":root {") : css.index("@media (prefers-color-scheme: dark)")]
    dark = css[css.index("@media (prefers-color-scheme: dark)") :].split("}")[0]
    block = light if scheme == "light" else dark
    colours = dict(re.findall(r"--([a-z-]+): (#[0-9a-f]{6});", block))
    pairs = [
        ("fg", "bg"),
        ("fg", "panel"),
        ("muted", "bg"),
        ("muted", "panel"),
        ("accent", "bg"),
        ("accent", "panel"),
        ("bg", "accent"),  # the submit button
        ("error-fg", "error-bg"),
    ]
    for text, background in pairs:
        ratio = _contrast(colours[text], colours[background])
        assert ratio >= 4.5, f"{scheme}: {text} on {background} is {ratio:.2f}:1"
