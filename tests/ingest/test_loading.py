"""Loading files into the store, on every backend: totals, idempotence, order, sources, tops."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import text

from backend import db, queries
from backend.ingest.ingest_command import run_ingest
from backend.ingest.parsed import ProjectFilter
from backend.ingest.run import expand_paths
from backend.timeutil import day_number, month_number
from tests.helpers import snapshot, write_dump

DAY = date(2024, 3, 1)
D = day_number(DAY)


def hourly_lines(day: date, hour: int) -> list[str]:
    """A small, deterministic hourly file: a few wikis, desktop and mobile, a tie or two."""
    k = day.toordinal() % 7 + hour
    return [
        f"de Berlin {1 + k % 3} 0",
        "en - 50 0",
        f"en Main_Page {20 + k} 0",
        f"en Straße {1 + hour % 2} 0",
        f"en.m Main_Page {10 + k} 0",
        f"en.m Mobile_Only {5 + hour % 4} 0",
        "www.wd Q42 2 0",
        "en broken line",
    ]


def write_day(directory: Path, day: date, hours=range(24)) -> list[Path]:
    stamp = day.strftime("%Y%m%d")
    return [
        write_dump(directory, f"pageviews-{stamp}-{h:02d}0000.gz", hourly_lines(day, h))
        for h in hours
    ]


def ingest(settings, *paths, projects=(), replace=False, hourly=None) -> bool:
    files = expand_paths([str(p) for p in paths])
    return run_ingest(
        settings, files, ProjectFilter.from_names(projects), replace=replace, hourly=hourly
    )


def daily(settings, title, access="all-access", agent="all-agents", project="en.wikipedia"):
    engine = db.make_engine(settings)
    with engine.connect() as connection:
        result = queries.article_daily(connection, project, title, access, agent, 0, 10**6)
    engine.dispose()
    return dict(result)


def test_a_day_of_hourly_files_loads_exact_totals(migrated_settings, tmp_path):
    files = write_day(tmp_path / "in", DAY) if (tmp_path / "in").mkdir() is None else []
    assert ingest(migrated_settings, tmp_path / "in")
    expected_main = sum(
        20 + DAY.toordinal() % 7 + h + 10 + DAY.toordinal() % 7 + h for h in range(24)
    )
    assert daily(migrated_settings, "Main_Page") == {D: expected_main}
    assert daily(migrated_settings, "Main_Page", "desktop", "user") == {
        D: sum(20 + DAY.toordinal() % 7 + h for h in range(24))
    }
    # the combined mobile bucket of hourly dumps never answers for mobile-web or mobile-app
    assert daily(migrated_settings, "Mobile_Only", "mobile-web") == {}
    assert daily(migrated_settings, "Mobile_Only", "all-access") != {}
    assert daily(migrated_settings, "Main_Page", "all-access", "spider") == {}
    assert daily(migrated_settings, "Straße") == {D: sum(1 + h % 2 for h in range(24))}
    engine = db.make_engine(migrated_settings)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT lines_read, lines_rejected, rejects FROM ingested_files")
        ).all()
        assert len(rows) == len(files) == 24
        assert all(r[0] == 8 and r[1] == 1 and '"fields": 1' in r[2] for r in rows)
        top = queries.top_articles(connection, "en.wikipedia", "all-access", day=D)
        assert [e.title for e in top] == ["Main_Page", "Mobile_Only", "Straße"]  # "-" excluded
        hours = queries.project_hourly(
            connection, "en.wikipedia", "all-access", "user", D * 24, D * 24 + 23
        )
        assert len(hours) == 24
        assert sum(v for _, v in hours) == sum(
            v
            for _, v in queries.project_daily(
                connection, "en.wikipedia", "all-access", "user", D, D
            )
        )
    engine.dispose()


def test_a_partial_day_is_not_published(migrated_settings, tmp_path):
    write_day(tmp_path, DAY, hours=range(23))
    assert ingest(migrated_settings, tmp_path)
    assert daily(migrated_settings, "Main_Page") == {}
    engine = db.make_engine(migrated_settings)
    with engine.connect() as connection:
        assert queries.last_published_day(connection, "en.wikipedia") is None
        # published hours are visible in the hourly aggregate
        assert (
            len(
                queries.project_hourly(
                    connection, "en.wikipedia", "all-access", "user", D * 24, D * 24 + 23
                )
            )
            == 23
        )
    engine.dispose()


def test_loading_the_same_files_again_changes_nothing(migrated_settings, tmp_path):
    write_day(tmp_path, DAY)
    assert ingest(migrated_settings, tmp_path)
    first = snapshot(migrated_settings)
    assert ingest(migrated_settings, tmp_path)
    assert snapshot(migrated_settings) == first


def test_files_in_any_order_give_the_same_store(migrated_settings, tmp_path):
    files = write_day(tmp_path / "a", DAY) if (tmp_path / "a").mkdir() is None else []
    files += write_day(tmp_path / "a", DAY + timedelta(days=1))
    reference = dataclasses.replace(
        migrated_settings, database_url=f"sqlite:///{tmp_path}/reference.sqlite3"
    )
    db.upgrade(reference)
    for path in files:
        assert ingest(reference, path)
    for path in reversed(files):
        assert ingest(migrated_settings, path)
    assert snapshot(migrated_settings) == snapshot(reference)


def test_a_better_source_replaces_a_day_and_is_never_added(migrated_settings, tmp_path):
    write_day(tmp_path, DAY)
    stamp = DAY.strftime("%Y%m%d")
    write_dump(
        tmp_path,
        f"pageviews-{stamp}-user.bz2",
        [
            "en.wikipedia Main_Page 15580374 desktop 1000 A600B400",
            "en.wikipedia Main_Page 15580374 mobile-web 30 C30",
            "en.wikipedia Main_Page 15580374 mobile-app 7 D7",
        ],
    )
    write_dump(
        tmp_path,
        f"pageviews-{stamp}-spider.bz2",
        [
            "en.wikipedia Main_Page 15580374 desktop 5 A5",
        ],
    )
    assert ingest(migrated_settings, tmp_path)
    assert daily(migrated_settings, "Main_Page") == {D: 1042}
    assert daily(migrated_settings, "Main_Page", "all-access", "user") == {D: 1037}
    assert daily(migrated_settings, "Main_Page", "mobile-web", "user") == {D: 30}
    assert daily(migrated_settings, "Main_Page", "mobile-app") == {D: 7}
    assert daily(migrated_settings, "Mobile_Only") == {}  # only in the losing source
    engine = db.make_engine(migrated_settings)
    with engine.connect() as connection:
        assert (
            connection.execute(
                text(
                    "SELECT page_id FROM titles WHERE title = 'Main_Page' AND project_id = "
                    "(SELECT id FROM projects WHERE name = 'en.wikipedia')"
                )
            ).scalar()
            == 15580374
        )
        top = queries.top_articles(connection, "en.wikipedia", "mobile-app", day=D)
        assert [(e.title, e.views) for e in top] == [("Main_Page", 7)]
    engine.dispose()


def test_top_lists_cut_ties_as_wikimedia_does(migrated_settings, tmp_path):
    settings = dataclasses.replace(migrated_settings, top_size=3)
    stamp = DAY.strftime("%Y%m%d")
    write_dump(
        tmp_path,
        f"pageviews-{stamp}-user.bz2",
        [
            f"en.wikipedia {t} null desktop {v} A{v}"
            for t, v in [("A", 9), ("B", 7), ("C", 5), ("D", 5), ("E", 1)]
        ]
        + [f"de.wikipedia {t} null desktop {v} A{v}" for t, v in [("A", 9), ("B", 8), ("C", 8)]],
    )
    assert ingest(settings, tmp_path)
    engine = db.make_engine(settings)
    with engine.connect() as connection:
        en = queries.top_articles(connection, "en.wikipedia", "all-access", day=D)
        de = queries.top_articles(connection, "de.wikipedia", "desktop", day=D)
    engine.dispose()
    # C and D tie across the cut at 3: both go
    assert [(e.title, e.rank) for e in en] == [("A", 1), ("B", 2)]
    assert [(e.title, e.rank) for e in de] == [("A", 1), ("B", 2), ("C", 2)]


def test_a_corrupt_file_is_rejected_whole_and_the_others_load(migrated_settings, tmp_path):
    files = write_day(tmp_path, DAY)
    files[5].write_bytes(files[5].read_bytes()[:20])
    bad = write_dump(tmp_path, "pageviews-20240302-000000.gz", ["x"])
    bad.write_bytes(b"not gzip at all")
    assert not ingest(migrated_settings, tmp_path)
    engine = db.make_engine(migrated_settings)
    with engine.connect() as connection:
        names = set(connection.execute(text("SELECT name FROM ingested_files")).scalars())
        assert names == {p.name for p in files} - {files[5].name}
        assert (
            connection.execute(
                text("SELECT COUNT(*) FROM project_hours WHERE hour = :h"), {"h": D * 24 + 5}
            ).scalar()
            == 0
        )
    engine.dispose()
    assert daily(migrated_settings, "Main_Page") == {}  # hour 5 missing: day not published


def test_project_filter_then_a_full_load_adds_only_the_rest(migrated_settings, tmp_path):
    write_day(tmp_path, DAY)
    assert ingest(migrated_settings, tmp_path, projects=("en.wikipedia",))
    assert daily(migrated_settings, "Berlin", project="de.wikipedia") == {}
    only_en = daily(migrated_settings, "Main_Page")
    assert only_en
    assert ingest(migrated_settings, tmp_path)
    assert daily(migrated_settings, "Main_Page") == only_en
    assert daily(migrated_settings, "Berlin", project="de.wikipedia") != {}
    reference = dataclasses.replace(
        migrated_settings, database_url=f"sqlite:///{tmp_path}/reference.sqlite3"
    )
    db.upgrade(reference)
    assert ingest(reference, tmp_path)
    assert snapshot(migrated_settings)["counts"] == snapshot(reference)["counts"]


def test_packed_months_answer_like_daily_rows_and_unpack_for_late_files(
    migrated_settings, tmp_path
):
    settings = dataclasses.replace(migrated_settings, staging_days=2)
    start = date(2024, 1, 30)
    for offset in range(36):
        day = start + timedelta(days=offset)
        write_dump(
            tmp_path,
            f"pageviews-{day:%Y%m%d}-user.bz2",
            [
                f"en.wikipedia Main_Page 1 desktop {offset + 1} A{offset + 1}",
                "en.wikipedia Odd_Days null mobile-web 3 B3"
                if offset % 2
                else "en.wikipedia Even null desktop 1 C1",
            ],
        )
    assert ingest(settings, tmp_path)
    engine = db.make_engine(settings)
    with engine.connect() as connection:
        packed = connection.execute(text("SELECT COUNT(*) FROM packed_days")).scalar()
        assert packed == 34  # all but the newest staging_days
        feb = queries.top_articles(
            connection, "en.wikipedia", "all-access", month=month_number(2024, 2)
        )
        assert [(e.title, e.views) for e in feb] == [
            ("Main_Page", sum(range(3, 32))),
            ("Odd_Days", 3 * 14),
            ("Even", 15),
        ]
        series = queries.article_daily(
            connection,
            "en.wikipedia",
            "Main_Page",
            "all-access",
            "all-agents",
            day_number(start),
            day_number(start) + 40,
        )
        assert series == [(day_number(start) + i, i + 1) for i in range(36)]
    engine.dispose()
    before = snapshot(settings)
    # a late file for a packed day: that day is unpacked, changed, and its top recomputed
    write_dump(
        tmp_path, "pageviews-20240210-spider.bz2", ["en.wikipedia Main_Page 1 desktop 100 A100"]
    )
    assert ingest(settings, tmp_path / "pageviews-20240210-spider.bz2")
    after = snapshot(settings)
    spider = daily(settings, "Main_Page", "all-access", "spider")
    # Every viewed day is there (0 without spider views), and only 10 February has some.
    assert {day: views for day, views in spider.items() if views} == {
        day_number(date(2024, 2, 10)): 100
    }
    assert spider.keys() == daily(settings, "Main_Page", "all-access", "all-agents").keys()
    assert daily(settings, "Main_Page", "all-access", "user")[day_number(date(2024, 2, 10))] == 12
    changed = {k for k in after["counts"] if before["counts"].get(k) != after["counts"][k]}
    assert len(changed) == 1
    assert after["top"] == before["top"]  # spider views do not enter top lists


def test_replace_reloads_a_changed_complete_file(migrated_settings, tmp_path):
    path = write_dump(
        tmp_path,
        "pageviews-20240301-user.bz2",
        ["en.wikipedia A null desktop 5 A5", "en.wikipedia B null desktop 2 B2"],
    )
    assert ingest(migrated_settings, path)
    write_dump(tmp_path, "pageviews-20240301-user.bz2", ["en.wikipedia A null desktop 7 A7"])
    assert not ingest(migrated_settings, path)  # loaded before with different content
    assert daily(migrated_settings, "A") == {D: 5}
    assert ingest(migrated_settings, path, replace=True)
    assert daily(migrated_settings, "A") == {D: 7}
    assert daily(migrated_settings, "B") == {}


def test_replace_of_an_hour_uses_the_hourly_window(migrated_settings, tmp_path):
    files = write_day(tmp_path, DAY)
    assert ingest(migrated_settings, tmp_path, projects=("en.wikipedia",))
    before = daily(migrated_settings, "Main_Page")
    write_dump(tmp_path, files[3].name, ["en Main_Page 1 0"])
    assert ingest(migrated_settings, files[3], projects=("en.wikipedia",), replace=True)
    k = DAY.toordinal() % 7 + 3
    assert daily(migrated_settings, "Main_Page") == {D: before[D] - (20 + k) - (10 + k) + 1}


def test_replace_of_an_hour_outside_the_window_is_refused(migrated_settings, tmp_path):
    files = write_day(tmp_path, DAY)
    assert ingest(migrated_settings, tmp_path, hourly=False)
    before = snapshot(migrated_settings)
    # the new version of the file cannot tell what the old one added to each page
    write_dump(tmp_path, files[3].name, ["en Main_Page 1 0"])
    assert not ingest(migrated_settings, files[3], replace=True)
    assert snapshot(migrated_settings) == before
