"""Apply one parsed file to the store in one transaction, with set-based SQL.

A daily or monthly file's rows go into a temporary table by the driver's fastest path;
everything after that is ``INSERT … SELECT``: new titles, the additive upsert of daily counts
(and of the hourly window). An hourly file's rows go to the pending area instead
(:mod:`backend.ingest.pending`), and the file that completes a day folds the day's pending
rows into ``day_counts``. Then come the per-project rollups, coverage, publication and top
lists of the days the file touched. A crash anywhere before the commit leaves the store as
it was.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import chain

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Connection, Table, and_, delete, func, insert, literal, select

from backend.dumpfiles import DumpFile
from backend.ingest import crashpoints, pending, publication
from backend.ingest.dialect import (
    Dialect,
    KeyRange,
    dialect_for,
    tmp_hours,
    tmp_rows,
    tmp_titles,
)
from backend.ingest.file_titles import file_titles
from backend.ingest.packing import unpack_days
from backend.ingest.parsed import ParsedFile, ProjectFilter, arrow_tuples
from backend.ingest.projects import ensure_projects
from backend.models import (
    Coverage,
    DayCount,
    IngestedFile,
    PageHour,
    ProjectDay,
    ProjectHour,
    Title,
    core,
)
from backend.partitions import ensure_partitions


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
    ensure_partitions(connection, touched_days)
    unpack_days(connection, scope, touched_days)

    if parsed.single_hour is not None:
        _load_hour_rows(connection, dialect, dump, parsed, facts.name, hourly_window)
    else:
        _load_day_rows(connection, dialect, parsed, hourly_window)
    crashpoints.reached("counts")

    if dump.kind in ("pageviews", "pagecounts"):  # whole hours: the publish gate judges them
        publication.hold_outliers(connection, parsed.project_hours)
    add_project_sums(connection, dialect, core(ProjectHour), "hour", parsed.project_hours)
    add_project_sums(connection, dialect, core(ProjectDay), "day", parsed.project_days)
    _add_coverage(connection, dialect, dump, scope)
    fold_pending(connection, dialect, pending.complete_groups(connection, touched_days, scope))
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


def _load_day_rows(
    connection: Connection, dialect: Dialect, parsed: ParsedFile, hourly_window: bool
) -> None:
    """Add a daily or monthly file's rows into ``day_counts`` (and the hourly window)."""
    dialect.create_temp(tmp_rows)
    dialect.fill_parsed(tmp_rows, parsed)
    listed = file_titles(parsed)
    dialect.create_temp(tmp_titles)
    dialect.fill_mixed(tmp_titles, [], [listed])
    crashpoints.reached("rows-filled")
    added = dialect.insert_listed_titles(tmp_titles)
    crashpoints.reached("titles")
    # New titles went in with their page ids; only titles known before may need one.
    if (parsed.page_ids or parsed.page_id_tables) and added < listed.num_rows:
        dialect.update_page_ids(tmp_titles)
    dialect.drop_temp(tmp_titles)
    fresh = dialect.plain_insert_into_fresh_days and days_without_counts(
        connection, {(p, d) for p, d, _s in parsed.project_days}
    )
    upsert_counts(connection, dialect, core(DayCount), tmp_rows, fresh=fresh)
    if hourly_window and parsed.hour_rows:
        dialect.create_temp(tmp_hours)
        dialect.fill(tmp_hours, crashpoints.counted(parsed.hour_rows))
        upsert_counts(connection, dialect, core(PageHour), tmp_hours)
        dialect.drop_temp(tmp_hours)
    dialect.drop_temp(tmp_rows)


