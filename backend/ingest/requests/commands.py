"""``wikiviews ingest-requests``, ``check``, ``purge`` and ``publish``.

Nothing these commands print is taken from a log line: only counts, reasons, file names,
project names and hours.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from sqlalchemy import Engine

from backend import db
from backend.ingest.packing import pack_settled
from backend.ingest.projects import ProjectRegistry
from backend.ingest.requests.agents import SpiderCache
from backend.ingest.requests.countries import CountryCache
from backend.ingest.requests.definition import NOT_PAGEVIEW
from backend.ingest.requests.gate import hour_stamp
from backend.ingest.requests.records import REJECT_REASONS
from backend.ingest.requests.run import Pipeline, RequestOutcome, ingest_requests
from backend.settings import load_settings
from backend.timeutil import parse_hour


@click.command("ingest-requests")
@click.argument("paths", nargs=-1)
@click.option(
    "--host",
    "default_host",
    default="",
    help="Host of every line of a combined log that does not start with one.",
)
@click.option(
    "--follow",
    "follow_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Tail this growing log and load each hour once it is closed (Ctrl-C stops).",
)
@click.option(
    "--poll-seconds",
    type=click.FloatRange(0.1),
    default=5.0,
    show_default=True,
    help="With --follow: seconds between two reads of the file.",
)
@click.option("--once", is_flag=True, help="With --follow: read what is there, then stop.")
def ingest_requests_command(
    paths: tuple[str, ...],
    default_host: str,
    follow_file: Path | None,
    poll_seconds: float,
    once: bool,
) -> None:
    """Load raw request logs (JSON lines or combined access logs, gzip or plain; - for stdin).

    Only aggregates reach the store: see docs/privacy.md.
    """
    if not paths and follow_file is None:
        raise click.UsageError("give log files (- for standard input) or --follow FILE")
    settings = load_settings()
    try:
        pipeline = Pipeline(settings, default_host)
    except ValueError as exc:
        raise click.ClickException(f"WIKIVIEWS_REQUEST_HOSTS: {exc}") from exc
    db.upgrade(settings)
    engine = db.make_engine(settings)
    registry = ProjectRegistry(engine)
    started = time.perf_counter()
    outcomes: list[RequestOutcome] = []

    def report(outcome: RequestOutcome) -> None:
        outcomes.append(outcome)
        click.echo(_describe(outcome), err=outcome.status == "failed")

    try:
        for path in paths:
            report(ingest_requests(engine, pipeline, path, registry))
        if follow_file is not None:
            from backend.ingest.requests.follow import Follower, follow

            follower = Follower(engine, pipeline, registry, follow_file)
            try:
                follow(follower, report, poll_seconds=poll_seconds, stop=lambda: once)
            except KeyboardInterrupt:
                pass
            finally:
                follower.close()
        pack_settled(engine, settings.staging_days, settings.top_size, None)
        forget_expired(engine, pipeline)
    finally:
        registry.close()
        engine.dispose()
    lines = sum(o.lines_read for o in outcomes)
    seconds = time.perf_counter() - started
    click.echo(
        f"{len(outcomes)} input(s), {lines:,} lines, "
        f"{sum(o.pageviews for o in outcomes):,} pageviews in {seconds:.1f} s; "
        f"user-agent cache {_rate(pipeline.spiders)}, IP cache {_rate(pipeline.countries)}"
    )
    if any(o.status == "failed" for o in outcomes):
        sys.exit(1)


def forget_expired(engine: Engine, pipeline: Pipeline) -> None:
    """Delete actor keys and state past 48 hours (as ``purge`` does) after every ingest."""
    from backend.db import WRITE
    from backend.ingest.requests.purge import delete_expired_state

    pipeline.keys.purge()
    with engine.connect().execution_options(**WRITE) as connection, connection.begin():
        delete_expired_state(connection, time.time())


def _rate(cache: SpiderCache | CountryCache) -> str:
    total = cache.hits + cache.misses
    return f"{100 * cache.hits / total:.1f}% hits" if total else "unused"


def _describe(outcome: RequestOutcome) -> str:
    if outcome.status != "loaded":
        return f"{outcome.status}: {outcome.name}: {outcome.message}".rstrip(": ")
    parts = [
        f"loaded: {outcome.name}: {outcome.lines_read:,} lines, {outcome.pageviews:,} pageviews"
    ]
    for reason, count in sorted(outcome.rejects.items()):
        parts.append(f"  rejected {count:,}: {REJECT_REASONS.get(reason, reason)}")
    for reason, count in sorted(outcome.not_pageviews.items()):
        parts.append(f"  not a pageview {count:,}: {NOT_PAGEVIEW.get(reason, reason)}")
    for project, hour, reason in outcome.held:
        parts.append(f"  held back: project {project} hour {hour_stamp(hour)}: {reason}")
    return "\n".join(parts)


@click.command("check")
@click.option("--hours", type=click.IntRange(1), default=48, show_default=True)
def check_command(hours: int) -> None:
    """Report sequence loss and duplicates per log host and hour, and held hours."""
    from backend.ingest.requests.checks import held_hours, sequence_report

    settings = load_settings()
    engine = db.make_engine(settings)
    try:
        with engine.connect() as connection:
            report = sequence_report(connection, hours)
            held = held_hours(connection)
    finally:
        engine.dispose()
    if report:
        click.echo("host\thour\texpected\treceived\tmissing\tduplicated")
        for row in report:
            click.echo(
                f"{row.hostname}\t{hour_stamp(row.hour)}\t{row.expected}\t{row.received}"
                f"\t{row.missing}\t{row.duplicates}"
            )
    else:
        click.echo("no sequence numbers recorded in that span")
    for project, hour, reason in held:
        click.echo(f"held: {project} {hour_stamp(hour)}: {reason}")
    if any(row.missing or row.duplicates for row in report) or held:
        sys.exit(1)


@click.command("publish")
@click.option("--force", "hour", required=True, help="Release this held hour (YYYY-MM-DDTHH).")
def publish_command(hour: str) -> None:
    """Release an hour the publish gate held back (``--force HOUR``)."""
    from backend.ingest.requests.checks import release_hour

    number = parse_hour(hour)
    if number is None:
        raise click.BadParameter(f"not an hour: {hour!r} (use YYYY-MM-DDTHH)")
    settings = load_settings()
    engine = db.make_engine(settings)
    try:
        released = release_hour(engine, settings, number)
    finally:
        engine.dispose()
    click.echo(
        f"released {hour_stamp(number)} for {released} project(s)"
        if released
        else f"{hour_stamp(number)} was not held; it will not be held from now on"
    )


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="Only list what would be deleted.")
def purge_command(dry_run: bool) -> None:
    """Delete raw logs past the retention, expired actor keys and state, old hourly rows."""
    from backend.ingest.requests.purge import purge

    settings = load_settings()
    db.upgrade(settings)
    engine = db.make_engine(settings)
    try:
        result = purge(engine, settings, dry_run=dry_run)
    finally:
        engine.dispose()
    verb = "would delete" if dry_run else "deleted"
    for line in result.lines():
        click.echo(f"{verb} {line}")


COMMANDS = (ingest_requests_command, check_command, publish_command, purge_command)


def register(group: click.Group) -> None:
    """Add the raw-log commands to the ``wikiviews`` group."""
    for command in COMMANDS:
        group.add_command(command)
