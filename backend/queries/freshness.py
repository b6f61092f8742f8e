"""What is published for a project, from which source, and what is held."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from backend.models import Coverage, HeldHour, PageHour
from backend.queries.article_ids import project_and_through, visible_hours
from backend.queries.articles import published_days


@dataclass(frozen=True)
class Freshness:
    """What a project has published: newest day and hour, recent days' sources, held hours."""

    last_day: int | None
    last_hour: int | None
    #: ``(day, winning source or None, {source: hours loaded})``, newest first.
    days: list[tuple[int, int | None, dict[int, int]]]
    #: ``(hour, reason, held_at)`` of the held hours of those days, oldest first.
    held: list[tuple[int, str, object]]


def freshness(connection: Connection, project: str, days: int) -> Freshness | None:
    """Freshness of a project over its ``days`` newest covered days, or ``None`` if unknown."""
    state = project_and_through(connection, project)
    if state is None:
        return None
    pid, last_day = state
    newest = connection.execute(
        select(func.max(Coverage.day)).where(
            Coverage.project_id.in_((0, pid)), Coverage.hours_mask != 0
        )
    ).scalar()
    if newest is None:
        return Freshness(last_day, None, [], [])
    first = newest - days + 1
    loaded: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    masks: dict[tuple[int, int], int] = defaultdict(int)
    for day, source, mask in connection.execute(
        select(Coverage.day, Coverage.source, Coverage.hours_mask).where(
            Coverage.project_id.in_((0, pid)), Coverage.day.between(first, newest)
        )
    ):
        masks[(day, source)] |= mask
    for (day, source), mask in masks.items():
        if mask:
            loaded[day][source] = bin(mask).count("1")
    winners = published_days(connection, pid, first, newest)
    held = connection.execute(
        select(HeldHour.hour, HeldHour.reason, HeldHour.held_at)
        .where(
            HeldHour.project_id.in_((0, pid)),
            HeldHour.hour.between(first * 24, newest * 24 + 23),
        )
        .order_by(HeldHour.hour)
    ).all()
    hours = visible_hours(connection, pid, first * 24, newest * 24 + 23)
    return Freshness(
        last_day,
        max(hours) if hours else None,
        [
            (day, winners.get(day), dict(sorted(loaded[day].items())))
            for day in range(newest, first - 1, -1)
        ],
        [(hour, reason, held_at) for hour, reason, held_at in held],
    )


def hourly_window_filled(
    connection: Connection, project_id: int, first_hour: int, last_hour: int
) -> bool:
    """Whether the hourly window holds any per-page row of a project in ``[first, last]``."""
    return (
        connection.execute(
            select(PageHour.hour)
            .where(PageHour.project_id == project_id, PageHour.hour.between(first_hour, last_hour))
            .limit(1)
        ).first()
        is not None
    )
