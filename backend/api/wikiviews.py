"""wikiviews' own routes under ``/api/wikiviews/v1/`` (summary, hourly, redirects, ranges …)."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("wikiviews", __name__, url_prefix="/api/wikiviews/v1")
