"""The ``wikiviews-bot`` command: report jobs that write onto a wiki with pywikibot.

Every subcommand takes the common options (wiki, login, source, project, ``--simulate``).
The bot password's secret comes only from ``WIKIVIEWS_BOT_PASSWORD`` or the file named by
``WIKIVIEWS_BOT_PASSWORD_FILE``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date

import click

from backend.sources import SourceError
from bot import bot_version
from bot.jobs import JobError, Run, data_dir


def _common(func: Callable) -> Callable:
    options = [
        click.option(
            "--site",
            "site_url",
            envvar="WIKIVIEWS_BOT_SITE",
            metavar="URL",
            help="URL of the wiki's api.php (default: pywikibot's user-config.py "
            "in PYWIKIBOT_DIR).",
        ),
        click.option(
            "--user",
            envvar="WIKIVIEWS_BOT_USER",
            metavar="NAME@APPID",
            help="Bot password login name, as Special:BotPasswords shows it. The "
            "secret comes from WIKIVIEWS_BOT_PASSWORD(_FILE).",
        ),
        click.option(
            "--source",
            "source_spec",
            default="store",
            show_default=True,
            metavar="store|URL",
            help="Pageview data: the configured store, or the base URL of an API "
            "with Wikimedia's pageview routes.",
        ),
        click.option(
            "--project",
            metavar="PROJECT",
            help="The wiki's project in the data, e.g. en.wikipedia.",
        ),
        click.option(
            "--simulate",
            is_flag=True,
            help="Print a unified diff of every change and edit nothing.",
        ),
        click.option(
            "--fresh",
            is_flag=True,
            help="Ignore the state of an interrupted run (default: resume it).",
        ),
        click.option(
            "--data-dir",
            "data_dir_opt",
            metavar="DIR",
            help="Where run state is kept (default: WIKIVIEWS_DATA_DIR).",
        ),
        click.option(
            "--put-throttle",
            type=click.FloatRange(min=0),
            metavar="SECONDS",
            help="Seconds between saves (default: pywikibot's put_throttle).",
        ),
        click.option(
            "--maxlag",
            type=click.IntRange(min=0),
            metavar="SECONDS",
            help="Wait while replication lag exceeds this (pywikibot's write_maxlag).",
        ),
    ]

    @functools.wraps(func)
    def wrapper(
        site_url,
        user,
        source_spec,
        project,
        simulate,
        fresh,
        data_dir_opt,
        put_throttle,
        maxlag,
        **kwargs,
    ):
        run = Run(
            site_url,
            user,
            source_spec,
            project,
            simulate,
            fresh,
            data_dir(data_dir_opt),
            put_throttle,
            maxlag,
        )
        run.prepare()  # before anything imports pywikibot, which reads its config on import
        try:
            return func(run, **kwargs)
        except SourceError as exc:
            raise JobError(f"pageview source: {exc}") from exc

    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


def _parse_day(_ctx, _param, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not a date as YYYY-MM-DD") from exc


def _parse_month(_ctx, _param, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        year, month = value.split("-")
        return date(int(year), int(month), 1)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not a month as YYYY-MM") from exc


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(bot_version(), "--version", prog_name="wikiviews-bot")
def main() -> None:
    """Pageview reports written onto a MediaWiki wiki by a pywikibot bot."""


@main.command("top-report")
@_common
@click.option(
    "--period",
    "kind",
    type=click.Choice(["day", "week", "month"]),
    default="day",
    show_default=True,
    help="The report's period.",
)
@click.option(
    "--date",
    "day",
    callback=_parse_day,
    metavar="YYYY-MM-DD",
    help="A day in the period (default: the latest complete period).",
)
@click.option("--page", metavar="TITLE", help="Report page (default: from --page-pattern).")
@click.option(
    "--page-pattern",
    metavar="PATTERN",
    help="Report page title pattern; fields {start} {end} {year} {month} {week}.",
)
@click.option(
    "--current-page",
    metavar="TITLE",
    help="Page that always shows the latest report ('' for none).",
)
@click.option(
    "--limit",
    type=click.IntRange(1, 1000),
    default=25,
    show_default=True,
    help="Rows in the table.",
)
@click.option("--exclude", multiple=True, metavar="TITLE", help="Leave this title out too.")
@click.option("--no-flags", is_flag=True, help="Do not move automated-looking entries out.")
def top_report(run: Run, **options) -> None:
    """Write the most viewed articles of a day, week or month."""
    from bot.commands import run_top_report

    _finish(run_top_report(run, **options))


@main.command("popular-pages")
@_common
@click.option(
    "--subscriptions",
    "subscriptions_page",
    metavar="PAGE",
    help="On-wiki JSON page of subscriptions.",
)
@click.option(
    "--subscriptions-file",
    type=click.Path(exists=True, dir_okay=False),
    help="Local JSON file of subscriptions (instead of the page).",
)
@click.option(
    "--month",
    callback=_parse_month,
    metavar="YYYY-MM",
    help="The month to report (default: the latest complete month).",
)
@click.option(
    "--only", multiple=True, metavar="PROJECT_PAGE", help="Only this subscription (repeatable)."
)
@click.option(
    "--redirects",
    "redirect_mode",
    type=click.Choice(["auto", "source", "wiki", "none"]),
    default="auto",
    show_default=True,
    help="Where redirects come from: the source (store), the wiki (for API sources).",
)
def popular_pages(run: Run, **options) -> None:
    """Write each subscribed WikiProject's popular-pages table."""
    from bot.commands import run_popular_pages

    _finish(run_popular_pages(run, **options))


