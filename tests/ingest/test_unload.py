"""``unload``: after it the store equals a clean load of the files that remain, on every backend."""

from __future__ import annotations

import dataclasses
import signal
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from backend import db, queries
from backend.ingest.ingest_command import run_ingest
from backend.ingest.parsed import ProjectFilter
from backend.ingest.projects import ensure_projects
from backend.ingest.unload import UnloadError, unload
from backend.settings import Settings
from backend.timeutil import day_number, hour_number, month_number, parse_hour
from tests.conftest import STORE_KINDS, empty_store
from tests.helpers import run_cli, snapshot, store_connection, write_dump

DAY = date(2024, 3, 1)


@pytest.fixture(params=STORE_KINDS)
def store_settings(
    request: pytest.FixtureRequest, tmp_path: Path, _admin_engine: Callable[[str], Engine]
) -> Iterator[Settings]:
    """As in tests/conftest.py, and a PostgreSQL store partitioned by month besides."""
    with empty_store(request.param, tmp_path, _admin_engine) as settings:
        yield settings


D = day_number(DAY)


def hourly_lines(hour: int) -> list[str]:
    return [
        f"de Berlin {1 + hour % 3} 0",
        f"en Main_Page {20 + hour} 0",
        f"en Hour_{hour:02d} {3 + hour} 0",
        f"en.m Main_Page {10 + hour} 0",
        "www.wd Q42 2 0",
    ]


def write_hours(directory: Path, day: date = DAY, hours=range(24)) -> list[Path]:
    directory.mkdir(exist_ok=True)
    return [
        write_dump(directory, f"pageviews-{day:%Y%m%d}-{h:02d}0000.gz", hourly_lines(h))
        for h in hours
    ]


def write_complete(directory: Path, day: date, agent: str, lines: list[str]) -> Path:
    directory.mkdir(exist_ok=True)
    return write_dump(directory, f"pageviews-{day:%Y%m%d}-{agent}.bz2", lines)


def ingest(settings: Settings, paths, projects=(), hourly=None, replace=False) -> None:
    files = sorted(Path(p) for p in paths)
    assert run_ingest(
        settings, files, ProjectFilter.from_names(projects), hourly=hourly, replace=replace
    )


def reference(
    settings: Settings, tmp_path: Path, paths, then: dict | None = None, **options
) -> dict:
    """Snapshot of a new SQLite store with the same settings and only ``paths`` loaded.

    ``options`` are those of the load, ``then`` those of a second load of the same paths.

    It knows the same projects first: unload leaves a project known (and its days published,
    empty) when no file of it remains, as a load that kept none of its lines does.
    """
    other = dataclasses.replace(
        settings,
        database_url=f"sqlite:///{tmp_path}/reference.sqlite3",
        partition_large_tables=False,
    )
    db.upgrade(other)
    with store_connection(settings) as connection:
        names = list(connection.execute(text("SELECT name FROM projects")).scalars())
    with store_connection(other, write=True) as connection:
        ensure_projects(connection, names)
    ingest(other, paths, **options)
    if then is not None:
        ingest(other, paths, **then)
    return snapshot(other)


def run_unload(settings: Settings, *targets: str) -> dict[str, str]:
    """Unload ``targets``; returns the method used per file name."""
    engine = db.make_engine(settings)
    try:
        return {r.name: r.method for r in unload(engine, settings, list(targets))}
    finally:
        engine.dispose()


def recorded(settings: Settings) -> set[str]:
    with store_connection(settings) as connection:
        names = set(connection.execute(text("SELECT name FROM ingested_files")).scalars())
    return names


def read(settings: Settings, query, *args, **kwargs):
    with store_connection(settings) as connection:
        result = query(connection, *args, **kwargs)
    return result


def test_parse_hour():
    assert parse_hour("2024030103") == hour_number(DAY, 3)
    assert parse_hour("20240301-03") == parse_hour("2024-03-01T03:00") == hour_number(DAY, 3)
    assert parse_hour("pageviews-20240301-030000.gz") is None
    assert parse_hour("20240301") is None
    with pytest.raises(ValueError, match="not a valid hour"):
        parse_hour("2024023003")
    with pytest.raises(ValueError, match="not a valid hour"):
        parse_hour("2024030124")


