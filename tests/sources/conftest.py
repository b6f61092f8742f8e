"""The three read models the shared source tests run against, on the API tests' store.

* ``store``: :class:`StoreSource` on ``api_store`` (tests/api/conftest.py), per backend;
* ``served``: :class:`ApiSource` over a real ``wikiviews serve`` (gunicorn) on loopback, which
  offers wikiviews' extensions;
* ``compatible``: :class:`ApiSource` over a stand-in that speaks only Wikimedia's compatible
  routes (``/api/rest_v1/metrics/pageviews/…``, everything else a 404), as Wikimedia does.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from backend import create_app, db
from backend.settings import Settings
from backend.sources import ApiSource, PageviewSource, StoreSource
from tests.api.conftest import api_server, api_store  # noqa: F401  (fixtures used here)

USER_AGENT = "wikiviews-tests/1.0 (tests@example.org)"
COMPATIBLE_PREFIX = "/api/rest_v1/metrics/pageviews/"


def compatible_only(app: Flask):
    """A WSGI app answering only Wikimedia's pageview routes of ``app``; else a 404."""

    def application(environ, start_response):
        if not Request(environ).path.startswith(COMPATIBLE_PREFIX):
            response = Response(
                '{"detail":"Invalid route","status":404}',
                status=404,
                content_type="application/problem+json",
            )
            return response(environ, start_response)
        return app.wsgi_app(environ, start_response)

    return application


@pytest.fixture(scope="module")
def compatible_url(api_store: Settings) -> Iterator[str]:  # noqa: F811
    """The base URL of a loopback stand-in with Wikimedia's compatible routes only."""
    app = create_app(api_store)
    server = make_server("127.0.0.1", 0, compatible_only(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    app.extensions["wikiviews_engine"].dispose()


@pytest.fixture(params=["store", "served", "compatible"])
def source(request: pytest.FixtureRequest, api_store: Settings) -> Iterator[PageviewSource]:  # noqa: F811
    """Each read model in turn, on the same store."""
    if request.param == "store":
        engine = db.make_engine(api_store)
        yield StoreSource(engine)
        engine.dispose()
    elif request.param == "served":
        server = request.getfixturevalue("api_server")
        yield ApiSource(server.url, user_agent=USER_AGENT, rate=1000)
    else:
        url = request.getfixturevalue("compatible_url")
        yield ApiSource(url, user_agent=USER_AGENT, rate=1000)
