"""The OpenAPI 3 document of every route, built as data.

:func:`build_document` returns the document served at ``/api/openapi.json``. Each operation's
``operationId`` is the Flask endpoint that answers it (``pageviews.per_article``), and the
tests check that the documented operations are exactly the app's routes, so a route without
documentation fails them.

Parameters, schemas and responses live once under ``components`` and are referred to with
:func:`ref`. Item shapes follow Wikimedia's pageview API field for field (every field
required, no others), so a client written for Wikimedia can be checked against this document.

To document a new route, add its operation to :func:`_compatible_paths`,
:func:`_extension_paths` (``/api/wikiviews/v1/``), :func:`_compat_paths` (``/json/…``) or
:func:`_service_paths`, with :func:`operation`, and its schemas to :func:`_schemas`.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

from backend.api import params
from backend.api.problems import ERROR_TYPE_BASE, NOT_FOUND_DETAIL
from backend.settings import Settings

OPENAPI_VERSION = "3.0.3"
PAGEVIEWS = "/api/rest_v1/metrics/pageviews"
LEGACY = "/api/rest_v1/metrics/legacy/pagecounts"
EXTENSIONS = "/api/wikiviews/v1"
JSON_TYPE = "application/json"
PROBLEM_TYPE = "application/problem+json"

#: Tags, in the order a reader meets them.
TAGS = [
    {
        "name": "pageviews",
        "description": "Wikimedia's pageview API, wire-compatible: point an existing client's "
        "base URL here.",
    },
    {"name": "legacy", "description": "Wikimedia's legacy pagecounts aggregate (2008-2016)."},
    {"name": "wikiviews", "description": "Extensions beyond Wikimedia's API, with limits."},
    {"name": "compat", "description": "Shapes of older tools (stats.grok.se)."},
    {"name": "service", "description": "Health, metrics and this document."},
]

Document = dict[str, Any]


def ref(kind: str, name: str) -> dict[str, str]:
    """A ``$ref`` to ``components/<kind>/<name>``."""
    return {"$ref": f"#/components/{kind}/{name}"}


def json_content(schema: dict[str, Any], media_type: str = JSON_TYPE) -> dict[str, Any]:
    """A response's ``content`` of one media type."""
    return {media_type: {"schema": schema}}


def ok(description: str, schema: dict[str, Any], *, cached: bool = True) -> dict[str, Any]:
    """A 200 response with a JSON body; ``cached`` adds the ETag and Cache-Control headers."""
    response: dict[str, Any] = {"description": description, "content": json_content(schema)}
    if cached:
        response["headers"] = {
            "ETag": ref("headers", "ETag"),
            "Cache-Control": ref("headers", "CacheControl"),
        }
    return response


