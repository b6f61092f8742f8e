"""ApiSource's manners: who it says it is, how fast it asks, and how it retries."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from backend.sources import SourceError
from backend.sources.http import ApiSource, RateLimit, default_user_agent

ARTICLE = (
    '{"items":[{"project":"en.wikipedia","article":"X","granularity":"daily",'
    '"timestamp":"2024020100","access":"all-access","agent":"user","views":5}]}'
)


@contextmanager
def serving(answers: list[tuple[int, dict[str, str]]]) -> Iterator[tuple[str, list[Request]]]:
    """A loopback server answering ``answers`` in turn (then 200s), recording the requests."""
    seen: list[Request] = []
    lock = threading.Lock()

    def application(environ, start_response):
        request = Request(environ)
        with lock:
            seen.append(request)
            status, headers = answers.pop(0) if answers else (200, {})
        body = ARTICLE if status == 200 else '{"detail":"busy"}'
        return Response(body, status=status, headers=headers, content_type="application/json")(
            environ, start_response
        )

    server = make_server("127.0.0.1", 0, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", seen
    finally:
        server.shutdown()
        thread.join()


def fetch(source: ApiSource) -> dict[str, dict[str, int]]:
    return source.daily("en.wikipedia", ["X"], date(2024, 2, 1), date(2024, 2, 1))


def test_retries_honour_retry_after_and_identify_the_client():
    answers = [(503, {"Retry-After": "0"}), (429, {"Retry-After": "0"})]
    with serving(answers) as (url, seen):
        source = ApiSource(url, rate=1000, extensions=False)
        assert fetch(source) == {"X": {"20240201": 5}}
    assert len(seen) == 3  # two refusals, then the answer
    assert all(r.headers["User-Agent"] == default_user_agent() for r in seen)
    assert default_user_agent().startswith("wikiviews/")


def test_a_server_that_keeps_failing_is_a_source_error_not_a_hang():
    with serving([(500, {})] * 10) as (url, seen):
        source = ApiSource(url, rate=1000, retries=2, extensions=False)
        with pytest.raises(SourceError, match="HTTP 500"):
            fetch(source)
    assert len(seen) == 3  # the first try and two retries


def test_redirects_without_extensions_need_a_way_to_name_them():
    with serving([]) as (url, seen):
        plain = ApiSource(url, rate=1000, extensions=False)
        with pytest.raises(SourceError, match="redirects"):
            plain.daily("en.wikipedia", ["X"], date(2024, 2, 1), date(2024, 2, 1), redirects=True)
        summed = ApiSource(
            url, rate=1000, extensions=False, redirects_of=lambda project, title: ["Y", "Z"]
        )
        got = summed.daily(
            "en.wikipedia", ["X"], date(2024, 2, 1), date(2024, 2, 1), redirects=True
        )
    assert got == {"X": {"20240201": 15}}  # X, Y and Z answered 5 each
    assert sorted(r.path.split("/")[-4] for r in seen) == ["X", "Y", "Z"]


def test_the_rate_limit_spaces_request_starts_evenly():
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(round(seconds, 6))

    limit = RateLimit(4, clock=lambda: now[0], sleep=sleep)
    for _ in range(4):
        limit.wait()
    assert slept == [0.25, 0.5, 0.75]  # the first starts at once, then one every 0.25 s
    now[0] += 10  # after a pause, no debt and no burst credit
    limit.wait()
    assert slept == [0.25, 0.5, 0.75]
    with pytest.raises(ValueError):
        RateLimit(0)
