"""``wikiviews backfill --engine spark`` on a real standalone cluster started by the tests.

One master and two one-core workers run on loopback for the module (see
``spark_cluster.py``); the files are given as a shared path or as ``file:`` URIs (listed
through Hadoop, bytes shipped by Spark). The back-fill runs as a real subprocess (the
Spark driver), so pyspark's warnings and its JVM stay out of the test process. Skipped when
pyspark or Java is missing; a failure under ``WIKIVIEWS_REQUIRE_SERVICES=1`` (CI installs
``.[spark]``).
"""

from __future__ import annotations

import os
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from backend.backfill.tasks import KILL_WORKER_AT_FILE
from tests.backfill.generated import write_month
from tests.backfill.spark_cluster import Cluster, missing_requirement
from tests.backfill.tables import tables
from tests.backfill.test_equality import FIXTURES, assert_same_stores, errors
from tests.conftest import empty_store
from tests.helpers import run_cli

pytestmark = pytest.mark.slow

#: Broken fixture files whose names no generated file has (see tests/fixtures/README.md).
BAD = [
    "pageviews-20240302-000000.gz",
    "pageviews-20240302-010000.gz",
    "pageviews-20240303-000000.gz",
]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """A master and two workers on 127.0.0.1, stopped after the module."""
    reason = missing_requirement()
    if reason is not None:
        if os.environ.get("WIKIVIEWS_REQUIRE_SERVICES") == "1":
            pytest.fail(f"WIKIVIEWS_REQUIRE_SERVICES=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    running = Cluster(tmp_path_factory.mktemp("spark"))
    try:
        yield running
    finally:
        running.stop()
    assert all(daemon.process.poll() is not None for daemon in running.daemons)


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_month(tmp_path_factory.mktemp("files") / "month")


@pytest.mark.parametrize(("backend", "form"), [("sqlite", "path"), ("postgresql", "uri")])
def test_cluster_backfill_equals_ingest(cluster, month, backend, form, tmp_path, _admin_engine):
    """A shared directory as a path, and as a ``file:`` URI read through Hadoop."""
    with (
        empty_store(backend, tmp_path / "ingest", _admin_engine) as reference,
        empty_store(backend, tmp_path / "backfill", _admin_engine) as target,
    ):
        ingested = run_cli(reference, "ingest", str(month))
        assert ingested.returncode == 0, ingested.stderr
        argument = f"file://{month}" if form == "uri" else str(month)
        result = run_cli(target, "backfill", "--engine", "spark", "--master", cluster.url, argument)
        assert result.returncode == 0, result.stderr
        assert_same_stores(target, reference)
    # The tasks ran on the cluster: each worker started an executor for the application.
    for number in range(2):
        assert list((cluster.work / f"worker-{number}").glob("app-*")), number


def test_uris_with_project_on_local_spark_equal_ingest(cluster, month, tmp_path):
    """``file:`` URIs and ``--project`` on ``local[2]``; corrupt files named by their URI."""
    dumps = tmp_path / "dumps"
    shutil.copytree(month, dumps)
    for name in BAD:
        shutil.copy(FIXTURES / "bad" / name, dumps / name)
    wanted = ("--project", "en.wikipedia", "--project", "commonswiki")
    with (
        empty_store("sqlite", tmp_path / "ingest", lambda _backend: None) as reference,  # type: ignore[arg-type]
        empty_store("sqlite", tmp_path / "backfill", lambda _backend: None) as target,  # type: ignore[arg-type]
    ):
        ingested = run_cli(reference, "ingest", *wanted, str(dumps))
        assert ingested.returncode == 1, ingested.stderr
        result = run_cli(
            target, "backfill", "--engine", "spark", "--master", "local[2]", *wanted,
            f"file://{dumps}/pageview*", f"file:{dumps}/pagecounts-*",
        )  # fmt: skip
        assert result.returncode == 1, result.stderr
        assert_same_stores(target, reference)
        assert tables(target)["page_hours"]
    expected = [line.replace(f" {dumps}/", f" file:{dumps}/") for line in errors(ingested.stderr)]
    assert errors(result.stderr) == expected
    assert [line.split(": ", 2)[1].rsplit("/", 1)[1] for line in expected] == BAD[:1] + BAD[2:]


def test_missing_uri_on_spark_is_an_error_and_loads_nothing(cluster, month, sqlite_settings):
    missing = f"file://{month}-gone/pageviews-*"
    result = run_cli(
        sqlite_settings,
        "backfill",
        "--engine",
        "spark",
        "--master",
        "local[1]",
        f"file://{month}",
        missing,
    )
    assert result.returncode == 2, result.stderr
    assert errors(result.stderr) == [f"error: no such file or directory: {missing}"]
    assert tables(sqlite_settings)["ingested_files"] == []


def test_backfill_killed_mid_load_leaves_the_store_as_it_was(cluster, month, sqlite_settings):
    first = sorted(month.glob("pagecounts-*"))
    assert run_cli(sqlite_settings, "ingest", *map(str, first)).returncode == 0
    before = tables(sqlite_settings)
    killed = run_cli(
        sqlite_settings,
        "backfill",
        "--engine",
        "spark",
        "--master",
        "local[2]",
        f"file://{month}",
        WIKIVIEWS_TEST_KILL_AFTER_ROWS="2500",
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert tables(sqlite_settings) == before


def test_worker_killed_mid_run_is_retried_and_the_store_is_exact(
    cluster, month, sqlite_settings, tmp_path
):
    """Runs last: it leaves the cluster with one worker."""
    reference = empty_store("sqlite", tmp_path / "ingest", lambda _backend: None)  # type: ignore
    with reference as clean:
        assert run_cli(clean, "ingest", str(month)).returncode == 0
        victim = "pageviews-20240303-user.bz2"
        result = run_cli(
            sqlite_settings,
            "backfill",
            "--engine",
            "spark",
            "--master",
            cluster.url,
            str(month),
            **{KILL_WORKER_AT_FILE: victim},
        )
        assert result.returncode == 0, result.stderr
        assert cluster.alive_workers() == 1, "the hook did not kill a worker"
        assert tables(sqlite_settings) == tables(clean)
