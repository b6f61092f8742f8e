"""Reading raw logs: both formats, gzip or plain, and every kind of bad line."""

from __future__ import annotations

import gzip
import io
import time

from backend.ingest.requests.readers import LogReader, UnreadableInput, open_input
from tests.ingest.requests_logs import combined_line, json_line, recent_hour

H = recent_hour(5)


def read(lines: list[str | bytes], **kwargs) -> tuple[list, LogReader]:
    data = b"".join((x if isinstance(x, bytes) else x.encode()) + b"\n" for x in lines)
    reader = LogReader(**kwargs)
    return list(reader.read(io.BufferedReader(io.BytesIO(data)))), reader


def test_json_fields_are_read():
    (request,), _ = read([json_line(H, 7, query="?title=X", sequence=9, x_analytics="ns=0")])
    assert (request.hour, request.minute) == (H, H * 60 + 7)
    assert (request.host, request.path, request.query) == (
        "en.wikipedia.org",
        "/wiki/Foo",
        "?title=X",
    )
    assert (request.status, request.sequence, request.hostname) == (200, 9, "cp1001")


def test_combined_with_host_and_timezone():
    (request,), reader = read([combined_line(H, 59, host="Wiki.Example.org:443")])
    assert reader.format == "combined"
    assert request.hour == H and request.minute == H * 60 + 59  # +0200 turned into UTC
    assert request.host == "wiki.example.org"
    assert request.content_type == "text/html; charset=UTF-8"


def test_combined_without_host_uses_the_default_host():
    line = combined_line(H, host=None, ctype=None)
    assert read([line])[1].rejects == {"fields": 1}
    (request,), _ = read([line], default_host="wiki.example.org")
    assert request.host == "wiki.example.org" and request.content_type == ""


def test_escaped_quotes_in_user_agents():
    line = combined_line(H, ua='A \\"quoted\\" agent')
    (request,), _ = read([line])
    assert request.user_agent == 'A "quoted" agent'


def test_bad_lines_are_counted_per_reason():
    future = int(time.time() // 3600) + 5
    lines = [
        json_line(H),
        "{not json",
        "[1, 2]",
        '{"dt": "2026-01-01T00:00:00Z"}',
        json_line(H).replace("T", "X", 1),  # the dt's date-hour separator
        json_line(future),
        json_line(H).replace('"200"', '"ok"'),
        b"\xff\xfe binary",
        "a\x00b",
        "x" * 20000,
        "",
    ]
    requests, reader = read(lines)
    assert len(requests) == 1
    assert reader.rejects == {
        "syntax": 2,
        "fields": 1,
        "timestamp": 1,
        "future": 1,
        "status": 1,
        "binary": 2,
        "too_long": 1,
    }


def test_truncated_last_line_is_counted_not_parsed():
    data = (json_line(H) + "\n" + json_line(H)[:40]).encode()
    reader = LogReader()
    assert len(list(reader.read(io.BufferedReader(io.BytesIO(data))))) == 1
    assert reader.rejects == {"truncated": 1}


def test_gzip_is_recognised_by_content(tmp_path):
    path = tmp_path / "access.log"  # no .gz: the magic bytes decide
    path.write_bytes(gzip.compress((json_line(H) + "\n").encode()))
    stream, hashing = open_input(str(path))
    with hashing, stream:
        assert len(list(LogReader().read(stream))) == 1
    assert hashing.size == path.stat().st_size


def test_truncated_gzip_is_unreadable(tmp_path):
    path = tmp_path / "cut.gz"
    data = gzip.compress(("\n".join(json_line(H, i % 60) for i in range(2000)) + "\n").encode())
    path.write_bytes(data[: len(data) // 2])
    stream, hashing = open_input(str(path))
    try:
        with hashing, stream:
            list(LogReader().read(stream))
    except UnreadableInput as exc:
        assert "truncated" in str(exc) or "corrupt" in str(exc)
    else:
        raise AssertionError("a truncated gzip file must not read as complete")


def test_wrongly_typed_or_huge_fields_are_rejected_not_raised():
    import json

    good = json.loads(json_line(H, sequence=1))
    mutations = [
        {"uri_query": 5},
        {"user_agent": ["x"]},
        {"ip": {"a": 1}},
        {"content_type": 1.5},
        {"x_analytics": True},
        {"sequence": -3},
        {"sequence": 1 << 64},
        {"sequence": "7"},
        {"hostname": "h" * 300},
        {"http_status": None},
        {"dt": "2026-12-01T10:7x:00Z"},
        {"dt": "2026-12-01T10:²²:00Z"},
        {"dt": "2026-12-01T10:99:00Z"},
        {"dt": 20261201},
    ]
    lines = [json.dumps({**good, **change}) for change in mutations]
    requests, reader = read(lines)
    assert requests == []
    assert sum(reader.rejects.values()) == len(mutations)


def test_absurd_hosts_are_not_counted_wikis():
    from backend.ingest.requests.definition import PageviewRules

    rules = PageviewRules()
    assert rules.project_of("a" * 200 + ".wikipedia.org") is None
    assert rules.project_of("en.wikipedia.org") is not None


def test_no_line_crashes_the_classification():
    import json

    from hypothesis import HealthCheck, given, seed, settings
    from hypothesis import strategies as st

    from backend.ingest.requests.agents import SpiderCache
    from backend.ingest.requests.aggregate import RequestTally
    from backend.ingest.requests.countries import CountryCache
    from backend.ingest.requests.definition import PageviewRules
    from backend.ingest.requests.sequences import SequenceTracker

    good = json.loads(json_line(H, sequence=1))
    values = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False),
        st.text(max_size=40),
        st.lists(st.integers(), max_size=2),
    )
    records = st.dictionaries(st.sampled_from(sorted(good)), values, max_size=6).map(
        lambda change: json.dumps({**good, **change})
    )
    lines = st.lists(st.one_of(records, st.binary(max_size=60)), max_size=8)

    @seed(13)
    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(lines)
    def check(batch):
        tally = RequestTally(PageviewRules(), SpiderCache(), CountryCache(), SequenceTracker())
        requests, _reader = read(batch)
        tally.add_all(requests)

    check()
