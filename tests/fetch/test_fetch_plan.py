"""Planning a range: layout of names and URLs, what the store covers, order, report ranges."""

from __future__ import annotations

from datetime import datetime

import pytest

from backend.dumpfiles import complete_dump, dump_key, dumps_between, hour_of, hourly_dump
from backend.fetch.checksums import parse_checksums
from backend.fetch.plan import describe_ranges, make_plan
from backend.ingest.parsed import ProjectFilter
from backend.ingested import LoadedFor

H = hour_of(datetime(2024, 2, 29, 22))


def test_names_and_urls_follow_the_dumps_layout():
    item = hourly_dump(H)
    assert item.name == "pageviews-20240229-220000.gz"
    assert item.url("https://mirror.example/other/") == (
        "https://mirror.example/other/pageviews/2024/2024-02/pageviews-20240229-220000.gz"
    )
    assert item.ready_hour == H + 1
    daily = complete_dump(hour_of(datetime(2024, 3, 1)), "spider")
    assert daily.remote_path == "pageview_complete/2024/2024-03/pageviews-20240301-spider.bz2"
    assert daily.ready_hour == hour_of(datetime(2024, 3, 2))


def test_a_range_across_a_month_end_in_both_datasets():
    items = list(dumps_between(H, H + 3, ("pageviews", "complete"), agents=("user",)))
    assert [i.name for i in items] == [
        "pageviews-20240229-220000.gz",
        "pageviews-20240229-230000.gz",
        "pageviews-20240229-user.bz2",
        "pageviews-20240301-000000.gz",
        "pageviews-20240301-010000.gz",
        "pageviews-20240301-user.bz2",
    ]
    assert {i.directory for i in items} >= {"pageviews/2024/2024-02", "pageviews/2024/2024-03"}


@pytest.mark.parametrize(
    ("loaded", "only", "expected"),
    [
        ("*", None, True),
        ("*", {"de.wikipedia"}, True),
        ("de.wikipedia", None, False),
        ("de.wikipedia", {"de.wikipedia"}, True),
        ("de.wikipedia,en.wikipedia", {"en.wikipedia"}, True),
        ("de.wikipedia", {"de.wikipedia", "fr.wikipedia"}, False),
    ],
)
def test_covers(loaded, only, expected):
    record = LoadedFor.parse(loaded)
    assert record.covers(frozenset(only) if only else None) is expected
    assert LoadedFor.parse(record.text()) == record


def test_union_of_loaded_projects():
    some = LoadedFor.parse("de.wikipedia")
    assert some.union(LoadedFor.parse("en.wikipedia")).text() == "de.wikipedia,en.wikipedia"
    assert some.union(LoadedFor.parse("*")).text() == "*"


def test_plan_skips_loaded_and_unfinished_files_and_orders():
    loaded = {dump_key("pageviews-20240229-220000.gz"): LoadedFor.parse("*")}
    plan = make_plan(
        H, H + 5, now_hour=H + 4, loaded=loaded, projects=ProjectFilter(), order="newest"
    )
    assert [i.name for i in plan.loaded] == ["pageviews-20240229-220000.gz"]
    assert [i.first_hour - H for i in plan.wanted] == [3, 2, 1]
    assert [i.first_hour - H for i in plan.not_yet] == [4, 5]
    with pytest.raises(ValueError, match="order"):
        make_plan(H, H, now_hour=H, loaded={}, projects=ProjectFilter(), order="random")


def test_describe_ranges_folds_consecutive_hours():
    items = [hourly_dump(H + h) for h in (0, 1, 2, 5)] + [complete_dump(H - 22, "user")]
    assert describe_ranges(items) == [
        "complete 2024-02-29 (user): pageviews-20240229-user.bz2",
        "pageviews 2024-02-29 22:00 … 2024-03-01 00:00 (3 files)",
        "pageviews 2024-03-01 03:00: pageviews-20240301-030000.gz",
    ]


def test_checksum_files_of_both_styles():
    text = (
        "d41d8cd98f00b204e9800998ecf8427e  pageviews-20240301-000000.gz\n"
        "D41D8CD98F00B204E9800998ECF8427F *pageviews-20240301-010000.gz\n"
        "not a checksum line\n"
        "da39a3ee5e6b4b0d3255bfef95601890afd80709  sub/projectviews-20240301-000000\n"
    )
    assert parse_checksums(text) == {
        "pageviews-20240301-000000.gz": "d41d8cd98f00b204e9800998ecf8427e",
        "pageviews-20240301-010000.gz": "d41d8cd98f00b204e9800998ecf8427f",
        "projectviews-20240301-000000": "da39a3ee5e6b4b0d3255bfef95601890afd80709",
    }


def test_live_edge_is_two_days_for_hours_and_a_week_for_daily_files():
    hour = hourly_dump(H)
    daily = complete_dump(H - 22, "user")  # 29 February, ready at 1 March 00:00
    five_days_later = hour_of(datetime(2024, 3, 6))
    assert hour.at_live_edge(H + 1 + 48) and not hour.at_live_edge(H + 1 + 49)
    assert daily.at_live_edge(five_days_later)
    assert not daily.at_live_edge(hour_of(datetime(2024, 3, 8, 1)))
