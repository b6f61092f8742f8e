"""The OpenAPI 3 document of every route, at ``/api/openapi.json``."""

from __future__ import annotations

from flask import Blueprint, Response

from backend.api.openapi import load_document
from backend.api.responses import json_response

blueprint = Blueprint("docs", __name__)


@blueprint.get("/api/openapi.json")
def openapi() -> Response:
    """The OpenAPI document (``backend/api/openapi.yaml``), read once per process."""
    return json_response(load_document())
