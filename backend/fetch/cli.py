"""The ``wikiviews fetch`` command line (the work is in :mod:`backend.fetch.command`)."""

from __future__ import annotations

import re
import signal
import sys
from datetime import datetime, timedelta

import click

from backend.ingest.parsed import ProjectFilter
from backend.settings import load_settings

_MOMENT = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{1,2})(?::00)?)?$")
_DATASETS = ("pageviews", "complete")
_AGENTS = ("user", "spider", "automated")


def parse_moment(value: str, *, end: bool, option: str) -> datetime:
    """``YYYY-MM-DD`` or ``YYYY-MM-DDTHH`` as the first hour it names (the last with ``end``)."""
    match = _MOMENT.match(value.strip())
    try:
        if not match:
            raise ValueError
        day = datetime.strptime(match.group(1), "%Y-%m-%d")
        if match.group(2) is not None:
            hour = int(match.group(2))
            if hour > 23:
                raise ValueError
            return day + timedelta(hours=hour)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not YYYY-MM-DD or YYYY-MM-DDTHH (UTC)", param_hint=option
        ) from None
    return day + timedelta(hours=23) if end else day


@click.command("fetch")
@click.option(
    "--project",
    "projects",
    multiple=True,
    metavar="PROJECT",
    help="Keep only this wiki (en.wikipedia, commons.wikimedia …); repeatable. Default: all.",
)
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
    type=click.Choice(_DATASETS),
    default=("pageviews",),
    show_default=True,
    help="pageviews: hourly files; complete: daily pageview_complete files. Repeatable.",
)
@click.option(
    "--agent",
    "agents",
    multiple=True,
    type=click.Choice(_AGENTS),
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
@click.option(
    "--hourly/--no-hourly",
    default=None,
    help="Fill the per-page hourly window (default: only with --project).",
)
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
    from backend.fetch.layout import hour_of

    try:
        project_filter = ProjectFilter.from_names(projects)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--project") from exc
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
        first = (now - timedelta(days=days or 1)).replace(minute=0, second=0, microsecond=0)
    else:
        raise click.UsageError("give --start DATE (or --days N, or --follow)")
    last = parse_moment(end, end=True, option="--end") if end else None
    if last is not None and last < first:
        raise click.BadParameter("--end is before --start", param_hint="--end")
    request = FetchRequest(
        first_hour=hour_of(first),
        last_hour=hour_of(last) if last is not None else None,
        projects=project_filter,
        datasets=tuple(dict.fromkeys(datasets)),
        agents=tuple(dict.fromkeys(agents)) or _AGENTS,
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
