"""Take a loaded file's contribution out of the store: the one mechanism behind
``ingest --replace`` (take it out, then load the file again) and ``unload`` (take it out,
then republish without it).

What a file added is found, cheapest first:

* **pending**: an hourly file whose day is not complete yet still has its rows apart, in the
  pending area (:mod:`backend.ingest.pending`): they are deleted;
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

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import ColumnElement, Connection, Table, and_, delete, func, literal, select

from backend.codes import Access, Agent, series_code
from backend.dumpfiles import DumpFile, UnknownFileName, identify
from backend.ingest import pending, publication
from backend.ingest.complete_dumps import parse_complete_dump
from backend.ingest.dialect import dialect_for, tmp_rows
from backend.ingest.hourly_dumps import parse_hourly_dump
from backend.ingest.loader import add_project_sums, upsert_counts
from backend.ingest.packing import unpack_days
from backend.ingest.parsed import ParsedFile, ProjectFilter
from backend.ingest.projects import project_ids
from backend.ingest.reader import UnreadableFile, file_digest
from backend.ingested import LoadedFile, LoadedFor, loaded_file
from backend.models import (
    DayCount,
    IngestedFile,
    PageHour,
    ProjectDay,
    ProjectHour,
    core,
)


class CannotRemove(Exception):
    """The store cannot tell what a file contributed (the message says why)."""


#: The name ``ingest --replace`` has always caught.
CannotReplace = CannotRemove


@dataclass(frozen=True)
class Removal:
    """What taking a file out did."""

    name: str
    method: str  # "pending" | "series" | "window" | "re-read"
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


@dataclass(frozen=True)
class _Keys:
    """The rows a file wrote: its projects, series and hours."""

    projects: list[int]
    series: list[int]
    first: int
    last: int

    def hourly(self, table: Table) -> ColumnElement[bool]:
        """Rows of a table keyed by hour (``page_hours``, ``project_hours``)."""
        return and_(
            table.c.project_id.in_(self.projects),
            table.c.hour.between(self.first, self.last),
            table.c.series.in_(self.series),
        )

    def daily(self, table: Table, days: Sequence[int]) -> ColumnElement[bool]:
        """Rows of a table keyed by day (``day_counts``, ``project_days``) on ``days``."""
        return and_(
            table.c.project_id.in_(self.projects),
            table.c.day.in_(days),
            table.c.series.in_(self.series),
        )


def _file_series(dump: DumpFile) -> list[int]:
    """Every series code the file can have written."""
    if dump.agent is not None:
        return [series_code(dump.source, access, dump.agent) for access in Access]
    return [series_code(dump.source, access, agent) for access in Access for agent in Agent]


def _scope(
    connection: Connection, record: LoadedFile, projects: ProjectFilter
) -> tuple[dict[str, int], ProjectFilter]:
    """Projects (name → id) to take the file out of, and the filter to re-read it with."""
    known = project_ids(connection)
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
    ids_all = set(ids.values())
    days = tuple(dump.days)
    if not ids:
        return Removal(record.name, "series", days, frozenset())
    scope = sorted(ids.values())
    series = _file_series(dump)
    hours = (dump.first_hour, dump.first_hour + dump.hours - 1)
    has_hours = dump.kind != "complete-monthly"  # monthly files write no hourly rows
    unpack_days(connection, scope, list(days))
    keys = _Keys(scope, series, hours[0], hours[-1])
    touched = _touched_projects(connection, keys, days, has_hours)
    # Pending rows are the file's own, kept apart: deleting them takes it out exactly. Only
    # projects whose day was folded since need one of the methods below.
    staged = pending.remove_file(connection, record.name, scope)
    if staged:
        folded = touched - staged
        staged_keys = _Keys(sorted(staged), series, hours[0], hours[-1])
        _subtract_project_hours(connection, staged_keys, dump.first_day)
        _drop_zeros_or_refuse(connection, record, staged_keys.projects, days)
        if not folded:
            _delete_hourly_rows(connection, keys)
            return Removal(record.name, "pending", days, frozenset(touched))
        ids = {name: pid for name, pid in ids.items() if pid in folded}
        reread_filter = ProjectFilter(frozenset(ids))
        scope = sorted(folded)
        keys = _Keys(scope, series, hours[0], hours[-1])

    if dump.agent is not None and not _overlapped(connection, record, dump, set(ids)):
        method = "series"
        for table in (core(DayCount), core(ProjectDay)):
            connection.execute(delete(table).where(keys.daily(table, days)))
    elif has_hours and _window_holds(connection, keys):
        method = "window"
        _subtract_window(connection, keys, dump.first_day)
    else:
        method = "re-read"
        _subtract_reread(connection, record, reread_filter, ids)
    if has_hours:
        _delete_hourly_rows(connection, _Keys(sorted(ids_all), series, hours[0], hours[-1]))
    if method != "series":
        _drop_zeros_or_refuse(connection, record, scope, days)
    return Removal(record.name, method, days, frozenset(touched))


def _delete_hourly_rows(connection: Connection, keys: _Keys) -> None:
    """Per-page and per-project hours of a file are its own: delete them by key."""
    for table in (core(PageHour), core(ProjectHour)):
        connection.execute(delete(table).where(keys.hourly(table)))


def _touched_projects(
    connection: Connection, keys: _Keys, days: tuple[int, ...], has_hours: bool
) -> set[int]:
    if has_hours:
        table = core(ProjectHour)
        where = keys.hourly(table)
    else:
        table = core(ProjectDay)
        where = keys.daily(table, days)
    return set(connection.execute(select(table.c.project_id).distinct().where(where)).scalars())


def _overlapped(
    connection: Connection, record: LoadedFile, dump: DumpFile, names: set[str]
) -> bool:
    """Whether another loaded file of the same source and agent shares days and projects."""
    files = core(IngestedFile)
    rows = connection.execute(
        select(files.c.name, files.c.projects).where(
            files.c.source == record.source,
            files.c.name != record.name,
            files.c.first_hour < record.first_hour + record.hours,
            files.c.first_hour + files.c.hours > record.first_hour,
        )
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


def _window_holds(connection: Connection, keys: _Keys) -> bool:
    """Whether the hourly window still holds every per-page count of the file's hours."""

    def sums(table: Table) -> dict[tuple[int, int], int]:
        rows = connection.execute(
            select(table.c.project_id, table.c.series, func.sum(table.c.views))
            .where(keys.hourly(table))
            .group_by(table.c.project_id, table.c.series)
        )
        return {(p, s): int(v) for p, s, v in rows if v}

    return sums(core(PageHour)) == sums(core(ProjectHour))


