"""Redirects summed into their target, and range top lists: the store and our API agree.

On tests/api/wikiviews_store.py's store: ``Redirect_A`` (1 a day), ``Redirect_B`` (2) and the
blocked ``Blocked_Redirect`` (5) redirect to ``Target`` (30 a day on 1–3 March).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from backend import db
from backend.settings import Settings
from backend.sources import ApiSource, PageviewSource, StoreSource
from tests.api.gunicorn import serving
from tests.sources.conftest import USER_AGENT

MARCH = (date(2024, 3, 1), date(2024, 3, 3))


@pytest.fixture(scope="module")
def extensions_url(
    extensions_store: Settings,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    with serving(
        extensions_store, tmp_path_factory.mktemp("gunicorn"), WIKIVIEWS_RATE_LIMIT=""
    ) as server:
        yield server.url


@pytest.fixture(params=["store", "served"])
def source(
    request: pytest.FixtureRequest,
    extensions_store: Settings,
) -> Iterator[PageviewSource]:
    if request.param == "store":
        engine = db.make_engine(extensions_store)
        yield StoreSource(engine)
        engine.dispose()
    else:
        yield ApiSource(request.getfixturevalue("extensions_url"), user_agent=USER_AGENT)


def test_redirects_are_summed_into_their_target_but_not_blocked_ones(source: PageviewSource):
    got = source.daily("en.wikipedia", ["Target", "Steady"], *MARCH, redirects=True)
    assert got == {
        "Target": {"20240301": 33, "20240302": 33, "20240303": 33},
        "Steady": {"20240301": 60, "20240302": 60, "20240303": 60},
    }
    assert source.daily("en.wikipedia", ["Target"], *MARCH)["Target"]["20240301"] == 30
    summary = source.summary("en.wikipedia", "Target", days=3, redirects=True)
    assert summary.redirects == ["Redirect_A", "Redirect_B", "Redirect_Unviewed"]
    assert [views for _day, views in summary.series] == [33, 33, 33]


def test_a_range_top_list_is_exact(source: PageviewSource):
    top = source.top("en.wikipedia", date(2024, 2, 10), date(2024, 2, 19), limit=3)
    assert top.method == "exact"
    assert (top.start, top.end) == (date(2024, 2, 10), date(2024, 2, 19))
    assert [(a.title, a.views, a.rank) for a in top.articles] == [
        ("Main_Page", 20_000, 1),
        ("Second", 1_000, 2),
        ("Steady", 600, 3),
    ]
