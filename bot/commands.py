"""The report commands: gather data, render bodies, hand them to the writer."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from bot.jobs import JobError, Run
from bot.membership import (
    Member,
    Namespaces,
    assessment_members,
    banner_members,
    category_members,
    has_page_assessments,
    redirects_to,
)
from bot.messages import message
from bot.periods import (
    DEFAULT_CURRENT_PAGES,
    DEFAULT_PAGE_PATTERNS,
    Period,
    latest_complete,
    period_of,
)
from bot.popular import add_redirect_views, build_table, fetch_views, render_table
from bot.subscriptions import Subscription, SubscriptionError, parse_document
from bot.top_report import Filters, build_report, render_report, rendered_period
from bot.updates import PageUpdate
from bot.wikitext import page_link


def _need_project(run: Run) -> str:
    if not run.project:
        raise JobError("--project is required (the wiki's project in the data, e.g. en.wikipedia)")
    return run.project


def _write(run: Run, updates, job: str, period: Period) -> tuple[str, bool]:
    from bot.updates import summary_line
    from bot.writer import ReportWriter

    state = run.state(job, period.key())
    writer = ReportWriter(run.site, updates, state=state, simulate=run.simulate)
    writer.run()
    # Only pages that failed are worth a resume; a bad subscription fails every rerun alike.
    state.finish(writer.outcomes.get("failed", 0))
    failed = writer.outcomes.get("failed", 0) + run.extra.get("failed", 0)
    writer.outcomes["failed"] = failed
    return summary_line(writer.outcomes, run.simulate), failed > 0


def _report_period(run: Run, kind: str, day: date | None) -> Period:
    through = run.through()
    period = period_of(kind, day) if day else latest_complete(kind, through)
    if period.end > through:
        raise JobError(
            f"{run.project}: the {kind} {period.label()} is not complete in the data "
            f"(published through {through.isoformat()})"
        )
    return period


def run_top_report(
    run: Run,
    *,
    kind: str,
    day: date | None,
    page: str | None,
    page_pattern: str | None,
    current_page: str | None,
    limit: int,
    exclude: tuple[str, ...],
    no_flags: bool,
) -> tuple[str, bool]:
    """``wikiviews-bot top-report``: the report page and the "current" page."""
    project = _need_project(run)
    period = _report_period(run, kind, day)
    site = run.site
    special = site.namespaces[-1]
    filters = Filters(
        main_page=str(site.siteinfo.get("mainpage", "Main Page")),
        special_prefixes=tuple(
            sorted({f"{name}:" for name in (special.custom_name, special.canonical_name)})
        ),
        extra=frozenset(t.replace("_", " ") for t in exclude),
    )
    report = build_report(
        run.source, project, period, limit=limit, filters=filters, flag=not no_flags
    )
    if not report.entries and not report.excluded:
        # An empty list means the source has no top list for the period (yet): never blank
        # a report page over it.
        raise JobError(f"{project}: the source has no top list for {period.label()}")
    body = render_report(report, run.lang)
    summary = message("summary-top", run.lang, period=period.label())
    header = message("top-header", run.lang, project=project)
    title = page or period.page_title(page_pattern or DEFAULT_PAGE_PATTERNS[kind])
    updates = [PageUpdate(title, body, summary, header=header)]
    current = DEFAULT_CURRENT_PAGES[kind] if current_page is None else current_page
    if current:
        newer = period.key()

        def wanted(region: str | None) -> bool:
            shown = rendered_period(region)
            return shown is None or shown <= newer

        updates.append(PageUpdate(current, body, summary, header=header, wanted=wanted))
    return _write(run, updates, "top-report", period)


def _load_subscriptions(run: Run, page: str | None, file: str | None) -> list[Subscription]:
    import pywikibot

    if file:
        text = Path(file).read_text(encoding="utf-8")
    elif page:
        wiki_page = pywikibot.Page(run.site, page)
        if not wiki_page.exists():
            raise JobError(f"subscription page {page!r} does not exist")
        text = wiki_page.text
    else:
        raise JobError("give --subscriptions PAGE or --subscriptions-file PATH")
    try:
        good, bad = parse_document(text)
    except SubscriptionError as exc:
        raise JobError(f"subscriptions: {exc}") from exc
    for key, reason in bad.items():
        click.echo(f"failed: subscription {key!r}: {reason}", err=True)
    run.extra["failed"] = run.extra.get("failed", 0) + len(bad)
    for sub in list(good):
        if pywikibot.Page(run.site, sub.report).namespace() == 0:
            click.echo(
                f"failed: subscription {sub.project_page!r}: report in the main namespace", err=True
            )
            run.extra["failed"] += 1
            good.remove(sub)
    return good


def _members(run: Run, sub: Subscription, namespaces: Namespaces, pa: bool) -> list[Member]:
    kind = sub.members.kind
    if kind == "default":
        kind = "assessments" if pa else "banner"
    if kind == "category":
        found = category_members(run.api_call, sub.members.name, sub.members.depth, namespaces)
    elif kind == "assessments":
        found = assessment_members(run.api_call, sub.members.name)
    else:
        banner = (
            sub.members.name if sub.members.kind == "banner" else f"Template:WikiProject {sub.name}"
        )
        batch = 500 if run.site.has_right("apihighlimits") else 50
        found = banner_members(run.api_call, banner, namespaces, batch=batch)
    return list(found)


def run_popular_pages(
    run: Run,
    *,
    subscriptions_page: str | None,
    subscriptions_file: str | None,
    month: date | None,
    only: tuple[str, ...],
    redirect_mode: str,
) -> tuple[str, bool]:
    """``wikiviews-bot popular-pages``: one table per subscribed project, views read once."""
    from pywikibot.exceptions import Error as PywikibotError

    project = _need_project(run)
    period = _report_period(run, "month", month)
    subs = _load_subscriptions(run, subscriptions_page, subscriptions_file)
    if only:
        subs = [s for s in subs if s.project_page in only]
    namespaces = Namespaces.load(run.api_call)
    pa = has_page_assessments(run.api_call)
    members: dict[str, list[Member]] = {}
    for sub in subs:
        try:
            members[sub.project_page] = _members(run, sub, namespaces, pa)
        except (PywikibotError, RuntimeError) as exc:
            click.echo(f"failed: members of {sub.project_page!r}: {exc}", err=True)
            run.extra["failed"] = run.extra.get("failed", 0) + 1
    titles = sorted({m.title for found in members.values() for m in found})
    mode = (
        redirect_mode
        if redirect_mode != "auto"
        else ("source" if run.source_spec == "store" else "wiki")
    )
    views = fetch_views(run.source, project, titles, period, redirects=mode == "source")
    if mode == "wiki":
        redirects = redirects_to(run.api_call, titles)
        sources = sorted({r for found in redirects.values() for r in found})
        views = add_redirect_views(
            views, redirects, fetch_views(run.source, project, sources, period, redirects=False)
        )
    updates = []
    for sub in subs:
        if sub.project_page not in members:
            continue
        table = build_table(
            sub.name, period, members[sub.project_page], lambda key: views.get(key, 0), sub.limit
        )
        header = message("popular-header", run.lang, project=page_link(sub.project_page))
        updates.append(
            PageUpdate(
                sub.report,
                render_table(table, run.lang),
                message("summary-popular", run.lang, period=period.label()),
                header=header,
            )
        )
    return _write(run, updates, "popular-pages", period)


def run_readership(
    run: Run,
    *,
    categories: tuple[str, ...],
    pages: tuple[str, ...],
    transcluding: str | None,
    days: int | None,
) -> tuple[str, bool]:
    """``wikiviews-bot readership``: refresh ``Talk:TITLE/pageviews`` data pages."""
    import pywikibot

    from bot.readership import CATEGORIES, days_wanted, render_csv, window, zero_filled

    project = _need_project(run)
    through = run.through()
    site = run.site
    talk_spaces = [ns for ns in site.namespaces if ns > 0 and ns % 2 == 1]
    found: dict[str, pywikibot.Page] = {}
    for title in pages:
        page = pywikibot.Page(site, title)
        talk = page if page.isTalkPage() else page.toggleTalkPage()
        found.setdefault(talk.title(), talk)
    if transcluding:
        for page in pywikibot.Page(site, transcluding).embeddedin(namespaces=talk_spaces):
            found.setdefault(page.title(), page)
    if not pages and not transcluding and not categories:
        categories = CATEGORIES
    for name in categories:
        for page in pywikibot.Category(site, name).members(namespaces=talk_spaces):
            found.setdefault(page.title(), page)
    wanted: dict[int, list[tuple[pywikibot.Page, str]]] = {}
    for talk in found.values():
        text = talk.text if talk.exists() else ""
        wanted.setdefault(days or days_wanted(text), []).append((talk, text))
    updates = []
    summary = message("summary-readership", run.lang, through=through.isoformat())
    for length, talks in sorted(wanted.items()):
        start, end = window(through, length)
        subjects = [talk.toggleTalkPage().title(underscore=True) for talk, _ in talks]
        series = run.source.daily(project, subjects, start, end)
        for (talk, text), subject in zip(talks, subjects, strict=True):
            body = render_csv(subject, zero_filled(series.get(subject, {}), start, end))
            updates.append(
                PageUpdate(f"{talk.title()}/pageviews", body, summary, whole=True, guard=text)
            )
    return _write(run, updates, "readership", Period("day", through, through))
