"""The top-articles report from a source: ranks, exclusions, flags, change of rank."""

from __future__ import annotations

from datetime import date

import mwparserfromhell
import pytest
from memory_source import MemorySource

from bot.periods import period_of
from bot.top_report import (
    Filters,
    automated_flags,
    build_report,
    render_report,
    rendered_period,
)

P = "en.wikipedia"
MAY = period_of("month", date(2024, 5, 1))


def _source() -> MemorySource:
    src = MemorySource(through=date(2024, 5, 31))
    for day in (date(2024, 4, 10), date(2024, 5, 10)):
        src.add(P, "Main_Page", day, desktop=10_000, mobile=10_000)
        src.add(P, "Special:Search", day, desktop=9_000, mobile=9_000)
        src.add(P, "-", day, desktop=8_000, mobile=8_000)
    # May: A > Spam > B > C > D; April: B > A > D (C is new in May).
    src.add(P, "A", date(2024, 5, 10), desktop=400, mobile=600)
    src.add(P, "Spam", date(2024, 5, 10), desktop=950, mobile=0)  # 0% mobile
    src.add(P, "B", date(2024, 5, 10), desktop=300, mobile=500)
    src.add(P, "C", date(2024, 5, 10), desktop=200, mobile=400)
    src.add(P, "Phone_bot", date(2024, 5, 10), desktop=5, mobile=695)  # 99% mobile
    src.add(P, "D", date(2024, 5, 10), desktop=100, mobile=100)
    src.add(P, "B", date(2024, 4, 10), desktop=900, mobile=900)
    src.add(P, "A", date(2024, 4, 10), desktop=500, mobile=500)
    src.add(P, "D", date(2024, 4, 10), desktop=300, mobile=300)
    return src


def test_report_ranks_filters_and_flags() -> None:
    report = build_report(_source(), P, MAY, limit=3)
    assert [(e.rank, e.title, e.views) for e in report.entries] == [
        (1, "A", 1000),
        (2, "B", 800),
        (3, "C", 600),
    ]
    assert [e.title for e in report.excluded] == ["Spam", "Phone_bot"]
    assert report.excluded[0].flags == ("mobile-low:0.0000",)
    assert report.excluded[1].flags[0].startswith("mobile-high:")
    assert [e.previous_rank for e in report.entries] == [2, 1, None]


def test_flagged_entries_do_not_take_a_row() -> None:
    report = build_report(_source(), P, MAY, limit=10)
    assert [e.title for e in report.entries] == ["A", "B", "C", "D"]
    assert [e.rank for e in report.entries] == [1, 2, 3, 4]


def test_flags_can_be_turned_off() -> None:
    report = build_report(_source(), P, MAY, limit=3, flag=False)
    assert [e.title for e in report.entries] == ["A", "Spam", "B"]
    assert report.excluded == []


def test_extra_exclusions_and_localised_main_page() -> None:
    filters = Filters(
        main_page="A", special_prefixes=("Spezial:", "Special:"), extra=frozenset({"B"})
    )
    report = build_report(_source(), P, MAY, limit=2, filters=filters)
    assert [e.title for e in report.entries] == ["C", "D"]


@pytest.mark.parametrize(
    ("share", "flagged"),
    [
        (None, False),
        (0.0, True),
        (0.0999, True),
        (0.10, False),
        (0.5, False),
        (0.90, False),
        (0.9001, True),
        (1.0, True),
    ],
)
def test_mobile_share_bounds(share, flagged) -> None:
    assert bool(automated_flags(share)) is flagged


def test_missing_previous_period_makes_everything_new() -> None:
    src = MemorySource(through=date(2024, 5, 31))
    src.add(P, "A", date(2024, 5, 10), desktop=5, mobile=5)
    report = build_report(src, P, period_of("day", date(2024, 5, 10)), limit=5)
    assert [e.previous_rank for e in report.entries] == [None]


def test_rendered_report() -> None:
    report = build_report(_source(), P, MAY, limit=3)
    text = render_report(report)
    code = mwparserfromhell.parse(text)
    tables = code.filter_tags(matches=lambda n: n.tag == "table")
    assert len(tables) == 2
    rows = tables[0].contents.filter_tags(matches=lambda n: n.tag == "tr", recursive=False)
    cells = [
        [
            str(c.contents).strip()
            for c in row.contents.filter_tags(matches=lambda n: n.tag == "td", recursive=False)
        ]
        for row in rows
    ]
    assert cells[0][0] == "1" and cells[0][2] == "{{formatnum:1000}}"
    assert cells[0][3] == "▲ 1" and cells[1][3] == "▼ 1" and cells[2][3] == "new"
    assert cells[0][4] == "60%"
    assert "mobile share 0% (under 10%)" in text
    assert "=== Excluded ===" in text
    assert rendered_period(text) == MAY.key()
    assert render_report(report) == text  # no timestamps: the same data renders the same


def test_rendered_period_absent() -> None:
    assert rendered_period(None) is None
    assert rendered_period("no period here") is None


def test_the_busiest_hour_flags_where_hourly_data_exists() -> None:
    src = _source()
    # A: 1000 views in May, 510 of them (51%) in one hour. B: 400 of 800 (50%, not over).
    src.add_hour(P, "A", date(2024, 5, 10), 14, 510)
    src.add_hour(P, "A", date(2024, 5, 10), 15, 90)
    src.add_hour(P, "B", date(2024, 5, 10), 3, 400)
    report = build_report(src, P, MAY, limit=3)
    assert [e.title for e in report.entries] == ["B", "C", "D"]
    assert [e.title for e in report.excluded] == ["A", "Spam", "Phone_bot"]
    assert report.excluded[0].flags == ("one-hour:0.5100:2024051014",)
    text = render_report(report)
    assert "51% of the views in one hour, 2024-05-10 14:00 UTC (over 50%)" in text


def test_no_hourly_data_no_hour_flag() -> None:
    src = _source()
    # Hours outside the period do not count, and without hourly data nothing is flagged.
    src.add_hour(P, "A", date(2024, 4, 30), 23, 1000)
    report = build_report(src, P, MAY, limit=3)
    assert [e.title for e in report.entries] == ["A", "B", "C"]
    assert all(not f.startswith("one-hour") for e in report.excluded for f in e.flags)
    assert ("hourly", 6) in src.calls


@pytest.mark.parametrize(
    ("busiest", "flags"),
    [
        (None, ()),
        ((0.5, "2024051000"), ()),
        ((0.5001, "2024051000"), ("one-hour:0.5001:2024051000",)),
    ],
)
def test_one_hour_share_bound(busiest, flags) -> None:
    assert automated_flags(0.5, busiest) == flags
    both = automated_flags(0.05, busiest)
    assert both == ("mobile-low:0.0500", *flags)
