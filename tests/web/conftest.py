"""Fixtures of the statistics page's tests: the extensions' store (tests/api/wikiviews_store.py).

Flask-client tests run on every backend; the browser tests run once, on SQLite, against a real
``wikiviews serve`` with Debian's Chromium driven by playwright-core (``npm ci`` installs it).
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine

from backend import create_app
from backend.settings import Settings
from tests.api.gunicorn import LiveServer, serving
from tests.api.wikiviews_store import extensions_store_on, identified_client
from tests.conftest import BACKENDS

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("browser.mjs")
#: Screenshots of each view (git-ignored).
ARTIFACTS = ROOT / "tests" / "web" / "artifacts"
CHROMIUM = os.environ.get("WIKIVIEWS_CHROMIUM", "/usr/bin/chromium")


def need(condition: bool, what: str) -> None:
    """Skip the calling test when ``condition`` is false (fail under REQUIRE_SERVICES=1)."""
    if condition:
        return
    if os.environ.get("WIKIVIEWS_REQUIRE_SERVICES") == "1":
        pytest.fail(f"WIKIVIEWS_REQUIRE_SERVICES=1 but {what}")
    pytest.skip(what)


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


def run_browser(server: LiveServer, *scenarios: str) -> dict[str, dict]:
    """What ``browser.mjs`` saw in each scenario (see its SCENARIOS)."""
    need(shutil.which("node") is not None, "the browser tests need Node.js (node)")
    need(Path(CHROMIUM).exists(), f"the browser tests need Chromium at {CHROMIUM} (apt chromium)")
    need(
        (ROOT / "node_modules" / "playwright-core").is_dir(),
        "the browser tests need playwright-core: run `npm ci`",
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["node", str(DRIVER), server.url, str(ARTIFACTS), *scenarios],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def browser(live_page: LiveServer) -> dict[str, dict]:
    """Every scenario of ``browser.mjs``, run once in one Chromium."""
    return run_browser(live_page)
