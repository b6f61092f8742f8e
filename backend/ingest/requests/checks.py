"""What ``wikiviews check`` and ``publish --force`` read and change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, delete, func, select

from backend.db import WRITE
from backend.ingest import publication
from backend.ingest.requests.upserts import table_of, upsert
from backend.models import HeldHour, Project, ReleasedHour, RequestSequence
from backend.settings import Settings


@dataclass(frozen=True)
class SequenceRow:
    """Loss and duplication of one log host in one hour."""

    hostname: str
    hour: int
    expected: int
    received: int
    duplicates: int

    @property
    def missing(self) -> int:
        """Numbers between the first and last received that never arrived."""
        return self.expected - self.received


def sequence_report(connection: Connection, hours: int) -> list[SequenceRow]:
    """Per host and hour, the last ``hours`` hours recorded."""
    table = table_of(RequestSequence)
    newest = connection.execute(select(func.max(table.c.hour))).scalar()
    if newest is None:
        return []
    rows = connection.execute(
        select(
            table.c.hostname,
            table.c.hour,
            table.c.first_seq,
            table.c.last_seq,
            table.c.received,
            table.c.duplicates,
        )
        .where(table.c.hour > newest - hours)
        .order_by(table.c.hour, table.c.hostname)
    )
    return [
        SequenceRow(host, hour, last - first + 1, received, duplicates)
        for host, hour, first, last, received, duplicates in rows
    ]


def held_hours(connection: Connection) -> list[tuple[str, int, str]]:
    """(project name, hour, reason) of every hour held back."""
    held, projects = table_of(HeldHour), table_of(Project)
    rows = connection.execute(
        select(func.coalesce(projects.c.name, "*"), held.c.hour, held.c.reason)
        .select_from(held.outerjoin(projects, projects.c.id == held.c.project_id))
        .order_by(held.c.hour)
    )
    return [(name, hour, reason) for name, hour, reason in rows]


def release_hour(engine: Engine, settings: Settings, hour: int) -> int:
    """Release ``hour`` for every project it is held for; returns how many were released.

    The hour is recorded as released so that the gate never holds it again.
    """
    held = table_of(HeldHour)
    with engine.connect().execution_options(**WRITE) as connection, connection.begin():
        projects = list(
            connection.execute(select(held.c.project_id).where(held.c.hour == hour)).scalars()
        )
        connection.execute(delete(held).where(held.c.hour == hour))
        now = datetime.now(UTC).replace(tzinfo=None)
        marked = projects or list(connection.execute(select(table_of(Project).c.id)).scalars())
        upsert(
            connection,
            table_of(ReleasedHour),
            [{"project_id": p, "hour": hour, "released_at": now} for p in marked],
            ("project_id", "hour"),
        )
        if projects:
            scope = None if 0 in projects else projects
            publication.refresh(
                connection,
                scope,
                [hour // 24],
                changed_projects=projects,
                top_size=settings.top_size,
            )
    return len(projects)
