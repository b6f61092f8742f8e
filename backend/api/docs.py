"""The OpenAPI 3 document of every route, at ``/api/openapi.json``."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("docs", __name__)
