"""Take a loaded file's contribution out of the store before it is loaded again (``--replace``).

A ``pageview_complete`` file is the only source of its agent's series on its days, so its
contribution is those series on those days. An hourly file shares its day with 23 others;
its part is known per page only while its hour is in the hourly window, so an hourly file is
replaceable only then (its per-project hour is always known).
"""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, text

from backend.codes import Access, series_code
from backend.ingest.dialect import dialect_for
from backend.ingest.filenames import DumpFile
from backend.ingest.packing import unpack_days
from backend.ingest.parsed import ProjectFilter
from backend.ingest.projects import ensure_projects


class CannotReplace(Exception):
    """The store no longer knows what the file contributed per page."""


def _scope(connection: Connection, projects: ProjectFilter) -> list[int]:
    if projects.only is not None:
        return sorted(ensure_projects(connection, projects.only).values())
    ids = connection.execute(text("SELECT id, name FROM projects")).all()
    return sorted(i for i, name in ids if name not in projects.exclude)


def remove_file(connection: Connection, dump: DumpFile, projects: ProjectFilter) -> None:
    """Remove what ``dump`` added for ``projects`` (a no-op for a file never loaded)."""
    loaded = connection.execute(
        text("SELECT 1 FROM ingested_files WHERE name = :n"), {"n": dump.path.name}
    ).scalar()
    if loaded is None:
        return
    scope = _scope(connection, projects)
    if not scope:
        return
    unpack_days(connection, scope, list(dump.days))
    if dump.agent is not None:
        _remove_complete(connection, dump, scope)
    else:
        _remove_hour(connection, dump, scope)


def _in(statement: str, **expanding: list[int]):
    return text(statement).bindparams(*(bindparam(k, expanding=True) for k in expanding))


def _remove_complete(connection: Connection, dump: DumpFile, scope: list[int]) -> None:
    assert dump.agent is not None
    series = [series_code(dump.source, access, dump.agent) for access in Access]
    days = list(dump.days)
    hours = range(dump.first_hour, dump.first_hour + dump.hours)
    params = {"projects": scope, "series": series, "days": days}
    for table in ("day_counts", "project_days"):
        connection.execute(
            _in(
                f"DELETE FROM {table} WHERE project_id IN :projects AND day IN :days "
                "AND series IN :series",
                projects=scope,
                days=days,
                series=series,
            ),
            params,
        )
    for table in ("project_hours", "page_hours"):
        connection.execute(
            _in(
                f"DELETE FROM {table} WHERE project_id IN :projects AND hour BETWEEN :first "
                "AND :last AND series IN :series",
                projects=scope,
                series=series,
            ),
            {"projects": scope, "series": series, "first": hours[0], "last": hours[-1]},
        )


def _remove_hour(connection: Connection, dump: DumpFile, scope: list[int]) -> None:
    hour, day, source = dump.first_hour, dump.first_hour // 24, int(dump.source)
    params = {"projects": scope, "hour": hour, "day": day, "source": source}
    expanding = {"projects": scope}
    known = connection.execute(
        _in(
            "SELECT COUNT(*) FROM project_hours WHERE project_id IN :projects AND hour = :hour "
            "AND (series >> 4) = :source",
            **expanding,
        ),
        params,
    ).scalar_one()
    in_window = connection.execute(
        _in(
            "SELECT COUNT(*) FROM page_hours WHERE project_id IN :projects AND hour = :hour "
            "AND (series >> 4) = :source",
            **expanding,
        ),
        params,
    ).scalar_one()
    if known and not in_window:
        raise CannotReplace(
            f"{dump.path.name}: its per-page counts are no longer in the hourly window, so "
            "they cannot be taken out; reload its whole day instead"
        )
    dialect = dialect_for(connection)
    keys = ("project_id", "day", "title_id", "series")
    connection.execute(
        _in(
            "INSERT INTO day_counts (project_id, day, title_id, series, views) "
            "SELECT project_id, :day, title_id, series, -views FROM page_hours "
            "WHERE project_id IN :projects AND hour = :hour AND (series >> 4) = :source"
            + dialect.on_conflict_add("day_counts", keys, "views"),
            **expanding,
        ),
        params,
    )
    connection.execute(
        _in(
            "INSERT INTO project_days (project_id, day, series, views) "
            "SELECT project_id, :day, series, -views FROM project_hours "
            "WHERE project_id IN :projects AND hour = :hour AND (series >> 4) = :source"
            + dialect.on_conflict_add("project_days", ("project_id", "day", "series"), "views"),
            **expanding,
        ),
        params,
    )
    for table in ("page_hours", "project_hours"):
        connection.execute(
            _in(
                f"DELETE FROM {table} WHERE project_id IN :projects AND hour = :hour "
                "AND (series >> 4) = :source",
                **expanding,
            ),
            params,
        )
    for table in ("day_counts", "project_days"):
        connection.execute(
            _in(
                f"DELETE FROM {table} WHERE project_id IN :projects AND day = :day AND views = 0",
                **expanding,
            ),
            params,
        )
