"""The country routes over country tables with data (the raw-log pipeline fills them)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from backend import create_app, db
from backend.timeutil import day_number

P = "/api/rest_v1/metrics/pageviews"


@pytest.fixture
def client(migrated_settings):
    engine = db.make_engine(migrated_settings)
    feb = day_number(date(2024, 2, 1))
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO projects (id, name) VALUES (1, 'en.wikipedia'), (2, 'fr.wikipedia')")
        )
        connection.execute(
            text(
                "INSERT INTO titles (id, project_id, title, page_id) VALUES "
                "(1, 1, 'Paris', NULL), (2, 2, 'Paris', NULL), (3, 1, 'o\"n\"e', NULL)"
            )
        )
        rows = [
            # (project, day offset, country, access 0 = all, views)
            (1, 0, "FR", 0, 1500),
            (1, 1, "FR", 0, 500),
            (2, 0, "FR", 0, 7000),
            (1, 0, "DE", 0, 1000),
            (1, 0, "US", 0, 99),
            (1, 0, "IT", 0, 1000),
            (1, 0, "FR", 1, 1200),
            (1, 40, "FR", 0, 100000),
        ]
        connection.execute(
            text(
                "INSERT INTO country_days (project_id, day, country, access, views) "
                "VALUES (:p, :d, :c, :a, :v)"
            ),
            [{"p": p, "d": feb + d, "c": c, "a": a, "v": v} for p, d, c, a, v in rows],
        )
        connection.execute(
            text(
                "INSERT INTO country_top_articles (country, day, access, position, project_id, "
                "title_id, views_ceil, rank) VALUES (:c, :d, 0, :pos, :p, :t, :v, :r)"
            ),
            [
                {"c": "FR", "d": feb, "pos": 1, "p": 2, "t": 2, "v": 1400, "r": 1},
                {"c": "FR", "d": feb, "pos": 2, "p": 1, "t": 3, "v": 1100, "r": 2},
            ],
        )
    engine.dispose()
    app = create_app(migrated_settings)
    test_client = app.test_client()
    test_client.environ_base["HTTP_USER_AGENT"] = "tests"
    yield test_client
    app.extensions["wikiviews_engine"].dispose()


def test_top_by_country_sums_the_month_thresholds_and_buckets(client):
    body = client.get(f"{P}/top-by-country/en.wikipedia/all-access/2024/02").get_json()
    assert body == {
        "items": [
            {
                "project": "en.wikipedia",
                "access": "all-access",
                "year": "2024",
                "month": "02",
                "countries": [
                    {"country": "FR", "views": "1000-9999", "rank": 1, "views_ceil": 2000},
                    {"country": "DE", "views": "100-999", "rank": 2, "views_ceil": 1000},
                    {"country": "IT", "views": "100-999", "rank": 2, "views_ceil": 1000},
                ],
            }
        ]
    }
    every = client.get(f"{P}/top-by-country/all-projects/all-access/2024/02").get_json()
    assert every["items"][0]["countries"][0] == {
        "country": "FR",
        "views": "1000-9999",
        "rank": 1,
        "views_ceil": 9000,
    }
    desktop = client.get(f"{P}/top-by-country/en.wikipedia/desktop/2024/02").get_json()
    assert [c["views_ceil"] for c in desktop["items"][0]["countries"]] == [2000]


def test_top_per_country_lists_articles_across_projects(client):
    body = client.get(f"{P}/top-per-country/FR/all-access/2024/02/01").get_json()
    assert body["items"][0]["articles"] == [
        {"article": "Paris", "project": "fr.wikipedia", "views_ceil": 1400, "rank": 1},
        {"article": 'o"n"e', "project": "en.wikipedia", "views_ceil": 1100, "rank": 2},
    ]
    assert client.get(f"{P}/top-per-country/FR/all-access/2024/02/02").status_code == 404
    assert client.get(f"{P}/top-per-country/DE/all-access/2024/02/01").status_code == 404


def test_a_stricter_monthly_minimum_leaves_more_countries_out(client, migrated_settings):
    import dataclasses

    strict = create_app(dataclasses.replace(migrated_settings, country_month_min_views=1500))
    response = strict.test_client().get(
        f"{P}/top-by-country/en.wikipedia/all-access/2024/02", headers={"User-Agent": "tests"}
    )
    assert [c["country"] for c in response.get_json()["items"][0]["countries"]] == ["FR"]
    strict.extensions["wikiviews_engine"].dispose()
