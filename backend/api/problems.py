"""Errors as Wikimedia's pageview API sends them: ``application/problem+json`` bodies.

The body has exactly the fields HyperSwitch keeps: ``type`` (a URL under
:data:`ERROR_TYPE_BASE`), ``title`` when the error has one, ``method`` (lower case),
``detail`` (a string, or an array of strings for date errors) and ``uri`` (the request path).
"""

from __future__ import annotations

import json

from flask import Response, request

ERROR_TYPE_BASE = "https://mediawiki.org/wiki/HyperSwitch/errors/"
NOT_FOUND_DETAIL = (
    "The date(s) you used are valid, but we either do not have data for those date(s), "
    "or the project you asked for is not loaded yet.  Please check "
    "https://wikimedia.org/api/rest_v1/?doc for more information."
)
ERROR_CACHE_CONTROL = "private, max-age=0, s-maxage=0, must-revalidate"


class ApiProblem(Exception):
    """An error answer: raise it anywhere in a view, the app turns it into problem+json."""

    def __init__(
        self,
        status: int,
        kind: str,
        detail: str | list[str],
        title: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail if isinstance(detail, str) else "; ".join(detail))
        self.status = status
        self.kind = kind
        self.detail = detail
        self.title = title
        self.headers = headers or {}

    def response(self) -> Response:
        """The problem+json response of this error for the current request."""
        body: dict[str, object] = {"type": ERROR_TYPE_BASE + self.kind}
        if self.title is not None:
            body["title"] = self.title
        body["method"] = request.method.lower()
        body["detail"] = self.detail
        body["uri"] = request.path
        response = Response(
            json.dumps(body, ensure_ascii=False, separators=(",", ":")),
            status=self.status,
            content_type="application/problem+json",
        )
        response.headers["Cache-Control"] = ERROR_CACHE_CONTROL
        response.headers.update(self.headers)
        return response


def not_found(detail: str = NOT_FOUND_DETAIL) -> ApiProblem:
    """404 for a valid request without data (Wikimedia's exact text by default)."""
    return ApiProblem(404, "not_found", detail, title="Not found.")


def invalid_request(detail: str | list[str]) -> ApiProblem:
    """400 ``invalid_request``: bad dates (``detail`` an array), bad project (a string)."""
    return ApiProblem(400, "invalid_request", detail)


def bad_parameter(name: str, allowed: tuple[str, ...]) -> ApiProblem:
    """400 ``bad_request`` for a path parameter outside its allowed values."""
    return ApiProblem(
        400,
        "bad_request",
        f"data.params.{name} should be equal to one of the allowed values: [{', '.join(allowed)}]",
        title="Invalid parameters",
    )
