"""The routes of Wikimedia's pageview REST API, wire-compatible, under ``/api/rest_v1/metrics``.

Each view validates its path the way the reference service does (allowed values, then the
project, then the dates), reads the store through :mod:`backend.queries` and answers
``{"items": [...]}``, or a 404 problem when nothing matches.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from urllib.parse import unquote

from flask import Blueprint, current_app

from backend import queries
from backend.api import params
from backend.api.options import raw_segments
from backend.api.problems import not_found
from backend.api.responses import cached_response, encode, json_response
from backend.api.store import connection
from backend.sources import StoreSource
from backend.timeutil import day_date

PREFIX = "/api/rest_v1/metrics/pageviews"
blueprint = Blueprint("pageviews", __name__, url_prefix=PREFIX)

LISTING = ["per-article", "aggregate", "top", "top-by-country", "top-per-country"]

#: Top answers (bytes and ETag) kept per worker process, each with the store's
#: :func:`backend.queries.data_version` it was read at: reused only while the store is
#: unchanged (SQLite; on the other backends nothing is cached).
TOP_CACHE_SIZE = 512
#: Keyed by the driver connection too: the version counts per connection, so threads with
#: connections of their own each keep their entries instead of evicting each other's.
_top_cache: OrderedDict[tuple, tuple[int, bytes, str]] = OrderedDict()
_top_lock = threading.Lock()


@blueprint.get("/")
def listing():
    """The sub-paths of the pageview API."""
    return json_response({"items": LISTING})


def _raw_article_segments() -> tuple[list[str], str, str, str]:
    """(raw article segments, granularity, start, end) from the undecoded request path."""
    segments = raw_segments("/per-article/", 7)
    return segments[3:-3], unquote(segments[-3]), unquote(segments[-2]), unquote(segments[-1])


@blueprint.get("/per-article/<project>/<access>/<agent>/<path:rest>")
def per_article(project: str, access: str, agent: str, rest: str):
    """Daily or monthly views of one article."""
    article_segments, granularity, start, end = _raw_article_segments()
    params.choice("access", access, params.ACCESS)
    params.choice("agent", agent, params.AGENTS)
    params.choice("granularity", granularity, params.ARTICLE_GRANULARITIES)
    name = params.project(project)
    title = params.article("/".join(article_segments))
    span = params.date_range(start, end, with_hour=False)
    source = StoreSource(connection())
    first_day, last_day = day_date(span.first_day), day_date(span.last_day)
    if granularity == "monthly":
        params.full_months(span)
        series = source.monthly(name, [title], first_day, last_day, access=access, agent=agent)
    else:
        series = source.daily(name, [title], first_day, last_day, access=access, agent=agent)
    rows = list(series[title].items())
    if not rows:
        raise not_found()
    return cached_response(article_body(name, title, granularity, access, agent, rows))


def _text(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def article_body(name, title, granularity, access, agent, rows) -> bytes:
    """The per-article answer, byte for byte what :func:`encode` makes of its items.

    ``rows`` are ``("YYYYMMDD", views)`` (``YYYYMM01`` for months). Every item repeats the
    same fields but the timestamp (digits) and the views (a whole number), so those are
    written between two pre-encoded parts.
    """
    head = (
        f'{{"project":{_text(name)},"article":{_text(title)},'
        f'"granularity":{_text(granularity)},"timestamp":"'
    )
    tail = f'","access":{_text(access)},"agent":{_text(agent)},"views":'
    items = ",".join(f"{head}{at}00{tail}{int(views)}}}" for at, views in rows)
    return f'{{"items":[{items}]}}'.encode()


@blueprint.get("/aggregate/<project>/<access>/<agent>/<granularity>/<start>/<end>")
def aggregate(project: str, access: str, agent: str, granularity: str, start: str, end: str):
    """Hourly, daily or monthly views of a project or of ``all-projects``."""
    params.choice("access", access, params.ACCESS)
    params.choice("agent", agent, params.AGENTS)
    params.choice("granularity", granularity, params.AGGREGATE_GRANULARITIES)
    name = params.project(project)
    rows, stamp = project_rows(name, access, agent, granularity, start, end)
    if not rows:
        raise not_found()
    return json_response(
        {
            "items": [
                {
                    "project": name,
                    "access": access,
                    "agent": agent,
                    "granularity": granularity,
                    "timestamp": stamp(at),
                    "views": views,
                }
                for at, views in rows
            ]
        }
    )


def project_rows(name, access, agent, granularity, start, end, source=None):
    """Rows and their timestamp formatter for the aggregate and legacy routes."""
    span = params.date_range(start, end, with_hour=granularity == "hourly")
    if granularity == "hourly":
        rows = queries.project_hourly(
            connection(), name, access, agent, span.first_hour, span.last_hour, source=source
        )
        return rows, params.stamp_hour
    if granularity == "daily":
        rows = queries.project_daily(
            connection(), name, access, agent, span.first_day, span.last_day, source=source
        )
        return rows, params.stamp_day
    first_month, last_month = params.full_months(span)
    if source is None:
        rows = queries.project_monthly(connection(), name, access, agent, first_month, last_month)
    else:
        rows = queries.project_monthly_from_days(
            connection(), name, access, agent, first_month, last_month, source=source
        )
    return rows, params.stamp_month


@blueprint.get("/top/<project>/<access>/<year>/<month>/<day>")
def top(project: str, access: str, year: str, month: str, day: str):
    """The most viewed articles of a day, or of a month with ``day=all-days``."""
    params.choice("access", access, params.ACCESS)
    name = params.project(project)
    day_number, month_number = params.top_period(year, month, day)
    db = connection()
    version = queries.data_version(db)
    key = (version[0] if version else None, name, access, year, month, day)
    if version is not None:
        with _top_lock:
            hit = _top_cache.get(key)
            if hit is not None and hit[0] == version[1]:
                _top_cache.move_to_end(key)
                return cached_response(hit[1], etag=hit[2])
    entries = queries.top_articles(db, name, access, day=day_number, month=month_number)
    if not entries:
        raise not_found()
    data = encode(
        {
            "items": [
                {
                    "project": name,
                    "access": access,
                    "year": year,
                    "month": month,
                    "day": day,
                    "articles": [
                        {"article": e.title, "views": e.views, "rank": e.rank} for e in entries
                    ],
                }
            ]
        }
    )
    etag = hashlib.sha1(data).hexdigest()
    if version is not None:
        with _top_lock:
            _top_cache[key] = (version[1], data, etag)
            _top_cache.move_to_end(key)
            while len(_top_cache) > TOP_CACHE_SIZE:
                _top_cache.popitem(last=False)
    return cached_response(data, etag=etag)


def views_interval(ceiled: int) -> str:
    """Wikimedia's bucket string for a value rounded up to thousands (``1000-9999``)."""
    if ceiled < 100:
        return "100-999"
    digits = len(str(ceiled))
    if ceiled == 10 ** (digits - 1):
        digits -= 1
    return f"{10 ** (digits - 1)}-{10**digits - 1}"


