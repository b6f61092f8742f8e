"""Per-client rate limits on the extensions: in memory, and shared through Redis."""

from __future__ import annotations

import dataclasses
import os
import uuid

import pytest

from backend import create_app

FRESHNESS = "/api/wikiviews/v1/freshness/en.wikipedia"
COMPATIBLE = "/api/rest_v1/metrics/pageviews/top/en.wikipedia/all-access/2024/02/10"


def limited_client(settings, rate: str, redis_url: str = ""):
    app = create_app(dataclasses.replace(settings, rate_limit=rate, redis_url=redis_url))
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = "tests"
    return app, client


@pytest.fixture
def store(sqlite_settings):
    """An empty SQLite store: the limiter counts answers whatever the store holds."""
    return sqlite_settings


def ok(status: int) -> bool:
    return status in (200, 404)


def test_the_limit_answers_429_problem_and_spares_the_compatible_routes(store):
    app, client = limited_client(store, "3 per minute")
    assert all(ok(client.get(FRESHNESS).status_code) for _ in range(3))
    response = client.get(FRESHNESS)
    assert response.status_code == 429
    body = response.get_json()
    assert body["title"] == "Too Many Requests" and "3 per 1 minute" in body["detail"]
    assert response.headers["Retry-After"]
    assert response.headers["Content-Type"] == "application/problem+json"
    # Wikimedia's routes carry no limit here, so existing clients never see a 429.
    assert all(ok(client.get(COMPATIBLE).status_code) for _ in range(5))
    # Another client address has its own budget.
    other = client.get(FRESHNESS, environ_overrides={"REMOTE_ADDR": "10.9.8.7"})
    assert ok(other.status_code)
    app.extensions["wikiviews_engine"].dispose()


def test_no_limit_when_the_setting_is_empty(store):
    app, client = limited_client(store, "")
    assert all(ok(client.get(FRESHNESS).status_code) for _ in range(10))
    app.extensions["wikiviews_engine"].dispose()


def test_workers_share_one_budget_through_redis(store):
    url = os.environ.get("WIKIVIEWS_TEST_REDIS_URL")
    if not url:
        message = "the Redis test needs WIKIVIEWS_TEST_REDIS_URL, e.g. redis://127.0.0.1:6379/15"
        if os.environ.get("WIKIVIEWS_REQUIRE_SERVICES") == "1":
            pytest.fail(f"WIKIVIEWS_REQUIRE_SERVICES=1 but {message}")
        pytest.skip(message)
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        if os.environ.get("WIKIVIEWS_REQUIRE_SERVICES") == "1":
            pytest.fail(f"Redis at {url} is unreachable: {exc}")
        pytest.skip(f"Redis at {url} is unreachable: {exc}")
    # Two apps stand for two gunicorn workers; a fresh client address keeps runs apart.
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    first_app, first = limited_client(store, "4 per minute", url)
    second_app, second = limited_client(store, "4 per minute", url)
    statuses = [
        worker.get(FRESHNESS, environ_overrides={"REMOTE_ADDR": address}).status_code
        for worker in (first, second, first, second, first)
    ]
    assert [ok(status) for status in statuses] == [True] * 4 + [False]
    assert statuses[-1] == 429
    first_app.extensions["wikiviews_engine"].dispose()
    second_app.extensions["wikiviews_engine"].dispose()


def test_an_empty_variable_turns_the_limit_off():
    from backend.settings import load_settings

    assert load_settings({"WIKIVIEWS_RATE_LIMIT": ""}).rate_limit == ""
    assert load_settings({}).rate_limit == "50 per second"
    # For other settings an empty variable still means "unset".
    assert load_settings({"WIKIVIEWS_WORKERS": ""}).workers == 2


def test_unreachable_redis_falls_back_to_memory_with_one_warning(store, caplog):
    # Nothing listens on port 1: every Redis call fails at once.
    app, client = limited_client(store, "3 per minute", "redis://127.0.0.1:1/0")
    with caplog.at_level("WARNING"):
        statuses = [client.get(FRESHNESS).status_code for _ in range(5)]
    assert all(ok(status) for status in statuses[:3]), statuses
    assert statuses[3:] == [429, 429]  # the limit still holds, per process
    warnings = [r for r in caplog.records if r.levelname == "WARNING" and "storage" in r.message]
    assert len(warnings) == 1, [r.message for r in caplog.records]
    health = client.get("/healthz").get_json()
    assert health["rate_limit_storage"].startswith("memory (Redis unreachable")
    assert ok(client.get(COMPATIBLE).status_code)
    app.extensions["wikiviews_engine"].dispose()


def test_in_process_counters_start_no_threads_and_expire(store, monkeypatch):
    import limits.storage.memory

    from backend.api import limits as api_limits

    app, client = limited_client(store, "3 per minute")
    storage = app.extensions["wikiviews_limiter"].storage
    assert isinstance(storage, api_limits.SweptMemoryStorage)
    timers = []
    real_timer = limits.storage.memory.threading.Timer

    def counting_timer(*args, **kwargs):
        timers.append(args)
        return real_timer(*args, **kwargs)

    monkeypatch.setattr(limits.storage.memory.threading, "Timer", counting_timer)
    statuses = [client.get(FRESHNESS).status_code for _ in range(20)]
    assert timers == []  # MemoryStorage would start a Timer thread here
    assert statuses.count(429) == 17
    # Counters past their expiry are swept, so memory stays bounded.
    assert storage.storage
    monkeypatch.setattr(api_limits, "SWEEP_EVERY", 1)
    for key in storage.expirations:
        storage.expirations[key] = 0
    storage.incr("another", 60)
    assert set(storage.storage) == {"another"}
    app.extensions["wikiviews_engine"].dispose()
