"""Successful JSON answers: compact UTF-8, a strong ETag, ``Cache-Control``, 304 on a match."""

from __future__ import annotations

import hashlib
import json

from flask import Response, current_app, request

JSON_TYPE = "application/json; charset=utf-8"


def encode(body: object) -> bytes:
    """The bytes of a JSON body as this API sends it (compact, UTF-8, unescaped)."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def cached_response(
    data: bytes, content_type: str = JSON_TYPE, etag: str | None = None
) -> Response:
    """``data`` with its ETag (sha1 of the bytes unless given) and the cache headers.

    A request whose ``If-None-Match`` names the ETag gets an empty 304 instead.
    """
    tag = etag or hashlib.sha1(data).hexdigest()
    max_age = current_app.config["WIKIVIEWS_SETTINGS"].cache_seconds
    if request.if_none_match.contains(tag):
        response = Response(status=304)
    else:
        response = Response(data, content_type=content_type)
    response.set_etag(tag)
    response.headers["Cache-Control"] = f"s-maxage={max_age}, max-age={max_age}"
    return response


def json_response(body: object) -> Response:
    """A cacheable JSON response of ``body``."""
    return cached_response(encode(body))