def operation(
    endpoint: str,
    tag: str,
    summary: str,
    description: str,
    parameters: list[str],
    success: dict[str, Any],
    errors: tuple[int, ...] = (400, 403, 404, 503),
    *,
    cached: bool = True,
    others: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A GET operation answered by the Flask ``endpoint``.

    ``parameters`` name entries of ``components/parameters``; ``errors`` are the problem
    responses it can give (``components/responses/Problem<status>``). ``cached`` operations
    also answer 304 to a matching ``If-None-Match``; ``others`` adds responses by status.
    """
    responses: dict[str, Any] = {"200": success}
    if cached:
        responses["304"] = ref("responses", "NotModified")
    for status in errors:
        responses[str(status)] = ref("responses", f"Problem{status}")
    responses["414"] = ref("responses", "RequestLineTooLong")
    responses.update(others or {})
    return {
        "get": {
            "operationId": endpoint,
            "tags": [tag],
            "summary": summary,
            "description": description,
            "parameters": [ref("parameters", name) for name in parameters],
            "responses": responses,
        }
    }


# --- parameters -------------------------------------------------------------------------------


def _path(name: str, schema: dict[str, Any], description: str, example: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": schema,
        "example": example,
    }


def _query(name: str, schema: dict[str, Any], description: str, example: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
        "example": example,
    }


def _enum(values: tuple[str, ...]) -> dict[str, Any]:
    return {"type": "string", "enum": list(values)}


#: A boolean query parameter as the extensions read it (case and spaces ignored).
FLAG = {
    "type": "string",
    "enum": ["1", "0", "true", "false", "yes", "no", "on", "off"],
    "default": "0",
}


TIMESTAMP_PARAM = {"type": "string", "pattern": "^[0-9]{8}([0-9]{2})?$"}


def _parameters() -> dict[str, Any]:
    article_dates = (
        "YYYYMMDD or YYYYMMDDHH (the hour is ignored). The range is inclusive; monthly "
        "granularity keeps only the whole months inside it."
    )
    aggregate_dates = (
        "YYYYMMDDHH; daily and monthly granularity also accept YYYYMMDD. The range is "
        "inclusive; monthly granularity keeps only the whole months inside it."
    )
    return {
        "project": _path(
            "project",
            {"type": "string", "minLength": 1},
            "A wiki as `{language}.{project}` (`en.wikipedia`, `commons.wikimedia`, "
            "`wikidata`). Case, a leading `www.` and a trailing `.org` are ignored. "
            "Characters other than `a-z 0-9 _ . -` are refused.",
            "en.wikipedia",
        ),
        "aggregateProject": _path(
            "project",
            {"type": "string", "minLength": 1},
            "A wiki as for the other routes, or `all-projects` for the sum of every wiki.",
            "en.wikipedia",
        ),
        "access": _path("access", _enum(params.ACCESS), "Access method.", "all-access"),
        "agent": _path(
            "agent",
            _enum(params.AGENTS),
            "Agent type. `bot` is refused, as by Wikimedia since 2020.",
            "all-agents",
        ),
        "article": _path(
            "article",
            {"type": "string", "minLength": 1},
            "The title, case-sensitive, spaces as underscores (spaces are turned into "
            "underscores). Percent-encode it, so that `/`, `?` and `%` are part of the title "
            "(`AC%2FDC`, `Are_You_the_One%3F`); it is decoded exactly once.",
            "Main_Page",
        ),
        "articleGranularity": _path(
            "granularity", _enum(params.ARTICLE_GRANULARITIES), "Time unit.", "daily"
        ),
        "aggregateGranularity": _path(
            "granularity", _enum(params.AGGREGATE_GRANULARITIES), "Time unit.", "daily"
        ),
        "articleStart": _path("start", TIMESTAMP_PARAM, "First day: " + article_dates, "20240201"),
        "articleEnd": _path("end", TIMESTAMP_PARAM, "Last day: " + article_dates, "20240229"),
        "aggregateStart": _path(
            "start", TIMESTAMP_PARAM, "First hour: " + aggregate_dates, "2024020100"
        ),
        "aggregateEnd": _path(
            "end", TIMESTAMP_PARAM, "Last hour: " + aggregate_dates, "2024022900"
        ),
        "legacyStart": _path(
            "start", TIMESTAMP_PARAM, "First hour: " + aggregate_dates, "2014050100"
        ),
        "legacyEnd": _path("end", TIMESTAMP_PARAM, "Last hour: " + aggregate_dates, "2014050123"),
        "accessSite": _path(
            "access-site",
            _enum(params.LEGACY_ACCESS_SITES),
            "Site the requests went to.",
            "all-sites",
        ),
        "year": _path("year", {"type": "string", "pattern": "^[0-9]{4}$"}, "Year, YYYY.", "2024"),
        "month": _path(
            "month", {"type": "string", "pattern": "^[0-9]{2}$"}, "Month, zero-padded MM.", "02"
        ),
        "day": _path(
            "day",
            {"type": "string", "pattern": "^([0-9]{2}|all-days)$"},
            "Day, zero-padded DD, or `all-days` for the month's top list.",
            "01",
        ),
        "countryDay": _path(
            "day", {"type": "string", "pattern": "^[0-9]{2}$"}, "Day, zero-padded DD.", "01"
        ),
        "country": _path(
            "country",
            {"type": "string", "pattern": "^[A-Z]{2}$"},
            "ISO 3166-1 alpha-2 code in upper case (`FR`, `IN`); lower case is refused.",
            "FR",
        ),
        # The extensions (/api/wikiviews/v1/) and /json/.
        "title": _path(
            "title",
            {"type": "string", "minLength": 1},
            "The title, percent-encoded as for per-article (spaces become underscores).",
            "Main_Page",
        ),
        "hourlyStart": _path(
            "start", TIMESTAMP_PARAM, "First hour, YYYYMMDDHH (inclusive).", "2024030100"
        ),
        "hourlyEnd": _path(
            "end", TIMESTAMP_PARAM, "Last hour, YYYYMMDDHH (inclusive).", "2024030123"
        ),
        "rangeStart": _path(
            "start", TIMESTAMP_PARAM, "First day, YYYYMMDD (inclusive).", "20240201"
        ),
        "rangeEnd": _path("end", TIMESTAMP_PARAM, "Last day, YYYYMMDD (inclusive).", "20240207"),
        "lang": _path(
            "lang", {"type": "string", "minLength": 1}, "Language of a Wikipedia (`en`).", "en"
        ),
        "grokMonth": _path(
            "month", {"type": "string", "pattern": "^[0-9]{6}$"}, "The month, YYYYMM.", "202402"
        ),
        "queryAgent": _query("agent", _enum(params.AGENTS), "Agent type (default `user`).", "user"),
        "queryAccess": _query(
            "access", _enum(params.ACCESS), "Access method (default `all-access`).", "all-access"
        ),
        "summaryDays": _query(
            "days",
            {"type": "integer", "minimum": 1},
            "Length of the zero-filled series, in days (default 60; at most WIKIVIEWS_MAX_DAYS).",
            60,
        ),
        "freshnessDays": _query(
            "days",
            {"type": "integer", "minimum": 1, "maximum": 31},
            "Recent days listed (default 7).",
            7,
        ),
        "redirects": _query(
            "redirects", FLAG, "1: sum the views of the redirects to each title into it.", "1"
        ),
        "zeroFill": _query(
            "zero_fill",
            FLAG,
            "1: a zero for every published day (or visible hour) without views.",
            "0",
        ),
        "format": _query(
            "format", _enum(("json", "csv")), "Answer as JSON (default) or CSV.", "json"
        ),
        "titles": _query(
            "titles",
            {"type": "string"},
            "Titles separated by `|` (at most WIKIVIEWS_MAX_ARTICLES in all); or repeat `title`.",
            "Main_Page|AC/DC",
        ),
        "titleList": {
            **_query(
                "title",
                {"type": "array", "items": {"type": "string"}},
                "One title per `title=`, for titles that contain `|`.",
                ["Main_Page"],
            ),
            "style": "form",
            "explode": True,
        },
        "limit": _query(
            "limit",
            {"type": "integer", "minimum": 1, "maximum": 1000},
            "Entries in the list (default 100).",
            10,
        ),
    }


# --- schemas ----------------------------------------------------------------------------------


def _object(properties: dict[str, Any], optional: tuple[str, ...] = ()) -> dict[str, Any]:
    """An object with exactly these properties, all required but ``optional``."""
    return {
        "type": "object",
        "required": [name for name in properties if name not in optional],
        "properties": properties,
        "additionalProperties": False,
    }


def _items(item: dict[str, Any], *, single: bool = False) -> dict[str, Any]:
    """``{"items": [item, ...]}``; ``single`` for the top lists' one-element envelope."""
    array: dict[str, Any] = {"type": "array", "items": item, "minItems": 1}
    if single:
        array["maxItems"] = 1
    return _object({"items": array})


STRING = {"type": "string"}
COUNT = {"type": "integer", "minimum": 0}
RANK = {"type": "integer", "minimum": 1}
PROJECT = {"type": "string", "pattern": "^[a-z0-9_.\\-]+$", "example": "en.wikipedia"}
TIMESTAMP = {
    "type": "string",
    "pattern": "^[0-9]{10}$",
    "description": "YYYYMMDDHH: days end in 00, months in 0100.",
    "example": "2024020100",
}
DAY = {"type": "string", "pattern": "^[0-9]{8}$", "example": "20240229"}
YEAR = {"type": "string", "pattern": "^[0-9]{4}$"}
MONTH = {"type": "string", "pattern": "^[0-9]{2}$"}


def _schemas() -> dict[str, Any]:
    access = _enum(params.ACCESS)
    agent = _enum(params.AGENTS)
    per_article = _object(
        {
            "project": PROJECT,
            "article": {**STRING, "description": "The title, decoded, spaces as underscores."},
            "granularity": _enum(params.ARTICLE_GRANULARITIES),
            "timestamp": TIMESTAMP,
            "access": access,
            "agent": agent,
            "views": COUNT,
        }
    )
    aggregate = _object(
        {
            "project": PROJECT,
            "access": access,
            "agent": agent,
            "granularity": _enum(params.AGGREGATE_GRANULARITIES),
            "timestamp": TIMESTAMP,
            "views": COUNT,
        }
    )
    legacy = _object(
        {
            "project": PROJECT,
            "access-site": _enum(params.LEGACY_ACCESS_SITES),
            "granularity": _enum(params.AGGREGATE_GRANULARITIES),
            "timestamp": TIMESTAMP,
            "count": COUNT,
        }
    )
    top = _object(
        {
            "project": PROJECT,
            "access": access,
            "year": YEAR,
            "month": MONTH,
            "day": {"type": "string", "pattern": "^([0-9]{2}|all-days)$"},
            "articles": {
                "type": "array",
                "maxItems": 1000,
                "items": _object({"article": STRING, "views": COUNT, "rank": RANK}),
            },
        }
    )
    top_by_country = _object(
        {
            "project": PROJECT,
            "access": access,
            "year": YEAR,
            "month": MONTH,
            "countries": {
                "type": "array",
                "items": _object(
                    {
                        "country": STRING,
                        "views": {
                            "type": "string",
                            "pattern": "^[0-9]+-[0-9]+$",
                            "description": "Bucket of the rounded views, e.g. `1000-9999`.",
                        },
                        "rank": RANK,
                        "views_ceil": {
                            **COUNT,
                            "description": "Views rounded up to the next thousand.",
                        },
                    },
                    optional=("views_ceil",),
                ),
            },
        }
    )
    top_per_country = _object(
        {
            "country": {"type": "string", "pattern": "^[A-Z]{2}$"},
            "access": access,
            "year": YEAR,
            "month": MONTH,
            "day": {"type": "string", "pattern": "^[0-9]{2}$"},
            "articles": {
                "type": "array",
                "maxItems": 1000,
                "items": _object(
                    {
                        "article": STRING,
                        "project": PROJECT,
                        "views_ceil": {
                            **COUNT,
                            "description": "Views rounded up to the next hundred.",
                        },
                        "rank": RANK,
                    }
                ),
            },
        }
    )
    extension_article = _object(
        {
            "project": PROJECT,
            "article": STRING,
            "granularity": _enum(("hourly", *params.ARTICLE_GRANULARITIES)),
            "timestamp": TIMESTAMP,
            "access": access,
            "agent": agent,
            "views": COUNT,
        }
    )
    titles = {"type": "array", "items": STRING}
    sources = ("pagecounts", "pageviews", "pageview_complete", "requests")
    return {
        "ArticlesItem": extension_article,
        "Articles": _object(
            {
                "items": {"type": "array", "items": ref("schemas", "ArticlesItem"), "minItems": 1},
                "redirects": {
                    "type": "object",
                    "additionalProperties": titles,
                    "description": "With `redirects=1`: per title, the redirects summed in.",
                },
            },
            optional=("redirects",),
        ),
        "Summary": _object(
            {
                "project": PROJECT,
                "title": STRING,
                "through": DAY,
                "series": {
                    "type": "array",
                    "items": _object({"date": DAY, "views": COUNT}),
                    "description": "Zero-filled, `days` long, oldest first, ending at `through`.",
                },
                "total_30": COUNT,
                "average_30": {"type": "number", "minimum": 0},
                "previous_total_30": COUNT,
                "change_pct": {"type": "number", "nullable": True},
                "rank": {**RANK, "nullable": True},
                "rank_date": DAY,
                "redirects": titles,
            }
        ),
        "TopRange": _items(
            _object(
                {
                    "project": PROJECT,
                    "access": access,
                    "start": DAY,
                    "end": DAY,
                    "granularity": _enum(("daily", "monthly")),
                    "days": {"type": "integer", "minimum": 1},
                    "articles": {
                        "type": "array",
                        "items": _object({"article": STRING, "views": COUNT, "rank": RANK}),
                    },
                }
            ),
            single=True,
        ),
        "Freshness": _object(
            {
                "project": PROJECT,
                "last_day": {**DAY, "nullable": True},
                "last_hour": {**TIMESTAMP, "nullable": True},
                "days": {
                    "type": "array",
                    "items": _object(
                        {
                            "date": DAY,
                            "published": {"type": "boolean"},
                            "source": {"type": "string", "enum": list(sources), "nullable": True},
                            "hours": {
                                "type": "object",
                                "additionalProperties": {"type": "integer", "minimum": 0},
                                "description": "Hours loaded per source.",
                            },
                        }
                    ),
                },
                "held_hours": {
                    "type": "array",
                    "items": _object({"hour": TIMESTAMP, "reason": STRING, "held_at": STRING}),
                },
            }
        ),
        "GrokMonth": _object(
            {
                "daily_views": {
                    "type": "object",
                    "additionalProperties": COUNT,
                    "description": "Every day of the month, `YYYY-MM-DD`: views (0 without).",
                },
                "project": STRING,
                "month": {"type": "string", "pattern": "^[0-9]{6}$"},
                "rank": {"type": "integer", "minimum": -1},
                "title": STRING,
            }
        ),
        "Listing": _object({"items": {"type": "array", "items": STRING}}),
        "PerArticleItem": per_article,
        "PerArticle": _items(ref("schemas", "PerArticleItem")),
        "AggregateItem": aggregate,
        "Aggregate": _items(ref("schemas", "AggregateItem")),
        "TopItem": top,
        "Top": _items(ref("schemas", "TopItem"), single=True),
        "TopByCountryItem": top_by_country,
        "TopByCountry": _items(ref("schemas", "TopByCountryItem"), single=True),
        "TopPerCountryItem": top_per_country,
        "TopPerCountry": _items(ref("schemas", "TopPerCountryItem"), single=True),
        "LegacyItem": legacy,
        "Legacy": _items(ref("schemas", "LegacyItem")),
        "Health": _object(
            {
                "status": {"type": "string", "enum": ["ok", "schema-behind", "unavailable"]},
                "store": {"type": "string", "enum": ["reachable", "unreachable"]},
                "schema": {"type": "string", "enum": ["current", "behind"]},
                "last_published_hour": {**TIMESTAMP, "nullable": True},
                "freshness_seconds": {"type": "number", "minimum": 0, "nullable": True},
                "held_hours": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "Hours the publish gate holds back (`wikiviews check`).",
                },
                "error": {**STRING, "description": "The store's error, when unreachable."},
            },
            optional=("schema", "last_published_hour", "freshness_seconds", "held_hours", "error"),
        ),
        "Problem": _object(
            {
                "type": {
                    "type": "string",
                    "pattern": f"^{ERROR_TYPE_BASE}[a-z_]+$",
                    "example": ERROR_TYPE_BASE + "not_found",
                },
                "title": STRING,
                "method": {"type": "string", "example": "get"},
                "detail": {
                    "oneOf": [STRING, {"type": "array", "items": STRING, "minItems": 1}],
                    "description": "A string, or an array of strings for date errors.",
                },
                "uri": {**STRING, "description": "The request path."},
            },
            optional=("title",),
        ),
        "OpenAPI": {"type": "object", "required": ["openapi", "info", "paths"]},
    }


