"""Deliveries: a short new-section notice on each listed page when a report has a new revision.

The delivery list is a page in the MassMessage formats: wikitext with one
``{{#target:Page}}`` (or ``[[Page]]``) a line, or MassMessage's JSON list content. Each notice
carries a hidden key (report and revision); a target already holding that key, or recorded in
the local delivery log, is never posted to again, so reruns and lost state files cannot double
post. ``{{bots|optout=wikiviews}}``, ``{{bots|deny=…}}`` and ``{{nobots}}`` are honoured.
"""

from __future__ import annotations

import json
import re
from collections import Counter

import click
import mwparserfromhell

from bot.exclusion import MESSAGE_TYPE, may_edit
from bot.jobs import JobError, Run
from bot.messages import message
from bot.state import DeliveryLog, run_key
from bot.updates import summary_line
from bot.wikitext import page_link

_LINK_LINE = re.compile(r"^\s*[*#]?\s*\[\[\s*([^\[\]|]+?)\s*(?:\|[^\]]*)?\]\]")


def parse_targets(text: str, content_model: str = "wikitext") -> list[str]:
    """Target page titles of a delivery list, in order, without duplicates."""
    targets: list[str] = []
    if content_model in ("MassMessageListContent", "json") or text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            data = None
        if isinstance(data, dict):
            for item in data.get("targets", []):
                if isinstance(item, dict) and item.get("title") and not item.get("site"):
                    targets.append(str(item["title"]))
            return _user_talk(targets)
    for line in text.splitlines():
        code = mwparserfromhell.parse(line)
        found = None
        for template in code.filter_templates(recursive=False):
            name = str(template.name).strip()
            # A second parameter names another wiki: only local targets are delivered.
            if name.lower().startswith("#target:") and not template.has(1):
                found = name.split(":", 1)[1].strip()
        if found is None:
            match = _LINK_LINE.match(line)
            found = match.group(1).lstrip(":").strip() if match else None
        if found:
            targets.append(found)
    return _user_talk(targets)


def _user_talk(titles: list[str]) -> list[str]:
    seen: list[str] = []
    for title in titles:
        # As MassMessage does: a user page target gets the notice on the user's talk page.
        if title.lower().startswith("user:"):
            title = "User talk:" + title.split(":", 1)[1]
        if title not in seen:
            seen.append(title)
    return seen


def delivery_key(report: str, revid: int) -> str:
    """The hidden comment that marks a delivery of one report revision."""
    safe = report.replace("--", "‐‐")
    return f"<!-- wikiviews-bot delivery: {safe} @{revid} -->"


def run_deliver(run: Run, *, list_page: str, reports: tuple[str, ...]) -> tuple[str, bool]:
    """``wikiviews-bot deliver``: announce each report revision once per target."""
    import pywikibot
    from pywikibot.exceptions import Error as PywikibotError

    site = run.site
    run.extra["list_page"] = list_page
    list_wiki = pywikibot.Page(site, list_page)
    if not list_wiki.exists():
        raise JobError(f"delivery list {list_page!r} does not exist")
    targets = parse_targets(list_wiki.text, list_wiki.content_model)
    log = DeliveryLog(run.data_dir / "bot" / f"deliveries-{run_key(site.base_url(''))}.json")
    outcomes: Counter[str] = Counter()
    user = site.username()
    for report in reports:
        report_page = pywikibot.Page(site, report)
        if not report_page.exists():
            click.echo(f"failed: report {report!r} does not exist", err=True)
            outcomes["failed"] += 1
            continue
        revid = report_page.latest_revision_id
        key = delivery_key(report_page.title(), revid)
        for target in targets:
            try:
                outcome = _deliver_one(run, site, report_page, revid, key, target, log, user)
            except PywikibotError as exc:
                click.echo(f"failed: {target}: {exc}", err=True)
                outcome = "failed"
            outcomes[outcome] += 1
    return summary_line(outcomes, run.simulate), outcomes.get("failed", 0) > 0


def _deliver_one(run, site, report_page, revid, key, target, log, user) -> str:
    import pywikibot

    report = report_page.title()
    if log.delivered(report, revid, target):
        return "unchanged"
    page = pywikibot.Page(site, target)
    text = page.text if page.exists() else ""
    if key in text:
        if not run.simulate:
            log.record(report, revid, target)
        return "unchanged"
    verdict = may_edit(text, user, message_type=MESSAGE_TYPE)
    if not verdict.allowed:
        click.echo(f"excluded: {target} ({verdict.reason})")
        return "excluded"
    subject = message("deliver-subject", run.lang, report=report)
    body = message(
        "deliver-body",
        run.lang,
        report=page_link(report),
        version=f"[[Special:PermanentLink/{revid}|{revid}]]",
        list=page_link(run.extra.get("list_page", "")) if run.extra.get("list_page") else "",
    )
    body = f"{body} ~~~~\n{key}"
    if run.simulate:
        click.echo(f"--- {target}: new section {subject!r}\n{body}\n")
        return "created" if not text else "edited"
    site.editpage(
        page, summary=subject, text=body, section="new", sectiontitle=subject, bot=True, minor=False
    )
    log.record(report, revid, target)
    return "created" if not text else "edited"
