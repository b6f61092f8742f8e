"""Run the parse tasks on Apache Spark: one task per file, batches overlapping the load.

The driver submits the next batch of files while the caller loads the current one, so the
cluster parses while the store writes. A task whose executor dies is retried by Spark on
another executor; tasks are pure, so a retry gives the same result.

Local paths are read by the executors from their own disks (a shared directory); URIs
(``file:``, ``hdfs:``, ``s3a:`` …) are listed in the driver through Hadoop's FileSystem API
and their bytes reach the tasks through Spark's ``binaryFiles``, so no disk is shared.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import Any

from backend.backfill.engines import EngineUnavailable
from backend.backfill.hadoop import list_uris, literal_pattern
from backend.backfill.sources import SourceFile, expand_local, in_load_order, is_uri
from backend.backfill.tasks import KILL_WORKER_AT_FILE, ParsedTask, ParseJob, parse_bytes, parse_job

#: Files per Spark job, as a multiple of the cluster's default parallelism.
BATCH_FACTOR = 2

#: Largest file read through ``binaryFiles``: a task receives the file as one byte array,
#: which the JVM cannot make larger than this.
MAX_URI_FILE_BYTES = (1 << 31) - (1 << 20)


def _attempt() -> int:
    from pyspark import TaskContext

    context = TaskContext.get()
    return context.attemptNumber() if context is not None else 0


def _run_local(job: ParseJob) -> ParsedTask:
    return parse_job(job, _attempt())


def _run_remote(job: ParseJob, pair: tuple[str, bytes]) -> ParsedTask:
    return parse_bytes(job, pair[1], _attempt())


def _too_large(job: ParseJob) -> ParsedTask:
    gib = job.source.size / (1 << 30)
    return ParsedTask(
        job.source,
        None,
        error=f"{job.source.location}: {gib:.1f} GiB, more than Spark reads of one file "
        "through a URI (2 GiB); give it as a path every executor can read",
    )


def _context(master: str) -> Any:
    try:
        from pyspark import SparkConf, SparkContext
    except ImportError as exc:
        raise EngineUnavailable(
            "--engine spark needs pyspark: pip install 'wikiviews[spark]'"
        ) from exc
    if shutil.which("java") is None:
        raise EngineUnavailable(
            "--engine spark needs Java 17 or newer on PATH (apt: openjdk-17-jre)"
        )
    # The Python workers must run this interpreter (it has wikiviews and its dependencies);
    # the RDD API reads the variable, not the spark.pyspark.python setting.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    if master.startswith(("local", "spark://127.", "spark://localhost")):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    conf = (
        SparkConf()
        .setMaster(master)
        .setAppName("wikiviews backfill")
        .set("spark.ui.showConsoleProgress", "false")
        .set("spark.task.maxFailures", "4")
    )
    if master.startswith(("local", "spark://127.", "spark://localhost")):
        conf.set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1")
        conf.set("spark.ui.enabled", "false")
    hook = os.environ.get(KILL_WORKER_AT_FILE)
    if hook:
        conf.set(f"spark.executorEnv.{KILL_WORKER_AT_FILE}", hook)
    try:
        context = SparkContext(conf=conf)
    except Exception as exc:  # py4j and the JVM raise many kinds; all mean "cannot start"
        raise EngineUnavailable(f"cannot start Spark against {master}: {exc}") from exc
    context.setLogLevel("WARN")
    return context


class SparkEngine:
    """Local paths and Hadoop URIs, parsed by Spark tasks on ``master``."""

    def __init__(self, master: str):
        self.master = master
        self._spark: Any = None

    @property
    def context(self) -> Any:
        """The running SparkContext, started on first use."""
        if self._spark is None:
            self._spark = _context(self.master)
        return self._spark

    def expand(self, arguments: Sequence[str]) -> list[SourceFile]:
        """Local paths as ``wikiviews ingest`` finds them, then URIs through Hadoop.

        Local paths are checked before Spark starts, so a typo fails fast.
        """
        local = expand_local([a for a in arguments if not is_uri(a)])
        uris = [a for a in arguments if is_uri(a)]
        context = self.context  # started here, before the store is locked for the load
        remote = list_uris(context, uris) if uris else []
        return in_load_order(local + remote)

    def parse(self, jobs: Sequence[ParseJob]) -> Iterator[ParsedTask]:
        """See :meth:`~backend.backfill.engines.Engine.parse`."""
        context = self.context
        size = max(1, BATCH_FACTOR * int(context.defaultParallelism))
        batches = [list(jobs[i : i + size]) for i in range(0, len(jobs), size)]

        def run(batch: list[ParseJob]) -> list[ParsedTask]:
            results: list[ParsedTask] = _batch(context, batch).collect()
            return results

        with ThreadPoolExecutor(max_workers=1) as pool:
            pending: Future[list[ParsedTask]] | None = (
                pool.submit(run, batches[0]) if batches else None
            )
            for index in range(len(batches)):
                assert pending is not None
                results = pending.result()
                pending = pool.submit(run, batches[index + 1]) if index + 1 < len(batches) else None
                yield from results

    def close(self) -> None:
        """Stop the Spark application if it was started."""
        if self._spark is not None:
            self._spark.stop()
            self._spark = None


def _batch(context: Any, batch: list[ParseJob]) -> Any:
    """One RDD of a partition per file, in the batch's order (the union keeps it)."""
    parts = []
    for job in batch:
        if job.source.remote and job.source.size > MAX_URI_FILE_BYTES:
            parts.append(context.parallelize([job], 1).map(_too_large))
        elif job.source.remote:
            read = context.binaryFiles(literal_pattern(job.source.location), 1)
            parts.append(read.map(partial(_run_remote, job)))
        else:
            parts.append(context.parallelize([job], 1).map(_run_local))
    return context.union(parts)
