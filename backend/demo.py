"""``wikiviews demo``: sample data into the embedded store, loaded, and a look at it.

The demo store answers every example of the README and of ``docs/`` (a test runs them): the
sample is loaded with the per-page hourly window filled, and a two-row ``redirect`` table
dump is loaded as ``wikiviews redirects load`` would load a wiki's.
"""

from __future__ import annotations

import gzip
import re
from datetime import date, timedelta
from pathlib import Path

import click
from sqlalchemy import select

from backend import db, queries
from backend.ingest.ingest_command import run_ingest
from backend.ingest.parsed import ProjectFilter
from backend.ingest.run import expand_paths
from backend.models import Project, Title
from backend.redirects import load_redirects
from backend.sample import write_sample
from backend.settings import Settings
from backend.timeutil import day_number, day_stamp, month_number

#: 30 days: February 2024 from pageview_complete daily files, 1 March from hourly files,
#: and one legacy pagecounts day of 2014.
COMPLETE_START, COMPLETE_DAYS = date(2024, 2, 1), 29
HOURLY_START = date(2024, 3, 1)
LEGACY_START = date(2014, 5, 1)
#: The demo's redirects: the titles at these ranks of the last day's top list redirect to
#: the title at TARGET_RANK (so ``redirects=1`` visibly adds their views).
REDIRECT_PROJECT, TARGET_RANK, REDIRECT_RANKS = "en.wikipedia", 6, (9, 10)
REDIRECT_DUMP = "enwiki-20240301-redirect.sql.gz"


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
        f"{base}/api/wikiviews/v1/per-article-hourly/{project}/all-access/user/Main_Page/"
        "2024030100/2024030123",
        f"{base}/api/openapi.json",
        f"{base}/healthz",
    ]


def sql_string(value: str) -> str:
    """A MySQL dump's quoted string."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def write_redirect_dump(settings: Settings, path: Path) -> bool:
    """Write a ``redirect`` table dump of the demo's redirects; False if the store lacks them.

    Rows are ``(rd_from, rd_namespace, rd_title, rd_interwiki, rd_fragment)`` as in
    Wikimedia's ``{wiki}-{date}-redirect.sql.gz``; ``rd_from`` is the redirect's page id,
    which the store knows from the ``pageview_complete`` files.
    """
    engine = db.make_engine(settings)
    try:
        with engine.connect() as connection:
            last = queries.last_published_day(connection, REDIRECT_PROJECT)
            if last is None:
                return False
            top = queries.top_articles(connection, REDIRECT_PROJECT, "all-access", day=last)
            ranked = {entry.rank: entry.title for entry in top}
            if not {TARGET_RANK, *REDIRECT_RANKS} <= set(ranked):
                return False
            wanted = [ranked[rank] for rank in REDIRECT_RANKS]
            page_ids = dict(
                connection.execute(
                    select(Title.title, Title.page_id)
                    .join(Project, Project.id == Title.project_id)
                    .where(Project.name == REDIRECT_PROJECT, Title.title.in_(wanted))
                ).all()
            )
    finally:
        engine.dispose()
    target = sql_string(ranked[TARGET_RANK])
    rows = [
        f"({page_ids[title]},0,{target},'','')"
        for title in wanted
        if page_ids.get(title) is not None
    ]
    if not rows:
        return False
    statement = "INSERT INTO `redirect` VALUES " + ",".join(rows) + ";\n"
    path.write_bytes(gzip.compress(statement.encode(), mtime=0))
    return True


def in_hourly_window(path: Path, settings: Settings) -> bool:
    """Whether a sample file holds days of the hourly window that ends with the sample."""
    match = re.match(r"pageviews-(\d{4})(\d{2})(\d{2})-", path.name)
    if match is None or settings.hourly_window_days <= 0:
        return False
    first = HOURLY_START - timedelta(days=settings.hourly_window_days - 1)
    return date(*map(int, match.groups())) >= first


def run_demo(settings: Settings, seed: int = 1) -> bool:
    """Generate the sample, load it, show the store; False when a file failed to load."""
    directory = Path(settings.data_dir) / "sample"
    click.echo(f"writing sample dumps to {directory}")
    write_demo_sample(directory, seed)
    files = expand_paths([str(directory)])
    recent = [path for path in files if in_hourly_window(path, settings)]
    older = [path for path in files if path not in recent]
    ok = run_ingest(settings, older, ProjectFilter())
    # The last days with --hourly: the per-page hourly window is filled, as a load
    # restricted with --project fills it (older days would only be trimmed from it again).
    click.echo("\nthe last days, with the per-page hourly window (--hourly):")
    ok = run_ingest(settings, recent, ProjectFilter(), hourly=True) and ok
    dump = Path(settings.data_dir) / "redirects" / REDIRECT_DUMP
    dump.parent.mkdir(parents=True, exist_ok=True)
    if write_redirect_dump(settings, dump):
        result = load_redirects(settings, REDIRECT_PROJECT, str(dump), progress=click.echo)
        click.echo(f"{result.project}: {result.loaded} redirects stored from {dump.name}")
    show_store(settings)
    return ok
