"""wikiviews' own routes under ``/api/wikiviews/v1/``: what Wikimedia's API does not offer.

* ``summary/{project}/{title}``: the gadget's one request (daily series, 30-day totals, rank);
* ``per-article-hourly/{project}/{access}/{agent}/{title}/{start}/{end}``: the hourly window;
* ``per-article/{project}/{access}/{agent}/{granularity}/{start}/{end}?titles=A|B``: several
  articles in one request;
* ``top/{project}/{access}/{start}/{end}``: top lists over a range of days;
* ``per-article-by-country/{project}/{access}/{title}/{start}/{end}``: an article's daily
  views by country, as the raw-log ingest publishes them (thresholded, rounded);
* ``freshness/{project}``: what is published, from which source, and what is held;
* ``projects``: every loaded project, its published days and sources, and the store's size.

The per-article routes take ``redirects=1`` (views of the redirects to a title summed in),
``zero_fill=1`` (a zero for every published day or visible hour without views) and
``format=csv``. Every limit (span, articles, query time) answers a 400 naming the setting.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote, unquote

from flask import Blueprint, request

from backend import queries
from backend.api import options, params
from backend.api.problems import invalid_request, not_found
from backend.api.responses import json_response
from backend.api.store import connection, timeout_problem
from backend.codes import SOURCE_NAMES, Source
from backend.sources import NotPublished, StoreSource
from backend.sources.status import status_json
from backend.sources.summary import DEFAULT_DAYS
from backend.timeutil import day_date, day_stamp, month_days, month_of_day

PREFIX = "/api/wikiviews/v1"
blueprint = Blueprint("wikiviews", __name__, url_prefix=PREFIX)

#: Longest range answered exactly from daily counts; longer ranges use whole months.
EXACT_TOP_DAYS = 31
TOP_DEFAULT_LIMIT = 100
TOP_MAX_LIMIT = 1000
FRESHNESS_DEFAULT_DAYS = 7
FRESHNESS_MAX_DAYS = 31
#: Freshness changes every hour: it is cached for at most this long.
FRESHNESS_MAX_AGE = 300


@functools.lru_cache(maxsize=1 << 16)
def _date_stamp(day: date) -> str:
    """``YYYYMMDD`` of a date (cached: the summary formats 60 of them a request)."""
    return f"{day:%Y%m%d}"


def _items_response(items: list[dict], columns: Sequence[str], extra: dict | None = None):
    if options.output_format() == "csv":
        return options.csv_response(columns, ([item[c] for c in columns] for item in items))
    return json_response({"items": items, **(extra or {})})


def _published_project(name: str) -> tuple[int, int]:
    """(project id, last published day), or the 404 when the project has nothing published."""
    state = queries.project_and_through(connection(limited=True), name)
    if state is None or state[1] is None:
        raise not_found()
    return state[0], state[1]


@blueprint.get("/summary/<project>/<path:title>")
def summary(project: str, title: str):
    """Everything the gadget shows, in one request (the JSON shape DESIGN.md fixes)."""
    segments = options.raw_segments("/summary/", 2)
    agent = params.choice("agent", request.args.get("agent", "user"), params.AGENTS)
    access = params.choice("access", request.args.get("access", "all-access"), params.ACCESS)
    name = params.project(unquote(segments[0]))
    article = params.article("/".join(segments[1:]))
    days = options.number("days", DEFAULT_DAYS, 1, options.settings().max_days, "max_days")
    with_redirects = options.flag("redirects")
    try:
        found = StoreSource(connection(limited=True)).summary(
            name, article, days=days, agent=agent, access=access, redirects=with_redirects
        )
    except NotPublished:
        raise not_found() from None
    through = found.through
    return json_response(
        {
            "project": found.project,
            "title": found.title,
            "through": f"{through:%Y%m%d}",
            "series": [{"date": _date_stamp(day), "views": views} for day, views in found.series],
            "total_30": found.total_30,
            "average_30": found.average_30,
            "previous_total_30": found.previous_total_30,
            "change_pct": found.change_pct,
            "rank": found.rank,
            "rank_date": f"{found.rank_date:%Y%m%d}" if found.rank_date else None,
            "redirects": found.redirects,
        }
    )


def _titles_param() -> list[str]:
    """Titles of ``titles=A|B|C`` and of repeated ``title=`` (which may contain ``|``)."""
    raw: list[str] = []
    for value in request.args.getlist("titles"):
        raw.extend(value.split("|"))
    raw.extend(request.args.getlist("title"))
    # Query values arrive decoded once already; params.article decodes again, so re-encode.
    titles = list(dict.fromkeys(params.article(quote(t, safe="")) for t in raw if t))
    if not titles:
        raise invalid_request("Name at least one article: titles=A|B|C or title=A&title=B.")
    maximum = options.settings().max_articles
    if len(titles) > maximum:
        raise options.limit_exceeded(
            "max_articles", f"the request names {len(titles)} articles", maximum
        )
    return titles


ARTICLE_COLUMNS = ("project", "article", "granularity", "timestamp", "access", "agent", "views")


@dataclass(frozen=True)
class _Series:
    """What the per-article items of one request share."""

    project: str
    access: str
    agent: str
    granularity: str
    stamp: Callable[[int], str]
    #: Every period a zero-filled answer lists (published days, their months, visible hours).
    periods: list[int]
    zero_fill: bool


def _article_items(shape: _Series, series: dict[str, dict[int, int]]) -> list[dict]:
    """Items in Wikimedia's per-article shape, by title as asked, then by time."""
    items = []
    for title, per_period in series.items():
        shown = shape.periods if shape.zero_fill else sorted(per_period)
        items.extend(
            {
                "project": shape.project,
                "article": title,
                "granularity": shape.granularity,
                "timestamp": shape.stamp(at),
                "access": shape.access,
                "agent": shape.agent,
                "views": per_period.get(at, 0),
            }
            for at in shown
        )
    return items


