"""The top-articles report: the most viewed articles of a period, with automated-looking
entries moved to an exclusions list.

Data comes from :class:`backend.sources.PageviewSource`: the period's top list, desktop and
all-access views of the candidates (for the mobile share), their hourly views where the hourly
window holds the period (for the busiest hour) and the previous period's top list (for the
change of rank). Rendering is pure, so tables are unit-tested without a wiki.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from backend.sources import PageviewSource, SourceError
from bot.messages import message
from bot.periods import Period
from bot.wikitext import formatnum, table, title_cell

#: Mobile share outside [MOBILE_LOW, MOBILE_HIGH] flags an entry as likely automated
#: (the heuristic of the Top 25 Report and Wikimedia's annual lists).
MOBILE_LOW = 0.10
MOBILE_HIGH = 0.90
#: An entry whose single busiest hour holds more than this share of its views for the period
#: is flagged as likely automated (checked only where hourly data exists).
ONE_HOUR_SHARE = 0.50
#: Titles never reported (besides the wiki's main page and special pages).
ALWAYS_LEFT_OUT = frozenset({"-", "Main_Page", "Main Page", "Special:Search"})


@dataclass(frozen=True)
class Entry:
    """One article of the report."""

    title: str
    views: int
    mobile_share: float | None
    previous_rank: int | None = None
    rank: int = 0
    flags: tuple[str, ...] = ()


@dataclass
class TopReport:
    """A period's report: the ranked entries and the flagged ones left out."""

    project: str
    period: Period
    entries: list[Entry] = field(default_factory=list)
    excluded: list[Entry] = field(default_factory=list)


@dataclass(frozen=True)
class Filters:
    """Which titles are left out before ranking."""

    main_page: str = "Main Page"
    special_prefixes: tuple[str, ...] = ("Special:",)
    extra: frozenset[str] = frozenset()

    def keeps(self, title: str) -> bool:
        """Whether ``title`` may appear in the report at all."""
        shown = title.replace("_", " ")
        if title in ALWAYS_LEFT_OUT or shown in ALWAYS_LEFT_OUT or not shown.strip():
            return False
        if shown == self.main_page.replace("_", " ") or shown in self.extra:
            return False
        return not any(shown.startswith(prefix) for prefix in self.special_prefixes)


def automated_flags(
    mobile_share: float | None, busiest_hour: tuple[float, str] | None = None
) -> tuple[str, ...]:
    """The reasons an entry looks automated (empty: it looks human).

    ``busiest_hour`` is the share of the period's views in the entry's busiest hour and that
    hour (``YYYYMMDDHH``), or ``None`` where no hourly data exists.
    """
    flags: list[str] = []
    if mobile_share is not None and mobile_share < MOBILE_LOW:
        flags.append(f"mobile-low:{mobile_share:.4f}")
    elif mobile_share is not None and mobile_share > MOBILE_HIGH:
        flags.append(f"mobile-high:{mobile_share:.4f}")
    if busiest_hour is not None and busiest_hour[0] > ONE_HOUR_SHARE:
        flags.append(f"one-hour:{busiest_hour[0]:.4f}:{busiest_hour[1]}")
    return tuple(flags)


def _period_range(period: Period):
    end = None if period.kind == "day" else period.end
    return period.start, end


def _ranks(source: PageviewSource, project: str, period: Period, filters: Filters):
    start, end = _period_range(period)
    top = source.top(project, start, end)
    kept = [article for article in top.articles if filters.keeps(article.title)]
    return top, kept


def _totals(series: dict[str, dict[str, int]]) -> dict[str, int]:
    return {title.replace(" ", "_"): sum(days.values()) for title, days in series.items()}


def _mobile_shares(
    source: PageviewSource, project: str, period: Period, titles: list[str]
) -> dict[str, float | None]:
    every = _totals(source.daily(project, titles, period.start, period.end, access="all-access"))
    desktop = _totals(source.daily(project, titles, period.start, period.end, access="desktop"))
    shares: dict[str, float | None] = {}
    for title in titles:
        key = title.replace(" ", "_")
        total = every.get(key, 0)
        shares[title] = None if total <= 0 else max(0.0, (total - desktop.get(key, 0)) / total)
    return shares


def _busiest_hours(
    source: PageviewSource, project: str, period: Period, views: dict[str, int]
) -> dict[str, tuple[float, str]]:
    """Title → (share of its ``views`` in its busiest hour, that hour), for the titles with
    hourly data in the period; a source that cannot answer hourly questions gives none."""
    try:
        hourly = source.hourly(project, list(views), period.start, period.end)
    except SourceError:
        return {}
    busiest: dict[str, tuple[float, str]] = {}
    for title, hours in hourly.items():
        total = views.get(title, 0)
        if hours and total > 0:
            hour = max(hours, key=lambda key: (hours[key], key))
            busiest[title] = (hours[hour] / total, hour)
    return busiest