def _load_hour_rows(
    connection: Connection,
    dialect: Dialect,
    dump: DumpFile,
    parsed: ParsedFile,
    file_name: str,
    hourly_window: bool,
) -> None:
    """Put an hourly file's rows in the pending area (and its hour in the hourly window).

    Only the hourly window needs title ids now; the day's other titles are added when the
    day is folded (see :mod:`backend.ingest.pending`).
    """
    assert parsed.single_hour is not None
    pending.add_file(connection, file_name, int(dump.source), parsed)
    crashpoints.reached("rows-filled")
    if hourly_window:
        dialect.create_temp(tmp_rows)
        dialect.fill_mixed(tmp_rows, parsed.rows, parsed.row_tables)
        dialect.insert_new_titles(tmp_rows)
        crashpoints.reached("titles")
        upsert_counts(connection, dialect, core(PageHour), tmp_rows, hour=parsed.single_hour)
        dialect.drop_temp(tmp_rows)
    else:
        crashpoints.reached("titles")


#: Summed pending rows added into ``day_counts`` per statement batch of a fold (it bounds
#: the temporary table, which SQLite keeps in memory).
FOLD_ROWS = 2_000_000


def fold_pending(connection: Connection, dialect: Dialect, groups: Sequence[pending.Group]) -> None:
    """Sum the pending rows of ``groups`` (days now complete) into ``day_counts``."""
    # Checked once, before the first batch: the batches carry disjoint keys.
    fresh = dialect.plain_insert_into_fresh_days and days_without_counts(
        connection, {(g.project_id, g.day) for g in groups}
    )
    batch: list[pa.Table] = []
    rows = 0
    for table in (piece for group in groups for piece in pending.summed(connection, group)):
        for offset in range(0, table.num_rows, FOLD_ROWS):
            piece = table.slice(offset, FOLD_ROWS)
            batch.append(piece)
            rows += piece.num_rows
            if rows >= FOLD_ROWS:
                _add_day_tables(connection, dialect, batch, fresh)
                batch, rows = [], 0
    if batch:
        _add_day_tables(connection, dialect, batch, fresh)
    pending.delete_groups(connection, groups)


def _add_day_tables(
    connection: Connection, dialect: Dialect, tables: list[pa.Table], fresh: bool
) -> None:
    dialect.create_temp(tmp_rows)
    if crashpoints.kill_after_rows() is not None:
        dialect.fill(tmp_rows, crashpoints.counted(chain(*(arrow_tuples(t) for t in tables))))
    else:
        dialect.fill_mixed(tmp_rows, [], tables)
    keys = key_range(tables) if dialect.bounds_title_lookups else None
    dialect.insert_new_titles(tmp_rows, keys=keys)
    upsert_counts(connection, dialect, core(DayCount), tmp_rows, fresh=fresh, key_bounds=keys)
    dialect.drop_temp(tmp_rows)


def key_range(tables: Sequence[pa.Table]) -> KeyRange | None:
    """The lowest and highest (project id, title) of rows of ``ROW_COLUMNS`` tables.

    A fold batch covers consecutive title ranges of few projects, so bounding its title
    lookups by this range reads a small part of the dictionary. Titles compare by code
    point, which is UTF-8's byte order (``COLLATE "C"``).
    """
    low: tuple[int, str] | None = None
    high: tuple[int, str] | None = None
    for table in tables:
        if not table.num_rows:
            continue
        projects = table["project_id"]
        extremes = pc.min_max(projects)
        first, last = extremes["min"].as_py(), extremes["max"].as_py()
        lowest = (first, pc.min(table.filter(pc.equal(projects, first))["title"]).as_py())
        highest = (last, pc.max(table.filter(pc.equal(projects, last))["title"]).as_py())
        low = lowest if low is None else min(low, lowest)
        high = highest if high is None else max(high, highest)
    return None if low is None or high is None else (low, high)


def days_without_counts(connection: Connection, pairs: Iterable[tuple[int, int]]) -> bool:
    """Whether ``day_counts`` holds no row of any (project id, day) of ``pairs``.

    One probe of the primary key's leading columns per day (``project_id IN … AND day =``).
    """
    projects_by_day: dict[int, set[int]] = defaultdict(set)
    for project, day in pairs:
        projects_by_day[day].add(project)
    day_counts = core(DayCount)
    for day, projects in sorted(projects_by_day.items()):
        probe = (
            select(literal(1))
            .where(day_counts.c.project_id.in_(sorted(projects)), day_counts.c.day == day)
            .limit(1)
        )
        if connection.execute(probe).first() is not None:
            return False
    return True