# --- responses and headers --------------------------------------------------------------------


def _problem(description: str, examples: dict[str, Any], headers: dict | None = None) -> dict:
    content = {
        PROBLEM_TYPE: {
            "schema": ref("schemas", "Problem"),
            "examples": {name: {"value": value} for name, value in examples.items()},
        }
    }
    response: dict[str, Any] = {"description": description, "content": content}
    if headers:
        response["headers"] = headers
    return response


def _responses(settings: Settings) -> dict[str, Any]:
    def body(kind: str, detail: Any, title: str | None = None) -> dict[str, Any]:
        value: dict[str, Any] = {"type": ERROR_TYPE_BASE + kind}
        if title:
            value["title"] = title
        value.update({"method": "get", "detail": detail, "uri": "/api/rest_v1/metrics/…"})
        return value

    retry = {"Retry-After": ref("headers", "RetryAfter")}
    rate = settings.rate_limit or "no limit"
    return {
        "NotModified": {
            "description": "The ETag named in `If-None-Match` still holds; no body.",
            "headers": {"ETag": ref("headers", "ETag")},
        },
        "RequestLineTooLong": {
            "description": "The request line is longer than gunicorn allows (8190 bytes under "
            "`wikiviews serve`); gunicorn answers before the app does, in HTML.",
            "content": {"text/html": {"schema": {"type": "string"}}},
        },
        "Problem400": _problem(
            "A parameter is refused: a value outside its allowed values (`bad_request`), or a "
            "bad project, title or date (`invalid_request`; date errors as an array).",
            {
                "enum": body(
                    "bad_request",
                    "data.params.access should be equal to one of the allowed values: "
                    f"[{', '.join(params.ACCESS)}]",
                    "Invalid parameters",
                ),
                "dates": body(
                    "invalid_request", ["start timestamp should be before the end timestamp"]
                ),
            },
        ),
        "Problem403": _problem(
            "The request sent neither `User-Agent` nor `Api-User-Agent`.",
            {"forbidden": body("forbidden", "Send a User-Agent header …", "Forbidden")},
        ),
        "Problem404": _problem(
            "Nothing stored matches a valid request (no views, not loaded yet, or no such "
            "page or project: the API cannot tell them apart), or no such route.",
            {"not_found": body("not_found", NOT_FOUND_DETAIL, "Not found.")},
        ),
        "Problem429": _problem(
            f"Too many requests from this client (limit: {rate}).",
            {"rate": body("request_rate_exceeded", "Too many requests …", "Request rate limit")},
            retry,
        ),
        "Problem503": _problem(
            "The store did not answer, or a query ran past its time limit.",
            {
                "store": body(
                    "store_unavailable",
                    "The store did not answer; try again later.",
                    "Service unavailable",
                )
            },
            retry,
        ),
    }


