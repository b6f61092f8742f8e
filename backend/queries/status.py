"""What the store holds: per project the published days, their sources and held hours."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Connection, func, select, text

from backend.models import HeldHour, PendingCount, Project, PublishedDay


@dataclass(frozen=True)
class ProjectRow:
    """One project's published days (first, last, count), days won per source, held hours."""

    project: str
    first_day: int | None
    last_day: int | None
    days: int
    sources: dict[int, int]
    held_hours: int


def project_rows(connection: Connection) -> list[ProjectRow]:
    """Every project the store knows, by name, with what is published for it."""
    published = PublishedDay.__table__
    held = HeldHour.__table__
    names = dict(connection.execute(select(Project.id, Project.name)).all())
    spans = {
        pid: (first, last, count)
        for pid, first, last, count in connection.execute(
            select(
                published.c.project_id,
                func.min(published.c.day),
                func.max(published.c.day),
                func.count(),
            ).group_by(published.c.project_id)
        )
    }
    sources: dict[int, dict[int, int]] = defaultdict(dict)
    for pid, source, count in connection.execute(
        select(published.c.project_id, published.c.source, func.count()).group_by(
            published.c.project_id, published.c.source
        )
    ):
        sources[pid][source] = count
    held_counts: dict[int, int] = dict(
        connection.execute(
            select(held.c.project_id, func.count()).group_by(held.c.project_id)
        ).all()
    )
    rows = []
    for pid, name in sorted(names.items(), key=lambda item: item[1]):
        first, last, count = spans.get(pid, (None, None, 0))
        rows.append(
            ProjectRow(
                name,
                first,
                last,
                count,
                dict(sorted(sources.get(pid, {}).items())),
                held_counts.get(pid, 0) + held_counts.get(0, 0),
            )
        )
    return rows


def pending_days(connection: Connection) -> int:
    """How many (project, day, source) have hourly files waiting for the day's last hours."""
    pending = PendingCount.__table__
    groups = select(pending.c.project_id, pending.c.day, pending.c.source).distinct().subquery()
    return int(connection.execute(select(func.count()).select_from(groups)).scalar_one())


def store_size(connection: Connection) -> int | None:
    """Bytes the store takes on disk, as its database reports them (``None``: unknown)."""
    dialect = connection.dialect.name
    if dialect == "sqlite":
        # Core has no construct for PRAGMAs; these name no table.
        pages = connection.execute(text("PRAGMA page_count")).scalar()
        size = connection.execute(text("PRAGMA page_size")).scalar()
        return int(pages) * int(size) if pages is not None and size is not None else None
    if dialect == "postgresql":
        return connection.execute(select(func.pg_database_size(func.current_database()))).scalar()
    if dialect in ("mysql", "mariadb"):
        tables = text(
            "SELECT SUM(data_length + index_length) FROM information_schema.tables "
            "WHERE table_schema = DATABASE()"
        )
        total = connection.execute(tables).scalar()
        return int(total) if total is not None else None
    return None
