"""The read model: the questions every consumer asks, answered from the store or an API.

The API's views, the bot and the statistics page ask their questions here and nowhere else:

* :class:`PageviewSource` is the protocol;
* ``StoreSource`` answers from the store (through :mod:`backend.queries`);
* ``ApiSource`` answers from any HTTP API with Wikimedia's pageview routes: wikiviews' own
  (using its ``/api/wikiviews/v1/`` extensions when the server offers them) or Wikimedia's;
* :func:`open_source` picks one from a spec: ``None`` (the configured store), a database URL,
  or an ``http(s)://`` base URL (the part before ``/api/…``).

Dates are :class:`datetime.date`; series are keyed by ``YYYYMMDD`` strings (``YYYYMM01`` for
months), as the wire formats are. ``access`` and ``agent`` take the API's values
(``all-access``, ``desktop``, ``mobile-web``, ``mobile-app``; ``all-agents``, ``user``,
``spider``, ``automated``). Titles are returned exactly as given (spaces or underscores).
Series are zero-free (days without views are absent) unless ``zero_fill=True``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol, runtime_checkable


class SourceError(Exception):
    """A question the source cannot answer (unknown project, unreachable API, …)."""


class NotPublished(SourceError):
    """The project has no published data (the API's 404)."""


@dataclass(frozen=True)
class TopArticle:
    """One article of a top list."""

    title: str
    views: int
    rank: int


@dataclass(frozen=True)
class TopList:
    """A project's top list for a day, a month or a range of days."""

    project: str
    access: str
    start: date
    end: date
    articles: list[TopArticle]
    #: ``exact`` (daily counts) or ``months`` (whole months of monthly totals).
    method: str = "exact"


@dataclass(frozen=True)
class Summary:
    """What the gadget shows for one article (DESIGN.md's summary JSON)."""

    project: str
    title: str
    through: date
    #: ``days`` consecutive days ending at ``through``, zero-filled, oldest first.
    series: list[tuple[date, int]]
    total_30: int
    average_30: float
    previous_total_30: int
    change_pct: float | None
    rank: int | None
    rank_date: date | None
    redirects: list[str] = field(default_factory=list)


@runtime_checkable
class PageviewSource(Protocol):
    """The questions the API, the bot and the statistics page ask of pageview data."""

    def through(self, project: str) -> date | None:
        """The last day with published data for ``project`` (``None``: nothing published)."""
        ...

    def daily(
        self,
        project: str,
        titles: list[str],
        start: date,
        end: date,
        *,
        access: str = "all-access",
        agent: str = "user",
        redirects: bool = False,
        zero_fill: bool = False,
    ) -> dict[str, dict[str, int]]:
        """``{title: {"YYYYMMDD": views}}`` for every title given, inclusive range."""
        ...

    def monthly(
        self,
        project: str,
        titles: list[str],
        start: date,
        end: date,
        *,
        access: str = "all-access",
        agent: str = "user",
        redirects: bool = False,
    ) -> dict[str, dict[str, int]]:
        """``{title: {"YYYYMM01": views}}``: whole months within ``start``..``end``."""
        ...

    def top(
        self,
        project: str,
        start: date,
        end: date | None = None,
        *,
        access: str = "all-access",
        limit: int = 1000,
    ) -> TopList:
        """The top list of a day (``end`` omitted), a whole month, or a range of days."""
        ...

    def aggregate(
        self,
        project: str,
        start: date,
        end: date,
        *,
        access: str = "all-access",
        agent: str = "user",
        granularity: str = "daily",
    ) -> dict[str, int]:
        """A project's (or ``all-projects``') totals: ``{"YYYYMMDD[HH]": views}``."""
        ...

    def summary(
        self,
        project: str,
        title: str,
        *,
        days: int = 60,
        agent: str = "user",
        access: str = "all-access",
        redirects: bool = False,
    ) -> Summary:
        """The summary of one article over ``days`` days ending at :meth:`through`."""
        ...