def test_a_complete_file_is_taken_out_by_its_series(migrated_settings, tmp_path):
    src = tmp_path / "in"
    files = []
    for offset in range(3):
        day = DAY + timedelta(days=offset)
        files.append(
            write_complete(
                src,
                day,
                "user",
                [
                    f"en.wikipedia Main_Page 1 desktop {10 + offset} A{10 + offset}",
                    f"en.wikipedia Day_{offset} null mobile-web 4 B4",
                ],
            )
        )
        files.append(write_complete(src, day, "spider", ["en.wikipedia Main_Page 1 desktop 3 A3"]))
    ingest(migrated_settings, files)
    second = day_number(DAY) + 1
    before = dict(
        read(
            migrated_settings,
            queries.article_daily,
            "en.wikipedia",
            "Main_Page",
            "all-access",
            "user",
            second,
            second,
        )
    )
    assert before == {second: 11}
    gone = files[2]  # the user file of the second day
    assert run_unload(migrated_settings, gone.name) == {gone.name: "series"}
    assert gone.name not in recorded(migrated_settings)
    rest = [f for f in files if f != gone]
    assert snapshot(migrated_settings) == reference(migrated_settings, tmp_path, rest)
    args = ("en.wikipedia", "Main_Page", "all-access")
    # No user views are left that day, but it had views: 0, not absent (zero is not absence).
    assert read(migrated_settings, queries.article_daily, *args, "user", second, second) == [
        (second, 0)
    ]
    # the spider file of that day still publishes it
    assert read(migrated_settings, queries.article_daily, *args, "spider", second, second) == [
        (second, 3)
    ]


def test_an_hour_in_the_hourly_window_is_taken_out_from_it(migrated_settings, tmp_path):
    files = write_hours(tmp_path / "in")
    ingest(migrated_settings, files, projects=("en.wikipedia",))  # --project: window on
    assert read(
        migrated_settings,
        queries.article_daily,
        "en.wikipedia",
        "Hour_03",
        "all-access",
        "user",
        D,
        D,
    ) == [(D, 6)]
    assert run_unload(migrated_settings, files[3].name) == {files[3].name: "window"}
    rest = files[:3] + files[4:]
    after = snapshot(migrated_settings)
    assert after == reference(migrated_settings, tmp_path, rest, projects=("en.wikipedia",))
    assert not any(title == "en.wikipedia|Hour_03" for title, *_ in after["page_hours"])
    hours = read(
        migrated_settings,
        queries.project_hourly,
        "en.wikipedia",
        "all-access",
        "user",
        D * 24,
        D * 24 + 23,
    )
    assert [h - D * 24 for h, _ in hours] == [h for h in range(24) if h != 3]


def test_an_hour_outside_the_window_is_read_again_from_its_file(migrated_settings, tmp_path):
    files = write_hours(tmp_path / "in")
    ingest(migrated_settings, files, hourly=False)
    assert run_unload(migrated_settings, str(files[3])) == {files[3].name: "re-read"}
    rest = files[:3] + files[4:]
    after = snapshot(migrated_settings)
    assert after == reference(migrated_settings, tmp_path, rest, hourly=False)
    assert not any(title == "en.wikipedia|Hour_03" for title, *_ in after["counts"])
    assert after["published"] == []  # 23 hours do not make a day


def test_an_hour_only_partly_in_the_window_is_read_again(migrated_settings, tmp_path):
    files = write_hours(tmp_path / "in")
    # en with the hourly window, then the other wikis without it: en's rows alone are not
    # the file's share of the day
    ingest(migrated_settings, files, projects=("en.wikipedia",))
    ingest(migrated_settings, files, hourly=False)
    assert run_unload(migrated_settings, files[3].name) == {files[3].name: "re-read"}
    rest = files[:3] + files[4:]
    assert snapshot(migrated_settings) == reference(
        migrated_settings,
        tmp_path,
        rest,
        projects=("en.wikipedia",),
        then={"hourly": False},
    )


def test_an_hour_whose_file_is_gone_or_changed_is_refused_and_nothing_changes(
    migrated_settings, tmp_path
):
    files = write_hours(tmp_path / "in")
    ingest(migrated_settings, files, hourly=False)
    before = snapshot(migrated_settings)
    files[3].unlink()
    with pytest.raises(UnloadError) as refused:
        # the first file could be taken out, but the whole unload is one transaction
        run_unload(migrated_settings, files[5].name, files[3].name)
    message = str(refused.value)
    assert files[3].name in message and "gone" in message and "unchanged" in message
    write_dump(files[4].parent, files[4].name, ["en Main_Page 1 0"])
    with pytest.raises(UnloadError, match="SHA-256"):
        run_unload(migrated_settings, files[4].name)
    with pytest.raises(UnloadError, match="not a loaded file"):
        run_unload(migrated_settings, "pageviews-20240302-000000.gz")
    with pytest.raises(UnloadError, match="no loaded file covers"):
        run_unload(migrated_settings, "2024030203")
    assert snapshot(migrated_settings) == before
    assert recorded(migrated_settings) == {f.name for f in files}


