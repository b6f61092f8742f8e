"""Fetch benchmark: ``wikiviews fetch`` of real-size hourly files from a local dumps host.

Run from the repository root with the project's virtualenv (see ``bench/README.md``)::

    .venv/bin/python bench/fetch.py                  # 24 hours, one wiki and all wikis
    .venv/bin/python bench/fetch.py --hours 6 --part all
    .venv/bin/python bench/fetch.py --hours 2 --lines 300000   # smoke test

It generates one all-wikis hourly ``pageviews`` file of real size with ``bench/datagen.py``
(cached; the same generator as ``bench/ingest.py``) and serves it under the names of N
consecutive hours, in the dumps layout with an ``md5sums.txt``, from ``python -m http.server``
on 127.0.0.1 (its own process). Then, each in a fresh SQLite store and as a real subprocess:

* the baseline: a plain download of the same N files on 3 connections, no ingest;
* ``wikiviews fetch --project en.wikipedia`` over the N hours;
* ``wikiviews fetch`` of all wikis over the N hours.

It prints hours of data processed per hour of wall time (an hour in 30 s is 120× the live
rate), the ratio to the baseline measured in the same run, and the peak RSS of each run.
Every hour has the same content: after the first, a file adds views to known titles, as a
real hour mostly does (most titles read in one hour were read in the previous one).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from common import (
    DEFAULT_OUT,
    REPO,
    clean_env,
    log_tail,
    run_measured,
    say,
    wikiviews_command,
)
from datagen import HourlySpec, hourly_file

sys.path.insert(0, str(REPO))

from backend.fetch.transfer import Transfer

FIRST_HOUR = datetime(2024, 3, 1, 0)
#: Hours of data per hour of wall time each run must reach (``None``: no target).
TARGETS = {"baseline": None, "one wiki": 120.0, "all wikis": 10.0}


@dataclass(frozen=True)
class Run:
    """One measured run."""

    label: str
    seconds: float
    hours: int
    peak_mb: float | None = None
    ok: bool = True

    @property
    def rate(self) -> float:
        """Hours of data per hour of wall time."""
        return self.hours * 3600 / self.seconds if self.seconds > 0 else 0.0


def build_tree(source: Path, root: Path, hours: int) -> list[str]:
    """The dumps layout under ``root``: ``source`` linked under ``hours`` names, plus md5sums."""
    shutil.rmtree(root, ignore_errors=True)
    directory = root / "pageviews" / f"{FIRST_HOUR:%Y}" / f"{FIRST_HOUR:%Y-%m}"
    directory.mkdir(parents=True)
    digest = hashlib.md5(source.read_bytes()).hexdigest()
    names = []
    for offset in range(hours):
        at = FIRST_HOUR + timedelta(hours=offset)
        name = f"pageviews-{at:%Y%m%d-%H}0000.gz"
        os.link(source, directory / name)
        names.append(name)
    (directory / "md5sums.txt").write_text("".join(f"{digest}  {n}\n" for n in names))
    return [f"pageviews/{FIRST_HOUR:%Y}/{FIRST_HOUR:%Y-%m}/{n}" for n in names]


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(root: Path) -> tuple[subprocess.Popen, str]:
    """``python -m http.server`` on ``root`` in its own process; returns it and its URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):  # up to 10 s for the server to listen
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.1):
                return process, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the local HTTP server did not start")


def baseline(url: str, paths: Sequence[str], work: Path) -> Run:
    """Download every file on 3 connections with the fetcher's HTTP code, ingesting nothing."""
    work.mkdir(parents=True, exist_ok=True)
    transfer = Transfer(url, connections=3)

    def one(path: str) -> None:
        target = work / path.rsplit("/", 1)[1]
        transfer.download(path, target)
        target.unlink()

    started = time.perf_counter()
    with ThreadPoolExecutor(3) as pool:
        list(pool.map(one, paths))
    seconds = time.perf_counter() - started
    transfer.close()
    return Run("baseline", seconds, len(paths))


def run_fetch(label: str, url: str, hours: int, work: Path, project: str | None) -> Run:
    """``wikiviews fetch`` over the hours in a fresh SQLite store, as a subprocess."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    last = FIRST_HOUR + timedelta(hours=hours - 1)
    command = wikiviews_command(
        "fetch",
        "--start",
        f"{FIRST_HOUR:%Y-%m-%dT%H}",
        "--end",
        f"{last:%Y-%m-%dT%H}",
        *(["--project", project] if project else []),
    )
    env = clean_env(WIKIVIEWS_DATA_DIR=str(work / "store"), WIKIVIEWS_FETCH_BASE_URL=url)
    log = work / "fetch.log"
    say(f"  {label}: {' '.join(command[2:])} (log: {log})")
    measured = run_measured(command, env, log)
    if measured.returncode != 0:
        say(log_tail(log, 30))
    shutil.rmtree(work / "store", ignore_errors=True)
    return Run(label, measured.seconds, hours, measured.peak_mb, measured.returncode == 0)


def report(runs: list[Run], base: Run, lines: int) -> str:
    """The Markdown table of the runs."""
    out = [
        f"{base.hours} hourly files of {lines:,} lines "
        f"({FIRST_HOUR:%Y-%m-%d} 00:00 onwards), local HTTP server, fresh SQLite store:",
        "",
        "| Run | seconds | s per hour of data | hours per hour of wall time | × baseline "
        "| peak MB | target |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for run in runs:
        target = TARGETS.get(run.label)
        verdict = "" if target is None else f"≥ {target:g}× {'✔' if run.rate >= target else '✘'}"
        if not run.ok:
            verdict = "FAILED"
        peak = f"{run.peak_mb:,.0f}" if run.peak_mb is not None else "–"
        out.append(
            f"| {run.label} | {run.seconds:.1f} | {run.seconds / run.hours:.1f} "
            f"| **{run.rate:,.0f}×** | {run.rate / base.rate:.3f} | {peak} | {verdict} |"
        )
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the arguments, run the benchmark, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hours", type=int, default=24, help="hourly files to fetch")
    parser.add_argument("--lines", type=int, default=6_000_000, help="lines per hourly file")
    parser.add_argument(
        "--part",
        choices=("one", "all", "both"),
        default="both",
        help="one wiki, all wikis, or both (the baseline always runs)",
    )
    parser.add_argument("--project", default="en.wikipedia", help="the one wiki")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    source = hourly_file(args.out, HourlySpec(lines=args.lines), say)
    tree = args.out / f"fetch-tree-{os.getpid()}"
    paths = build_tree(source, tree, args.hours)
    server, url = start_server(tree)
    work = args.out / "runs" / f"fetch-{os.getpid()}"
    try:
        say(f"serving {args.hours} × {source.stat().st_size / 1e6:.1f} MB at {url}")
        base = baseline(url, paths, work / "baseline")
        say(f"  baseline: {base.seconds:.1f} s")
        runs = [base]
        if args.part in ("one", "both"):
            runs.append(run_fetch("one wiki", url, args.hours, work / "one", args.project))
            say(f"  one wiki: {runs[-1].seconds:.1f} s")
        if args.part in ("all", "both"):
            runs.append(run_fetch("all wikis", url, args.hours, work / "all", None))
            say(f"  all wikis: {runs[-1].seconds:.1f} s")
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(tree, ignore_errors=True)
    say()
    say(report(runs, base, args.lines))


if __name__ == "__main__":
    main()
