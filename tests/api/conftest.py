"""Fixtures of the API tests: a small store with known contents, once per backend and module.

``api_store`` holds, for ``en.wikipedia`` and ``de.wikipedia``:

* February 2024 from ``pageview_complete`` daily files (user and spider), with the titles of
  :data:`TITLES` read every day (desktop, mobile-web and mobile-app for ``Main_Page``);
* 1 March 2024 from 24 hourly ``pageviews`` files (``Main_Page`` 5 views an hour on desktop,
  2 on mobile);
* 1 May 2014 from 24 legacy ``pagecounts`` files (``en`` 7 an hour, ``en.m`` 2 an hour).

:func:`expected_daily` gives the views a day of February holds, so tests compare exact values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine

from backend import create_app, db
from backend.ingest.ingest_command import run_ingest
from backend.ingest.parsed import ProjectFilter
from backend.ingest.run import expand_paths
from backend.settings import Settings
from tests.api.gunicorn import LiveServer, serving
from tests.conftest import BACKENDS, empty_store
from tests.helpers import write_dump

#: Titles stored for en.wikipedia, each read ``rank`` * 10 + day-of-month times a day (user,
#: desktop). Awkward on purpose: slashes, percent signs, wikitext and HTML metacharacters,
#: right-to-left text, and 255 bytes of UTF-8.
TITLES = [
    "AC/DC",
    "Are_You_the_One?",
    "100%_Pure",
    "dash_-_space_:_colon_%_percent_/_slash",
    "Zoë_Saldaña",
    "עברית",
    "<script>alert(1)</script>",
    "A|B_{{x}}_]]",
    "é" * 127 + "x",
]
FEB_FIRST, FEB_DAYS = date(2024, 2, 1), 29
MARCH_FIRST = date(2024, 3, 1)
LEGACY_DAY = date(2014, 5, 1)


def main_page_user(day: int) -> tuple[int, int, int]:
    """(desktop, mobile-web, mobile-app) user views of Main_Page on day ``day`` of February."""
    return 100 + day, 50, 10


def title_views(index: int, day: int) -> int:
    """User desktop views of ``TITLES[index]`` on day ``day`` of February."""
    return (len(TITLES) - index) * 10 + day


def _write_store_dumps(directory: Path) -> None:
    for offset in range(FEB_DAYS):
        day = FEB_FIRST + timedelta(days=offset)
        n = offset + 1
        desktop, web, app = main_page_user(n)
        user = [
            f"en.wikipedia Main_Page 1 desktop {desktop} A{desktop}",
            f"en.wikipedia Main_Page 1 mobile-web {web} B{web}",
            f"en.wikipedia Main_Page 1 mobile-app {app} C{app}",
            "de.wikipedia Berlin 7 desktop 3 A3",
        ]
        user += [
            f"en.wikipedia {title} null desktop {title_views(i, n)} D{title_views(i, n)}"
            for i, title in enumerate(TITLES)
        ]
        write_dump(directory, f"pageviews-{day:%Y%m%d}-user.bz2", sorted(user))
        write_dump(
            directory,
            f"pageviews-{day:%Y%m%d}-spider.bz2",
            ["en.wikipedia Main_Page 1 desktop 4 A4"],
        )
    for hour in range(24):
        write_dump(
            directory,
            f"pageviews-{MARCH_FIRST:%Y%m%d}-{hour:02d}0000.gz",
            ["de Berlin 1 0", "en Main_Page 5 0", "en.m Main_Page 2 0"],
        )
        end = datetime(LEGACY_DAY.year, LEGACY_DAY.month, LEGACY_DAY.day, hour) + timedelta(hours=1)
        write_dump(
            directory,
            f"pagecounts-{end:%Y%m%d-%H%M%S}.gz",
            ["en Main_Page 7 100", "en.m Main_Page 2 10", "de Berlin 1 10"],
        )


@pytest.fixture(scope="module", params=BACKENDS)
def api_store(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    _admin_engine: Callable[[str], Engine],
) -> Iterator[Settings]:
    """Settings of the store described above, loaded once per module and backend."""
    directory = tmp_path_factory.mktemp(f"api_{request.param}")
    with empty_store(request.param, directory, _admin_engine) as settings:
        db.upgrade(settings)
        dumps = directory / "dumps"
        dumps.mkdir()
        _write_store_dumps(dumps)
        assert run_ingest(settings, expand_paths([str(dumps)]), ProjectFilter())
        yield settings


@pytest.fixture(scope="module")
def app(api_store: Settings) -> Iterator[Flask]:
    """The app on ``api_store``."""
    application = create_app(api_store)
    application.config["TESTING"] = True
    yield application
    application.extensions["wikiviews_engine"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client that identifies itself (the API answers 403 otherwise)."""
    test_client = app.test_client()
    test_client.environ_base["HTTP_USER_AGENT"] = "wikiviews-tests/1.0 (tests@example.org)"
    return test_client


@pytest.fixture(scope="module")
def api_server(
    api_store: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """A real gunicorn (``wikiviews serve``, one worker) on ``api_store``, on loopback."""
    with serving(api_store, tmp_path_factory.mktemp("gunicorn")) as server:
        yield server
