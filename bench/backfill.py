"""Back-fill benchmark: the same generated days by ``ingest``, ``backfill`` local and on Spark.

Run from the repository root with the project's virtualenv and the spark extra::

    .venv/bin/python bench/backfill.py                      # 6 days × 100,000 titles
    .venv/bin/python bench/backfill.py --days 14 --titles 300000 --repeat 3

It generates ``pageview_complete`` daily files of one large wiki (``datagen.complete_days``,
cached) and loads them into a fresh SQLite store with five commands, each a real
subprocess: ``wikiviews ingest`` (the baseline), ``backfill --engine local``, ``backfill
--engine spark --master local[2]`` and ``backfill --engine spark`` against a two-worker
standalone cluster on loopback (one core and 1 GB each, started here as the tests start it),
once with the directory as a path and once as a ``file://`` URI (listed through Hadoop,
the bytes shipped to the tasks by Spark).
It prints the non-zero counts loaded per second (medians of ``--repeat``), the ratio to the
ingest, the peak RSS of the command's process tree as ``wait4`` reports it (the Spark
driver JVM included; the cluster's executors run in the workers and are not), and the parse
throughput per core from the tasks' own timings.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from datagen import CompleteSpec, complete_days  # noqa: E402

from tests.backfill.spark_cluster import Cluster, missing_requirement  # noqa: E402

_PER_CORE = re.compile(r"\(([\d,]+) lines/s per core\)")


@dataclass
class Run:
    """One finished command."""

    seconds: float
    peak_mb: float
    per_core: float


def run(command: list[str], work: Path, label: str) -> Run:
    """Run ``command`` into a fresh SQLite store in ``work``; time it, read its peak RSS."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIKIVIEWS_")}
    env.update(
        WIKIVIEWS_DATA_DIR=str(work), WIKIVIEWS_DATABASE_URL=f"sqlite:///{work}/store.sqlite3"
    )
    log = work / "output.log"
    with open(log, "wb") as output:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, env=env, cwd=REPO, stdout=output, stderr=subprocess.STDOUT
        )
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
    text = log.read_text(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{label} failed:\n{text[-3000:]}")
    match = _PER_CORE.search(text)
    per_core = float(match[1].replace(",", "")) if match else 0.0
    return Run(seconds, usage.ru_maxrss * 1024 / 1e6, per_core)


def main() -> None:
    """Generate (or reuse) the days, run every command, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=6)
    parser.add_argument("--titles", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out")
    args = parser.parse_args()
    reason = missing_requirement()
    if reason:
        sys.exit(reason)
    files, truth = complete_days(args.out, CompleteSpec(days=args.days, titles=args.titles))
    files = files / "files"
    points = truth["lines"]
    print(f"{args.days} days, {len(truth['files'])} files, {points:,} non-zero counts")
    wikiviews = [sys.executable, "-m", "backend"]
    with tempfile.TemporaryDirectory(prefix="wv-bench-backfill-") as scratch:
        root = Path(scratch)
        cluster = Cluster(root / "cluster")
        try:
            commands = {
                "ingest": [*wikiviews, "ingest", str(files)],
                "backfill local": [*wikiviews, "backfill", "--engine", "local", str(files)],
                "spark local[2]": [
                    *wikiviews, "backfill", "--engine", "spark", "--master", "local[2]",
                    str(files),
                ],
                "spark 2 workers": [
                    *wikiviews, "backfill", "--engine", "spark", "--master", cluster.url,
                    str(files),
                ],
                "2 workers, URI": [
                    *wikiviews, "backfill", "--engine", "spark", "--master", cluster.url,
                    f"file://{files}",
                ],
            }  # fmt: skip
            results: dict[str, list[Run]] = {label: [] for label in commands}
            for _ in range(args.repeat):
                for label, command in commands.items():
                    results[label].append(run(command, root / "store", label))
        finally:
            cluster.stop()
    base = statistics.median(r.seconds for r in results["ingest"])
    print(f"{'command':<16} {'seconds':>8} {'counts/s':>10} {'× ingest':>9} {'peak MB':>8} "
          f"{'parse lines/s/core':>19}")  # fmt: skip
    for label, runs in results.items():
        seconds = statistics.median(r.seconds for r in runs)
        print(
            f"{label:<16} {seconds:>8.1f} {points / seconds:>10,.0f} {base / seconds:>9.2f} "
            f"{max(r.peak_mb for r in runs):>8.0f} "
            f"{statistics.median(r.per_core for r in runs):>19,.0f}"
        )


if __name__ == "__main__":
    main()
