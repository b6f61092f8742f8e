"""Popular-pages tables per WikiProject: views of every member over a month, the top rows.

All projects of a run share one views lookup: the union of their members' titles is read in
batches of :data:`VIEWS_BATCH` titles (one query each against the store, one batched request
against an API), never once per project or per title. Ranking keeps only ``limit`` rows per
project (``heapq``); the total is a running sum.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from backend.sources import PageviewSource
from bot.membership import Member
from bot.messages import message
from bot.periods import Period
from bot.wikitext import formatnum, nowiki, table, title_cell

#: Titles per views question. The store resolves a batch's titles (and their redirects) with
#: IN lists whose cost grows faster than the batch: 100,000 titles of a 1 M-title SQLite store
#: took 5-8 s in batches of 250-500, 10 s in batches of 1,000 and 16 s in batches of 4,000
#: (bench/bot.py's store; the machine's load made single runs vary by about a third).
VIEWS_BATCH = 500


@dataclass(frozen=True)
class Row:
    """One row of a popular-pages table."""

    rank: int
    title: str
    views: int
    daily_average: int
    assessment: str
    importance: str


@dataclass(frozen=True)
class PopularTable:
    """A project's table for a period."""

    project: str
    period: Period
    total: int
    rows: list[Row]


def _key(title: str) -> str:
    return title.replace(" ", "_")


def fetch_views(
    source: PageviewSource,
    project: str,
    titles: Iterable[str],
    period: Period,
    *,
    redirects: bool = True,
    batch: int = VIEWS_BATCH,
) -> dict[str, int]:
    """``{title_with_underscores: views}`` over ``period`` for every title with views."""
    views: dict[str, int] = {}
    pending: list[str] = []

    def flush() -> None:
        if not pending:
            return
        if period.kind == "month":
            series = source.monthly(project, pending, period.start, period.end, redirects=redirects)
        else:
            series = source.daily(project, pending, period.start, period.end, redirects=redirects)
        for title, days in series.items():
            total = sum(days.values())
            if total:
                views[_key(title)] = views.get(_key(title), 0) + total
        pending.clear()

    for title in titles:
        pending.append(_key(title))
        if len(pending) >= batch:
            flush()
    flush()
    return views


def add_redirect_views(
    views: dict[str, int], redirects: dict[str, list[str]], redirect_views: dict[str, int]
) -> dict[str, int]:
    """Targets' views with their redirects' views summed in (for sources without redirects)."""
    summed = dict(views)
    for target, sources in redirects.items():
        extra = sum(redirect_views.get(_key(r), 0) for r in sources)
        if extra:
            summed[_key(target)] = summed.get(_key(target), 0) + extra
    return summed


def build_table(
    project: str,
    period: Period,
    members: Iterable[Member],
    views: Callable[[str], int],
    limit: int,
) -> PopularTable:
    """The ``limit`` most viewed members (ties by title) and the total over all members."""
    total = 0
    seen: set[str] = set()

    def counted() -> Iterable[tuple[int, str, Member]]:
        nonlocal total
        for member in members:
            key = member.key
            if key in seen:
                continue
            seen.add(key)
            count = views(key)
            total += count
            yield count, member.title, member

    best = heapq.nsmallest(limit, counted(), key=lambda item: (-item[0], item[1]))
    days = period.days
    rows = [
        Row(rank, m.title, count, count // days, m.assessment, m.importance)
        for rank, (count, _title, m) in enumerate(best, 1)
    ]
    return PopularTable(project, period, total, rows)


def render_table(popular: PopularTable, lang: str = "en") -> str:
    """The wikitext between the markers (no timestamp: unchanged data means no edit)."""
    m = lambda key, **f: message(key, lang, **f)  # noqa: E731
    unknown = m("unknown")
    rows = [
        [
            str(row.rank),
            title_cell(row.title),
            formatnum(row.views),
            formatnum(row.daily_average),
            nowiki(row.assessment) if row.assessment else unknown,
            nowiki(row.importance) if row.importance else unknown,
        ]
        for row in popular.rows
    ]
    header = [
        m("popular-rank"),
        m("popular-page"),
        m("popular-views"),
        m("popular-average"),
        m("popular-class"),
        m("popular-importance"),
    ]
    return "\n".join(
        [
            m(
                "popular-period",
                start=popular.period.start.isoformat(),
                end=popular.period.end.isoformat(),
            ),
            "",
            m("popular-total", total=formatnum(popular.total)),
            "",
            table(header, rows),
        ]
    )
