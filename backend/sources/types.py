"""The read model's result types and errors (re-exported by :mod:`backend.sources`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


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


@dataclass(frozen=True)
class ProjectStatus:
    """What the store holds for one project."""

    project: str
    first_day: date | None
    last_day: date | None
    #: Published days.
    days: int
    #: Source name (``pageview_complete``, ``pageviews``, ``pagecounts``) → days it won.
    sources: dict[str, int]
    #: Hours held back by the smoke check (those of every project included).
    held_hours: int


@dataclass(frozen=True)
class StoreStatus:
    """What is loaded: every project, and the store's size on disk (``None``: unknown)."""

    backend: str
    projects: list[ProjectStatus]
    size_bytes: int | None
    #: (project, day, source) whose hourly files wait for the day's missing hours.
    pending_days: int = 0
