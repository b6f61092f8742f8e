"""Apply one parsed file to the store in one transaction, with set-based SQL.

The rows go into a temporary table by the driver's fastest path; everything after that is
``INSERT … SELECT``: new titles, the additive upsert of daily counts (and of the hourly
window), then the per-project rollups, coverage, publication and top lists of the days the
file touched. A crash anywhere before the commit leaves the store as it was.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, text

from backend.ingest import crashpoints, publication
from backend.ingest.dialect import Dialect, dialect_for
from backend.ingest.filenames import DumpFile
from backend.ingest.packing import unpack_days
from backend.ingest.parsed import ParsedFile, ProjectFilter
from backend.ingest.projects import ensure_projects

_ROW_COLUMNS = ("project_id", "title", "day", "series", "views")
_HOUR_COLUMNS = ("project_id", "title", "hour", "series", "views")


@dataclass(frozen=True)
class FileFacts:
    """What is recorded about a file besides its counts."""

    name: str
    path: str
    size: int
    sha256: str
    projects: str
    duration: float


def load_parsed(
    connection: Connection,
    dump: DumpFile,
    parsed: ParsedFile,
    projects: ProjectFilter,
    facts: FileFacts,
    *,
    hourly_window: bool,
    top_size: int,
) -> None:
    """Apply ``parsed`` and record the file; the caller owns the (write) transaction."""
    dialect = dialect_for(connection)
    scope_names = sorted(projects.only) if projects.only is not None else []
    ids = ensure_projects(connection, scope_names)
    scope = [ids[name] for name in scope_names] or None  # None: every project

    touched_days = list(dump.days)
    unpack_days(connection, scope, touched_days)

    dialect.create_temp(
        "tmp_rows",
        f"project_id SMALLINT, title {dialect.title_type}, day INTEGER, series SMALLINT, "
        "views BIGINT",
    )
    dialect.fill("tmp_rows", _ROW_COLUMNS, crashpoints.counted(parsed.rows))
    crashpoints.reached("rows-filled")
    dialect.insert_new_titles()
    crashpoints.reached("titles")
    if parsed.page_ids:
        _update_page_ids(connection, dialect, parsed)
    _upsert_counts(connection, dialect, "day_counts", "day", "t.day")
    if hourly_window and parsed.single_hour is not None:
        _upsert_counts(connection, dialect, "page_hours", "hour", str(parsed.single_hour))
    elif hourly_window and parsed.hour_rows:
        dialect.create_temp(
            "tmp_hours",
            f"project_id SMALLINT, title {dialect.title_type}, hour INTEGER, series SMALLINT, "
            "views BIGINT",
        )
        dialect.fill("tmp_hours", _HOUR_COLUMNS, crashpoints.counted(parsed.hour_rows))
        _upsert_counts(connection, dialect, "page_hours", "hour", "t.hour", source="tmp_hours")
        dialect.drop_temp("tmp_hours")
    dialect.drop_temp("tmp_rows")
    crashpoints.reached("counts")

    if dump.kind in ("pageviews", "pagecounts"):  # whole hours: the publish gate judges them
        publication.hold_outliers(connection, parsed.project_hours)
    _add_project_sums(connection, dialect, "project_hours", "hour", parsed.project_hours)
    _add_project_sums(connection, dialect, "project_days", "day", parsed.project_days)
    _add_coverage(connection, dialect, dump, scope)
    data_projects = {project for project, _day, _series in parsed.project_days}
    publication.refresh(
        connection,
        scope,
        touched_days,
        changed_projects=data_projects,
        top_size=top_size,
    )
    crashpoints.reached("rollups")
    _record_file(connection, dump, parsed, facts)
    crashpoints.reached("before-commit")


def _update_page_ids(connection: Connection, dialect: Dialect, parsed: ParsedFile) -> None:
    dialect.create_temp(
        "tmp_page_ids", f"project_id SMALLINT, title {dialect.title_type}, page_id BIGINT"
    )
    dialect.fill(
        "tmp_page_ids",
        ("project_id", "title", "page_id"),
        parsed.page_ids,
    )
    connection.exec_driver_sql(dialect.update_page_ids_sql())
    dialect.drop_temp("tmp_page_ids")


def _upsert_counts(
    connection: Connection,
    dialect: Dialect,
    table: str,
    when: str,
    when_value: str,
    source: str = "tmp_rows",
) -> None:
    keys = (
        ("project_id", when, "title_id", "series")
        if table == "day_counts"
        else ("project_id", "title_id", when, "series")
    )
    select_when = {
        "project_id": "t.project_id",
        when: when_value,
        "title_id": "p.id",
        "series": "t.series",
    }
    expressions = [select_when[key] for key in keys]
    selected = ", ".join(expressions)
    if dialect.upsert_accepts_repeats:
        # Rows with the same key add up one by one; key order makes the inserts sequential.
        values, tail = "t.views", f" ORDER BY {', '.join(str(i + 1) for i in range(len(keys)))}"
    else:
        # A constant hour is not grouped on: SQL reads a number there as a column position.
        grouped = ", ".join(e for e in expressions if not e.isdigit())
        values, tail = "SUM(t.views)", f" GROUP BY {grouped}"
    connection.exec_driver_sql(
        f"INSERT INTO {table} ({', '.join(keys)}, views) "
        f"SELECT {selected}, {values} FROM {source} t "
        "JOIN titles p ON p.project_id = t.project_id AND p.title = t.title"
        f"{dialect.select_where_true}{tail}" + dialect.on_conflict_add(table, keys, "views")
    )


def _add_project_sums(
    connection: Connection,
    dialect: Dialect,
    table: str,
    when: str,
    sums: dict[tuple[int, int, int], int],
) -> None:
    if not sums:
        return
    keys = ("project_id", when, "series")
    connection.execute(
        text(
            f"INSERT INTO {table} (project_id, {when}, series, views) "
            f"VALUES (:project_id, :when, :series, :views)"
            + dialect.on_conflict_add(table, keys, "views")
        ),
        [
            {"project_id": project, "when": at, "series": series, "views": views}
            for (project, at, series), views in sums.items()
        ],
    )


def _add_coverage(
    connection: Connection, dialect: Dialect, dump: DumpFile, scope: list[int] | None
) -> None:
    masks: dict[int, int] = {}
    for hour in range(dump.first_hour, dump.first_hour + dump.hours):
        masks[hour // 24] = masks.get(hour // 24, 0) | (1 << (hour % 24))
    rows = [
        {"project_id": project, "day": day, "source": int(dump.source), "mask": mask}
        for project in (scope or [0])
        for day, mask in masks.items()
    ]
    connection.execute(
        text(
            "INSERT INTO coverage (project_id, day, source, hours_mask) "
            "VALUES (:project_id, :day, :source, :mask)"
            + dialect.on_conflict_or("coverage", ("project_id", "day", "source"), "hours_mask")
        ),
        rows,
    )


def _record_file(
    connection: Connection, dump: DumpFile, parsed: ParsedFile, facts: FileFacts
) -> None:
    connection.execute(text("DELETE FROM ingested_files WHERE name = :name"), {"name": facts.name})
    connection.execute(
        text(
            "INSERT INTO ingested_files (name, path, size, sha256, source, kind, first_hour, "
            "hours, projects, lines_read, lines_rejected, rejects, views, duration, loaded_at) "
            "VALUES (:name, :path, :size, :sha256, :source, :kind, :first_hour, :hours, "
            ":projects, :lines_read, :lines_rejected, :rejects, :views, :duration, :loaded_at)"
        ),
        {
            "name": facts.name,
            "path": facts.path,
            "size": facts.size,
            "sha256": facts.sha256,
            "source": int(dump.source),
            "kind": dump.kind,
            "first_hour": dump.first_hour,
            "hours": dump.hours,
            "projects": facts.projects,
            "lines_read": parsed.lines_read,
            "lines_rejected": parsed.lines_rejected,
            "rejects": json.dumps(dict(sorted(parsed.rejects.items()))),
            "views": parsed.views,
            "duration": facts.duration,
            "loaded_at": datetime.now(UTC).replace(tzinfo=None),
        },
    )
