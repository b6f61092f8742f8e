"""Parsing pageview_complete daily and monthly files."""

from pathlib import Path

import pytest

from backend.codes import Access, Agent, Source, series_code
from backend.dumpfiles import identify
from backend.ingest.complete_dumps import parse_complete_dump, parse_letters
from backend.ingest.parsed import ProjectFilter
from backend.timeutil import day_number, hour_number
from tests.helpers import write_dump


def test_letters_decode_hours_and_days():
    assert parse_letters("A3C12", 24) == [(0, 3), (2, 12)]
    assert parse_letters("X1", 24) == [(23, 1)]
    assert parse_letters("Y1", 24) is None  # no hour 24
    assert parse_letters("_5\\2", 31) == [(30, 5), (27, 2)]
    assert parse_letters("A3junk", 24) is None
    assert parse_letters("", 24) == []


def test_daily_file_rows_page_ids_and_hours(tmp_path: Path):
    path = write_dump(
        tmp_path,
        "pageviews-20210101-automated.bz2",
        [
            "aa.wikibooks Main_Page null desktop 8 F8",
            "aa.wikibooks File:Incubator-notext.svg desktop 3 A1W1X1",
            "en.wikipedia Main_Page 15580374 mobile-web 300 A100B200",
            "en.wikipedia Wrong 1 desktop 5 A1",
            "en.wikipedia Bad 1 tablet 5 A5",
            "en.wikipedia Bad 1x desktop 5 A5",
            "EN.wikipedia Bad 1 desktop 5 A5",
            "en.wikipedia too few",
        ],
    )
    dump = identify(path)
    parsed = parse_complete_dump(dump, ProjectFilter(), hourly_window=True)
    automated = Agent.AUTOMATED
    desktop = series_code(Source.COMPLETE, Access.DESKTOP, automated)
    web = series_code(Source.COMPLETE, Access.MOBILE_WEB, automated)
    day = day_number(__import__("datetime").date(2021, 1, 1))
    rows = {(parsed.projects[p], t, d, s): v for p, t, d, s, v in parsed.iter_rows()}
    assert rows == {
        ("aa.wikibooks", "Main_Page", day, desktop): 8,
        ("aa.wikibooks", "File:Incubator-notext.svg", day, desktop): 3,
        ("en.wikipedia", "Main_Page", day, web): 300,
    }
    assert [(parsed.projects[p], t, pid) for p, t, pid in parsed.iter_page_ids()] == [
        ("en.wikipedia", "Main_Page", 15580374)
    ]
    assert dict(parsed.rejects) == {"hours": 1, "access": 1, "page_id": 1, "domain": 1, "fields": 1}
    hours = {
        (parsed.projects[p], h - hour_number(dump_date(), 0), s): v
        for (p, h, s), v in parsed.project_hours.items()
    }
    assert hours[("en.wikipedia", 1, web)] == 200
    assert hours[("aa.wikibooks", 23, desktop)] == 1
    assert sum(v for *_, v in parsed.hour_rows) == 311


def dump_date():
    import datetime

    return datetime.date(2021, 1, 1)


def test_monthly_file_spreads_counts_over_days(tmp_path: Path):
    path = write_dump(
        tmp_path,
        "pageviews-202402-user.bz2",
        [
            "aa.wikibooks Main_Page null desktop 163 A8B6C8F8H23I1J8L8N31O8Q8S14V8X8Z8\\8",
            "aa.wikibooks Main_Page null mobile-web 4 E3\\1",
            "aa.wikibooks Leap null desktop 1 ]1",
            "aa.wikibooks NoDay30 null desktop 1 ^1",
        ],
    )
    dump = identify(path)
    parsed = parse_complete_dump(dump, ProjectFilter())
    first = dump.first_hour // 24
    by_day = {}
    for _p, title, day, _s, views in parsed.iter_rows():
        by_day[(title, day - first + 1)] = by_day.get((title, day - first + 1), 0) + views
    assert by_day[("Main_Page", 1)] == 8 and by_day[("Main_Page", 28)] == 9
    assert by_day[("Main_Page", 5)] == 3
    assert by_day[("Leap", 29)] == 1
    assert parsed.rejects["hours"] == 1  # February 2024 has no day 30
    assert sum(parsed.project_days.values()) == 168
    assert not parsed.project_hours


@pytest.mark.parametrize(
    "name",
    [
        "pageviews-202413-user.bz2",
        "pageviews-20240230-user.bz2",
        "pageviews-20240301-250000.gz",
        "other.gz",
    ],
)
def test_bad_file_names_are_refused(name):
    from backend.dumpfiles import UnknownFileName

    with pytest.raises(UnknownFileName):
        identify(Path(name))
