"""Fixtures of the statistics page's tests: the extensions' store (tests/api/wikiviews_store.py).

Flask-client tests run on every backend; the browser tests run once, on SQLite, against a real
``wikiviews serve`` with Debian's Chromium driven by playwright-core (``npm ci`` installs it).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine

from backend import create_app
from backend.settings import Settings
from tests.api.gunicorn import LiveServer, serving
from tests.api.wikiviews_store import extensions_store_on, identified_client
from tests.conftest import BACKENDS
from tests.web.support import category_wiki, run_browser


@pytest.fixture(scope="module", params=BACKENDS)
def page_store(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    _admin_engine: Callable[[str], Engine],
) -> Iterator[Settings]:
    """The extensions' store, per backend."""
    directory = tmp_path_factory.mktemp(f"page_{request.param}")
    with extensions_store_on(request.param, directory, _admin_engine) as settings:
        yield settings


@pytest.fixture(scope="module")
def page_app(page_store: Settings) -> Iterator[Flask]:
    """The app on ``page_store``."""
    application = create_app(dataclasses.replace(page_store, rate_limit=""))
    application.config["TESTING"] = True
    yield application
    application.extensions["wikiviews_engine"].dispose()


@pytest.fixture
def page_client(page_app: Flask) -> FlaskClient:
    """A client of ``page_app`` (identified, as browsers are by their User-Agent)."""
    return identified_client(page_app)


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
