"""The hourly question of every read model, on a store whose hourly window is filled.

The store is the extension tests' (tests/api/wikiviews_store.py): 4 March 2024 00:00–05:59
from hourly ``pageviews`` files (``Main_Page`` 55 an hour, ``Target`` 4, ``Redirect_A`` 1),
1–3 March from complete daily files (every view in hour 0), the months before outside the
window. Wikimedia's per-article route has no hourly granularity: the compatible source
answers empty series.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date

import pytest
from werkzeug.serving import make_server

from backend import create_app, db
from backend.settings import Settings
from backend.sources import ApiSource, PageviewSource, StoreSource
from tests.api.gunicorn import LiveServer, serving
from tests.sources.conftest import USER_AGENT, compatible_only

EN = "en.wikipedia"
MAR_3, MAR_4 = date(2024, 3, 3), date(2024, 3, 4)


@pytest.fixture(scope="module")
def hourly_server(
    extensions_store: Settings,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[LiveServer]:
    """A real ``wikiviews serve`` on the store with the hourly window."""
    with serving(
        extensions_store, tmp_path_factory.mktemp("hourly"), WIKIVIEWS_HOURLY_WINDOW_DAYS="7"
    ) as server:
        yield server


@pytest.fixture(params=["store", "served", "compatible"])
def hourly_source(
    request: pytest.FixtureRequest,
    extensions_store: Settings,
) -> Iterator[tuple[str, PageviewSource]]:
    """Each read model in turn, with its name, on the store with the hourly window."""
    if request.param == "store":
        engine = db.make_engine(extensions_store)
        yield "store", StoreSource(engine)
        engine.dispose()
    elif request.param == "served":
        server = request.getfixturevalue("hourly_server")
        yield "served", ApiSource(server.url, user_agent=USER_AGENT, rate=1000)
    else:
        app = create_app(extensions_store)
        server = make_server("127.0.0.1", 0, compatible_only(app), threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield (
            "compatible",
            ApiSource(f"http://127.0.0.1:{server.server_port}", user_agent=USER_AGENT, rate=1000),
        )
        server.shutdown()
        thread.join()
        app.extensions["wikiviews_engine"].dispose()


def test_hourly_views_inside_the_window(hourly_source: tuple[str, PageviewSource]):
    name, source = hourly_source
    found = source.hourly(EN, ["Main Page", "Target", "Never_Viewed"], MAR_4, MAR_4)
    if name == "compatible":
        assert found == {"Main Page": {}, "Target": {}, "Never_Viewed": {}}
        return
    assert found == {
        "Main Page": {f"20240304{h:02d}": 55 for h in range(6)},
        "Target": {f"20240304{h:02d}": 4 for h in range(6)},
        "Never_Viewed": {},
    }
    desktop = source.hourly(EN, ["Main_Page"], MAR_4, MAR_4, access="desktop")
    assert desktop == {"Main_Page": {f"20240304{h:02d}": 50 for h in range(6)}}
    # A complete daily file puts a day's views in its hour 0.
    assert source.hourly(EN, ["Main_Page"], MAR_3, MAR_3) == {"Main_Page": {"2024030300": 3100}}


def test_hourly_outside_the_window_is_empty(hourly_source: tuple[str, PageviewSource]):
    _name, source = hourly_source
    assert source.hourly(EN, ["Main_Page"], date(2024, 1, 10), date(2024, 1, 11)) == {
        "Main_Page": {}
    }
    assert source.hourly("xx.wikipedia", ["Main_Page"], MAR_4, MAR_4) == {"Main_Page": {}}
