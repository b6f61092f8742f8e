"""``/healthz`` (store reachable, schema current, newest published hour) and ``/metrics``."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from backend import db, queries
from backend.api import metrics
from backend.api.limits import rate_limit_storage
from backend.api.params import stamp_hour
from backend.api.store import connection, engine
from backend.models import HeldHour

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
def healthz():
    """200 with the newest published hour when the store answers, 503 when it does not."""
    settings = current_app.config["WIKIVIEWS_SETTINGS"]
    try:
        last_hour = queries.last_published_hour(connection())
        current = db.schema_is_current(settings, engine())
        held = connection().execute(select(func.count()).select_from(HeldHour)).scalar_one()
    except SQLAlchemyError as exc:
        first = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        response = jsonify({"status": "unavailable", "store": "unreachable", "error": first})
        response.status_code = 503
        return response
    freshness = metrics.exposition_age(last_hour)
    body = {
        "status": "ok" if current else "schema-behind",
        "store": "reachable",
        "schema": "current" if current else "behind",
        "last_published_hour": None if last_hour is None else stamp_hour(last_hour),
        "freshness_seconds": freshness,
        "rate_limit_storage": rate_limit_storage(current_app),
        # Hours the publish gate holds back (see `wikiviews check`); a warning, not an outage.
        "held_hours": held,
    }
    response = jsonify(body)
    response.status_code = 200 if current else 503
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.get("/metrics")
def prometheus():
    """Metrics in Prometheus text format."""
    try:
        last_hour = queries.last_published_hour(connection())
    except SQLAlchemyError:
        last_hour = None
    data, content_type = metrics.exposition(last_hour)
    return Response(data, content_type=content_type, headers={"Cache-Control": "no-store"})