def _subtract_window(connection: Connection, keys: _Keys, day: int) -> None:
    """Subtract the file's hourly rows from its day (files with hours cover one day)."""
    dialect = dialect_for(connection)
    hours = core(PageHour)
    per_page = (
        select(
            hours.c.project_id,
            literal(day),
            hours.c.title_id,
            hours.c.series,
            -func.sum(hours.c.views),
        )
        .where(keys.hourly(hours))
        .group_by(hours.c.project_id, hours.c.title_id, hours.c.series)
    )
    connection.execute(
        dialect.upsert(
            core(DayCount), ("project_id", "day", "title_id", "series"), "add", ["views"], per_page
        )
    )
    _subtract_project_hours(connection, keys, day)


def _subtract_project_hours(connection: Connection, keys: _Keys, day: int) -> None:
    """Subtract the file's per-project hours from its day's per-project sums."""
    dialect = dialect_for(connection)
    project_hours = core(ProjectHour)
    per_project = (
        select(
            project_hours.c.project_id,
            literal(day),
            project_hours.c.series,
            -func.sum(project_hours.c.views),
        )
        .where(keys.hourly(project_hours))
        .group_by(project_hours.c.project_id, project_hours.c.series)
    )
    connection.execute(
        dialect.upsert(
            core(ProjectDay), ("project_id", "day", "series"), "add", ["views"], per_project
        )
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
    dialect.create_temp(tmp_rows)
    dialect.fill(
        tmp_rows, ((p, title, day, s, -views) for p, title, day, s, views in parsed.iter_rows())
    )
    upsert_counts(connection, dialect, core(DayCount), tmp_rows)
    dialect.drop_temp(tmp_rows)
    add_project_sums(
        connection,
        dialect,
        core(ProjectDay),
        "day",
        {key: -views for key, views in parsed.project_days.items()},
    )


def _drop_zeros_or_refuse(
    connection: Connection, record: LoadedFile, scope: list[int], days: tuple[int, ...]
) -> None:
    """Delete rows that fell to zero; refuse if any fell below (the store had less)."""
    for table in (core(DayCount), core(ProjectDay)):
        rows = and_(table.c.project_id.in_(scope), table.c.day.in_(days))
        negative = connection.execute(
            select(func.count()).select_from(table).where(rows, table.c.views < 0)
        ).scalar_one()
        if negative:
            raise CannotRemove(
                f"{record.name}: the store holds less than the file added ({negative} rows "
                f"of {table.name} would fall below zero); nothing was changed"
            )
        connection.execute(delete(table).where(rows, table.c.views == 0))
