"""``wikiviews backfill --engine local`` gives the very store ``wikiviews ingest`` gives.

Both commands run as real subprocesses on the committed fixtures and on a generated month
(every dump kind, overlapping sources), into two fresh stores compared table by table (ids
included) and through the API; also with ``--project`` and with ``file:`` URIs.
"""

from __future__ import annotations

import dataclasses
import signal
from pathlib import Path

import pytest
from sqlalchemy import text

from backend import create_app
from backend.settings import Settings
from tests.backfill.generated import write_month
from tests.backfill.tables import tables
from tests.conftest import BACKENDS, empty_store
from tests.helpers import run_cli, snapshot, store_connection

FIXTURES = Path(__file__).parent.parent / "fixtures"

#: API requests whose answers must agree (per-article, aggregate, top, legacy, summary).
REQUESTS = (
    "/api/rest_v1/metrics/pageviews/per-article/en.wikipedia/all-access/all-agents/"
    "Page_1/daily/20240201/20240331",
    "/api/rest_v1/metrics/pageviews/aggregate/en.wikipedia/all-access/user/daily/20240201/20240331",
    "/api/rest_v1/metrics/pageviews/aggregate/all-projects/mobile-web/all-agents/hourly/"
    "2024030100/2024031023",
    "/api/rest_v1/metrics/pageviews/top/de.wikipedia/all-access/2024/03/08",
    "/api/rest_v1/metrics/pageviews/top/en.wikipedia/all-access/2024/02/all-days",
    "/api/rest_v1/metrics/legacy/pagecounts/aggregate/en.wikipedia/all-sites/daily/"
    "2014050100/2014050300",
    "/api/wikiviews/v1/summary/en.wikipedia/Page_1?days=40",
)


def api_answers(settings: Settings) -> list[tuple[int, bytes]]:
    """Status and body of every request of :data:`REQUESTS` against ``settings``' store."""
    app = create_app(dataclasses.replace(settings, rate_limit=""))
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = "wikiviews-tests/1.0 (tests@example.org)"
    try:
        return [(r.status_code, r.data) for r in map(client.get, REQUESTS)]
    finally:
        app.extensions["wikiviews_engine"].dispose()


def content(settings: Settings) -> dict[str, object]:
    """The store's content independent of load order.

    Another file order allocates other title ids, and top lists order ties by id: the top
    lists are compared without which of the tied titles comes first.
    """
    result = snapshot(settings)
    result["top"] = sorted(row[:4] + row[6:] for row in result["top"])  # type: ignore[attr-defined]
    return result


@pytest.fixture
def month(tmp_path: Path) -> Path:
    return write_month(tmp_path / "month")


def _ingested(tmp_path: Path, files: Path) -> Settings:
    reference = Settings(
        data_dir=str(tmp_path), database_url=f"sqlite:///{tmp_path}/ingested.sqlite3"
    )
    result = run_cli(reference, "ingest", str(files))
    assert result.returncode in (0, 1), result.stderr
    return reference


def assert_same_stores(got: Settings, expected: Settings) -> None:
    """Every table row for row (ids included), and the API's answers byte for byte."""
    want, have = tables(expected), tables(got)
    assert have.keys() == want.keys()
    for name in want:
        assert have[name] == want[name], name
    assert len(have["day_counts"]) + len(have["page_months"]) > 100
    assert api_answers(got) == api_answers(expected)


@pytest.mark.parametrize("files", ["fixtures", "month"])
@pytest.mark.parametrize("backend", BACKENDS)
def test_backfill_local_equals_ingest(files, backend, tmp_path, request, _admin_engine):
    source = FIXTURES if files == "fixtures" else request.getfixturevalue("month")
    with (
        empty_store(backend, tmp_path / "ingest", _admin_engine) as reference,
        empty_store(backend, tmp_path / "backfill", _admin_engine) as target,
    ):
        ingested = run_cli(reference, "ingest", str(source))
        result = run_cli(target, "backfill", "--engine", "local", str(source))
        expected_code = 1 if files == "fixtures" else 0
        assert ingested.returncode == expected_code, ingested.stderr
        assert result.returncode == expected_code, result.stderr
        assert_same_stores(target, reference)
        # Corrupt files are named in the ingest's words.
        assert errors(result.stderr) == errors(ingested.stderr)
        assert len(errors(result.stderr)) == (3 if files == "fixtures" else 0)


