"""``wikiviews backfill``: parse dump files on Spark (or in-process), load them in one go."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

import click

from backend import db
from backend.backfill.engines import ENGINES, EngineUnavailable, open_engine
from backend.backfill.load import LoadReport, load_all
from backend.backfill.plan import PlannedFile, plan
from backend.backfill.sources import BadArgument
from backend.cli_options import hourly_option, project_filter, projects_option
from backend.ingest.run import finish
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
@projects_option
@hourly_option
def backfill(
    paths: tuple[str, ...],
    engine: str,
    master: str | None,
    projects: tuple[str, ...],
    hourly: bool | None,
) -> None:
    """Load many dump files: parse them in parallel, then load them in one transaction.

    PATHS are files, directories or globs; with --engine spark also URIs of any file
    system the cluster's Hadoop configuration reads (file://, hdfs://, s3a://).

    The result equals `wikiviews ingest` of the same files with the same options. Files
    already loaded are skipped. Exits with 1 when a file could not be read, 2 when a path
    does not exist or the engine cannot start.
    """
    if master is not None and engine != "spark":
        raise click.BadParameter("--master needs --engine spark", param_hint="--master")
    kept = project_filter(projects)
    settings = load_settings()
    hourly_window = settings.hourly_window_days > 0 and (
        hourly if hourly is not None else kept.only is not None
    )
    started = time.perf_counter()
    parser = open_engine(engine, master)
    try:
        files = parser.expand(paths)
        db.upgrade(settings)
        store = db.make_engine(settings)
        try:
            planned = plan(store, files, kept, hourly_window)
            jobs = [entry.job for entry in planned if entry.job is not None]
            click.echo(f"backfill: {len(files)} files, {len(jobs)} to parse on {engine}", err=True)
            report = load_all(
                store,
                planned,
                parser.parse(jobs),
                top_size=settings.top_size,
                progress=_progress(len(planned)),
            )
            packed = finish(store, settings)
        finally:
            store.dispose()
    except (BadArgument, EngineUnavailable) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    finally:
        parser.close()
    click.echo(_summary(report, time.perf_counter() - started, packed))
    for location, message in report.failed:
        click.echo(f"error: {message or location}", err=True)
    if report.failed:
        sys.exit(1)


def _progress(count: int) -> Callable[[PlannedFile], None]:
    done = 0

    def progress(entry: PlannedFile) -> None:
        nonlocal done
        done += 1
        note = "" if entry.status == "parse" else f" ({entry.status})"
        click.echo(f"[{done}/{count}] {entry.source.location}{note}", err=True)

    return progress


def _summary(report: LoadReport, seconds: float, packed: int) -> str:
    rate = report.rows / seconds if seconds > 0 else 0.0
    per_core = report.lines_read / report.parse_seconds if report.parse_seconds > 0 else 0.0
    return (
        f"backfill: {len(report.loaded)} loaded, {len(report.skipped)} skipped, "
        f"{len(report.failed)} failed; {report.lines_read:,} lines, {report.rows:,} rows, "
        f"{report.views:,} views in {seconds:.1f} s ({rate:,.0f} rows/s); {packed} days packed; "
        f"parse tasks {report.parse_seconds:.1f} s ({per_core:,.0f} lines/s per core)"
    )
