"""``/api/wikiviews/v1/per-article-by-country``: an article's published country counts.

The table is filled as the raw-log ingest fills it: once directly, and once through
``country_tops.recompute_day`` over per-page working counts, so the route is seen to publish
nothing the ingest's thresholds (more than 1000 distinct actors, views rounded up to 100)
keep back.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from urllib.parse import quote

import pytest
from sqlalchemy import insert

from backend import create_app, db
from backend.ingest.requests import country_tops
from backend.models import (
    BlockedTitle,
    CountryArticleDay,
    Project,
    RequestCountryActor,
    RequestCountryPage,
    Title,
)
from backend.timeutil import day_number

V1 = "/api/wikiviews/v1/per-article-by-country"
FEB = day_number(date(2024, 2, 1))
ODD = 'Stra\u00dfe_"<script>"|{{x}}_\u05e9\u05dc\u05d5\u05dd'


def _client(settings):
    app = create_app(settings)
    app.config["TESTING"] = True
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = "wikiviews-tests/1.0 (tests@example.org)"
    return app, client


@pytest.fixture
def filled(migrated_settings):
    """Country counts of en.wikipedia's ``Paris`` and an odd title, written directly."""
    engine = db.make_engine(migrated_settings)
    with engine.begin() as connection:
        connection.execute(insert(Project), [{"id": 1, "name": "en.wikipedia"}])
        connection.execute(
            insert(Title),
            [
                {"id": 1, "project_id": 1, "title": "Paris", "page_id": None},
                {"id": 2, "project_id": 1, "title": ODD, "page_id": None},
                {"id": 3, "project_id": 1, "title": "Hidden", "page_id": None},
            ],
        )
        rows = [
            # (title, day offset, country, access 0 = all, views_ceil)
            (1, 0, "FR", 0, 1400),
            (1, 0, "DE", 0, 2100),
            (1, 0, "FR", 1, 1200),
            (1, 1, "FR", 0, 1100),
            (1, 40, "FR", 0, 9900),
            (2, 0, "IL", 0, 1100),
            (3, 0, "FR", 0, 5000),
        ]
        connection.execute(
            insert(CountryArticleDay),
            [
                {
                    "project_id": 1,
                    "title_id": t,
                    "day": FEB + d,
                    "country": c,
                    "access": a,
                    "views_ceil": v,
                }
                for t, d, c, a, v in rows
            ],
        )
        connection.execute(
            insert(BlockedTitle),
            [
                {
                    "project": "en.wikipedia",
                    "folded": "hidden",
                    "title": "Hidden",
                    "reason": "test",
                    "added_at": datetime(2024, 1, 1),
                }
            ],
        )
    engine.dispose()
    return migrated_settings


def test_items_by_day_then_views(filled):
    app, client = _client(filled)
    try:
        response = client.get(f"{V1}/en.wikipedia/all-access/Paris/20240201/20240229")
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.get_json() == {
            "items": [
                {
                    "project": "en.wikipedia",
                    "article": "Paris",
                    "access": "all-access",
                    "date": date_,
                    "country": country,
                    "views": views,
                }
                for date_, country, views in [
                    ("20240201", "DE", 2100),
                    ("20240201", "FR", 1400),
                    ("20240202", "FR", 1100),
                ]
            ]
        }
        desktop = client.get(f"{V1}/en.wikipedia/desktop/Paris/20240201/20240201").get_json()
        assert [(i["country"], i["views"]) for i in desktop["items"]] == [("FR", 1200)]
        csv = client.get(f"{V1}/en.wikipedia/all-access/Paris/20240202/20240202?format=csv")
        assert csv.get_data(as_text=True) == (
            "project,article,access,date,country,views\r\n"
            "en.wikipedia,Paris,all-access,20240202,FR,1100\r\n"
        )
        odd = client.get(f"{V1}/en.wikipedia/all-access/{quote(ODD, safe='')}/20240201/20240201")
        assert odd.get_json()["items"][0]["article"] == ODD
    finally:
        app.extensions["wikiviews_engine"].dispose()