@main.command("deliver")
@_common
@click.option(
    "--list",
    "list_page",
    required=True,
    metavar="PAGE",
    help="Delivery list: one target a line ({{#target:…}}, [[…]] or MassMessage JSON).",
)
@click.option(
    "--report",
    "reports",
    multiple=True,
    required=True,
    metavar="TITLE",
    help="Report page to announce when it changed (repeatable).",
)
def deliver(run: Run, **options) -> None:
    """Post a short notice on each target when a report has a new revision."""
    from bot.deliver import run_deliver

    _finish(run_deliver(run, **options))


@main.command("readership")
@_common
@click.option(
    "--category",
    "categories",
    multiple=True,
    metavar="CATEGORY",
    help="Talk pages in this category (default: {{Xreadership}}'s two maintenance "
    "categories, when no --page or --transcluding is given).",
)
@click.option(
    "--page",
    "pages",
    multiple=True,
    metavar="TITLE",
    help="This talk page (or the talk page of this article); repeatable.",
)
@click.option(
    "--transcluding",
    metavar="TEMPLATE",
    help="Every talk page that transcludes this template, e.g. Template:Xreadership.",
)
@click.option(
    "--days",
    type=click.IntRange(1, 366),
    metavar="N",
    help="Days of data (default: what each page's {{Xreadership}} call shows, 75).",
)
def readership(run: Run, **options) -> None:
    """Keep Talk:TITLE/pageviews data pages for {{Xreadership}} up to date."""
    from bot.commands import run_readership

    _finish(run_readership(run, **options))


@main.command("install-gadget")
@_common
@click.option(
    "--api",
    required=True,
    metavar="SERVER_URL",
    help="The backend's root URL, the part before /api/… "
    "(https://wikimedia.org for Wikimedia's API).",
)
@click.option(
    "--opt-in",
    is_flag=True,
    help="Users turn the gadget on in their preferences (default: on for everyone).",
)
@click.option(
    "--gadget-dir", metavar="DIR", help="The gadget's files (default: gadget/ of the source tree)."
)
def install_gadget(run: Run, **options) -> None:
    """Write the history-page gadget onto the wiki (needs an interface-admin bot password).

    --project defaults to the wiki's host name as Wikimedia names projects (fr.wikivoyage).
    """
    from bot.gadget import run_install_gadget

    _finish(run_install_gadget(run, **options))


def _finish(result: tuple[str, bool]) -> None:
    line, failed = result
    click.echo(line)
    if failed:
        raise SystemExit(1)


__all__ = ["JobError", "main"]
