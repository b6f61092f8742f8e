"""The OpenAPI 3 document of every route, at ``/api/openapi.json``."""

from __future__ import annotations

from flask import Blueprint, current_app

from backend.api.openapi import build_document
from backend.api.responses import json_response

blueprint = Blueprint("docs", __name__)


@blueprint.get("/api/openapi.json")
def openapi():
    """The OpenAPI document, built once per app."""
    document = current_app.extensions.get("wikiviews_openapi")
    if document is None:
        document = build_document(current_app.config["WIKIVIEWS_SETTINGS"])
        current_app.extensions["wikiviews_openapi"] = document
    return json_response(document)
