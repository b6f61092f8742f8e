"""The Flask application: blueprints, headers every answer carries, errors as problem+json."""

from __future__ import annotations

import logging
import time

from flask import Flask, current_app, g, request
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import PathConverter

from backend import db, web
from backend.api import compat, docs, health, legacy, limits, metrics, pageviews, store, wikiviews
from backend.api.problems import ApiProblem
from backend.settings import Settings

log = logging.getLogger(__name__)

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET,HEAD",
    "Access-Control-Allow-Headers": (
        "accept, content-type, content-length, cache-control, accept-language, "
        "api-user-agent, if-match, if-modified-since, if-none-match, dnt, accept-encoding"
    ),
    "Access-Control-Expose-Headers": "etag",
}
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "origin-when-cross-origin",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "X-XSS-Protection": "1; mode=block",
}
#: Every answer's fixed headers, added in one go when none is set already (the common case).
FIXED_HEADERS = (*CORS_HEADERS.items(), *SECURITY_HEADERS.items())
#: Paths whose clients must say who they are (Wikimedia's User-Agent policy).
IDENTIFIED_PREFIXES = ("/api/", "/json/")
UA_DETAIL = (
    "Send a User-Agent header (from a browser: Api-User-Agent) naming your tool and how to "
    "reach you, e.g. 'MyTool/1.0 (https://example.org/mytool; me@example.org)'."
)


class _SlashPath(PathConverter):
    """``<path:…>`` that may also begin with a slash (a title like ``/dev/null``)."""

    regex = ".*?"
    part_isolating = False


def build_app(settings: Settings) -> Flask:
    """A configured app on ``settings``' store (the engine connects lazily)."""
    app = Flask("wikiviews", static_folder=None)
    app.config["WIKIVIEWS_SETTINGS"] = settings
    app.json.ensure_ascii = False
    app.url_map.strict_slashes = False
    # Titles may begin, end or be made of slashes (/dev/null as %2Fdev%2Fnull): never redirect.
    app.url_map.merge_slashes = False
    app.url_map.converters["path"] = _SlashPath
    app.extensions["wikiviews_engine"] = db.make_engine(settings)
    for blueprint in (pageviews.blueprint, legacy.blueprint, health.blueprint, docs.blueprint):
        app.register_blueprint(blueprint)
    limits.install(app, (wikiviews.blueprint, compat.blueprint))
    app.register_blueprint(web.blueprint)  # the statistics page at / (backend/web)
    app.before_request(_start)
    app.after_request(_finish)
    app.teardown_request(store.release)
    app.register_error_handler(ApiProblem, lambda problem: problem.response())
    app.register_error_handler(HTTPException, _http_problem)
    app.register_error_handler(DBAPIError, _database_problem)
    app.register_error_handler(Exception, _internal_problem)
    return app


def _start():
    g._wikiviews_started = time.perf_counter()
    if (
        request.method != "OPTIONS"
        and request.path.startswith(IDENTIFIED_PREFIXES)
        and not request.headers.get("User-Agent")
        and not request.headers.get("Api-User-Agent")
        and not _settings().allow_anonymous
    ):
        raise ApiProblem(403, "forbidden", UA_DETAIL)
    return None


def _settings() -> Settings:
    return current_app.config["WIKIVIEWS_SETTINGS"]


def _finish(response):
    headers = response.headers
    if any(name in headers for name, _ in FIXED_HEADERS):
        headers.update(CORS_HEADERS)
        for name, value in SECURITY_HEADERS.items():
            headers.setdefault(name, value)
    else:
        # A fifth of the cost of update() and setdefault() one by one.
        headers.extend(FIXED_HEADERS)
    started = g.get("_wikiviews_started")
    if started is not None:
        rule = request.url_rule.rule if request.url_rule is not None else "unmatched"
        metrics.observe(rule, request.method, response.status_code, time.perf_counter() - started)
    return response


def _http_problem(exc: HTTPException):
    if exc.code == 404:
        return ApiProblem(404, "not_found", "Invalid route").response()
    if exc.code == 429:
        return ApiProblem(
            429,
            "request_rate_exceeded",
            f"Too many requests: the limit is {exc.description}.",
            headers={"Retry-After": "1"},
        ).response()
    # Keep the exception's own headers but its HTML content type (405 must name Allow).
    headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
    return ApiProblem(
        exc.code or 400,
        exc.name.lower().replace(" ", "_"),
        exc.description,
        headers=headers,
    ).response()


def _database_problem(exc: DBAPIError):
    if store.is_timeout(exc):
        return store.timeout_problem().response()
    log.exception("store error")
    return ApiProblem(
        503,
        "store_unavailable",
        "The store did not answer; try again later.",
        headers={"Retry-After": "10"},
    ).response()


def _internal_problem(exc: Exception):
    log.exception("unhandled error")
    return ApiProblem(500, "internal_error", str(exc) or type(exc).__name__).response()