def upsert_counts(
    connection: Connection,
    dialect: Dialect,
    target: Table,
    source: Table,
    *,
    hour: int | None = None,
    fresh: bool = False,
    key_bounds: KeyRange | None = None,
) -> None:
    """Add the per-page counts of ``source`` (a temporary table) into ``target``.

    ``target`` is ``day_counts`` (keyed by the source's ``day``) or ``page_hours`` (by the
    source's ``hour``, or by the constant ``hour`` of an hourly file's rows). ``fresh``
    says ``target`` has no row of the source's days yet (see :func:`days_without_counts`):
    where the backend gains by it, the grouped rows go in by a plain ``INSERT``.
    ``key_bounds`` bounds the title lookup (see
    :meth:`~backend.ingest.dialect.Dialect.titles_within`).
    """
    titles = core(Title)
    keys = [c.name for c in target.primary_key.columns]
    when_name = "day" if "day" in keys else "hour"
    when = literal(hour) if hour is not None else source.c[when_name]
    by_key = {
        "project_id": source.c.project_id,
        when_name: when,
        "title_id": titles.c.id,
        "series": source.c.series,
    }
    expressions = [by_key[key] for key in keys]
    joined = source.join(
        titles,
        and_(
            titles.c.project_id == source.c.project_id,
            titles.c.title == source.c.title,
            dialect.titles_within(key_bounds),
        ),
    )
    varying = [e for key, e in zip(keys, expressions, strict=True) if e is not when or hour is None]
    plain = fresh and dialect.plain_insert_into_fresh_days
    if dialect.upsert_accepts_repeats and not plain:
        # Rows with the same key add up one by one; key order makes the inserts sequential.
        query = select(*expressions, source.c.views).select_from(joined).order_by(*varying)
    else:
        # Sorted even where the planner would aggregate by hash: unsorted index inserts cost
        # twice as much.
        query = (
            select(*expressions, func.sum(source.c.views))
            .select_from(joined)
            .group_by(*varying)
            .order_by(*varying)
        )
    if plain:
        connection.execute(insert(target).from_select([*keys, "views"], query))
    else:
        connection.execute(dialect.upsert(target, keys, "add", ["views"], query))


def add_project_sums(
    connection: Connection,
    dialect: Dialect,
    table: Table,
    when: str,
    sums: Mapping[tuple[int, int, int], int],
) -> None:
    """Add ``{(project id, day or hour, series): views}`` into a per-project table."""
    if not sums:
        return
    connection.execute(
        dialect.upsert(table, ("project_id", when, "series"), "add", ["views"]),
        [
            {"project_id": project, when: at, "series": series, "views": views}
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
        {"project_id": project, "day": day, "source": int(dump.source), "hours_mask": mask}
        for project in (scope or [0])
        for day, mask in masks.items()
    ]
    coverage = core(Coverage)
    connection.execute(
        dialect.upsert(coverage, ("project_id", "day", "source"), "or", ["hours_mask"]), rows
    )


def _record_file(
    connection: Connection, dump: DumpFile, parsed: ParsedFile, facts: FileFacts
) -> None:
    files = core(IngestedFile)
    connection.execute(delete(files).where(files.c.name == facts.name))
    connection.execute(
        insert(files).values(
            name=facts.name,
            path=facts.path,
            size=facts.size,
            sha256=facts.sha256,
            source=int(dump.source),
            kind=dump.kind,
            first_hour=dump.first_hour,
            hours=dump.hours,
            projects=facts.projects,
            lines_read=parsed.lines_read,
            lines_rejected=parsed.lines_rejected,
            rejects=json.dumps(dict(sorted(parsed.rejects.items()))),
            views=parsed.views,
            duration=facts.duration,
            loaded_at=datetime.now(UTC).replace(tzinfo=None),
        )
    )