def _per_month(series: dict[int, int]) -> dict[int, int]:
    months: dict[int, int] = {}
    for day, count in series.items():
        months[month_of_day(day)] = months.get(month_of_day(day), 0) + count
    return months


@blueprint.get("/per-article/<project>/<access>/<agent>/<granularity>/<start>/<end>")
def per_article(project: str, access: str, agent: str, granularity: str, start: str, end: str):
    """Daily or monthly views of several articles (``titles=A|B|C``) in one request."""
    params.choice("access", access, params.ACCESS)
    params.choice("agent", agent, params.AGENTS)
    params.choice("granularity", granularity, params.ARTICLE_GRANULARITIES)
    name = params.project(project)
    span = params.date_range(start, end, with_hour=False)
    first, last = span.first_day, span.last_day
    if granularity == "monthly":
        first_month, last_month = params.full_months(span)
        first, last = month_days(first_month)[0], month_days(last_month)[-1]
    options.check_days(last - first + 1)
    titles = _titles_param()
    with_redirects, zero_fill = options.flag("redirects"), options.flag("zero_fill")
    options.output_format()
    _published_project(name)
    found = StoreSource(connection(limited=True)).daily_by_day(
        name, titles, first, last, access=access, agent=agent, redirects=with_redirects
    )
    if granularity == "monthly":
        periods = sorted({month_of_day(day) for day in found.days})
        series = {title: _per_month(per_day) for title, per_day in found.series.items()}
        shape = _Series(name, access, agent, granularity, params.stamp_month, periods, zero_fill)
    else:
        series = found.series
        shape = _Series(name, access, agent, granularity, params.stamp_day, found.days, zero_fill)
    items = _article_items(shape, series)
    if not items:
        raise not_found()
    extra = {"redirects": found.redirects}
    return _items_response(items, ARTICLE_COLUMNS, extra if with_redirects else None)


