"""Per-article daily and monthly series over published days."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Connection, func, select

from backend.blocklist import fold_title
from backend.models import Project, PublishedDay
from backend.queries.article_ids import daily_views_by_id, day_publication
from backend.queries.common import fetch_rows
from backend.timeutil import month_of_day


def published_days(connection: Connection, project: int, first: int, last: int) -> dict[int, int]:
    """Winning source of every published day of ``project`` in ``[first, last]``."""
    rows = fetch_rows(
        connection,
        "SELECT day, source FROM published_days WHERE project_id = :p "
        "AND day BETWEEN :first AND :last",
        {"p": project, "first": first, "last": last},
    )
    return dict(rows)


def last_published_day(connection: Connection, project: str) -> int | None:
    """The newest published day of a project (``through`` of the summary), or ``None``."""
    return connection.execute(
        select(func.max(PublishedDay.day))
        .join(Project, Project.id == PublishedDay.project_id)
        .where(Project.name == project)
    ).scalar()


def article_daily(
    connection: Connection,
    project: str,
    title: str,
    access: str,
    agent: str,
    first: int,
    last: int,
) -> list[tuple[int, int]]:
    """``(day, views)`` of one article over viewed, published days in ``[first, last]``.

    A blocked title (:func:`is_blocked`) has no data, like a title never viewed.
    """
    rows = fetch_rows(
        connection,
        "SELECT p.id, t.id, EXISTS (SELECT 1 FROM blocked_titles b WHERE b.project = :name "
        "AND b.folded = :folded) FROM projects p LEFT JOIN titles t "
        "ON t.project_id = p.id AND t.title = :title WHERE p.name = :name",
        {"name": project, "title": title, "folded": fold_title(title)},
    )
    if not rows or rows[0][1] is None or rows[0][2]:
        return []
    pid, tid = rows[0][0], rows[0][1]
    publication = day_publication(connection, pid, first, last)
    if not publication.winners:
        return []
    views = daily_views_by_id(connection, pid, [tid], access, agent, publication, first, last)
    return sorted(views.get(tid, {}).items())


def article_monthly(
    connection: Connection,
    project: str,
    title: str,
    access: str,
    agent: str,
    first: int,
    last: int,
) -> list[tuple[int, int]]:
    """Non-zero ``(month, views)``: published days of ``[first, last]`` summed per month."""
    totals: dict[int, int] = defaultdict(int)
    for day, views in article_daily(connection, project, title, access, agent, first, last):
        totals[month_of_day(day)] += views
    return sorted(totals.items())
