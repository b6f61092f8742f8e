"""Run the parse tasks on Apache Spark: one task per file, batches overlapping the load.

The driver submits the next batch of files while the caller loads the current one, so the
cluster parses while the store writes. A task whose executor dies is retried by Spark on
another executor; tasks are pure, so a retry gives the same result.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from backend.backfill.engines import EngineUnavailable
from backend.backfill.tasks import KILL_WORKER_AT_FILE, ParsedTask, parse_file

#: Files per Spark job, as a multiple of the cluster's default parallelism.
BATCH_FACTOR = 2


def _run_task(path: str) -> ParsedTask:
    from pyspark import TaskContext

    context = TaskContext.get()
    return parse_file(path, context.attemptNumber() if context is not None else 0)


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


def parse_on_spark(paths: Sequence[str], master: str) -> Iterator[ParsedTask]:
    """Parse ``paths`` as Spark tasks on ``master``; results in the order of ``paths``."""
    context = _context(master)
    try:
        size = max(1, BATCH_FACTOR * int(context.defaultParallelism))
        batches = [list(paths[i : i + size]) for i in range(0, len(paths), size)]

        def run(batch: list[str]) -> list[ParsedTask]:
            rdd = context.parallelize(batch, len(batch))
            results: list[ParsedTask] = rdd.map(_run_task).collect()
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
    finally:
        context.stop()
