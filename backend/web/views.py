"""Routes of the statistics page: the views' HTML shells, static files, title suggestions."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from flask import Blueprint, Response, jsonify, render_template, request, send_from_directory
from markupsafe import Markup

from backend import queries
from backend.api.store import connection
from backend.blocklist import fold_title
from backend.queries.catalogue import titles_with_prefix
from backend.web import first_answer, pages

STATIC = Path(__file__).parent / "static"
blueprint = Blueprint("web", __name__, template_folder="templates")
#: Suggestions a title box shows at most.
SUGGESTIONS = 10
#: Longest prefix looked up (a title is at most 255 bytes; more is not a prefix of one).
MAX_PREFIX = 255
YEAR = 365 * 24 * 3600


def _page(view: str) -> Response:
    shell = pages.shell(connection(), view)
    response = Response(
        render_template("page.html", **shell.context(), first_answer=_first_answer(shell))
    )
    response.headers["Content-Security-Policy"] = pages.content_security_policy(view)
    # The list of projects and their last day change with every load: always revalidate.
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Content-Language"] = shell.language
    return response


def _first_answer(shell: pages.Shell) -> Markup | None:
    """The inlined answer to the view's first API request, when it has one that succeeds."""
    spans: dict[str, tuple[date | None, date]] = {}
    for project in shell.projects:
        name, last = project["name"], _date(project["last"])
        if name and last:
            spans[name] = (_date(project["first"]), last)
    path = first_answer.first_request(
        shell.view, request.args, spans, shell.default_project, shell.limits["maxArticles"]
    )
    body = first_answer.answer(path) if path else None
    return first_answer.inline_block(path, body) if path and body else None


def _date(stamp: str | None) -> date | None:
    return date(int(stamp[:4]), int(stamp[4:6]), int(stamp[6:])) if stamp else None


@blueprint.get("/")
def home() -> Response:
    """The article view (Pageviews Analysis answers its root with it too)."""
    return _page("pageviews")


@blueprint.get("/<any(pageviews, topviews, siteviews, redirectviews, massviews):view>")
def view(view: str) -> Response:
    """One view at Pageviews Analysis' path, reading its query parameters in the browser."""
    return _page(view)


@blueprint.get("/static/web/<version>/<path:name>")
def asset(version: str, name: str) -> Response:
    """A static file of the page under the digest of all of them (:func:`pages.static_version`).

    The current digest's files never change, so they are cached for a year; a URL with an
    older digest still answers, revalidated, so a page loaded before a release keeps working.
    """
    response = send_from_directory(STATIC, name, max_age=0)
    if version == pages.static_version():
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    else:
        response.headers["Cache-Control"] = "no-cache"
    return response


@blueprint.get("/web/titles/<project>")
def titles(project: str) -> Response:
    """Stored titles of ``project`` that begin with ``q`` (spaces read as underscores).

    For the title boxes' suggestions: blocked titles are left out, and an unknown project or
    an empty prefix answers an empty list rather than an error.
    """
    prefix = request.args.get("q", "").strip().replace(" ", "_")[:MAX_PREFIX]
    name = pages.project_name(project)
    db = connection(limited=True)
    found: list[str] = []
    pid = queries.project_id(db, name) if prefix else None
    if pid is not None:
        blocked = queries.blocked_titles(db, name)
        candidates = dict.fromkeys(
            titles_with_prefix(db, pid, prefix, SUGGESTIONS * 2)
            + titles_with_prefix(db, pid, prefix[0].upper() + prefix[1:], SUGGESTIONS * 2)
        )
        found = sorted(t for t in candidates if fold_title(t) not in blocked)[:SUGGESTIONS]
    response = jsonify({"project": name, "q": prefix, "titles": found})
    response.headers["Cache-Control"] = "max-age=300"
    return response
