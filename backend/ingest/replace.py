"""Take a loaded file's contribution out of the store: the one mechanism behind
``ingest --replace`` (take it out, then load the file again) and ``unload`` (take it out,
then republish without it).

What a file added is found, cheapest first:

* **series**: a ``pageview_complete`` file is the only source of its agent's series on its
  days (unless a daily and a monthly file of the same agent overlap), so its contribution is
  those series on those days, deleted outright;
* **window**: a file with hours (hourly dumps, daily ``pageview_complete``) whose per-page
  hourly rows are all still in the hourly window, which is checked by comparing their sums
  with the per-project hours, which are kept forever: its daily counts are those rows;
* **re-read**: otherwise the original file is read again from the path it was loaded from,
  if it is still there with the recorded SHA-256, and what it holds is subtracted.

When none applies, :class:`CannotRemove` says why and the caller rolls back. Per-project hours
and hourly rows of a file are always its own (no other file has its source, agent and hour),
so they are deleted by key. The file's record, its coverage and the publication of its days
are left to the caller: ``--replace`` records and covers the file again at once, ``unload``
rebuilds coverage from the files that remain.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, bindparam, text

from backend.codes import Access, Agent, series_code
from backend.dumpfiles import DumpFile, UnknownFileName, identify
from backend.ingest import publication
from backend.ingest.complete_dumps import parse_complete_dump
from backend.ingest.dialect import dialect_for
from backend.ingest.hourly_dumps import parse_hourly_dump
from backend.ingest.loader import _add_project_sums, _upsert_counts
from backend.ingest.packing import unpack_days
from backend.ingest.parsed import ParsedFile, ProjectFilter
from backend.ingest.reader import UnreadableFile, file_digest
from backend.ingested import LoadedFile, LoadedFor, loaded_file


class CannotRemove(Exception):
    """The store cannot tell what a file contributed (the message says why)."""


#: The name ``ingest --replace`` has always caught.
CannotReplace = CannotRemove


@dataclass(frozen=True)
class Removal:
    """What taking a file out did."""

    name: str
    method: str  # "series" | "window" | "re-read"
    days: tuple[int, ...]
    #: Projects whose counts changed (their top lists and months need recomputing).
    projects: frozenset[int]


def remove_file(
    connection: Connection, dump: DumpFile, projects: ProjectFilter, *, top_size: int = 1000
) -> None:
    """Take out what ``dump`` added for ``projects`` before it is loaded again (``--replace``).

    A no-op for a file never loaded. Top lists of the changed projects are recomputed so that
    a project the new file no longer holds does not keep the old file's entries.
    """
    record = loaded_file(connection, dump.name)
    if record is None:
        return
    removal = take_out(connection, record, projects)
    if removal.projects:
        publication.refresh(
            connection,
            sorted(removal.projects),
            list(removal.days),
            changed_projects=removal.projects,
            top_size=top_size,
        )


def _in(statement: str, *expanding: str):
    return text(statement).bindparams(*(bindparam(k, expanding=True) for k in expanding))


def _file_series(dump: DumpFile) -> list[int]:
    """Every series code the file can have written."""
    if dump.agent is not None:
        return [series_code(dump.source, access, dump.agent) for access in Access]
    return [series_code(dump.source, access, agent) for access in Access for agent in Agent]


def _scope(
    connection: Connection, record: LoadedFile, projects: ProjectFilter
) -> tuple[dict[str, int], ProjectFilter]:
    """Projects (name → id) to take the file out of, and the filter to re-read it with."""
    known: dict[str, int] = dict(connection.execute(text("SELECT name, id FROM projects")).all())
    loaded = record.loaded
    if loaded.everything:
        names = {name for name in known if projects.keeps(name)}
        return {n: known[n] for n in names}, projects
    names = {n for n in loaded.names if projects.keeps(n)}
    return {n: known[n] for n in names if n in known}, ProjectFilter(frozenset(names))


def take_out(
    connection: Connection, record: LoadedFile, projects: ProjectFilter | None = None
) -> Removal:
    """Remove what ``record`` added for ``projects`` (default: all it was loaded for).

    Counts and per-project sums only, inside the caller's write transaction; raises
    :class:`CannotRemove` (after which the caller must roll back) when the store cannot tell.
    """
    try:
        dump = record.dump
    except UnknownFileName as exc:
        raise CannotRemove(f"{record.name}: {exc}") from exc
    wanted = projects if projects is not None else ProjectFilter()
    ids, reread_filter = _scope(connection, record, wanted)
    days = tuple(dump.days)
    if not ids:
        return Removal(record.name, "series", days, frozenset())
    scope = sorted(ids.values())
    series = _file_series(dump)
    hours = (dump.first_hour, dump.first_hour + dump.hours - 1)
    has_hours = dump.kind != "complete-monthly"  # monthly files write no hourly rows
    unpack_days(connection, scope, list(days))
    keys = {"projects": scope, "series": series, "first": hours[0], "last": hours[-1]}
    touched = _touched_projects(connection, keys, days, has_hours)

    if dump.agent is not None and not _overlapped(connection, record, dump, set(ids)):
        method = "series"
        for table in ("day_counts", "project_days"):
            connection.execute(
                _in(
                    f"DELETE FROM {table} WHERE project_id IN :projects AND day IN :days "
                    "AND series IN :series",
                    "projects",
                    "days",
                    "series",
                ),
                {"projects": scope, "series": series, "days": list(days)},
            )
    elif has_hours and _window_holds(connection, keys):
        method = "window"
        _subtract_window(connection, keys, dump.first_day)
    else:
        method = "re-read"
        _subtract_reread(connection, record, reread_filter, ids)
    if has_hours:
        for table in ("page_hours", "project_hours"):
            connection.execute(
                _in(
                    f"DELETE FROM {table} WHERE project_id IN :projects "
                    "AND hour BETWEEN :first AND :last AND series IN :series",
                    "projects",
                    "series",
                ),
                keys,
            )
    if method != "series":
        _drop_zeros_or_refuse(connection, record, scope, days)
    return Removal(record.name, method, days, frozenset(touched))


def _touched_projects(
    connection: Connection, keys: dict, days: tuple[int, ...], has_hours: bool
) -> set[int]:
    if has_hours:
        statement = _in(
            "SELECT DISTINCT project_id FROM project_hours WHERE project_id IN :projects "
            "AND hour BETWEEN :first AND :last AND series IN :series",
            "projects",
            "series",
        )
        return set(connection.execute(statement, keys).scalars())
    statement = _in(
        "SELECT DISTINCT project_id FROM project_days WHERE project_id IN :projects "
        "AND day IN :days AND series IN :series",
        "projects",
        "days",
        "series",
    )
    return set(connection.execute(statement, {**keys, "days": list(days)}).scalars())


def _overlapped(
    connection: Connection, record: LoadedFile, dump: DumpFile, names: set[str]
) -> bool:
    """Whether another loaded file of the same source and agent shares days and projects."""
    rows = connection.execute(
        text(
            "SELECT name, projects FROM ingested_files WHERE source = :s AND name <> :n "
            "AND first_hour < :end AND first_hour + hours > :start"
        ),
        {
            "s": record.source,
            "n": record.name,
            "start": record.first_hour,
            "end": record.first_hour + record.hours,
        },
    )
    for name, projects in rows:
        try:
            other = identify(name)
        except UnknownFileName:
            continue
        if other.agent != dump.agent:
            continue
        loaded = LoadedFor.parse(projects)
        if loaded.everything or record.loaded.everything or names & loaded.names:
            return True
    return False


def _window_holds(connection: Connection, keys: dict) -> bool:
    """Whether the hourly window still holds every per-page count of the file's hours."""

    def sums(table: str) -> dict[tuple[int, int], int]:
        rows = connection.execute(
            _in(
                f"SELECT project_id, series, SUM(views) FROM {table} "
                "WHERE project_id IN :projects AND hour BETWEEN :first AND :last "
                "AND series IN :series GROUP BY project_id, series",
                "projects",
                "series",
            ),
            keys,
        )
        return {(p, s): int(v) for p, s, v in rows if v}

    return sums("page_hours") == sums("project_hours")