def test_an_hour_takes_out_every_file_that_covers_it(migrated_settings, tmp_path):
    src = tmp_path / "in"
    files = write_hours(src)
    files += write_hours(src, DAY + timedelta(days=1), hours=[3])
    files.append(write_dump(src, "pagecounts-20240301-040000.gz", ["en Main_Page 7 100"]))
    files.append(
        write_complete(src, DAY, "user", ["en.wikipedia Main_Page 1 desktop 1000 A600D400"])
    )
    files.append(write_complete(src, DAY, "spider", ["en.wikipedia Main_Page 1 desktop 5 A5"]))
    ingest(migrated_settings, files, projects=("en.wikipedia",))
    methods = run_unload(migrated_settings, "2024030103")
    assert methods == {
        # named after the end of its hour; its day lacks 23 hours, so its rows are pending
        "pagecounts-20240301-040000.gz": "pending",
        "pageviews-20240301-030000.gz": "window",
        "pageviews-20240301-spider.bz2": "series",
        "pageviews-20240301-user.bz2": "series",
    }
    rest = [f for f in files if f.name not in methods]
    assert snapshot(migrated_settings) == reference(
        migrated_settings, tmp_path, rest, projects=("en.wikipedia",)
    )
    assert "pageviews-20240302-030000.gz" in recorded(migrated_settings)


def test_a_file_in_a_top_list_and_a_packed_month_recomputes_both(migrated_settings, tmp_path):
    settings = dataclasses.replace(migrated_settings, staging_days=2)
    src = tmp_path / "in"
    files = []
    for offset in range(32):  # February 2024 and 1-3 March
        day = date(2024, 2, 1) + timedelta(days=offset)
        lines = [
            f"en.wikipedia Main_Page 1 desktop {100 + offset} A{100 + offset}",
            "en.wikipedia Steady null mobile-web 50 B50",
        ]
        if day == date(2024, 2, 10):
            lines.append("en.wikipedia Spike null desktop 9000 C9000")
        files.append(write_complete(src, day, "user", lines))
        files.append(write_complete(src, day, "spider", ["en.wikipedia Main_Page 1 desktop 7 A7"]))
    ingest(settings, files)
    feb, spike_day = month_number(2024, 2), day_number(date(2024, 2, 10))
    month_top = read(settings, queries.top_articles, "en.wikipedia", "all-access", month=feb)
    assert month_top[0].title == "Spike"
    day_top = read(settings, queries.top_articles, "en.wikipedia", "all-access", day=spike_day)
    assert day_top[0].title == "Spike"
    totals = read(settings, queries.project_monthly, "en.wikipedia", "all-access", "user", feb, feb)

    gone = "pageviews-20240210-user.bz2"
    assert run_unload(settings, gone) == {gone: "series"}
    rest = [f for f in files if f.name != gone]
    assert snapshot(settings) == reference(settings, tmp_path, rest)
    month_top = read(settings, queries.top_articles, "en.wikipedia", "all-access", month=feb)
    assert [(e.title, e.views) for e in month_top] == [
        ("Main_Page", sum(100 + o for o in range(29)) - 109),
        ("Steady", 50 * 28),
    ]
    # the spider file keeps the day published; its top list now has no user views at all
    assert read(settings, queries.top_articles, "en.wikipedia", "all-access", day=spike_day) == []
    after = read(settings, queries.project_monthly, "en.wikipedia", "all-access", "user", feb, feb)
    assert after == [(feb, totals[0][1] - 109 - 50 - 9000)]
    with store_connection(settings) as connection:
        packed = connection.execute(
            text("SELECT COUNT(*) FROM packed_days WHERE day = :d"), {"d": spike_day}
        ).scalar()
    assert packed == 1  # unpacked to take the file out, packed again afterwards


