"""Errors as Wikimedia's pageview API sends them today: ``application/problem+json`` bodies.

Since 2023 Wikimedia's pageview API is served by the AQS 2.0 Go services, whose problems are
RFC 7807 defaults (``aqsassist.CreateProblem``): ``type`` ``about:blank``, ``title`` the HTTP
status text (``Not Found``), an integer ``status``, a ``detail`` string, ``method`` and
``uri`` (the request path), keys in alphabetical order. The older HyperSwitch service sent a
``…/HyperSwitch/errors/not_found`` type, ``Not found.`` and no ``status``; the detail texts
clients match on (``The date(s) you used are valid…``, ``start timestamp is invalid…``) are
the same in both. ``docs/api-compatibility.md`` says more.
"""

from __future__ import annotations

import json
from http import HTTPStatus

from flask import Response, request

PROBLEM_TYPE = "about:blank"
NOT_FOUND_DETAIL = (
    "The date(s) you used are valid, but we either do not have data for those date(s), "
    "or the project you asked for is not loaded yet.  Please check documentation for more "
    "information."
)
ERROR_CACHE_CONTROL = "private, max-age=0, s-maxage=0, must-revalidate"


def status_title(status: int) -> str:
    """The HTTP status text of ``status`` (``Not Found``), as Go's ``http.StatusText``."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class ApiProblem(Exception):
    """An error answer: raise it anywhere in a view, the app turns it into problem+json."""

    def __init__(
        self,
        status: int,
        kind: str,
        detail: str | list[str],
        headers: dict[str, str] | None = None,
    ) -> None:
        text = detail if isinstance(detail, str) else "; ".join(detail)
        super().__init__(text)
        self.status = status
        #: What went wrong, for logs and tests (``not_found``, ``query_timeout`` …); not sent.
        self.kind = kind
        self.detail = text
        self.headers = headers or {}

    def body(self) -> dict[str, object]:
        """The problem's fields for the current request, in the order they are sent."""
        return {
            "detail": self.detail,
            "method": request.method.lower(),
            "status": self.status,
            "title": status_title(self.status),
            "type": PROBLEM_TYPE,
            "uri": _request_uri(),
        }

    def response(self) -> Response:
        """The problem+json response of this error for the current request."""
        response = Response(
            json.dumps(self.body(), ensure_ascii=False, separators=(",", ":")),
            status=self.status,
            content_type="application/problem+json",
        )
        response.headers["Cache-Control"] = ERROR_CACHE_CONTROL
        response.headers.update(self.headers)
        return response


def _request_uri() -> str:
    """The request's URI as sent (still percent-encoded, with its query), as Go's RequestURI."""
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    if raw:
        return str(raw)
    return request.full_path.rstrip("?") if request.query_string else request.path


def not_found(detail: str = NOT_FOUND_DETAIL) -> ApiProblem:
    """404 for a valid request without data (Wikimedia's exact text by default)."""
    return ApiProblem(404, "not_found", detail)


def invalid_request(detail: str | list[str]) -> ApiProblem:
    """400 ``invalid_request``: bad dates, bad project (several texts are joined by ``; ``)."""
    return ApiProblem(400, "invalid_request", detail)


def bad_parameter(name: str, allowed: tuple[str, ...]) -> ApiProblem:
    """400 ``bad_request`` for a path parameter outside its allowed values."""
    return ApiProblem(
        400,
        "bad_request",
        f"data.params.{name} should be equal to one of the allowed values: [{', '.join(allowed)}]",
    )