def _headers() -> dict[str, Any]:
    return {
        "ETag": {
            "description": "Strong ETag: the quoted SHA-1 of the body.",
            "required": True,
            "schema": {"type": "string", "pattern": '^"[0-9a-f]{40}"$'},
        },
        "CacheControl": {
            "description": "`s-maxage=N, max-age=N` (N is WIKIVIEWS_CACHE_SECONDS, 14400).",
            "required": True,
            "schema": {"type": "string"},
        },
        "RetryAfter": {
            "description": "Seconds to wait before trying again.",
            "schema": {"type": "string", "pattern": "^[0-9]+$"},
        },
    }


# --- paths ------------------------------------------------------------------------------------


def _compatible_paths() -> dict[str, Any]:
    """Wikimedia's pageview and legacy pagecounts routes."""
    return {
        f"{PAGEVIEWS}/": operation(
            "pageviews.listing",
            "pageviews",
            "The pageview API's sub-paths",
            '`{"items": ["per-article", "aggregate", …]}`, as Wikimedia answers.',
            [],
            ok("The sub-paths.", ref("schemas", "Listing")),
            (403,),
        ),
        f"{PAGEVIEWS}/per-article/{{project}}/{{access}}/{{agent}}/{{article}}/{{granularity}}"
        "/{start}/{end}": operation(
            "pageviews.per_article",
            "pageviews",
            "Views of one article",
            "Daily or monthly views of one article. Days without views are absent (no "
            "zero-filling); a request matching nothing is a 404.",
            [
                "project",
                "access",
                "agent",
                "article",
                "articleGranularity",
                "articleStart",
                "articleEnd",
            ],
            ok("The article's views, oldest first.", ref("schemas", "PerArticle")),
        ),
        f"{PAGEVIEWS}/aggregate/{{project}}/{{access}}/{{agent}}/{{granularity}}"
        "/{start}/{end}": operation(
            "pageviews.aggregate",
            "pageviews",
            "Views of a whole project",
            "Hourly, daily or monthly views of a project, or of `all-projects`.",
            [
                "aggregateProject",
                "access",
                "agent",
                "aggregateGranularity",
                "aggregateStart",
                "aggregateEnd",
            ],
            ok("The project's views, oldest first.", ref("schemas", "Aggregate")),
        ),
        f"{PAGEVIEWS}/top/{{project}}/{{access}}/{{year}}/{{month}}/{{day}}": operation(
            "pageviews.top",
            "pageviews",
            "Most viewed articles",
            "Up to 1000 most viewed articles (user agents) of a day, or of a month with "
            "`day=all-days`; ties share a rank and are cut as Wikimedia cuts them.",
            ["project", "access", "year", "month", "day"],
            ok("One item with the ranked articles.", ref("schemas", "Top")),
        ),
        f"{PAGEVIEWS}/top-by-country/{{project}}/{{access}}/{{year}}/{{month}}": operation(
            "pageviews.top_by_country",
            "pageviews",
            "Countries by views of a project",
            "Countries ranked by a project's views in a month (or `all-projects`), the "
            "views as bucket strings and rounded up to thousands.",
            ["aggregateProject", "access", "year", "month"],
            ok("One item with the ranked countries.", ref("schemas", "TopByCountry")),
        ),
        f"{PAGEVIEWS}/top-per-country/{{country}}/{{access}}/{{year}}/{{month}}/{{day}}": (
            operation(
                "pageviews.top_per_country",
                "pageviews",
                "Most viewed articles in a country",
                "Most viewed articles of a day in one country, across projects, views "
                "rounded up to hundreds.",
                ["country", "access", "year", "month", "countryDay"],
                ok("One item with the ranked articles.", ref("schemas", "TopPerCountry")),
            )
        ),
        f"{LEGACY}/aggregate/{{project}}/{{access-site}}/{{granularity}}/{{start}}/{{end}}": (
            operation(
                "legacy.aggregate",
                "legacy",
                "Legacy request counts of a project",
                "Hourly, daily or monthly counts under the old pagecounts definition (no "
                "agent split), from `pagecounts` dumps only.",
                [
                    "aggregateProject",
                    "accessSite",
                    "aggregateGranularity",
                    "legacyStart",
                    "legacyEnd",
                ],
                ok("The project's counts, oldest first.", ref("schemas", "Legacy")),
            )
        ),
    }