def _subtract_window(connection: Connection, keys: dict, day: int) -> None:
    """Subtract the file's hourly rows from its day (files with hours cover one day)."""
    dialect = dialect_for(connection)
    params = {**keys, "day": day}
    connection.execute(
        _in(
            "INSERT INTO day_counts (project_id, day, title_id, series, views) "
            "SELECT project_id, :day, title_id, series, -SUM(views) FROM page_hours "
            "WHERE project_id IN :projects AND hour BETWEEN :first AND :last "
            "AND series IN :series GROUP BY project_id, title_id, series"
            + dialect.on_conflict_add(
                "day_counts", ("project_id", "day", "title_id", "series"), "views"
            ),
            "projects",
            "series",
        ),
        params,
    )
    connection.execute(
        _in(
            "INSERT INTO project_days (project_id, day, series, views) "
            "SELECT project_id, :day, series, -SUM(views) FROM project_hours "
            "WHERE project_id IN :projects AND hour BETWEEN :first AND :last "
            "AND series IN :series GROUP BY project_id, series"
            + dialect.on_conflict_add("project_days", ("project_id", "day", "series"), "views"),
            "projects",
            "series",
        ),
        params,
    )


def _reread(record: LoadedFile, projects: ProjectFilter, ids: dict[str, int]) -> ParsedFile:
    """Parse the original file again, after checking it is the one that was loaded."""
    path = Path(record.path)
    why = "its per-page counts are not in the hourly window"
    if record.kind.startswith("complete"):
        why = "another file of the same agent shares its days"
    if not path.is_file():
        raise CannotRemove(
            f"{record.name}: {why}, and the original file is gone from {path}, so what it "
            "added to each page is unknown; put the file back there to take it out"
        )
    if path.stat().st_size != record.size or file_digest(path) != record.sha256:
        raise CannotRemove(
            f"{record.name}: {why}, and the file at {path} is not the one that was loaded "
            f"(its SHA-256 differs from the recorded {record.sha256[:16]}…), so what it "
            "added to each page is unknown"
        )

    def allocate(name: str) -> int:
        found = ids.get(name)
        if found is None:
            raise CannotRemove(
                f"{record.name}: the file at {path} holds {name}, which it was not loaded "
                "for; it is not the file that was loaded"
            )
        return found

    dump = record.dump
    parse: Callable[..., ParsedFile] = (
        parse_complete_dump if dump.agent is not None else parse_hourly_dump
    )
    try:
        return parse(dump, projects, allocate=allocate)
    except UnreadableFile as exc:
        raise CannotRemove(f"{record.name}: {exc}") from exc
    except OSError as exc:
        raise CannotRemove(f"{record.name}: {path}: {exc.strerror or exc}") from exc


