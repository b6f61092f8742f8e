"""Per-project (and all-projects) hourly, daily and monthly aggregates; what is published."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, select

from backend.codes import Source
from backend.models import (
    Base,
    Coverage,
    DayCount,
    HeldHour,
    IngestedFile,
    PageMonth,
    PendingCount,
    Project,
    ProjectDay,
    ProjectHour,
    ProjectMonth,
    PublishedDay,
    Title,
)
from backend.queries.common import ALL_PROJECTS, project_id, wanted_series
from backend.timeutil import month_days, month_of_day


def project_ids(connection: Connection, project: str) -> list[int]:
    if project == ALL_PROJECTS:
        return list(connection.execute(select(Project.id)).scalars())
    pid = project_id(connection, project)
    return [] if pid is None else [pid]


def held_hours(connection: Connection, first_hour: int, last_hour: int) -> set[tuple[int, int]]:
    """``(project id, hour)`` of every held hour in range (project 0: every project)."""
    rows = connection.execute(
        select(HeldHour.project_id, HeldHour.hour).where(
            HeldHour.hour.between(first_hour, last_hour)
        )
    )
    return {(pid, hour) for pid, hour in rows}


def project_daily(
    connection: Connection,
    project: str,
    access: str,
    agent: str,
    first: int,
    last: int,
    *,
    source: Source | None = None,
) -> list[tuple[int, int]]:
    """Non-zero ``(day, views)`` of a project (or ``all-projects``) over published days.

    With ``source``, that source's complete days are used whether or not it wins them
    (the legacy pagecounts endpoint reads the pagecounts data this way).
    """
    ids = project_ids(connection, project)
    if not ids:
        return []
    winners = _day_winners(connection, ids, first, last, source)
    return _sum_winning(
        connection,
        ProjectDay.__table__.c.day,
        ids,
        first,
        last,
        winners,
        wanted_series(access, agent),
    )


def _sum_winning(
    connection: Connection,
    column: ColumnElement[int],
    ids: list[int],
    first: int,
    last: int,
    winners: dict[tuple[int, int], int],
    wanted: dict[int, frozenset[int]],
) -> list[tuple[int, int]]:
    """Sum a per-project table over ``[first, last]``, each row only from its winning source."""
    totals: dict[int, int] = defaultdict(int)
    table = column.table.c
    rows = connection.execute(
        select(table.project_id, column, table.series, table.views).where(
            table.project_id.in_(ids), column.between(first, last)
        )
    )
    for pid, at, series, views in rows:
        winner = winners.get((pid, at))
        if winner is not None and series in wanted[winner]:
            totals[at] += views
    return sorted((at, views) for at, views in totals.items() if views)


def _day_winners(
    connection: Connection, ids: list[int], first: int, last: int, source: Source | None
) -> dict[tuple[int, int], int]:
    if source is None:
        rows = connection.execute(
            select(PublishedDay.project_id, PublishedDay.day, PublishedDay.source).where(
                PublishedDay.project_id.in_(ids), PublishedDay.day.between(first, last)
            )
        )
        return {(p, d): s for p, d, s in rows}
    hours = visible_project_hours(connection, ids, first * 24, last * 24 + 23, source)
    complete: dict[tuple[int, int], int] = defaultdict(int)
    for (pid, hour), _ in hours.items():
        complete[(pid, hour // 24)] += 1
    return {key: int(source) for key, count in complete.items() if count == 24}


def visible_project_hours(
    connection: Connection,
    ids: list[int],
    first_hour: int,
    last_hour: int,
    only: Source | None = None,
) -> dict[tuple[int, int], int]:
    """Best loaded, unheld source of every (project, hour) in range."""
    first_day, last_day = first_hour // 24, last_hour // 24
    coverage = connection.execute(
        select(Coverage.project_id, Coverage.day, Coverage.source, Coverage.hours_mask).where(
            Coverage.day.between(first_day, last_day)
        )
    ).all()
    held = held_hours(connection, first_hour, last_hour)
    masks: dict[tuple[int, int, int], int] = defaultdict(int)
    for pid, day, src, mask in coverage:
        if only is not None and src != only:
            continue
        targets = ids if pid == 0 else ([pid] if pid in ids else [])
        for target in targets:
            masks[(target, day, src)] |= mask
    best: dict[tuple[int, int], int] = {}
    for (pid, day, src), mask in masks.items():
        if mask == 0:
            continue
        for bit in range(24):
            hour = day * 24 + bit
            if not mask >> bit & 1 or not first_hour <= hour <= last_hour:
                continue
            if (pid, hour) in held or (0, hour) in held:
                continue
            if best.get((pid, hour), -1) < src:
                best[(pid, hour)] = src
    return best


def project_hourly(
    connection: Connection,
    project: str,
    access: str,
    agent: str,
    first_hour: int,
    last_hour: int,
    *,
    source: Source | None = None,
) -> list[tuple[int, int]]:
    """Non-zero ``(hour, views)`` of a project (or ``all-projects``) over published hours."""
    ids = project_ids(connection, project)
    if not ids:
        return []
    best = visible_project_hours(connection, ids, first_hour, last_hour, source)
    return _sum_winning(
        connection,
        ProjectHour.__table__.c.hour,
        ids,
        first_hour,
        last_hour,
        best,
        wanted_series(access, agent),
    )


def project_monthly(
    connection: Connection,
    project: str,
    access: str,
    agent: str,
    first_month: int,
    last_month: int,
) -> list[tuple[int, int]]:
    """Non-zero ``(month, views)`` of a project over complete, published months."""
    ids = project_ids(connection, project)
    if not ids:
        return []
    codes = {code for codes in wanted_series(access, agent).values() for code in codes}
    totals: dict[int, int] = defaultdict(int)
    rows = connection.execute(
        select(ProjectMonth.month, ProjectMonth.series, ProjectMonth.views).where(
            ProjectMonth.project_id.in_(ids), ProjectMonth.month.between(first_month, last_month)
        )
    )
    for month, series, views in rows:
        if series in codes:
            totals[month] += views
    return sorted((m, v) for m, v in totals.items() if v)


def store_overview(connection: Connection) -> dict[str, object]:
    """Counts that describe what the store holds (for ``demo`` and health checks)."""

    def scalar(value: ColumnElement[Any]) -> object:
        return connection.execute(select(value)).scalar()

    def count(model: type[Base]) -> object:
        return connection.execute(select(func.count()).select_from(model)).scalar()

    return {
        "projects": count(Project),
        "titles": count(Title),
        "files": count(IngestedFile),
        "published_days": count(PublishedDay),
        "first_day": scalar(func.min(PublishedDay.day)),
        "last_day": scalar(func.max(PublishedDay.day)),
        "staged_rows": count(DayCount),
        "pending_rows": scalar(func.coalesce(func.sum(PendingCount.row_count), 0)),
        "packed_rows": count(PageMonth),
    }


def project_monthly_from_days(
    connection: Connection,
    project: str,
    access: str,
    agent: str,
    first_month: int,
    last_month: int,
    *,
    source: Source,
) -> list[tuple[int, int]]:
    """Non-zero ``(month, views)`` of one source's complete days, summed per month."""
    first, last = month_days(first_month)[0], month_days(last_month)[-1]
    totals: dict[int, int] = defaultdict(int)
    for day, views in project_daily(connection, project, access, agent, first, last, source=source):
        totals[month_of_day(day)] += views
    return sorted(totals.items())


def last_published_hour(connection: Connection) -> int | None:
    """The newest hour some source has loaded for some project and no hold keeps back."""
    days = connection.execute(
        select(Coverage.day)
        .where(Coverage.hours_mask != 0)
        .distinct()
        .order_by(Coverage.day.desc())
        .limit(3)
    ).scalars()
    for day in days.all():
        held = held_hours(connection, day * 24, day * 24 + 23)
        best = None
        for pid, mask in connection.execute(
            select(Coverage.project_id, Coverage.hours_mask).where(Coverage.day == day)
        ):
            for bit in range(23, -1, -1):
                hour = day * 24 + bit
                if mask >> bit & 1 and (pid, hour) not in held and (0, hour) not in held:
                    best = hour if best is None else max(best, hour)
                    break
        if best is not None:
            return best
    return None


# --- The extensions (/api/wikiviews/v1/ and the stats.grok.se shape) -------------------------