@blueprint.get("/per-article-hourly/<project>/<access>/<agent>/<path:rest>")
def per_article_hourly(project: str, access: str, agent: str, rest: str):
    """Hourly views of one article inside the hourly window (``YYYYMMDDHH`` timestamps)."""
    segments = options.raw_segments("/per-article-hourly/", 6)
    params.choice("access", access, params.ACCESS)
    params.choice("agent", agent, params.AGENTS)
    name = params.project(project)
    article = params.article("/".join(segments[3:-2]))
    span = params.date_range(unquote(segments[-2]), unquote(segments[-1]), with_hour=True)
    settings = options.settings()
    hours = span.last_hour - span.first_hour + 1
    if hours > settings.max_days * 24:
        raise options.limit_exceeded(
            "max_days", f"the range spans {hours} hours", settings.max_days * 24
        )
    with_redirects, zero_fill = options.flag("redirects"), options.flag("zero_fill")
    options.output_format()
    if settings.hourly_window_days <= 0:
        raise not_found("The hourly window is off (WIKIVIEWS_HOURLY_WINDOW_DAYS=0).")
    db = connection(limited=True)
    state = queries.project_and_through(db, name)
    newest = None if state is None else queries.last_visible_hour(db, state[0])
    if state is None or newest is None:
        raise not_found()
    pid = state[0]
    window_first = newest - settings.hourly_window_days * 24 + 1
    first, last = max(span.first_hour, window_first), min(span.last_hour, newest)
    window = f"{params.stamp_hour(window_first)} to {params.stamp_hour(newest)}"
    if first > last:
        raise not_found(
            f"No hourly per-page data in that range: it lies outside the hourly window, "
            f"which keeps {window}."
        )
    if not queries.hourly_window_filled(db, pid, first, last):
        raise not_found(
            f"No hourly per-page data for {params.stamp_hour(first)} to "
            f"{params.stamp_hour(last)}: the hourly window ({window}) holds no per-page rows "
            "for those hours, because only loads with --project or --hourly fill it."
        )
    winners = queries.visible_hours(db, pid, first, last)
    resolved = queries.resolve_titles(db, pid, name, [article], redirects=with_redirects)
    every_id = [tid for ids in resolved.values() for tid in ids.ids]
    views = queries.hourly_views_by_id(db, pid, every_id, access, agent, winners, first, last)
    shape = _Series(name, access, agent, "hourly", params.stamp_hour, sorted(winners), zero_fill)
    items = _article_items(
        shape, {title: queries.sum_views(views, ids.ids) for title, ids in resolved.items()}
    )
    if not items:
        raise not_found()
    extra = {"redirects": {t: list(ids.redirects) for t, ids in resolved.items()}}
    return _items_response(items, ARTICLE_COLUMNS, extra if with_redirects else None)


COUNTRY_COLUMNS = ("project", "article", "access", "date", "country", "views")


@blueprint.get("/per-article-by-country/<project>/<access>/<path:rest>")
def per_article_by_country(project: str, access: str, rest: str):
    """One article's daily views by country (``YYYYMMDD``), only where raw logs published."""
    segments = options.raw_segments("/per-article-by-country/", 5)
    params.choice("access", access, params.ACCESS)
    name = params.project(project)
    article = params.article("/".join(segments[2:-2]))
    span = params.date_range(unquote(segments[-2]), unquote(segments[-1]), with_hour=False)
    options.check_days(span.last_day - span.first_day + 1)
    options.output_format()
    found = queries.article_by_country(
        connection(limited=True), name, access, article, span.first_day, span.last_day
    )
    if not found:
        raise not_found()
    items = [
        {
            "project": name,
            "article": article,
            "access": access,
            "date": _date_stamp(day_date(entry.day)),
            "country": entry.country,
            "views": entry.views_ceil,
        }
        for entry in found
    ]
    return _items_response(items, COUNTRY_COLUMNS)


TOP_COLUMNS = ("project", "access", "start", "end", "rank", "article", "views")


