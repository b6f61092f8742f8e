"""Readership data pages: ``Talk:TITLE/pageviews`` kept fresh for ``{{Xreadership}}``.

English Wikipedia's ``{{Xreadership}}`` (the stopgap for ``{{Annual readership}}`` since the
Graph extension was disabled) draws a bar chart from a subpage holding what Pageviews
Analysis downloads as CSV: a header ``Date,"Title"`` and one ``YYYY-MM-DD,views`` line a day,
oldest first. It shows the last 75 days unless the call says otherwise (``|1=``/``|days=``),
and files pages whose data is older than 7 or 30 days into maintenance categories. The bot
writes that file for each such page, only when the data changed; the whole subpage is the
data, so no markers are added, and exclusion is checked on the talk page as well.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import mwparserfromhell

DEFAULT_DAYS = 75
MAX_DAYS = 366
TEMPLATE = "Template:Xreadership"
CATEGORIES = (
    "Category:Pages with experimental page views chart needing update",
    "Category:Pages with stale experimental page views chart",
)
TEMPLATE_NAMES = ("xreadership",)


def render_csv(title: str, series: Iterable[tuple[date, int]]) -> str:
    """The data page: Pageviews Analysis' CSV for one page (title quoted, ``""`` for ``"``)."""
    quoted = '"' + title.replace("_", " ").replace('"', '""') + '"'
    lines = [f"Date,{quoted}"]
    lines.extend(f"{day.isoformat()},{int(views)}" for day, views in series)
    return "\n".join(lines)


def days_wanted(talk_text: str, default: int = DEFAULT_DAYS) -> int:
    """The window the talk page's ``{{Xreadership}}`` call asks for (``|1=`` or ``|days=``)."""
    for template in mwparserfromhell.parse(talk_text).filter_templates():
        name = str(template.name).strip().replace("_", " ").lower()
        if name.removeprefix("template:") not in TEMPLATE_NAMES:
            continue
        for key in ("days", "1"):
            if template.has(key):
                raw = template.get(key).value.strip_code().strip()
                if raw.isdigit() and 1 <= int(raw) <= MAX_DAYS:
                    return int(raw)
        return default
    return default


def window(through: date, days: int) -> tuple[date, date]:
    """The inclusive range of ``days`` days ending at ``through``."""
    return through - timedelta(days=days - 1), through


def zero_filled(series: dict[str, int], start: date, end: date) -> list[tuple[date, int]]:
    """Every day from ``start`` to ``end`` with its views (0 where the source has none)."""
    out = []
    day = start
    while day <= end:
        out.append((day, int(series.get(day.strftime("%Y%m%d"), 0))))
        day += timedelta(days=1)
    return out
