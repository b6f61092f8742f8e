"""An in-memory implementation of :class:`backend.sources.PageviewSource` for the bot's tests.

Views are held per project, title, access method and day; ``mobile`` days count in
``all-access`` and not in ``desktop``. Redirects are summed into their targets on request,
as the store does. Agent is ignored (everything is ``user``). Hourly views (the hourly
window) are held apart, all-access only, and only where :meth:`MemorySource.add_hour` put them.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from backend.sources import NotPublished, Summary, TopArticle, TopList


def _days(start: date, end: date):
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


class MemorySource:
    """A test double of the read model, backed by dictionaries."""

    def __init__(self, through: date | None = None) -> None:
        self._through = through
        # (project, title) -> {day: {"desktop": n, "mobile": n}}
        self.views: dict[tuple[str, str], dict[date, dict[str, int]]] = defaultdict(dict)
        self.redirects: dict[str, dict[str, str]] = defaultdict(dict)  # project -> {from: to}
        self.calls: list[tuple[str, int]] = []
        # (project, title) -> {"YYYYMMDDHH": views}
        self.hours: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)

    def add(self, project: str, title: str, day: date, desktop: int, mobile: int = 0) -> None:
        """Record views of ``title`` on ``day``."""
        self.views[(project, title.replace(" ", "_"))][day] = {"desktop": desktop, "mobile": mobile}

    def add_hour(self, project: str, title: str, day: date, hour: int, views: int) -> None:
        """Record all-access views of ``title`` in ``hour`` of ``day`` (the hourly window)."""
        self.hours[(project, title.replace(" ", "_"))][f"{day:%Y%m%d}{hour:02d}"] = views

    def add_redirect(self, project: str, source: str, target: str) -> None:
        """Make ``source`` a redirect to ``target``."""
        self.redirects[project][source.replace(" ", "_")] = target.replace(" ", "_")

    def _count(self, project: str, title: str, day: date, access: str) -> int:
        counts = self.views.get((project, title), {}).get(day)
        if not counts:
            return 0
        if access == "desktop":
            return counts["desktop"]
        if access == "all-access":
            return counts["desktop"] + counts["mobile"]
        return 0

    def _titles(self, project: str, title: str, redirects: bool) -> list[str]:
        key = title.replace(" ", "_")
        if not redirects:
            return [key]
        return [key] + [s for s, t in self.redirects[project].items() if t == key]

    def through(self, project: str) -> date | None:
        return self._through if any(p == project for p, _ in self.views) else None

    def daily(
        self,
        project,
        titles,
        start,
        end,
        *,
        access="all-access",
        agent="user",
        redirects=False,
        zero_fill=False,
    ):
        self.calls.append(("daily", len(titles)))
        out: dict[str, dict[str, int]] = {}
        for title in titles:
            series: dict[str, int] = {}
            for day in _days(start, end):
                n = sum(
                    self._count(project, t, day, access)
                    for t in self._titles(project, title, redirects)
                )
                if n or zero_fill:
                    series[day.strftime("%Y%m%d")] = n
            out[title] = series
        return out

    def monthly(
        self, project, titles, start, end, *, access="all-access", agent="user", redirects=False
    ):
        self.calls.append(("monthly", len(titles)))
        out: dict[str, dict[str, int]] = {}
        for title, series in self.daily(
            project, titles, start, end, access=access, redirects=redirects
        ).items():
            months: dict[str, int] = {}
            for key, n in series.items():
                months[key[:6] + "01"] = months.get(key[:6] + "01", 0) + n
            out[title] = months
        self.calls.pop()
        return out

    def hourly(self, project, titles, start, end, *, access="all-access", agent="user"):
        self.calls.append(("hourly", len(titles)))
        first, last = f"{start:%Y%m%d}00", f"{end:%Y%m%d}23"
        out: dict[str, dict[str, int]] = {}
        for title in titles:
            held = self.hours.get((project, title.replace(" ", "_")), {})
            out[title] = {
                key: n
                for key, n in sorted(held.items())
                if first <= key <= last and access == "all-access" and n
            }
        return out

    def top(self, project, start, end=None, *, access="all-access", limit=1000):
        end = end or start
        if self._through is None or end > self._through:
            raise NotPublished(f"{project} has no data for {end}")
        totals: dict[str, int] = defaultdict(int)
        for p, title in self.views:
            if p != project:
                continue
            for day in _days(start, end):
                totals[title] += self._count(project, title, day, access)
        ranked = sorted(((v, t) for t, v in totals.items() if v > 0), key=lambda x: (-x[0], x[1]))
        articles = [TopArticle(t, v, i) for i, (v, t) in enumerate(ranked[:limit], 1)]
        return TopList(project, access, start, end, articles)

    def aggregate(
        self, project, start, end, *, access="all-access", agent="user", granularity="daily"
    ):
        raise NotImplementedError

    def summary(
        self, project, title, *, days=60, agent="user", access="all-access", redirects=False
    ) -> Summary:
        raise NotImplementedError