@blueprint.get("/top-by-country/<project>/<access>/<year>/<month>")
def top_by_country(project: str, access: str, year: str, month: str):
    """Countries by views of a project in a month, as privacy-bounded buckets."""
    params.choice("access", access, params.ACCESS)
    name = params.project(project)
    month_number = params.top_month(year, month)
    minimum = current_app.config["WIKIVIEWS_SETTINGS"].country_month_min_views
    rows = queries.top_countries(connection(), name, access, month_number, minimum)
    if not rows:
        raise not_found()
    return json_response(
        {
            "items": [
                {
                    "project": name,
                    "access": access,
                    "year": year,
                    "month": month,
                    "countries": [
                        {
                            "country": row.country,
                            "views": views_interval(row.views_ceil),
                            "rank": row.rank,
                            "views_ceil": row.views_ceil,
                        }
                        for row in rows
                    ],
                }
            ]
        }
    )


@blueprint.get("/top-per-country/<country>/<access>/<year>/<month>/<day>")
def top_per_country(country: str, access: str, year: str, month: str, day: str):
    """The most viewed articles of a day in one country, across projects."""
    params.choice("access", access, params.ACCESS)
    code = params.country(country)
    day_number, _ = params.top_period(year, month, day)
    if day_number is None:
        raise params.invalid_request(["Given year/month/day is invalid date"])
    rows = queries.top_per_country(connection(), code, access, day_number)
    if not rows:
        raise not_found()
    return json_response(
        {
            "items": [
                {
                    "country": code,
                    "access": access,
                    "year": year,
                    "month": month,
                    "day": day,
                    "articles": [
                        {
                            "article": row.title,
                            "project": row.project,
                            "views_ceil": row.views_ceil,
                            "rank": row.rank,
                        }
                        for row in rows
                    ],
                }
            ]
        }
    )