def build_report(
    source: PageviewSource,
    project: str,
    period: Period,
    *,
    limit: int = 25,
    filters: Filters | None = None,
    flag: bool = True,
) -> TopReport:
    """The report of ``period``: ``limit`` unflagged entries, the flagged ones among them apart."""
    filters = filters or Filters()
    _top, candidates = _ranks(source, project, period, filters)
    try:
        _prev, previous = _ranks(source, project, period.previous(), filters)
    except SourceError:
        previous = []
    previous_rank = {a.title.replace(" ", "_"): i for i, a in enumerate(previous, 1)}
    report = TopReport(project, period)
    position = 0
    chunk = max(limit * 2, 20)
    while len(report.entries) < limit and position < len(candidates):
        batch = candidates[position : position + chunk]
        position += len(batch)
        shares = _mobile_shares(source, project, period, [a.title for a in batch]) if flag else {}
        hours = (
            _busiest_hours(source, project, period, {a.title: a.views for a in batch})
            if flag
            else {}
        )
        for article in batch:
            share = shares.get(article.title)
            entry = Entry(
                title=article.title,
                views=article.views,
                mobile_share=share,
                previous_rank=previous_rank.get(article.title.replace(" ", "_")),
                flags=automated_flags(share, hours.get(article.title)) if flag else (),
            )
            if entry.flags:
                report.excluded.append(entry)
                continue
            report.entries.append(_ranked(entry, len(report.entries) + 1))
            if len(report.entries) == limit:
                break
    return report


def _ranked(entry: Entry, rank: int) -> Entry:
    return Entry(entry.title, entry.views, entry.mobile_share, entry.previous_rank, rank)


def _change(entry: Entry, lang: str) -> str:
    if entry.previous_rank is None:
        return message("top-new", lang)
    delta = entry.previous_rank - entry.rank
    if delta > 0:
        return f"▲ {delta}"
    if delta < 0:
        return f"▼ {-delta}"
    return "="


def _share(share: float | None) -> str:
    return "–" if share is None else f"{share * 100:.0f}%"


def _reason(flags: Iterable[str], lang: str) -> str:
    reasons = []
    for item in flags:
        kind, _, value = item.partition(":")
        value, _, hour = value.partition(":")
        share = _share(float(value))
        if kind == "one-hour":
            when = f"{hour[:4]}-{hour[4:6]}-{hour[6:8]} {hour[8:10]}:00"
            reasons.append(
                message("flag-one-hour", lang, share=share, hour=when, limit=_share(ONE_HOUR_SHARE))
            )
        elif kind == "mobile-low":
            reasons.append(message("flag-mobile-low", lang, share=share, limit=_share(MOBILE_LOW)))
        else:
            reasons.append(
                message("flag-mobile-high", lang, share=share, limit=_share(MOBILE_HIGH))
            )
    return "; ".join(reasons)


def render_report(report: TopReport, lang: str = "en") -> str:
    """The wikitext between the markers: period, table and exclusions. No timestamps."""
    m = lambda key, **f: message(key, lang, **f)  # noqa: E731
    rows = [
        [
            str(e.rank),
            title_cell(e.title),
            formatnum(e.views),
            _change(e, lang),
            _share(e.mobile_share),
        ]
        for e in report.entries
    ]
    parts = [
        f"<!-- period {report.period.key()} -->",
        m("top-period", period=report.period.label()),
        "",
        table(
            [m("top-rank"), m("top-article"), m("top-views"), m("top-change"), m("top-mobile")],
            rows,
        ),
    ]
    if report.excluded:
        excluded_rows = [
            [
                title_cell(e.title),
                formatnum(e.views),
                _share(e.mobile_share),
                _reason(e.flags, lang),
            ]
            for e in report.excluded
        ]
        parts += [
            "",
            f"=== {m('top-exclusions')} ===",
            m("top-exclusions-intro"),
            "",
            table(
                [m("top-article"), m("top-views"), m("top-mobile"), m("top-reason")],
                excluded_rows,
                css="wikitable",
            ),
        ]
    return "\n".join(parts)


def rendered_period(region: str | None) -> str | None:
    """The period key a rendered report carries (``None`` when there is none)."""
    if not region:
        return None
    for line in region.splitlines():
        line = line.strip()
        if line.startswith("<!-- period ") and line.endswith(" -->"):
            return line[len("<!-- period ") : -len(" -->")]
    return None
