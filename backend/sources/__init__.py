"""The read model: the questions every consumer asks, answered from the store or an API.

The API's views, the bot and the statistics page ask their questions here and nowhere else:

* :class:`PageviewSource` is the protocol;
* ``StoreSource`` answers from the store (through :mod:`backend.queries`);
* ``ApiSource`` answers from any HTTP API with Wikimedia's pageview routes: wikiviews' own
  (using its ``/api/wikiviews/v1/`` extensions when the server offers them) or Wikimedia's;
* :func:`open_source` picks one from a spec: ``None`` (the configured store), a database URL,
  or an ``http(s)://`` base URL (the part before ``/api/…``).

Dates are :class:`datetime.date`; series are keyed by ``YYYYMMDD`` strings (``YYYYMM01`` for
months, ``YYYYMMDDHH`` for hours), as the wire formats are. ``access`` and ``agent`` take the
API's values (``all-access``, ``desktop``, ``mobile-web``, ``mobile-app``; ``all-agents``,
``user``, ``spider``, ``automated``). Titles are returned exactly as given (spaces or underscores).
Days without any views are absent from series unless ``zero_fill=True`` (then every day from
``start`` to the last published day within ``end`` is there); a day with views that are not of
the access and agent asked for is there with 0, as in Wikimedia's API (zero is not absence).
Questions without data answer empty (``{}``, an empty top list), as a 404 of the API does;
only :meth:`PageviewSource.summary` raises :class:`NotPublished`.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol, runtime_checkable

from backend.sources.types import (
    NotPublished,
    ProjectStatus,
    SourceError,
    StoreStatus,
    Summary,
    TopArticle,
    TopList,
)


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

    def hourly(
        self,
        project: str,
        titles: list[str],
        start: date,
        end: date,
        *,
        access: str = "all-access",
        agent: str = "user",
    ) -> dict[str, dict[str, int]]:
        """``{title: {"YYYYMMDDHH": views}}`` for every title given, from hour 00 of ``start``
        to hour 23 of ``end``, clipped to the hourly window (empty series outside it)."""
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


def open_source(spec: str | None = None, **options: object) -> PageviewSource:
    """The source a spec names: ``None`` (the configured store), a database URL, or an
    ``http(s)://`` base URL (``options`` go to :class:`ApiSource`, e.g. ``user_agent=``)."""
    if spec is not None and spec.startswith(("http://", "https://")):
        from backend.sources.http import ApiSource

        return ApiSource(spec, **options)  # type: ignore[arg-type]
    from backend import db
    from backend.settings import load_settings

    settings = load_settings() if spec is None else load_settings(database_url=spec)
    return StoreSource(db.make_engine(settings))


from backend.sources.store import StoreSource  # noqa: E402  (it imports the types above)


def __getattr__(name: str) -> object:
    # ApiSource brings requests in: loaded when first asked for, not by the API server.
    if name == "ApiSource":
        from backend.sources.http import ApiSource

        return ApiSource
    raise AttributeError(name)


__all__ = [
    "ApiSource",
    "NotPublished",
    "PageviewSource",
    "ProjectStatus",
    "SourceError",
    "StoreSource",
    "StoreStatus",
    "Summary",
    "TopArticle",
    "TopList",
    "open_source",
]
