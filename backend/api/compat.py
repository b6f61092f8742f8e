"""Old tools' shapes: the stats.grok.se JSON at ``/json/{lang}/{YYYYMM}/{title}``.

stats.grok.se answered, for ``{lang}.wikipedia``, one month of daily views of a title::

    {"daily_views": {"2015-10-01": 1378, …}, "project": "en", "month": "201510",
     "rank": 2034, "title": "Argo_(2012_film)"}

Here every day of the month is present (zero when the title had no views or the day is not
published yet), views are all access methods and all agents (stats.grok.se counted every
request), ``rank`` is the title's rank in the month's top list or -1, and ``title`` echoes
the request. stats.grok.se also listed impossible dates (``2013-02-30``) with 0; those are
left out.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import unquote, unquote_to_bytes

from flask import Blueprint

from backend.api import params
from backend.api.options import raw_segments
from backend.api.problems import invalid_request, not_found
from backend.api.responses import json_response
from backend.api.store import connection
from backend.sources import StoreSource
from backend.timeutil import day_date, day_number, day_stamp, month_days, month_of_day

blueprint = Blueprint("compat", __name__)

_MONTH = re.compile(r"^[0-9]{6}$")


def _month(raw: str) -> int:
    """Month number of ``YYYYMM``, or the 400."""
    if not _MONTH.match(raw) or not 1 <= int(raw[4:]) <= 12:
        raise invalid_request("The month must be given as YYYYMM, like 201510.")
    try:
        first = date(int(raw[:4]), int(raw[4:]), 1)
    except ValueError:
        raise invalid_request("The month must be given as YYYYMM, like 201510.") from None
    return month_of_day(day_number(first))


@blueprint.get("/json/<lang>/<month>/<path:title>")
def grok_month(lang: str, month: str, title: str):
    """One month of daily views of a Wikipedia article, as stats.grok.se gave them."""
    segments = raw_segments("/json/", 3)
    lang_code = unquote(segments[0])
    name = params.project(f"{lang_code}.wikipedia")
    month_number = _month(unquote(segments[1]))
    raw_title = "/".join(segments[2:])
    article = params.article(raw_title)
    source = StoreSource(connection(limited=True))
    if source.through(name) is None:
        raise not_found()
    days = month_days(month_number)
    daily = source.daily(
        name, [article], day_date(days[0]), day_date(days[-1]), agent="all-agents"
    )[article]
    rank = source.rank(name, article, month=month_number) if daily else None
    return json_response(
        {
            "daily_views": {
                f"{day_date(day):%Y-%m-%d}": daily.get(day_stamp(day), 0) for day in days
            },
            "project": lang_code.lower(),
            "month": unquote(segments[1]),
            "rank": -1 if rank is None else rank,
            "title": unquote_to_bytes(raw_title).decode("utf-8"),
        }
    )