@blueprint.get("/top/<project>/<access>/<start>/<end>")
def top_range(project: str, access: str, start: str, end: str):
    """The most viewed articles over a range: exact up to 31 days, whole months beyond."""
    params.choice("access", access, params.ACCESS)
    name = params.project(project)
    span = params.date_range(start, end, with_hour=False)
    days = span.last_day - span.first_day + 1
    options.check_days(days)
    limit = options.number("limit", TOP_DEFAULT_LIMIT, 1, TOP_MAX_LIMIT)
    options.output_format()
    db = connection(limited=True)
    if days <= EXACT_TOP_DAYS:
        timeout_ms = options.settings().query_timeout_ms
        deadline = time.monotonic() + timeout_ms / 1000 if timeout_ms > 0 else None
        try:
            found = queries.range_top_days(
                db, name, access, span.first_day, span.last_day, limit, deadline=deadline
            )
        except queries.ScanTooLong:
            raise timeout_problem() from None
        granularity = "daily"
        covered = found.periods if found else []
        first, last = (covered[0], covered[-1]) if covered else (0, 0)
    else:
        first_month, last_month = params.full_months(span)
        found = queries.range_top_months(db, name, access, first_month, last_month, limit)
        granularity = "monthly"
        covered = [day for month in found.periods for day in month_days(month)] if found else []
        first, last = (covered[0], covered[-1]) if covered else (0, 0)
    if found is None or not found.entries:
        raise not_found()
    head = {
        "project": name,
        "access": access,
        "start": day_stamp(first),
        "end": day_stamp(last),
    }
    if options.output_format() == "csv":
        return options.csv_response(
            TOP_COLUMNS,
            ([*head.values(), e.rank, e.title, e.views] for e in found.entries),
        )
    return json_response(
        {
            "items": [
                {
                    **head,
                    "granularity": granularity,
                    "days": len(covered),
                    "articles": [
                        {"article": e.title, "views": e.views, "rank": e.rank}
                        for e in found.entries
                    ],
                }
            ]
        }
    )


@blueprint.get("/projects")
def projects():
    """What is loaded: every project's published days, their sources, held hours; the size."""
    found = StoreSource(connection(limited=True)).status()
    response = json_response(status_json(found))
    max_age = min(options.settings().cache_seconds, FRESHNESS_MAX_AGE)
    response.headers["Cache-Control"] = f"s-maxage={max_age}, max-age={max_age}"
    return response


def _iso(moment: object) -> str:
    """ISO 8601 of a stored timestamp (SQLite hands back text, the servers datetimes)."""
    if hasattr(moment, "isoformat"):
        return moment.isoformat()
    return str(moment).replace(" ", "T")


@blueprint.get("/freshness/<project>")
def freshness(project: str):
    """The newest published day and hour, each recent day's sources, and held hours."""
    name = params.project(project)
    days = options.number("days", FRESHNESS_DEFAULT_DAYS, 1, FRESHNESS_MAX_DAYS)
    found = queries.freshness(connection(limited=True), name, days)
    if found is None:
        raise not_found()
    response = json_response(
        {
            "project": name,
            "last_day": day_stamp(found.last_day) if found.last_day is not None else None,
            "last_hour": (
                params.stamp_hour(found.last_hour) if found.last_hour is not None else None
            ),
            "days": [
                {
                    "date": day_stamp(day),
                    "published": winner is not None,
                    "source": SOURCE_NAMES[Source(winner)] if winner is not None else None,
                    "hours": {SOURCE_NAMES[Source(s)]: n for s, n in hours.items()},
                }
                for day, winner, hours in found.days
            ],
            "held_hours": [
                {
                    "hour": params.stamp_hour(hour),
                    "reason": reason,
                    "held_at": _iso(held_at),
                }
                for hour, reason, held_at in found.held
            ],
        }
    )
    max_age = min(options.settings().cache_seconds, FRESHNESS_MAX_AGE)
    response.headers["Cache-Control"] = f"s-maxage={max_age}, max-age={max_age}"
    return response