def _subtract_reread(
    connection: Connection, record: LoadedFile, projects: ProjectFilter, ids: dict[str, int]
) -> None:
    parsed = _reread(record, projects, ids)
    dialect = dialect_for(connection)
    dialect.create_temp(
        "tmp_rows",
        f"project_id SMALLINT, title {dialect.title_type}, day INTEGER, series SMALLINT, "
        "views BIGINT",
    )
    dialect.fill(
        "tmp_rows",
        ("project_id", "title", "day", "series", "views"),
        ((p, title, day, s, -views) for p, title, day, s, views in parsed.rows),
    )
    _upsert_counts(connection, dialect, "day_counts", "day", "t.day")
    dialect.drop_temp("tmp_rows")
    _add_project_sums(
        connection,
        dialect,
        "project_days",
        "day",
        {key: -views for key, views in parsed.project_days.items()},
    )


def _drop_zeros_or_refuse(
    connection: Connection, record: LoadedFile, scope: list[int], days: tuple[int, ...]
) -> None:
    """Delete rows that fell to zero; refuse if any fell below (the store had less)."""
    params = {"projects": scope, "days": list(days)}
    for table in ("day_counts", "project_days"):
        negative = connection.execute(
            _in(
                f"SELECT COUNT(*) FROM {table} WHERE project_id IN :projects AND day IN :days "
                "AND views < 0",
                "projects",
                "days",
            ),
            params,
        ).scalar_one()
        if negative:
            raise CannotRemove(
                f"{record.name}: the store holds less than the file added ({negative} rows "
                f"of {table} would fall below zero); nothing was changed"
            )
        connection.execute(
            _in(
                f"DELETE FROM {table} WHERE project_id IN :projects AND day IN :days AND views = 0",
                "projects",
                "days",
            ),
            params,
        )
