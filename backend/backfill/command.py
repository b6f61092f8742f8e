"""``wikiviews backfill``: parse dump files on Spark (or in-process), load them in one go."""

from __future__ import annotations

import sys
import time

import click

from backend import db
from backend.backfill.engines import ENGINES, EngineUnavailable, parse_all
from backend.backfill.load import LoadReport, load_all
from backend.backfill.tasks import ParsedTask
from backend.ingest.run import MissingPath, expand_paths, finish
from backend.settings import load_settings


@click.command("backfill")
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default="local",
    show_default=True,
    help="Where files are parsed: this process, or Apache Spark (needs wikiviews[spark]).",
)
@click.option(
    "--master",
    metavar="URL",
    help="Spark master, e.g. spark://host:7077 or local[4] (default local[*]).",
)
def backfill(paths: tuple[str, ...], engine: str, master: str | None) -> None:
    """Load many dump files: parse them in parallel, then load them in one transaction.

    The result equals `wikiviews ingest` of the same files. Files already loaded are
    skipped. Exits with 1 when a file could not be read, 2 when a path does not exist or
    the engine cannot start.
    """
    if master is not None and engine != "spark":
        raise click.BadParameter("--master needs --engine spark", param_hint="--master")
    try:
        files = expand_paths(paths)
    except MissingPath as exc:
        raise click.BadParameter(f"no such file or directory: {exc}", param_hint="PATHS") from exc
    settings = load_settings()
    db.upgrade(settings)
    store = db.make_engine(settings)
    started = time.perf_counter()
    count = len(files)

    done = 0

    def progress(task: ParsedTask) -> None:
        nonlocal done
        done += 1
        click.echo(f"[{done}/{count}] {task.path}", err=True)

    try:
        tasks = parse_all(engine, [str(path) for path in files], master)
        report = load_all(store, tasks, top_size=settings.top_size, progress=progress)
        packed = finish(store, settings)
    except EngineUnavailable as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    finally:
        store.dispose()
    click.echo(_summary(report, time.perf_counter() - started, packed))
    for path, message in report.failed:
        click.echo(f"error: {message or path}", err=True)
    if report.failed:
        sys.exit(1)


def _summary(report: LoadReport, seconds: float, packed: int) -> str:
    rate = report.rows / seconds if seconds > 0 else 0.0
    per_core = report.lines_read / report.parse_seconds if report.parse_seconds > 0 else 0.0
    return (
        f"backfill: {len(report.loaded)} loaded, {len(report.skipped)} skipped, "
        f"{len(report.failed)} failed; {report.lines_read:,} lines, {report.rows:,} rows, "
        f"{report.views:,} views in {seconds:.1f} s ({rate:,.0f} rows/s); {packed} days packed; "
        f"parse tasks {report.parse_seconds:.1f} s ({per_core:,.0f} lines/s per core)"
    )
