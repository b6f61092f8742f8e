"""Limits and operations: the query time limit on every backend, /healthz and /metrics."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import text

from backend import create_app
from backend.api import store
from backend.api.responses import json_response

SLOW_SQL = {
    # Each runs for many seconds unless stopped.
    "sqlite": "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
    "WHERE x < 1000000000) SELECT COUNT(*) FROM c",
    "postgresql": "SELECT pg_sleep(30)",
    # MariaDB stops recursive CTEs at max_recursive_iterations; a hash per row of its
    # Sequence engine runs long.
    "mariadb": "SELECT MAX(SHA2(seq, 256)) FROM seq_1_to_1000000000",
}
LIMIT_SQL = {
    "postgresql": "SHOW statement_timeout",
    "mariadb": "SELECT @@SESSION.max_statement_time",
}


@pytest.fixture
def limited_app(api_store):
    """The app with a 200 ms query limit, one pooled connection, and two test-only routes."""
    app = create_app(dataclasses.replace(api_store, query_timeout_ms=200))
    engine = app.extensions["wikiviews_engine"]
    backend = engine.dialect.name.replace("mysql", "mariadb")

    @app.get("/api/wikiviews/v1/_test/slow")
    def slow():
        store.connection(limited=True).execute(text(SLOW_SQL[backend])).all()
        return json_response({"finished": True})

    @app.get("/api/wikiviews/v1/_test/session")
    def session():
        connection = store.connection()
        value = None
        if backend in LIMIT_SQL:
            value = str(connection.execute(text(LIMIT_SQL[backend])).scalar())
        return json_response({"limit": value})

    yield app, backend
    engine.dispose()


def test_a_query_over_the_time_limit_is_a_503_and_the_connection_comes_back_clean(limited_app):
    app, _backend = limited_app
    client = app.test_client()
    before = client.get("/api/wikiviews/v1/_test/session").get_json()["limit"]
    response = client.get("/api/wikiviews/v1/_test/slow")
    assert response.status_code == 503, response.get_data(as_text=True)
    body = response.get_json()
    assert body["title"] == "Service Unavailable" and "200 ms" in body["detail"]
    assert response.headers["Retry-After"]
    # The next request on the pool has no limit left over, and the store still answers.
    assert client.get("/api/wikiviews/v1/_test/session").get_json()["limit"] == before
    ok = client.get(
        "/api/rest_v1/metrics/pageviews/per-article/en.wikipedia/all-access/user/AC%2FDC/daily/20240201/20240201"
    )
    assert ok.status_code == 200


def test_healthz_reports_the_newest_published_hour(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["schema"] == "current"
    assert body["last_published_hour"] == "2024030123"
    assert body["freshness_seconds"] > 0
    assert body["held_hours"] == 0


def test_healthz_is_503_when_the_store_is_unreachable(tmp_path):
    from backend.settings import Settings

    app = create_app(
        Settings(data_dir=str(tmp_path), database_url="postgresql+psycopg://nobody@127.0.0.1:1/x")
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["store"] == "unreachable"


def test_metrics_count_requests_and_show_freshness(client):
    route = "/api/rest_v1/metrics/pageviews/top/<project>/<access>/<year>/<month>/<day>"

    def count() -> float:
        text_body = client.get("/metrics").get_data(as_text=True)
        for line in text_body.splitlines():
            if (
                line.startswith("wikiviews_http_requests_total{")
                and f'route="{route}"' in line
                and 'status="200"' in line
            ):
                return float(line.rsplit(" ", 1)[1])
        return 0.0

    before = count()
    for _ in range(3):
        assert (
            client.get(
                "/api/rest_v1/metrics/pageviews/top/en.wikipedia/all-access/2024/02/10"
            ).status_code
            == 200
        )
    assert count() == before + 3
    body = client.get("/metrics").get_data(as_text=True)
    stamp = [line for line in body.splitlines() if line.startswith("wikiviews_data_last_published")]
    # 2024-03-01 23:00 UTC
    assert stamp and float(stamp[0].split()[1]) == 1709334000.0
    assert "wikiviews_http_request_duration_seconds_bucket" in body