EXTENSION_ERRORS = (400, 403, 404, 429, 503)


def _json_or_csv(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    """A 200 with a JSON body, or CSV with ``format=csv``."""
    response = ok(description, schema)
    response["content"]["text/csv"] = {"schema": {"type": "string"}}
    return response


def _extension_paths() -> dict[str, Any]:
    """wikiviews' own routes under ``/api/wikiviews/v1/`` (errors include 429)."""
    limits = (
        " Limits (a 400 names the setting): WIKIVIEWS_MAX_DAYS, WIKIVIEWS_MAX_ARTICLES, "
        "WIKIVIEWS_QUERY_TIMEOUT_MS (a 503), WIKIVIEWS_RATE_LIMIT (a 429)."
    )
    return {
        f"{EXTENSIONS}/summary/{{project}}/{{title}}": operation(
            "wikiviews.summary",
            "wikiviews",
            "Everything the gadget shows",
            "A zero-filled daily series ending at the last published day (`through`), 30-day "
            "totals and their change, and the title's rank that day." + limits,
            ["project", "title", "queryAgent", "queryAccess", "summaryDays", "redirects"],
            ok("The summary.", ref("schemas", "Summary")),
            EXTENSION_ERRORS,
        ),
        f"{EXTENSIONS}/per-article/{{project}}/{{access}}/{{agent}}/{{granularity}}"
        "/{start}/{end}": operation(
            "wikiviews.per_article",
            "wikiviews",
            "Views of several articles",
            "Daily or monthly views of the articles named by `titles` (or `title`), in "
            "Wikimedia's per-article item shape." + limits,
            [
                "project",
                "access",
                "agent",
                "articleGranularity",
                "articleStart",
                "articleEnd",
                "titles",
                "titleList",
                "redirects",
                "zeroFill",
                "format",
            ],
            _json_or_csv("The articles' views.", ref("schemas", "Articles")),
            EXTENSION_ERRORS,
        ),
        f"{EXTENSIONS}/per-article-hourly/{{project}}/{{access}}/{{agent}}/{{article}}"
        "/{start}/{end}": operation(
            "wikiviews.per_article_hourly",
            "wikiviews",
            "Hourly views of one article",
            "Hourly views inside the hourly window (the last WIKIVIEWS_HOURLY_WINDOW_DAYS "
            "days, for projects loaded with `--project` or `--hourly`)." + limits,
            [
                "project",
                "access",
                "agent",
                "article",
                "hourlyStart",
                "hourlyEnd",
                "redirects",
                "zeroFill",
                "format",
            ],
            _json_or_csv("The article's hourly views.", ref("schemas", "Articles")),
            EXTENSION_ERRORS,
        ),
        f"{EXTENSIONS}/top/{{project}}/{{access}}/{{start}}/{{end}}": operation(
            "wikiviews.top_range",
            "wikiviews",
            "Most viewed articles over a range",
            "Exact from daily counts up to 31 days; longer ranges in the whole months inside "
            "them." + limits,
            ["project", "access", "rangeStart", "rangeEnd", "limit", "format"],
            _json_or_csv("One item with the ranked articles.", ref("schemas", "TopRange")),
            EXTENSION_ERRORS,
        ),
        f"{EXTENSIONS}/freshness/{{project}}": operation(
            "wikiviews.freshness",
            "wikiviews",
            "What is published",
            "The newest published day and hour, each recent day's source and loaded hours, "
            "and the hours held back with their reason.",
            ["project", "freshnessDays"],
            ok("The project's freshness.", ref("schemas", "Freshness")),
            EXTENSION_ERRORS,
        ),
    }


def _compat_paths() -> dict[str, Any]:
    """Old tools' shapes: ``/json/{lang}/{YYYYMM}/{title}`` (errors include 429)."""
    return {
        "/json/{lang}/{month}/{title}": operation(
            "compat.grok_month",
            "compat",
            "A month of daily views, as stats.grok.se gave them",
            "Every day of the month of `{lang}.wikipedia`, all access methods and agents, "
            "with the title's rank in the month's top list (-1 when not in it).",
            ["lang", "grokMonth", "title"],
            ok("The month.", ref("schemas", "GrokMonth")),
            EXTENSION_ERRORS,
        ),
    }


def _service_paths() -> dict[str, Any]:
    """Health, metrics and this document."""
    return {
        "/healthz": operation(
            "health.healthz",
            "service",
            "Health of the service",
            "200 when the store answers and its schema is current, with the newest "
            "published hour; 503 otherwise.",
            [],
            {
                "description": "The store answers and its schema is current.",
                "content": json_content(ref("schemas", "Health")),
            },
            (),
            cached=False,
            others={
                "503": {
                    "description": "The store does not answer, or its schema is behind.",
                    "content": json_content(ref("schemas", "Health")),
                }
            },
        ),
        "/metrics": operation(
            "health.prometheus",
            "service",
            "Prometheus metrics",
            "Requests and latencies per route, and the store's data freshness, in "
            "Prometheus text format.",
            [],
            {
                "description": "Metrics in Prometheus text format.",
                "content": {"text/plain": {"schema": {"type": "string"}}},
            },
            (),
            cached=False,
        ),
        "/api/openapi.json": operation(
            "docs.openapi",
            "service",
            "This document",
            "The OpenAPI 3 document of every route.",
            [],
            ok("The document.", ref("schemas", "OpenAPI")),
            (403,),
        ),
    }


def build_document(settings: Settings) -> Document:
    """The OpenAPI 3 document of the app on ``settings``."""
    paths = _compatible_paths() | _extension_paths() | _compat_paths() | _service_paths()
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "wikiviews",
            "version": _version(),
            "description": (
                "Pageview statistics for MediaWiki wikis. The routes under "
                "`/api/rest_v1/metrics/` answer as Wikimedia's pageview API does (same paths, "
                "fields, errors and headers): existing clients work by changing their base "
                "URL. Requests to `/api/` and `/json/` must send `User-Agent` (or, from a "
                "browser, `Api-User-Agent`). Successful answers carry a strong ETag, "
                "`Cache-Control` and CORS `*`; errors are `application/problem+json`."
            ),
            "license": {"name": "Data: CC0 1.0"},
        },
        "tags": TAGS,
        "paths": paths,
        "components": {
            "parameters": _parameters(),
            "schemas": _schemas(),
            "responses": _responses(settings),
            "headers": _headers(),
        },
    }


def _version() -> str:
    try:
        return version("wikiviews")
    except PackageNotFoundError:
        return "0.0.0"