def errors(stderr: str) -> list[str]:
    """The ``error: …`` lines of a command's standard error."""
    return [line for line in stderr.splitlines() if line.startswith("error: ")]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_backfill_project_equals_ingest_project(backend, month, tmp_path, _admin_engine):
    wanted = ("--project", "en.wikipedia", "--project", "dewiki")
    with (
        empty_store(backend, tmp_path / "ingest", _admin_engine) as reference,
        empty_store(backend, tmp_path / "backfill", _admin_engine) as target,
    ):
        assert run_cli(reference, "ingest", *wanted, str(month)).returncode == 0
        result = run_cli(target, "backfill", *wanted, str(month))
        assert result.returncode == 0, result.stderr
        assert_same_stores(target, reference)
        have = tables(target)
        assert {row[1] for row in have["projects"]} == {"en.wikipedia", "de.wikipedia"}
        assert have["page_hours"], "--project fills the hourly window, as the ingest's does"
        # Loading everything afterwards reads every file again for the other projects only.
        assert run_cli(reference, "ingest", str(month)).returncode == 0
        rest = run_cli(target, "backfill", f"file://{month}")
        assert rest.returncode == 0, rest.stderr
        assert " 0 skipped" in rest.stdout
        assert_same_stores(target, reference)
        again = run_cli(target, "backfill", "--project", "commonswiki", str(month))
        assert again.returncode == 0, again.stderr
        assert " 0 loaded, 36 skipped" in again.stdout
        assert "0 to parse" in again.stderr


def test_local_engine_reads_file_uris_and_globs(sqlite_settings, month, tmp_path):
    result = run_cli(
        sqlite_settings,
        "backfill",
        f"file://{month}/pageviews-2024*",
        f"file:{month}/pagecounts-20140501-010000.gz",
        f"file://localhost{month}",
    )
    assert result.returncode == 0, result.stderr
    assert_same_stores(sqlite_settings, _ingested(tmp_path, month))


LOCAL_ONLY = "--engine local reads local paths and file:// URIs; {}:// URIs need --engine spark"


@pytest.mark.parametrize(
    ("argument", "message"),
    [
        ("hdfs://namenode:8020/dumps", "{}: " + LOCAL_ONLY.format("hdfs")),
        ("s3a://bucket/dumps/*.bz2", "{}: " + LOCAL_ONLY.format("s3a")),
        ("/no/such/dumps", "no such file or directory: {}"),
        ("file:///no/such/dumps", "no such file or directory: {}"),
        ("/no/such/pageviews-*.gz", "no such file or directory: {}"),
    ],
)
def test_unreadable_arguments_are_one_line_errors_and_load_nothing(
    sqlite_settings, month, argument, message
):
    result = run_cli(sqlite_settings, "backfill", str(month), argument)
    assert result.returncode == 2, result.stderr
    assert errors(result.stderr) == ["error: " + message.format(argument)]
    assert "Traceback" not in result.stderr
    with store_connection(sqlite_settings) as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM ingested_files")).scalar() == 0
        assert connection.execute(text("SELECT COUNT(*) FROM day_counts")).scalar() == 0


def test_backfill_skips_loaded_files_and_adds_the_rest(sqlite_settings, month, tmp_path):
    reference = _ingested(tmp_path, month)
    first = sorted(month.glob("pageviews-202403*"))[:5]
    assert run_cli(sqlite_settings, "ingest", *map(str, first)).returncode == 0
    result = run_cli(sqlite_settings, "backfill", str(month))
    assert result.returncode == 0, result.stderr
    assert "5 skipped" in result.stdout
    assert content(sqlite_settings) == content(reference)


@pytest.mark.parametrize(
    "kill",
    [
        {"WIKIVIEWS_TEST_KILL_AFTER_ROWS": "1"},
        {"WIKIVIEWS_TEST_KILL_AFTER_ROWS": "3000"},
        {"WIKIVIEWS_TEST_KILL_AT": "rollups"},
        {"WIKIVIEWS_TEST_KILL_AT": "backfill-before-commit"},
    ],
    ids=lambda kill: "-".join(kill.values()),
)
def test_killed_backfill_leaves_the_store_as_it_was(sqlite_settings, month, tmp_path, kill):
    early = sorted(month.glob("pageviews-202402*"))
    assert run_cli(sqlite_settings, "ingest", *map(str, early)).returncode == 0
    before = tables(sqlite_settings)
    killed = run_cli(sqlite_settings, "backfill", str(month), **kill)
    assert killed.returncode == -signal.SIGKILL
    assert tables(sqlite_settings) == before
    rerun = run_cli(sqlite_settings, "backfill", str(month))
    assert rerun.returncode == 0, rerun.stderr
    assert content(sqlite_settings) == content(_ingested(tmp_path, month))


def test_backfill_rejects_master_without_spark(sqlite_settings):
    result = run_cli(sqlite_settings, "backfill", "--master", "local[2]", str(FIXTURES))
    assert result.returncode == 2
    assert "--master needs --engine spark" in result.stderr
    with store_connection(sqlite_settings) as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM ingested_files")).scalar() == 0


def test_spark_engine_without_pyspark_is_a_clear_error(sqlite_settings, tmp_path):
    shadow = tmp_path / "shadow" / "pyspark"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('no pyspark here')\n")
    result = run_cli(
        sqlite_settings,
        "backfill",
        "--engine",
        "spark",
        str(FIXTURES),
        PYTHONPATH=str(shadow.parent),
    )
    assert result.returncode == 2, result.stderr
    assert "--engine spark needs pyspark" in result.stderr
    with store_connection(sqlite_settings) as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM ingested_files")).scalar() == 0
