"""``wikiviews fetch`` of a range against a local dumps host: normal run, faults, reports."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import datetime
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import text

from backend import db
from backend.cli import main
from backend.dumpfiles import hour_of
from backend.fetch.command import FetchRequest, run_fetch
from backend.ingest.parsed import ProjectFilter
from backend.sample import sample_truth
from backend.settings import Settings
from tests.fetch.conftest import LATER, SAMPLE_DAY, FakeSleep, Sample, fetch_settings
from tests.fetch.dumps_server import DumpsServer

FIRST = hour_of(datetime(2024, 3, 1, 0))


def hourly_name(hour: int) -> str:
    return f"pageviews-{SAMPLE_DAY:%Y%m%d}-{hour:02d}0000.gz"


def request(hours: int, projects: tuple[str, ...] = (), **extra) -> FetchRequest:
    return FetchRequest(FIRST, FIRST + hours - 1, ProjectFilter.from_names(projects), **extra)


def fetch(settings: Settings, req: FetchRequest, sleep=None, clock=LATER) -> tuple[int, str]:
    printed: list[str] = []
    status = run_fetch(
        settings,
        req,
        clock=lambda: clock,
        sleep=sleep or FakeSleep(),
        echo=printed.append,
        progress=False,
    )
    return status, "\n".join(printed)


def ingested(settings: Settings) -> dict[str, tuple[str, str]]:
    engine = db.make_engine(settings)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT name, sha256, projects FROM ingested_files"))
        result = {name: (sha, projects) for name, sha, projects in rows}
    engine.dispose()
    return result


def hourly_views(settings: Settings, project: str) -> dict[int, int]:
    """Views per hour of ``project`` in ``project_hours`` (all series)."""
    engine = db.make_engine(settings)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT h.hour, SUM(h.views) FROM project_hours h "
                "JOIN projects p ON p.id = h.project_id WHERE p.name = :name GROUP BY h.hour"
            ),
            {"name": project},
        )
        result = {hour - FIRST: int(views) for hour, views in rows}
    engine.dispose()
    return result


def truth_views(sample: Sample, project: str, hours: range) -> dict[int, int]:
    files = sample_truth(sample.files)["files"]
    return {h: sum(files[hourly_name(h)]["views"][project].values()) for h in hours}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_normal_run_loads_every_file_verified_and_deletes_the_downloads(
    migrated_settings: Settings, server: DumpsServer, sample: Sample, tmp_path: Path
):
    settings = fetch_settings(migrated_settings, server, tmp_path)
    sleep = FakeSleep()
    status, report = fetch(settings, request(6), sleep)
    assert status == 0, report
    loaded = ingested(settings)
    assert sorted(loaded) == [hourly_name(h) for h in range(6)]
    for name, (digest, projects) in loaded.items():
        assert digest == sha256(sample.placed[name]) and projects == "*"
    assert hourly_views(settings, "de.wikipedia") == truth_views(sample, "de.wikipedia", range(6))
    assert "6 loaded" in report and "6 verified against md5sums.txt" in report
    truth = sample_truth(sample.files)["files"]
    lines = sum(truth[hourly_name(h)]["lines"] for h in range(6))
    valid = sum(truth[hourly_name(h)]["valid_lines"] for h in range(6))
    assert f"lines: {lines:,} read, {lines - valid:,} rejected" in report
    assert list((tmp_path / "downloads").iterdir()) == []
    assert server.max_connections <= 3
    assert sleep.calls == []  # nothing failed, nothing waited
    # Each file was asked for once, whole; the checksum file once for the month.
    files = [r for r in server.requests if "/pageviews-" in r.path]
    assert len(files) == 6 and all(r.range is None for r in files)
    assert len(server.requests_for("md5sums.txt")) == 1


def test_second_run_fetches_nothing_and_project_filter_is_respected(
    sqlite_settings: Settings, server: DumpsServer, sample: Sample, tmp_path: Path
):
    settings = fetch_settings(sqlite_settings, server, tmp_path)
    status, report = fetch(settings, request(3, ("de.wikipedia",)))
    assert status == 0, report
    assert {p for _, p in ingested(settings).values()} == {"de.wikipedia"}
    assert hourly_views(settings, "en.wikipedia") == {}
    assert hourly_views(settings, "de.wikipedia") == truth_views(sample, "de.wikipedia", range(3))
    before = len(server.requests)
    status, report = fetch(settings, request(3, ("de.wikipedia",)))
    assert status == 0 and len(server.requests) == before
    assert "3 were already in the store" in report
    # Another project needs the files again, and loads only that project from them.
    status, _ = fetch(settings, request(3, ("en.wikipedia",)))
    assert status == 0 and len(server.requests) > before
    assert {p for _, p in ingested(settings).values()} == {"de.wikipedia,en.wikipedia"}
    assert hourly_views(settings, "en.wikipedia") == truth_views(sample, "en.wikipedia", range(3))


def test_corrupt_download_is_fetched_again_then_loaded(
    sqlite_settings: Settings, server: DumpsServer, sample: Sample, tmp_path: Path
):
    settings = fetch_settings(sqlite_settings, server, tmp_path)
    server.corrupt[hourly_name(1)] = 1
    status, report = fetch(settings, request(3))
    assert status == 0, report
    assert ingested(settings)[hourly_name(1)][0] == sha256(sample.placed[hourly_name(1)])
    assert len(server.requests_for(hourly_name(1))) == 2
    assert "3 verified" in report


def test_file_corrupt_twice_is_reported_and_not_loaded(
    migrated_settings: Settings, server: DumpsServer, sample: Sample, tmp_path: Path
):
    settings = fetch_settings(migrated_settings, server, tmp_path)
    server.corrupt[hourly_name(1)] = 2
    status, report = fetch(settings, request(3))
    assert status == 1
    assert f"FAILED {hourly_name(1)}: md5 digest differs from md5sums.txt" in report
    assert sorted(ingested(settings)) == [hourly_name(0), hourly_name(2)]
    assert list((tmp_path / "downloads").iterdir()) == []
    # The next run fetches only what is missing, and it is good now.
    status, _ = fetch(settings, request(3))
    assert status == 0 and len(ingested(settings)) == 3
    assert len(server.requests_for(hourly_name(0))) == 1


def test_dropped_connection_resumes_with_range(
    sqlite_settings: Settings, server: DumpsServer, sample: Sample, tmp_path: Path
):
    settings = fetch_settings(sqlite_settings, server, tmp_path)
    name = hourly_name(2)
    server.drop_after[name] = 1000
    sleep = FakeSleep()
    status, report = fetch(settings, request(3), sleep)
    assert status == 0, report
    asked = server.requests_for(name)
    assert [(r.range, r.status) for r in asked] == [(None, 200), ("bytes=1000-", 206)]
    assert ingested(settings)[name][0] == sha256(sample.placed[name])
    assert sleep.calls == []  # progress was made: resumed at once


def test_partial_file_of_an_earlier_run_is_resumed(
    sqlite_settings: Settings, server: DumpsServer, sample: Sample, tmp_path: Path
):
    settings = fetch_settings(sqlite_settings, server, tmp_path)
    name = hourly_name(0)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    (downloads / f"{name}.part").write_bytes(sample.placed[name].read_bytes()[:700])
    status, report = fetch(settings, request(1))
    assert status == 0, report
    assert [r.range for r in server.requests_for(name)] == ["bytes=700-"]
    assert ingested(settings)[name][0] == sha256(sample.placed[name])


def test_server_errors_are_retried_with_backoff_then_given_up(
    sqlite_settings: Settings, server: DumpsServer, tmp_path: Path
):
    settings = fetch_settings(sqlite_settings, server, tmp_path)
    server.unavailable[hourly_name(0)] = 2
    sleep = FakeSleep()
    status, report = fetch(settings, request(1), sleep)
    assert status == 0, report
    assert len(sleep.calls) == 2 and all(s >= 7 for s in sleep.calls)  # Retry-After: 7
    server.unavailable[hourly_name(1)] = 100
    sleep = FakeSleep()
    status, report = fetch(settings, request(2), sleep)
    assert status == 1
    assert len(sleep.calls) == settings.fetch_retries
    assert f"FAILED {hourly_name(1)}:" in report and "HTTP 503" in report
    assert "gave up after 5 retries" in report


def test_missing_hours_are_reported_and_the_rest_loads(
    sqlite_settings: Settings, server: DumpsServer, tmp_path: Path
):
    settings = fetch_settings(sqlite_settings, server, tmp_path)
    server.hidden |= {hourly_name(2), hourly_name(3)}
    status, report = fetch(settings, request(5))
    assert status == 0, report
    assert "missing on the server (404), not loaded:" in report
    assert "pageviews 2024-03-01 02:00 … 2024-03-01 03:00 (2 files)" in report
    assert sorted(ingested(settings)) == [hourly_name(h) for h in (0, 1, 4)]


def test_nothing_found_is_an_error(sqlite_settings: Settings, tmp_path: Path):
    server = DumpsServer(tmp_path / "empty").start()
    try:
        settings = fetch_settings(sqlite_settings, server, tmp_path)
        status, report = fetch(settings, request(2))
    finally:
        server.stop()
    assert status == 1 and "nothing of the range was found" in report


def test_newest_first_order(sqlite_settings: Settings, server: DumpsServer, tmp_path: Path):
    # One connection: requests are made in plan order.
    settings = dataclasses.replace(
        fetch_settings(sqlite_settings, server, tmp_path), fetch_connections=1
    )
    status, _ = fetch(settings, request(4, order="newest"))
    assert status == 0
    asked = [r.path.rsplit("/", 1)[1] for r in server.requests if "/pageviews-" in r.path]
    assert asked == [hourly_name(h) for h in (3, 2, 1, 0)]


def test_complete_daily_files(
    sqlite_settings: Settings, server: DumpsServer, sample: Sample, tmp_path: Path
):
    settings = fetch_settings(sqlite_settings, server, tmp_path)
    status, report = fetch(settings, request(24, datasets=("complete",), agents=("user",)))
    assert status == 0, report
    assert list(ingested(settings)) == ["pageviews-20240301-user.bz2"]


def test_keep_leaves_the_files_and_a_rerun_reuses_them(
    sqlite_settings: Settings, server: DumpsServer, sample: Sample, tmp_path: Path
):
    settings = fetch_settings(sqlite_settings, server, tmp_path)
    status, _ = fetch(settings, request(2, keep=True))
    assert status == 0
    kept = sorted(p.name for p in (tmp_path / "downloads").iterdir())
    assert kept == [hourly_name(0), hourly_name(1)]
    assert (tmp_path / "downloads" / hourly_name(0)).read_bytes() == sample.placed[
        hourly_name(0)
    ].read_bytes()


def test_cli_dry_run_lists_urls_and_changes_nothing(
    server: DumpsServer, tmp_path: Path, monkeypatch
):
    monkeypatch.setenv("WIKIVIEWS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("WIKIVIEWS_FETCH_BASE_URL", server.url)
    result = CliRunner().invoke(
        main, ["fetch", "--start", "2024-03-01", "--end", "2024-03-01T02", "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"{server.url}/pageviews/2024/2024-03/{hourly_name(h)}" for h in range(3)
    ] + ["would fetch 3 file(s); 0 already in the store"]
    assert result.stderr == f"store: sqlite:///{tmp_path}/data/wikiviews.sqlite3\n"
    assert server.requests == []
    assert not (tmp_path / "data").exists()  # no store was created just to look


def test_cli_fetch_loads_and_rejects_bad_arguments(
    sqlite_settings: Settings, server: DumpsServer, tmp_path: Path, monkeypatch
):
    monkeypatch.setenv("WIKIVIEWS_DATABASE_URL", sqlite_settings.database_url)
    monkeypatch.setenv("WIKIVIEWS_FETCH_BASE_URL", server.url)
    monkeypatch.setenv("WIKIVIEWS_FETCH_DOWNLOAD_DIR", str(tmp_path / "dl"))
    runner = CliRunner()
    args = ["fetch", "--start", "2024-03-01T00", "--end", "2024-03-01T01", "--project", "dewiki"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "files: 2 loaded" in result.output
    assert sorted(ingested(sqlite_settings)) == [hourly_name(0), hourly_name(1)]
    for bad, message in [
        (["--start", "2024-13-01"], "is not YYYY-MM-DD"),
        (["--start", "2024-03-02", "--end", "2024-03-01"], "--end is before --start"),
        (["--start", "2024-03-01", "--project", "not a wiki!"], "invalid project name"),
        (["--follow", "--end", "2024-03-01"], "--follow has no end"),
        (["--start", "2024-03-01", "--agent", "user"], "--agent needs --dataset complete"),
        ([], "give --start"),
    ]:
        result = runner.invoke(main, ["fetch", *bad])
        assert result.exit_code == 2 and message in result.output, (bad, result.output)
    monkeypatch.setenv("WIKIVIEWS_FETCH_CONNECTIONS", "4")
    result = runner.invoke(main, ["fetch", "--start", "2024-03-01", "--dry-run"])
    assert result.exit_code == 1 and "WIKIVIEWS_FETCH_CONNECTIONS='4' is not valid" in result.output


def test_live_edge_404_is_not_yet_published_not_missing(
    sqlite_settings: Settings, server: DumpsServer, tmp_path: Path
):
    settings = fetch_settings(sqlite_settings, server, tmp_path)
    server.hidden |= {hourly_name(4), hourly_name(5)}
    status, report = fetch(settings, request(24), clock=datetime(2024, 3, 1, 6, 30))
    assert status == 0, report
    assert sorted(ingested(settings)) == [hourly_name(h) for h in range(4)]
    assert "not published yet (404 at the live edge; a later run gets them):" in report
    assert "pageviews 2024-03-01 04:00 … 2024-03-01 05:00 (2 files)" in report
    assert "missing on the server" not in report
    assert "0 missing" in report
    # Hours whose period is not over were not asked for at all.
    assert server.requests_for(hourly_name(6)) == []
    # A timer run that finds only the unpublished edge hour left is not a failure.
    status, report = fetch(settings, request(24), clock=datetime(2024, 3, 1, 6, 30))
    assert status == 0 and "nothing of the range was found" not in report


def test_a_dump_loaded_from_an_uncompressed_copy_is_not_fetched_again(
    sqlite_settings: Settings, server: DumpsServer, sample: Sample, tmp_path: Path
):
    import gzip

    from backend.ingest.run import ingest_file

    plain = tmp_path / "copy" / hourly_name(0).removesuffix(".gz")
    plain.parent.mkdir()
    plain.write_bytes(gzip.decompress(sample.placed[hourly_name(0)].read_bytes()))
    engine = db.make_engine(sqlite_settings)
    assert ingest_file(engine, sqlite_settings, plain, ProjectFilter()).status == "loaded"
    engine.dispose()
    settings = fetch_settings(sqlite_settings, server, tmp_path)
    status, report = fetch(settings, request(2))
    assert status == 0, report
    assert server.requests_for(hourly_name(0)) == []
    assert "1 were already in the store" in report


def test_a_long_run_packs_settled_days_as_it_goes(
    sqlite_settings: Settings, server: DumpsServer, tmp_path: Path, monkeypatch
):
    from backend.fetch import pipeline

    calls: list[int] = []
    real_finish = pipeline.finish

    def counting_finish(engine, settings, *args):
        calls.append(len(ingested(settings)))
        return real_finish(engine, settings, *args)

    monkeypatch.setattr(pipeline, "FINISH_EVERY", 2)
    monkeypatch.setattr(pipeline, "finish", counting_finish)
    settings = fetch_settings(sqlite_settings, server, tmp_path)
    status, _ = fetch(settings, request(5))
    assert status == 0
    assert calls == [2, 4, 5]  # every 2 loaded files, and once at the end


def test_downloads_overlap_on_exactly_three_connections(
    sqlite_settings: Settings, server: DumpsServer, tmp_path: Path
):
    settings = fetch_settings(sqlite_settings, server, tmp_path)
    server.overlap = 3  # each file answer waits until three connections are open
    status, report = fetch(settings, request(8))
    assert status == 0, report
    assert server.overlap_timeouts == 0  # three downloads did run at once …
    assert server.max_connections == 3  # … and never a fourth connection
    assert len(ingested(settings)) == 8


def test_a_new_hour_missing_from_the_checksum_file_is_looked_up_again(
    sqlite_settings: Settings, server: DumpsServer, tmp_path: Path
):
    settings = fetch_settings(sqlite_settings, server, tmp_path)
    server.unlisted, server.unlisted_answers = {hourly_name(3)}, 1  # the list lags once
    status, report = fetch(settings, request(4), clock=datetime(2024, 3, 1, 4, 30))
    assert status == 0, report
    assert "4 verified against md5sums.txt" in report
    assert len(server.requests_for("md5sums.txt")) == 2


def test_a_file_no_checksum_file_lists_loads_unverified(
    sqlite_settings: Settings, server: DumpsServer, tmp_path: Path
):
    settings = fetch_settings(sqlite_settings, server, tmp_path)
    server.unlisted = {hourly_name(1)}  # an old file, never listed: not asked again
    status, report = fetch(settings, request(3))
    assert status == 0, report
    assert len(ingested(settings)) == 3
    assert "2 verified against md5sums.txt, 1 not listed in any published checksum" in report
    assert len(server.requests_for("md5sums.txt")) == 1
    assert len(server.requests_for("sha1sums.txt")) == 1  # tried once, 404
