"""Fixtures of the statistics page's tests.

Flask-client tests run on every backend, on the extensions' store of ``tests/conftest.py``
(``ext_client``); the browser tests run once, on SQLite, against a real
``wikiviews serve`` with Debian's Chromium driven by playwright-core (``npm ci`` installs it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Engine

from backend.settings import Settings
from tests.api.gunicorn import LiveServer, serving
from tests.api.wikiviews_store import extensions_store_on
from tests.web.support import category_wiki, run_browser


@pytest.fixture(scope="module")
def browser_store(
    tmp_path_factory: pytest.TempPathFactory, _admin_engine: Callable[[str], Engine]
) -> Iterator[Settings]:
    """The extensions' store on SQLite, for the browser tests."""
    with extensions_store_on("sqlite", tmp_path_factory.mktemp("browser"), _admin_engine) as s:
        yield s


@pytest.fixture(scope="module")
def live_page(
    browser_store: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """A real ``wikiviews serve`` on the browser store."""
    with serving(browser_store, tmp_path_factory.mktemp("page_gunicorn")) as server:
        yield server


@pytest.fixture(scope="module")
def browser(live_page: LiveServer) -> dict[str, dict]:
    """Every scenario of ``browser.mjs``, run once in one Chromium."""
    with category_wiki() as wiki:
        return run_browser(live_page, WIKIVIEWS_TEST_WIKI=wiki)
