"""The publish gate: a new hour at the live edge is compared before it becomes visible.

An hour newer than every hour the store held for the project before this load, and within
the last 48 hours (older hours are back-fills), is compared
with the previous hour and the same hour a week earlier. When both comparison hours have at
least ``gate_min_views`` views and the new hour is below ``gate_drop_ratio`` of both (a loss)
or above ``gate_spike_ratio`` times both (a spike), it is held: recorded in ``held_hours``
with the reason, so its day is not published, until ``wikiviews publish --force HOUR``.
Hours back-filled behind the live edge, and hours without both comparisons (the first
hours of a new store), are not held. Dumps go through the same gate
(:func:`backend.ingest.publication.hold_outliers`).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import UTC, datetime

from sqlalchemy import Connection, func, select

from backend.ingest.requests.upserts import table_of, upsert
from backend.models import HeldHour, ProjectHour, ReleasedHour
from backend.settings import Settings
from backend.timeutil import day_date

hours_t = table_of(ProjectHour)


#: Hours before now that still count as the live edge; older hours are back-fills.
LIVE_EDGE_HOURS = 48


def hold_new_hours(
    connection: Connection,
    settings: Settings,
    totals: Mapping[tuple[int, int], int],
    *,
    complete: bool = False,
    now: float | None = None,
) -> list[tuple[int, int, str]]:
    """Judge the hours of ``totals`` ((project id, hour) → views of this input).

    Call before the input's counts are added. ``complete``: every hour of ``totals`` is
    whole (an hourly dump); otherwise an hour is judged only when the input also holds the
    next one. Returns the (project, hour, reason) held.
    """
    now_hour = int((time.time() if now is None else now) // 3600)
    held = []
    for project in sorted({p for p, _h in totals}):
        edge = connection.execute(
            select(func.max(hours_t.c.hour)).where(hours_t.c.project_id == project)
        ).scalar()
        if edge is None:
            continue
        for (p, hour), views in sorted(totals.items()):
            if p != project or hour <= edge or hour < now_hour - LIVE_EDGE_HOURS:
                continue  # behind the live edge: a back-fill
            if not complete and (project, hour + 1) not in totals:
                continue  # the input's last hour may be partial
            reason = _judge(connection, settings, project, hour, views, totals)
            if reason and not _released(connection, project, hour):
                held.append((project, hour, reason))
    if held:
        held_at = datetime.now(UTC).replace(tzinfo=None)
        upsert(
            connection,
            table_of(HeldHour),
            [{"project_id": p, "hour": h, "reason": r, "held_at": held_at} for p, h, r in held],
            ("project_id", "hour"),
        )
    return held


def hour_stamp(hour: int) -> str:
    """``YYYY-MM-DDTHH`` of an hour number."""
    return f"{day_date(hour // 24).isoformat()}T{hour % 24:02d}"


def _views(connection: Connection, project: int, hour: int) -> int:
    return int(
        connection.execute(
            select(func.coalesce(func.sum(hours_t.c.views), 0)).where(
                hours_t.c.project_id == project, hours_t.c.hour == hour
            )
        ).scalar_one()
    )


def _judge(
    connection: Connection,
    settings: Settings,
    project: int,
    hour: int,
    views: int,
    totals: Mapping[tuple[int, int], int],
) -> str | None:
    previous = totals.get((project, hour - 1), 0) + _views(connection, project, hour - 1)
    week = _views(connection, project, hour - 7 * 24)
    if min(previous, week) < settings.gate_min_views:
        return None
    if views < settings.gate_drop_ratio * previous and views < settings.gate_drop_ratio * week:
        return (
            f"loss: {views} views in {hour_stamp(hour)}, previous hour {previous}, "
            f"a week earlier {week}"
        )
    if views > settings.gate_spike_ratio * previous and views > settings.gate_spike_ratio * week:
        return (
            f"spike: {views} views in {hour_stamp(hour)}, previous hour {previous}, "
            f"a week earlier {week}"
        )
    return None


def _released(connection: Connection, project: int, hour: int) -> bool:
    table = table_of(ReleasedHour)
    return (
        connection.execute(
            select(table.c.hour).where(table.c.project_id == project, table.c.hour == hour)
        ).first()
        is not None
    )