def test_nothing_published_is_a_404(filled):
    app, client = _client(filled)
    try:
        for url in (
            f"{V1}/en.wikipedia/all-access/Paris/20240301/20240302",  # no day in range
            f"{V1}/en.wikipedia/mobile-app/Paris/20240201/20240202",  # no such access
            f"{V1}/en.wikipedia/all-access/Unknown/20240201/20240202",
            f"{V1}/en.wikipedia/all-access/Hidden/20240201/20240202",  # blocked
            f"{V1}/de.wikipedia/all-access/Paris/20240201/20240202",
        ):
            response = client.get(url)
            assert response.status_code == 404, url
            assert response.headers["Content-Type"] == "application/problem+json"
    finally:
        app.extensions["wikiviews_engine"].dispose()


def test_bad_parameters_are_problems(filled):
    app, client = _client(dataclasses.replace(filled, max_days=10))
    try:
        cases = {
            f"{V1}/en.wikipedia/phone/Paris/20240201/20240202": "access",
            f"{V1}/en.wikipedia/all-access/Paris/2024020/20240202": "start",
            f"{V1}/en.wikipedia/all-access/Paris/20240202/20240201": "start",
            f"{V1}/en.wikipedia/all-access/Paris/20240201/20240211": "max_days",
            f"{V1}/en.wikipedia/all-access/Paris/20240201/20240202?format=xml": "format",
            f"{V1}/en.wikipedia/all-access/Pa%ZZris/20240201/20240202": "article",
        }
        for url, named in cases.items():
            response = client.get(url)
            assert response.status_code == 400, url
            assert response.headers["Content-Type"] == "application/problem+json"
            assert named in response.get_json()["detail"], (url, response.get_json())
        ok = client.get(f"{V1}/en.wikipedia/all-access/Paris/20240201/20240210")
        assert ok.status_code == 200
    finally:
        app.extensions["wikiviews_engine"].dispose()


def test_only_what_the_ingest_publishes(migrated_settings):
    """1001 distinct actors publish (rounded up), 1000 do not, whatever their views."""
    engine = db.make_engine(migrated_settings)
    with engine.begin() as connection:
        connection.execute(insert(Project), [{"id": 1, "name": "en.wikipedia"}])
        connection.execute(
            insert(Title),
            [
                {"id": 1, "project_id": 1, "title": "Read", "page_id": None},
                {"id": 2, "project_id": 1, "title": "Almost", "page_id": None},
            ],
        )
        connection.execute(
            insert(RequestCountryPage),
            [
                {
                    "day": FEB,
                    "country": "FR",
                    "project_id": 1,
                    "title_id": 1,
                    "access": 1,
                    "views": 1234,
                },
                {
                    "day": FEB,
                    "country": "FR",
                    "project_id": 1,
                    "title_id": 2,
                    "access": 1,
                    "views": 50000,
                },
            ],
        )
        connection.execute(
            insert(RequestCountryActor),
            [
                {
                    "day": FEB,
                    "country": "FR",
                    "project_id": 1,
                    "title_id": title,
                    "access": 1,
                    "actor": f"{title}-{n:028d}",
                }
                for title, readers in ((1, 1001), (2, 1000))
                for n in range(readers)
            ],
        )
        assert country_tops.recompute_day(connection, FEB, 1000, 1000) == 2
    engine.dispose()
    app, client = _client(migrated_settings)
    try:
        read = client.get(f"{V1}/en.wikipedia/all-access/Read/20240201/20240201").get_json()
        assert [(i["country"], i["views"]) for i in read["items"]] == [("FR", 1300)]
        desktop = client.get(f"{V1}/en.wikipedia/desktop/Read/20240201/20240201").get_json()
        assert [(i["country"], i["views"]) for i in desktop["items"]] == [("FR", 1300)]
        almost = client.get(f"{V1}/en.wikipedia/all-access/Almost/20240201/20240201")
        assert almost.status_code == 404
    finally:
        app.extensions["wikiviews_engine"].dispose()
