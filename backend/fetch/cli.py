"""The ``wikiviews fetch`` command line (the work is in :mod:`backend.fetch.command`)."""

from __future__ import annotations

import signal
import sys
from datetime import date

import click

from backend.cli_options import hourly_option, project_filter, projects_option
from backend.dumpfiles import COMPLETE_AGENTS, DATASETS, hour_of
from backend.settings import load_settings
from backend.timeutil import day_number, parse_hour


def parse_moment(value: str, *, end: bool, option: str) -> int:
    """The hour number ``YYYY-MM-DD`` starts at (ends at, with ``end``), or of ``…THH``."""
    try:
        hour = parse_hour(value)
        if hour is None:
            day = day_number(date.fromisoformat(value.strip()))
            hour = day * 24 + (23 if end else 0)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not YYYY-MM-DD or YYYY-MM-DDTHH (UTC)", param_hint=option
        ) from None
    return hour


@click.command("fetch")
@projects_option
@click.option("--start", metavar="DATE[THH]", help="First day (or hour), UTC.")
@click.option(
    "--end",
    metavar="DATE[THH]",
    help="Last day (or hour), UTC, inclusive. Default: the last hour that can be published.",
)
@click.option(
    "--days",
    type=click.IntRange(1),
    help="Instead of --start: the last N days up to now (for timers and --follow).",
)
@click.option(
    "--dataset",
    "datasets",
    multiple=True,
    type=click.Choice(DATASETS),
    default=("pageviews",),
    show_default=True,
    help="pageviews: hourly files; complete: daily pageview_complete files. Repeatable.",
)
@click.option(
    "--agent",
    "agents",
    multiple=True,
    type=click.Choice(COMPLETE_AGENTS),
    help="Agents of the complete files (repeatable; default: all three).",
)
@click.option(
    "--order",
    type=click.Choice(("oldest", "newest")),
    help="Back-fill oldest or newest first (default: WIKIVIEWS_FETCH_ORDER).",
)
@click.option("--keep", is_flag=True, help="Keep the downloaded files after loading them.")
@click.option("--dry-run", is_flag=True, help="List what would be fetched; change nothing.")
@click.option("--follow", is_flag=True, help="Keep up with the live edge: poll for new files.")
@click.option(
    "--polls",
    type=click.IntRange(1),
    help="With --follow: stop after this many polls (default: run until stopped).",
)
@hourly_option
def fetch(
    projects: tuple[str, ...],
    start: str | None,
    end: str | None,
    days: int | None,
    datasets: tuple[str, ...],
    agents: tuple[str, ...],
    order: str | None,
    keep: bool,
    dry_run: bool,
    follow: bool,
    polls: int | None,
    hourly: bool | None,
) -> None:
    """Download Wikimedia's pageview dumps for a range and load each file as it arrives.

    Files are verified against the published checksum files, resumed when a connection
    drops, retried with backoff, fetched on at most 3 connections and deleted once loaded
    (unless --keep). Files the store already has are not fetched again, so a stopped run
    restarts where it was. Exits with 1 when a file failed or nothing of the range exists.
    """
    from backend.fetch.command import FetchRequest, format_dry_run, plan_request, run_fetch

    projects_kept = project_filter(projects)
    if start and days:
        raise click.BadParameter("give --start or --days, not both", param_hint="--days")
    if follow and end:
        raise click.BadParameter("--follow has no end", param_hint="--end")
    if polls and not follow:
        raise click.BadParameter("--polls needs --follow", param_hint="--polls")
    if agents and "complete" not in datasets:
        raise click.BadParameter("--agent needs --dataset complete", param_hint="--agent")
    settings = load_settings()
    from backend.fetch.command import utc_now

    now = utc_now()
    if start:
        first = parse_moment(start, end=False, option="--start")
    elif days or follow:
        first = hour_of(now) - 24 * (days or 1)
    else:
        raise click.UsageError("give --start DATE (or --days N, or --follow)")
    last = parse_moment(end, end=True, option="--end") if end else None
    if last is not None and last < first:
        raise click.BadParameter("--end is before --start", param_hint="--end")
    request = FetchRequest(
        first_hour=first,
        last_hour=last,
        projects=projects_kept,
        datasets=tuple(dict.fromkeys(datasets)),
        agents=tuple(dict.fromkeys(agents)) or COMPLETE_AGENTS,
        order=order or settings.fetch_order,
        keep=keep,
        hourly=hourly,
    )
    if dry_run:
        if follow:
            raise click.BadParameter(
                "--dry-run lists a range; drop --follow", param_hint="--follow"
            )
        click.echo(format_dry_run(plan_request(settings, request, now), settings.fetch_base_url))
        return
    previous = signal.getsignal(signal.SIGTERM)
    # systemd and Toolforge stop jobs with SIGTERM: unwind like Ctrl-C, losing nothing.
    signal.signal(signal.SIGTERM, _terminate)
    try:
        status = run_fetch(settings, request, follow_edge=follow, max_polls=polls, echo=click.echo)
    finally:
        signal.signal(signal.SIGTERM, previous)
    if status:
        sys.exit(status)


def _terminate(_signum: int, _frame: object) -> None:
    raise SystemExit(143)
