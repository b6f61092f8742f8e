"""The pywikibot Bot that writes the bot's part of pages, for every job.

Each :class:`PageUpdate` names a page and the body to put between the markers. For each page
the writer checks exclusion (``{{bots}}``/``{{nobots}}``, ``optout=`` for deliveries), builds
the new text (:func:`bot.markers.render_page`), and saves only when it differs. ``simulate``
prints a unified diff instead. Failures are counted, never raised: one page never stops a run.
"""

from __future__ import annotations

import difflib
import json
import os
from collections import Counter
from collections.abc import Iterator
from typing import Any

import click
import pywikibot
from pywikibot.bot import CurrentPageBot, SingleSiteBot
from pywikibot.exceptions import Error as PywikibotError
from pywikibot.exceptions import OtherPageSaveError

from bot.exclusion import may_edit
from bot.markers import MarkerError, region_text, render_page
from bot.state import RunState
from bot.updates import PageUpdate

#: Test hook: the process dies (exit status 75) once this many pages are treated and recorded.
CRASH_ENV = "WIKIVIEWS_BOT_CRASH_AFTER_PAGES"


class ReportWriter(SingleSiteBot, CurrentPageBot):
    """Writes :class:`PageUpdate` bodies between the bot's markers (pywikibot's Bot shape)."""

    def __init__(
        self,
        site: Any,
        updates: list[PageUpdate],
        *,
        state: RunState,
        simulate: bool = False,
        user: str | None = None,
    ) -> None:
        self.updates = updates
        self.state = state
        self.simulate = simulate
        self.user = user or site.username()
        self.outcomes: Counter[str] = Counter()
        self.failures: list[tuple[str, str]] = []
        self.saved: dict[str, int] = {}
        self._update: PageUpdate | None = None
        super().__init__(site=site, generator=self._pages())

    def _pages(self) -> Iterator[pywikibot.Page]:
        for update in self.updates:
            if self.state.settled(update.title):
                self.outcomes["resumed"] += 1
                continue
            try:
                page = pywikibot.Page(self.site, update.title)
            except PywikibotError as exc:
                self._fail(update.title, str(exc))
                continue
            self._update = update
            yield page

    def _fail(self, title: str, reason: str) -> None:
        self.outcomes["failed"] += 1
        self.failures.append((title, reason))
        self.state.record(title, "failed")
        click.echo(f"failed: {title}: {reason}", err=True)

    def treat_page(self) -> None:
        """Write the current page's update (never raises for one page's trouble)."""
        update = self._update
        assert update is not None
        try:
            outcome = self._write(self.current_page, update)
        except (PywikibotError, MarkerError, OSError) as exc:
            self._fail(update.title, f"{type(exc).__name__}: {exc}")
            return
        self.outcomes[outcome] += 1
        self.state.record(update.title, outcome)
        _crash_hook(len(self.state.pages))

    def _write(self, page: pywikibot.Page, update: PageUpdate) -> str:
        exists = page.exists()
        old = page.text if exists else None
        verdict = may_edit(old or "", self.user)
        if verdict.allowed and update.guard is not None:
            verdict = may_edit(update.guard, self.user)
        if not verdict.allowed:
            click.echo(f"excluded: {update.title} ({verdict.reason})")
            return "excluded"
        wanted = update.wanted
        if wanted is not None and not wanted(region_text(old) if old is not None else None):
            return "skipped"
        if update.whole:
            # MediaWiki drops trailing whitespace on save: compare as it would store the text.
            new = update.body.rstrip()
        else:
            new = render_page(old, update.body, header=update.header, footer=update.footer)
        if new == old or (update.whole and old is not None and _same_data(page, old, new)):
            return "unchanged"
        if self.simulate:
            click.echo(_diff(update.title, old or "", new), nl=False)
            return "created" if old is None else "edited"
        page.text = new
        try:
            page.save(summary=update.summary, bot=True, minor=False, quiet=True)
        except OtherPageSaveError as exc:
            # pywikibot's own check on save (it also knows the site's {{in use}} templates).
            if "{{bots}}" in str(exc) or "nobots" in str(exc):
                click.echo(f"excluded: {update.title} (pywikibot: {exc})")
                return "excluded"
            raise
        self.saved[update.title] = page.latest_revision_id
        return "created" if old is None else "edited"

    def exit(self) -> None:
        """No pywikibot statistics: the command prints its own summary."""
        self.teardown()


def _same_data(page: pywikibot.Page, old: str, new: str) -> bool:
    """Whether a whole-page body is what the page holds, as MediaWiki would store it."""
    if new == old.rstrip():
        return True
    if page.content_model == "json":
        # MediaWiki stores JSON pages re-serialised (tabs): compare the data, not the bytes.
        try:
            return json.loads(old) == json.loads(new)
        except ValueError:
            return False
    return False


def _crash_hook(treated: int) -> None:
    limit = os.environ.get(CRASH_ENV)
    if limit and treated >= int(limit):
        os._exit(75)


def _diff(title: str, old: str, new: str) -> str:
    lines = difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile=f"{title} (now)",
        tofile=f"{title} (new)",
    )
    text = "".join(line if line.endswith("\n") else line + "\n" for line in lines)
    return text
