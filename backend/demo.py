"""``wikiviews demo``: sample data into the embedded store, loaded, and a look at it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from backend import db, queries
from backend.ingest.ingest_command import run_ingest
from backend.ingest.parsed import ProjectFilter
from backend.ingest.run import expand_paths
from backend.sample import write_sample
from backend.settings import Settings
from backend.timeutil import day_number, day_stamp, month_number

#: 30 days: February 2024 from pageview_complete daily files, 1 March from hourly files,
#: and one legacy pagecounts day of 2014.
COMPLETE_START, COMPLETE_DAYS = date(2024, 2, 1), 29
HOURLY_START = date(2024, 3, 1)
LEGACY_START = date(2014, 5, 1)


def write_demo_sample(directory: Path, seed: int = 1) -> None:
    """Write the demo's sample dumps (deterministic for a seed)."""
    write_sample(
        directory / "complete",
        start=COMPLETE_START,
        days=COMPLETE_DAYS,
        seed=seed,
        formats=("complete",),
    )
    write_sample(
        directory / "hourly", start=HOURLY_START, days=1, seed=seed, formats=("pageviews",)
    )
    write_sample(
        directory / "legacy", start=LEGACY_START, days=1, seed=seed, formats=("pagecounts",)
    )


def _bar(value: int, top: int, width: int = 40) -> str:
    return "█" * max(1, round(width * value / top)) if top else ""


def show_store(settings: Settings, project: str = "en.wikipedia") -> None:
    """Print what the store holds: totals, a top list, an article's days, monthly totals."""
    engine = db.make_engine(settings)
    with engine.connect() as connection:
        overview = queries.store_overview(connection)
        last = queries.last_published_day(connection, project)
        click.echo(f"\nstore: {settings.database_url}")
        click.echo(
            f"  {overview['projects']} projects, {overview['titles']:,} titles, "
            f"{overview['files']} files, {overview['published_days']} published project-days"
        )
        if last is None:
            click.echo(f"  nothing published for {project} yet")
            return
        top = queries.top_articles(connection, project, "all-access", day=last)[:10]
        click.echo(f"\ntop of {project} on {day_stamp(last)} (user agent, all access):")
        for entry in top:
            click.echo(f"  {entry.rank:>3}. {entry.title:<40} {entry.views:>9,}")
        if top:
            title = top[0].title
            series = queries.article_daily(
                connection, project, title, "all-access", "all-agents", last - 13, last
            )
            click.echo(f"\n{project} {title}, last 14 days (all agents):")
            peak = max((v for _, v in series), default=0)
            for day, views in series:
                click.echo(f"  {day_stamp(day)} {views:>9,} {_bar(views, peak)}")
        feb = month_number(2024, 2)
        click.echo("\nFebruary 2024, all access, user agent, per project:")
        for name in queries.project_names(connection):
            months = queries.project_monthly(connection, name, "all-access", "user", feb, feb)
            if months:
                click.echo(f"  {name:<22} {months[0][1]:>12,}")
        legacy = queries.project_daily(
            connection,
            project,
            "all-access",
            "all-agents",
            day_number(LEGACY_START),
            day_number(LEGACY_START),
        )
        if legacy:
            click.echo(
                f"\nlegacy pagecounts, {project}, {day_stamp(legacy[0][0])}: "
                f"{legacy[0][1]:,} requests"
            )
    engine.dispose()


def example_urls(settings: Settings, project: str = "en.wikipedia") -> list[str]:
    """URLs of the API that answer with the demo's data."""
    base = f"http://{settings.bind}"
    pageviews = f"{base}/api/rest_v1/metrics/pageviews"
    return [
        f"{pageviews}/per-article/{project}/all-access/all-agents/Main_Page/daily/20240201/20240301",
        f"{pageviews}/aggregate/{project}/all-access/user/daily/2024020100/2024030100",
        f"{pageviews}/top/{project}/all-access/2024/03/01",
        f"{base}/api/rest_v1/metrics/legacy/pagecounts/aggregate/{project}/all-sites/hourly/"
        "2014050100/2014050123",
        f"{base}/api/wikiviews/v1/summary/{project}/Main_Page?days=30",
        f"{base}/api/openapi.json",
        f"{base}/healthz",
    ]


def run_demo(settings: Settings, seed: int = 1) -> bool:
    """Generate the sample, load it, show the store; False when a file failed to load."""
    directory = Path(settings.data_dir) / "sample"
    click.echo(f"writing sample dumps to {directory}")
    write_demo_sample(directory, seed)
    ok = run_ingest(settings, expand_paths([str(directory)]), ProjectFilter())
    show_store(settings)
    return ok