def test_unloading_the_newest_day_unpacks_the_days_a_clean_load_leaves_unpacked(
    migrated_settings, tmp_path
):
    settings = dataclasses.replace(migrated_settings, staging_days=2)
    src = tmp_path / "in"
    src.mkdir()
    every_day = "".join(f"{chr(ord('A') + day)}1" for day in range(29))
    february = write_dump(
        src,
        "pageviews-202402-user.bz2",
        [
            f"en.wikipedia Main_Page 1 desktop 29 {every_day}",
            "en.wikipedia Other null desktop 2 A2",
        ],
    )
    march = write_complete(src, date(2024, 3, 1), "user", ["en.wikipedia Main_Page 1 desktop 5 A5"])
    ingest(settings, [february, march])

    def packed_and_month_top():
        with store_connection(settings) as connection:
            packed = connection.execute(text("SELECT COUNT(*) FROM packed_days")).scalar()
            top = queries.top_articles(
                connection, "en.wikipedia", "all-access", month=month_number(2024, 2)
            )
        return packed, [(e.title, e.views) for e in top]

    # March makes February settled: all of it packed, with a monthly top list
    assert packed_and_month_top() == (29, [("Main_Page", 29), ("Other", 2)])
    assert run_unload(settings, march.name) == {march.name: "series"}
    assert snapshot(settings) == reference(settings, tmp_path, [february])
    # 28 and 29 February are within the staging days of the new newest day again
    assert packed_and_month_top() == (27, [])


def test_overlapping_daily_and_monthly_files_are_read_again(migrated_settings, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    monthly = write_dump(
        src, "pageviews-202402-user.bz2", ["en.wikipedia Main_Page 1 desktop 12 A5E7"]
    )
    daily = write_complete(src, date(2024, 2, 5), "user", ["en.wikipedia Main_Page 1 desktop 3 B3"])
    ingest(migrated_settings, [monthly, daily])
    # the series of the monthly file on 5 February are the daily file's too: deleting them
    # would take out the daily file as well
    assert run_unload(migrated_settings, monthly.name) == {monthly.name: "re-read"}
    assert snapshot(migrated_settings) == reference(migrated_settings, tmp_path, [daily])


def test_replace_recomputes_the_top_list_of_a_project_the_new_file_lacks(
    migrated_settings, tmp_path
):
    path = write_complete(
        tmp_path,
        DAY,
        "user",
        ["de.wikipedia Berlin null desktop 5 A5", "en.wikipedia Main_Page 1 desktop 9 A9"],
    )
    ingest(migrated_settings, [path])
    assert read(migrated_settings, queries.top_articles, "de.wikipedia", "all-access", day=D)
    write_complete(tmp_path, DAY, "user", ["en.wikipedia Main_Page 1 desktop 4 A4"])
    ingest(migrated_settings, [path], replace=True)
    assert read(migrated_settings, queries.top_articles, "de.wikipedia", "all-access", day=D) == []
    assert snapshot(migrated_settings) == reference(migrated_settings, tmp_path / "r", [path])


def test_a_killed_unload_leaves_the_store_as_it_was(migrated_settings, tmp_path):
    files = write_hours(tmp_path / "in")
    files.append(write_complete(tmp_path / "in", DAY, "user", ["en.wikipedia A null desktop 4 A4"]))
    ingest(migrated_settings, files, hourly=False)
    before = snapshot(migrated_settings)
    killed = run_cli(
        migrated_settings, "unload", "2024030103", WIKIVIEWS_TEST_KILL_AT="before-commit"
    )
    assert killed.returncode == -signal.SIGKILL
    assert snapshot(migrated_settings) == before
    assert recorded(migrated_settings) == {f.name for f in files}
    done = run_cli(migrated_settings, "unload", "2024030103")
    assert done.returncode == 0, done.stderr
    rest = [f for f in files if f.name not in ("pageviews-20240301-030000.gz", files[-1].name)]
    assert snapshot(migrated_settings) == reference(migrated_settings, tmp_path, rest, hourly=False)


def test_the_unload_command(sqlite_settings, tmp_path):
    files = write_hours(tmp_path / "in")
    ingest(sqlite_settings, files, hourly=False)
    dry = run_cli(sqlite_settings, "unload", "--dry-run", "2024030105")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.strip() == "would unload pageviews-20240301-050000.gz"
    assert files[5].name in recorded(sqlite_settings)
    done = run_cli(sqlite_settings, "unload", "2024030105", str(files[6]))
    assert done.returncode == 0, done.stderr
    assert "unloaded pageviews-20240301-060000.gz (what the original file holds" in done.stdout
    assert not {files[5].name, files[6].name} & recorded(sqlite_settings)
    files[7].unlink()
    refused = run_cli(sqlite_settings, "unload", files[7].name)
    assert refused.returncode == 1
    assert "is gone from" in refused.stderr and "Traceback" not in refused.stderr
    assert files[7].name in recorded(sqlite_settings)
    missing = run_cli(sqlite_settings, "unload", "nothing.gz")
    assert missing.returncode == 1 and "not a loaded file" in missing.stderr
