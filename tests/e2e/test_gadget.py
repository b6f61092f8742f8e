"""The gadget on a real MediaWiki 1.39 in headless Chromium, against a real ``wikiviews serve``.

The gadget is installed through the wiki's API by ``gadget/install.py``, as a wiki's
administrator would; the store, the pages and the expected answers are in ``gadget_store.py``.
Every state leaves a screenshot in the artifacts directory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
import requests

from backend.settings import Settings
from tests.api.gunicorn import LiveServer, free_port, serving
from tests.e2e.aqs_standin import COMPATIBLE, standing_in
from tests.e2e.gadget_store import (
    ARTICLE,
    ODD_TITLE,
    PROJECT,
    edited_days,
    expected,
    pages_xml,
    write_dumps,
)
from tests.e2e.mediawiki import MediaWiki
from tests.helpers import cli_env

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
INSTALL = ROOT / "gadget" / "install.py"
READY = "#wikiviews-box[data-state=ready]"
ERROR = "#wikiviews-box[data-state=error]"
#: Viewport of the screenshots the documentation shows, and the dark page around the box.
SHOT = {"width": 1100, "height": 480}
DARK_PAGE = """
html, body, .mw-page-container, .vector-header-container, .mw-body, .vector-body,
.mw-header, #mw-content-text, .mw-footer-container, .vector-menu-content
    { background-color: #101418 !important; color: #eaecf0 !important; }
a { color: #88a3e8 !important; }
h1, .firstHeading { color: #eaecf0 !important; }
"""
#: What a test reads from the page once the box has settled.
BOX = """(() => {
    const box = document.getElementById('wikiviews-box');
    const history = document.getElementById('pagehistory');
    const chart = box && box.querySelector('svg');
    return box && {
        state: box.dataset.state, total: box.getAttribute('data-total-30'),
        through: box.dataset.through, rank: box.dataset.rank, text: box.innerText,
        edits: [...box.querySelectorAll('.wikiviews-edit')].map(r => r.getAttribute('data-date')),
        label: chart && chart.getAttribute('aria-label'),
        readout: (box.querySelector('.wikiviews-readout') || {}).textContent,
        link: (box.querySelector('.wikiviews-meta a') || {}).href,
        aboveHistory: !!history
            && !!(box.compareDocumentPosition(history) & Node.DOCUMENT_POSITION_FOLLOWING),
        historyRows: document.querySelectorAll('#pagehistory li').length,
        direction: getComputedStyle(box).direction,
        background: getComputedStyle(box).backgroundColor,
        color: getComputedStyle(box).color,
        height: box.getBoundingClientRect().height,
        chartInside: !!chart
            && chart.getBoundingClientRect().bottom <= box.getBoundingClientRect().bottom
            && chart.getBoundingClientRect().right <= box.getBoundingClientRect().right,
        modules: {
            gadget: mw.loader.getState('ext.gadget.wikiviews'),
            aqs: mw.loader.getState('ext.gadget.wikiviews-aqs'),
        },
    };
})()"""


@pytest.fixture(scope="module")
def through() -> date:
    """The last complete day (UTC): the store and Wikimedia's API both end there."""
    return datetime.now(UTC).date() - timedelta(days=1)


@pytest.fixture(scope="module")
def articles(mediawiki: MediaWiki, through: date) -> MediaWiki:
    """The wiki with the test pages, snapshot "articles"."""
    mediawiki.reset()
    mediawiki.import_xml(pages_xml(through))
    mediawiki.snapshot("articles")
    return mediawiki


@pytest.fixture(scope="module")
def store(articles: MediaWiki, through: date, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A SQLite store of the known views, its redirects read from the wiki's own API."""
    directory = tmp_path_factory.mktemp("gadget-store")
    dumps = directory / "dumps"
    dumps.mkdir()
    write_dumps(dumps, through)
    settings = Settings(
        data_dir=str(directory), database_url=f"sqlite:///{directory}/wikiviews.sqlite3"
    )
    for command in (["ingest", str(dumps)], ["redirects", "load", PROJECT, articles.api_php]):
        subprocess.run(
            [sys.executable, "-m", "backend", *command],
            env=cli_env(settings),
            check=True,
            capture_output=True,
        )
    return settings


@pytest.fixture(scope="module")
def backend(store: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """``wikiviews serve`` on the store."""
    with serving(store, tmp_path_factory.mktemp("gunicorn"), workers=2) as server:
        yield server


def install_gadget(wiki: MediaWiki, api: str, *options: str) -> str:
    """Run the installer against the wiki as its bot (a BotPassword); returns its output."""
    result = subprocess.run(
        [sys.executable, str(INSTALL), "--site", wiki.api_php, "--api", api, *options],
        env={
            **os.environ,
            "WIKIVIEWS_WIKI_USER": wiki.bot.user,
            "WIKIVIEWS_WIKI_PASSWORD": wiki.bot.password,
        },
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def installed(articles: MediaWiki, backend: LiveServer) -> MediaWiki:
    """The wiki with the gadget installed for ``backend``, snapshot "gadget"."""
    articles.reset("articles")
    install_gadget(articles, backend.url, "--project", PROJECT)
    articles.snapshot("gadget")
    return articles


@pytest.fixture
def gadget_wiki(installed: MediaWiki) -> MediaWiki:
    """The wiki with the gadget, back at snapshot "gadget"."""
    installed.reset("gadget")
    return installed


def history(wiki: MediaWiki, title: str = ARTICLE, **params: str) -> str:
    """URL of ``title``'s history page."""
    return wiki.index_php + "?" + urlencode({"title": title, "action": "history", **params})


def visit(
    browser: Callable[[dict], dict], artifacts: Path, name: str, url: str, **plan: object
) -> dict:
    """Open ``url``, wait for the box to be ready (unless ``waitFor`` says otherwise), read
    it, and save ``gadget-<name>.png``; returns the browser's report."""
    return browser(
        {
            "url": url,
            "waitFor": READY,
            "evaluate": BOX,
            "screenshot": str(artifacts / f"gadget-{name}.png"),
            **plan,
        }
    )


def errors(report: dict) -> list[str]:
    """Console errors and page errors of a visit."""
    return [m["text"] for m in report["console"] if m["type"] == "error"] + report["pageErrors"]


def requests_to(report: dict, root: str) -> list[str]:
    """The URLs the page requested under ``root``."""
    return [url for url in report["requests"] if url.startswith(root + "/")]


def summary_url(server: str, title: str) -> str:
    return (
        f"{server}/api/wikiviews/v1/summary/{PROJECT}/{quote(title, safe='')}"
        "?days=60&agent=user&redirects=1"
    )


def test_the_box_shows_the_stores_numbers(
    gadget_wiki: MediaWiki, backend: LiveServer, browser, artifacts: Path, through: date
) -> None:
    want = expected(ARTICLE, through, redirects=True)
    status, body = backend.get(summary_url("", ARTICLE))
    summary = json.loads(body)
    assert status == 200
    assert {k: summary[k] for k in want} == want, "the store is not the one described"

    report = visit(browser, artifacts, "ready", history(gadget_wiki))
    box = report["result"]
    assert (box["total"], box["through"], box["rank"]) == (
        str(want["total_30"]),
        want["through"],
        str(want["rank"]),
    )
    assert f"{want['total_30']:,} views by people in the last 30 days" in box["text"]
    assert f"{want['change_pct']:+}% against the previous 30 days" in box["text"]
    assert "including redirects: Test Redirect" in box["text"]
    assert box["link"].startswith(backend.url + "/pageviews/?project=en.wikipedia&pages=")
    assert box["aboveHistory"] and box["historyRows"] == 6
    assert box["modules"] == {"gadget": "ready", "aqs": "registered"}
    assert requests_to(report, backend.url) == [summary_url(backend.url, ARTICLE)]
    assert errors(report) == []


def test_edits_are_marked_on_their_utc_days(
    gadget_wiki: MediaWiki, browser, artifacts: Path, through: date
) -> None:
    # A browser far west of UTC: a day computed in local time would move the 00:30 edit.
    report = visit(
        browser, artifacts, "edits", history(gadget_wiki), timezone="America/Los_Angeles"
    )
    assert sorted(report["result"]["edits"]) == sorted(edited_days(through))
    assert "edits on 3 of these days" in report["result"]["label"]


def test_keyboard_reads_out_the_days(
    gadget_wiki: MediaWiki, browser, artifacts: Path, through: date
) -> None:
    want = expected(ARTICLE, through, redirects=True)["series"]
    report = visit(
        browser,
        artifacts,
        "keyboard",
        history(gadget_wiki),
        focus="#wikiviews-box svg",
        keys=["ArrowLeft", "ArrowLeft"],
    )
    day = datetime.strptime(want[-3]["date"], "%Y%m%d")
    readout = report["result"]["readout"]
    assert readout.startswith(f"{day:%b} {day.day}, {day.year}: ")
    assert readout.endswith(f"{want[-3]['views']:,} views")
    lowest = min(d["views"] for d in want)
    highest = max(d["views"] for d in want)
    assert f"lowest {lowest:,}, highest {highest:,}" in report["result"]["label"]


def test_a_stopped_backend_leaves_one_error_line_and_the_history(
    gadget_wiki: MediaWiki, store: Settings, browser, artifacts: Path, tmp_path: Path
) -> None:
    with serving(store, tmp_path) as server:
        install_gadget(gadget_wiki, server.url, "--project", PROJECT)
    report = visit(browser, artifacts, "error", history(gadget_wiki), waitFor=ERROR)
    box = report["result"]
    assert (
        " ".join(box["text"].split()) == "Readership could not be loaded (network error). Try again"
    )
    assert box["historyRows"] == 6
    # The only console line is the browser's own report of the refused connection.
    assert all("ERR_CONNECTION_REFUSED" in e for e in errors(report)), errors(report)
    assert report["pageErrors"] == []


def test_the_box_is_as_high_failed_as_ready(
    gadget_wiki: MediaWiki, browser, artifacts: Path, store: Settings, tmp_path: Path
) -> None:
    ready = visit(browser, artifacts, "height-ready", history(gadget_wiki))
    with serving(store, tmp_path) as server:
        install_gadget(gadget_wiki, server.url, "--project", PROJECT)
    failed = visit(browser, artifacts, "height-error", history(gadget_wiki), waitFor=ERROR)
    assert ready["result"]["height"] == failed["result"]["height"] > 0


def test_a_plain_article_view_loads_and_asks_nothing(
    gadget_wiki: MediaWiki, backend: LiveServer, browser, artifacts: Path
) -> None:
    url = gadget_wiki.index_php + "?" + urlencode({"title": ARTICLE})
    report = visit(browser, artifacts, "article-view", url, waitFor="#mw-content-text")
    assert report["result"] is None
    states = browser({"url": url, "evaluate": "mw.loader.getState('ext.gadget.wikiviews')"})
    assert states["result"] == "registered"
    assert requests_to(report, backend.url) == []
    assert not [u for u in report["requests"] if "ext.gadget.wikiviews" in u]
    assert errors(report) == []


def test_wikimedias_routes_alone_are_enough(
    gadget_wiki: MediaWiki, backend: LiveServer, browser, artifacts: Path, through: date
) -> None:
    want = expected(ARTICLE, through, redirects=False)
    with standing_in(backend.url) as standin:
        output = install_gadget(gadget_wiki, standin.url, "--project", PROJECT, "--mode", "aqs")
        assert output.startswith("edited MediaWiki:Gadget-wikiviews-config.json\n1 pages")
        report = visit(browser, artifacts, "wikimedia-routes", history(gadget_wiki))
    box = report["result"]
    assert (box["total"], box["through"], box["rank"]) == (
        str(want["total_30"]),
        want["through"],
        str(want["rank"]),
    )
    assert "including redirects" not in box["text"]
    assert box["modules"] == {"gadget": "ready", "aqs": "ready"}
    assert all(path.startswith(COMPATIBLE) for path in standin.paths), standin.paths
    assert sorted(path.split("/")[5] for path in standin.paths) == ["per-article", "top"]
    assert errors(report) == []


def test_a_user_can_point_the_gadget_at_another_backend(
    gadget_wiki: MediaWiki, backend: LiveServer, browser, artifacts: Path, through: date
) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"
    install_gadget(gadget_wiki, nowhere, "--project", PROJECT)
    with requests.Session() as session:
        login = session.get(
            gadget_wiki.api_php,
            params={"action": "query", "meta": "tokens", "type": "login", "format": "json"},
        ).json()["query"]["tokens"]["logintoken"]
        session.post(
            gadget_wiki.api_php,
            data={
                "action": "login",
                "lgname": gadget_wiki.admin.user,
                "lgpassword": gadget_wiki.admin.password,
                "lgtoken": login,
                "format": "json",
            },
        ).raise_for_status()
        token = session.get(
            gadget_wiki.api_php, params={"action": "query", "meta": "tokens", "format": "json"}
        ).json()["query"]["tokens"]["csrftoken"]
        saved = session.post(
            gadget_wiki.api_php,
            data={
                "action": "options",
                "optionname": "userjs-wikiviews-api",
                "optionvalue": backend.url,
                "token": token,
                "format": "json",
            },
        ).json()
    assert saved == {"options": "success"}, saved
    login_page = gadget_wiki.index_php + "?title=Special:UserLogin"
    report = visit(
        browser,
        artifacts,
        "user-override",
        history(gadget_wiki),
        login={"url": login_page, "user": "Admin", "password": gadget_wiki.admin.password},
    )
    assert report["result"]["total"] == str(expected(ARTICLE, through, redirects=True)["total_30"])
    assert requests_to(report, backend.url) == [summary_url(backend.url, ARTICLE)]
    assert requests_to(report, nowhere) == []


@pytest.mark.parametrize("skin", ["vector-2022", "vector", "monobook", "timeless", "minerva"])
def test_every_skin_shows_the_box_above_the_history(
    gadget_wiki: MediaWiki, browser, artifacts: Path, through: date, skin: str
) -> None:
    # Minerva is the mobile skin: a phone's viewport, where the box takes its taller shape.
    viewport = {"width": 390, "height": 844} if skin == "minerva" else SHOT
    url = history(gadget_wiki, useskin=skin)
    report = visit(browser, artifacts, f"skin-{skin}", url, viewport=viewport)
    box = report["result"]
    assert box["aboveHistory"] and box["chartInside"]
    assert box["total"] == str(expected(ARTICLE, through, redirects=True)["total_30"])
    assert errors(report) == []


def test_right_to_left_and_arabic(
    gadget_wiki: MediaWiki, browser, artifacts: Path, through: date
) -> None:
    report = visit(browser, artifacts, "arabic", history(gadget_wiki, uselang="ar"))
    box = report["result"]
    assert box["direction"] == "rtl"
    assert "مشاهدة بشرية في آخر 30 يومًا" in box["text"]
    assert box["total"] == str(expected(ARTICLE, through, redirects=True)["total_30"])
    assert errors(report) == []


def test_german_numbers_and_words(gadget_wiki: MediaWiki, browser, artifacts: Path, through):
    total = expected(ARTICLE, through, redirects=True)["total_30"]
    report = visit(browser, artifacts, "german", history(gadget_wiki, uselang="de"))
    assert f"{total:,}".replace(",", ".") + " Aufrufe durch Menschen" in report["result"]["text"]


def test_night_mode_turns_the_box_dark(gadget_wiki: MediaWiki, browser, artifacts: Path) -> None:
    url = history(gadget_wiki, useskin="vector-2022")
    light = visit(browser, artifacts, "light", url, viewport=SHOT)
    # 1.39 has no night mode: the page itself is darkened by a style for the screenshot, as
    # the skin's night mode would; the box's colours come from the gadget's own fallbacks.
    dark = visit(
        browser,
        artifacts,
        "dark",
        url,
        viewport=SHOT,
        htmlClasses=["skin-theme-clientpref-night"],
        css=DARK_PAGE,
    )
    # 1.39 defines none of the skin's colour variables: these are the gadget's fallbacks.
    assert (light["result"]["background"], light["result"]["color"]) == (
        "rgb(248, 249, 250)",
        "rgb(32, 33, 34)",
    )
    assert (dark["result"]["background"], dark["result"]["color"]) == (
        "rgb(32, 33, 34)",
        "rgb(234, 236, 240)",
    )
    assert errors(dark) == []


def test_an_awkward_title_keeps_its_numbers(
    gadget_wiki: MediaWiki, backend: LiveServer, browser, artifacts: Path, through: date
) -> None:
    want = expected(ODD_TITLE, through, redirects=True)
    report = visit(browser, artifacts, "odd-title", history(gadget_wiki, ODD_TITLE))
    assert report["result"]["total"] == str(want["total_30"])
    assert requests_to(report, backend.url) == [summary_url(backend.url, ODD_TITLE)]
    assert quote(ODD_TITLE, safe="") in report["result"]["link"]


def test_installing_twice_edits_nothing_and_opt_in_turns_it_off(
    gadget_wiki: MediaWiki, backend: LiveServer, browser, artifacts: Path
) -> None:
    again = install_gadget(gadget_wiki, backend.url, "--project", PROJECT)
    assert again.strip() == f"0 pages edited, project {PROJECT}, backend {backend.url}"
    install_gadget(gadget_wiki, backend.url, "--project", PROJECT, "--opt-in")
    report = visit(browser, artifacts, "opt-in", history(gadget_wiki), waitFor="#pagehistory")
    assert report["result"] is None
    assert requests_to(report, backend.url) == []
