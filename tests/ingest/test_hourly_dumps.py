"""Parsing hourly pageviews and legacy pagecounts files, bad lines included."""

from pathlib import Path

import pytest

from backend.codes import Access, Agent, Source, series_code
from backend.dumpfiles import identify
from backend.ingest.hourly_dumps import parse_hourly_dump
from backend.ingest.parsed import ProjectFilter
from backend.ingest.reader import UnreadableFile
from tests.helpers import write_dump

USER_DESKTOP = series_code(Source.PAGEVIEWS, Access.DESKTOP, Agent.USER)
USER_MOBILE = series_code(Source.PAGEVIEWS, Access.MOBILE, Agent.USER)


def rows_by_title(parsed):
    return {
        (parsed.projects[p], title, series): views
        for p, title, _d, series, views in parsed.iter_rows()
    }


def test_valid_lines_become_rows_with_the_hours_day(tmp_path: Path):
    path = write_dump(
        tmp_path,
        "pageviews-20240301-230000.gz",
        [
            "en Main_Page 10 0",
            "en.m Main_Page 7 0",
            "de Straße 3 0",
            "en 100%25_Pure 2 0",
            "en Zero 0 0",
        ],
    )
    parsed = parse_hourly_dump(identify(path), ProjectFilter())
    assert rows_by_title(parsed) == {
        ("en.wikipedia", "Main_Page", USER_DESKTOP): 10,
        ("en.wikipedia", "Main_Page", USER_MOBILE): 7,
        ("de.wikipedia", "Straße", USER_DESKTOP): 3,
        # pageviews titles are already decoded: "%25" stays as it is
        ("en.wikipedia", "100%25_Pure", USER_DESKTOP): 2,
    }
    assert {day for _p, _t, day, _s, _v in parsed.iter_rows()} == {identify(path).first_hour // 24}
    assert parsed.views == 22
    assert parsed.lines_read == 5 and parsed.lines_rejected == 0


def test_bad_lines_are_counted_by_reason_and_the_rest_loads(tmp_path: Path):
    path = write_dump(
        tmp_path,
        "pageviews-20240301-000000.gz",
        [
            "en Good 5 0",
            "en too few",
            "en One Two 3 0",
            "en Neg -4 0",
            "en Word x 0",
            b"en Bad\xff\xfe 3 0",
            b"en Nul\x00 3 0",
            b"en " + b"L" * (1 << 20) + b" 1 0",
            "xx.zz.qq Title 3 0",
            "en " + "é" * 300 + " 1 0",
            "en Good2 6 0",
        ],
    )
    parsed = parse_hourly_dump(identify(path), ProjectFilter())
    assert dict(parsed.rejects) == {
        "fields": 2,
        "count": 2,
        "utf8": 1,
        "nul": 1,
        "too_long": 1,
        "domain": 1,
        "title": 1,
    }
    assert sorted(t for _p, t, *_ in parsed.iter_rows()) == ["Good", "Good2"]
    assert parsed.lines_read == 11


def test_pagecounts_titles_are_decoded_once_and_subtotals_skipped(tmp_path: Path):
    path = write_dump(
        tmp_path,
        "pagecounts-20140501-000000.gz",
        [
            "en Caf%C3%A9 4 100",
            "en 100%25_Pure 2 100",
            "en A%2520B 1 10",
            "en.mw en 99 1000",
            "en Bad%FF 1 10",
            "en Two%20Words 1 10",
        ],
    )
    dump = identify(path)
    parsed = parse_hourly_dump(dump, ProjectFilter())
    legacy = series_code(Source.PAGECOUNTS, Access.DESKTOP, Agent.UNSPLIT)
    assert rows_by_title(parsed) == {
        ("en.wikipedia", "Café", legacy): 4,
        ("en.wikipedia", "100%_Pure", legacy): 2,
        ("en.wikipedia", "A%20B", legacy): 1,
        ("en.wikipedia", "Two_Words", legacy): 1,
    }
    assert parsed.skipped["subtotal"] == 1
    assert parsed.rejects["utf8"] == 1
    # the file named 00:00 holds the hour before: 23:00 of the previous day
    assert dump.first_hour % 24 == 23


@pytest.mark.parametrize("ordered", [True, False])
def test_project_filter_keeps_exactly_that_wiki_sorted_or_not(tmp_path: Path, ordered: bool):
    lines = [
        "de A 1 0",
        "en A 2 0",
        "en B 3 0",
        "en.m A 4 0",
        "en.m.b X 5 0",
        "enx A 9 0",
        "fr A 6 0",
    ]
    if not ordered:
        lines = [*lines[::-1], "en C 7 0"]
    path = write_dump(tmp_path, "pageviews-20240301-000000.gz", lines)
    parsed = parse_hourly_dump(identify(path), ProjectFilter.from_names(("en.wikipedia",)))
    assert sorted((t, v) for _p, t, _d, _s, v in parsed.iter_rows()) == (
        [("A", 2), ("A", 4), ("B", 3)] + ([] if ordered else [("C", 7)])
    )
    assert list(parsed.projects.values()) == ["en.wikipedia"]
    assert parsed.lines_read == len(lines)


def test_a_truncated_gzip_raises_and_names_the_file(tmp_path: Path):
    path = write_dump(
        tmp_path, "pageviews-20240301-000000.gz", [f"en T{i} 1 0" for i in range(5000)]
    )
    path.write_bytes(path.read_bytes()[:-200])
    with pytest.raises(UnreadableFile, match=r"pageviews-20240301-000000\.gz"):
        parse_hourly_dump(identify(path), ProjectFilter())
