"""The legacy pagecounts aggregate route, fed by the pagecounts data only."""

from __future__ import annotations

from flask import Blueprint

from backend.api import params
from backend.api.pageviews import project_rows
from backend.api.problems import not_found
from backend.api.responses import json_response
from backend.codes import ALL_ACCESS, ALL_AGENTS, COMBINED_MOBILE, Source

blueprint = Blueprint("legacy", __name__, url_prefix="/api/rest_v1/metrics/legacy/pagecounts")

#: ``access-site`` values and the store's access they read (pagecounts split only by site).
ACCESS_SITES = {"all-sites": ALL_ACCESS, "desktop-site": "desktop", "mobile-site": COMBINED_MOBILE}


@blueprint.get("/aggregate/<project>/<access_site>/<granularity>/<start>/<end>")
def aggregate(project: str, access_site: str, granularity: str, start: str, end: str):
    """Hourly, daily or monthly request counts of a project under the old definition."""
    params.choice("access-site", access_site, params.LEGACY_ACCESS_SITES)
    params.choice("granularity", granularity, params.AGGREGATE_GRANULARITIES)
    name = params.project(project)
    rows, stamp = project_rows(
        name, ACCESS_SITES[access_site], ALL_AGENTS, granularity, start, end, Source.PAGECOUNTS
    )
    if not rows:
        raise not_found()
    return json_response(
        {
            "items": [
                {
                    "project": name,
                    "access-site": access_site,
                    "granularity": granularity,
                    "timestamp": stamp(at),
                    "count": count,
                }
                for at, count in rows
            ]
        }
    )
