"""The first API answer a view will ask for, answered on the server and inlined in the shell.

The page's script asks the API for its data once its script has loaded; for the article view
and the top view of a day or a month, the shell already holds that answer, which saves a round
trip on the first load. :func:`first_request` reads Pageviews Analysis' parameters as
``scripts/state.js`` does and builds the very URL ``scripts/series.js`` or
``scripts/views/topviews.js`` will build; the script uses the inlined answer only when its own
URL is exactly that one, so a disagreement costs the request it saves, never a wrong number.
:func:`answer` runs the request through the app in a context of its own (a fresh ``g``, so the
store connection, time limit and rate limit are the API's own).
"""

from __future__ import annotations

import calendar
import json
import re
from datetime import date, timedelta
from urllib.parse import quote

from flask import current_app, request
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

PAGEVIEWS = "/api/rest_v1/metrics/pageviews"
WIKIVIEWS = "/api/wikiviews/v1"
PLATFORMS = ("all-access", "desktop", "mobile-web", "mobile-app")
AGENTS = ("user", "spider", "automated", "all-agents")
#: Articles the article view charts at most (``MAX_CHART_ARTICLES`` in views/pageviews.js).
MAX_CHART_ARTICLES = 10
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH = re.compile(r"^\d{4}-\d{2}$")
_LATEST = re.compile(r"^latest(?:-(\d+))?$")


def _day(text: str) -> date | None:
    if not _DAY.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _month_end(text: str) -> date:
    year, month = int(text[:4]), int(text[5:7])
    return date(year, month, calendar.monthrange(year, month)[1])


def _preset(preset: str, through: date, first: date | None) -> tuple[date, date] | None:
    latest = _LATEST.match(preset)
    if latest:
        days = max(1, min(int(latest.group(1) or 20), 100000))
        return through - timedelta(days=days - 1), through
    month_start = through.replace(day=1)
    return {
        "this-year": (through.replace(month=1, day=1), through),
        "last-year": (date(through.year - 1, 1, 1), date(through.year - 1, 12, 31)),
        "this-month": (month_start, through),
        "last-month": (
            (month_start - timedelta(days=1)).replace(day=1),
            month_start - timedelta(1),
        ),
        "all-time": (first or through.replace(month=1, day=1), through),
    }.get(preset)


def _article_range(
    args: MultiDict[str, str], through: date, first: date | None
) -> tuple[date, date] | None:
    start, end = args.get("start", ""), args.get("end", "")
    if not (start or end):
        return _preset(args.get("range") or "latest-30", through, first) or _preset(
            "latest-30", through, first
        )
    if _MONTH.match(start):
        start += "-01"
    last = _month_end(end) if _MONTH.match(end) else _day(end) if end else through
    begin = _day(start) if start else (last - timedelta(days=29) if last else None)
    if (start and begin is None) or last is None or begin is None or begin > last:
        return None
    return begin, last


def _titles(raw: str) -> list[str]:
    titles = [t.strip().replace(" ", "_") for t in re.split(r"[|\n]", raw)]
    return list(dict.fromkeys(t for t in titles if t))


def _query(pairs: list[tuple[str, str]]) -> str:
    """Pairs encoded as the browser's URLSearchParams encodes them."""
    return "&".join(f"{_form_quote(name)}={_form_quote(value)}" for name, value in pairs)


def _form_quote(value: str) -> str:
    """``value`` as URLSearchParams writes it: ``*-._`` and ASCII letters and digits kept,
    a space as ``+``, everything else percent-encoded (``~`` too, which ``quote`` keeps)."""
    return quote(value, safe="*").replace("~", "%7E").replace("%20", "+")


def _stamp(day: date) -> str:
    return f"{day:%Y%m%d}00"


def first_request(
    view: str,
    args: MultiDict[str, str],
    spans: dict[str, tuple[date | None, date]],
    default: str | None,
    per_request: int,
) -> str | None:
    """The path and query the view's script asks first, or ``None`` when not inlined.

    ``args`` are the page's query parameters; ``spans`` maps each published project to its
    (first, last) published day; ``default`` is the project when none is named;
    ``per_request`` the titles one per-article request takes (``WIKIVIEWS_MAX_ARTICLES``).
    """
    name = args.get("project", "").strip().lower().removeprefix("www.").removesuffix(".org")
    name = name or default or ""
    if name not in spans:
        return None
    first, through = spans[name]
    platform = args.get("platform") if args.get("platform") in PLATFORMS else "all-access"
    if view == "pageviews":
        agent = "automated" if args.get("agent") == "bot" else args.get("agent", "")
        agent = agent if agent in AGENTS else "user"
        titles = _titles(args.get("pages", ""))[:MAX_CHART_ARTICLES][:per_request]
        span = _article_range(args, through, first)
        if not titles or span is None:
            return None
        pairs = [("zero_fill", "1")]
        if args.get("redirects") in ("1", "true"):
            pairs.append(("redirects", "1"))
        pairs += [("title", title) for title in titles]
        path = (
            f"{WIKIVIEWS}/per-article/{quote(name, safe='')}/{platform}/{agent}/daily/"
            f"{_stamp(span[0])}/{_stamp(span[1])}"
        )
        return f"{path}?{_query(pairs)}"
    if view == "topviews" and not (args.get("start") or args.get("end")):
        when = args.get("date", "")
        base = f"{PAGEVIEWS}/top/{quote(name, safe='')}/{platform}"
        if _MONTH.match(when):
            return f"{base}/{when[:4]}/{when[5:7]}/all-days"
        day = _day(when) if when else through
        return f"{base}/{day:%Y/%m/%d}" if day else None
    return None


def answer(path: str) -> bytes | None:
    """The API's JSON body for ``path`` (with its query) when it is a 200, else ``None``."""
    environ = {"REMOTE_ADDR": request.remote_addr or "127.0.0.1"}
    headers = {"User-Agent": request.headers.get("User-Agent") or "wikiviews-page"}
    with (
        current_app.app_context(),
        current_app.test_request_context(path, headers=headers, environ_base=environ),
    ):
        response = current_app.full_dispatch_request()
        if response.status_code != 200:
            return None
        body: bytes = response.get_data()
        return body


def inline_block(path: str, body: bytes) -> Markup:
    """``{"url": path, "body": …}`` safe inside ``<script type="application/json">``.

    ``body`` is JSON already: ``<``, ``>`` and ``&`` can only occur inside its strings, where
    their ``\\u`` escapes mean the same, so ``</script>`` cannot close the block.
    """
    text = '{"url":' + json.dumps(path) + ',"body":' + body.decode("utf-8") + "}"
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))
