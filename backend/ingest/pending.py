"""The pending area of hourly files: per-page counts of days that are not complete yet.

(Not to be confused with ``WIKIVIEWS_STAGING_DAYS``, the complete days kept unpacked in
``day_counts``.)

An hourly dump adds one hour to up to ~8 M (page, day, series) counts of a day. Adding them
into the keyed ``day_counts`` table one file at a time made every hour pay for millions of
B-tree writes, 24 times a day for the same rows. Instead a file's rows go, per project and
day, into ``pending_counts`` as a few compressed Arrow batches (no index per page, no title
lookup): about what writing the file once more costs. When a (project, day) has all 24
hours of a source (the coverage that also decides publication), its batches are summed in
Arrow and added into ``day_counts`` in one set-based step, and deleted.

Nothing reads pending counts but the fold, :func:`remove_file` and tests: a day that lacks
an hour is not published, so no query may see its counts anyway. Everything happens in the
loading file's transaction, so a crash keeps either the whole file (pending or folded) or
none of it; taking out a file whose day is still pending deletes its batches, exactly.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import pairwise

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import ColumnElement, Connection, and_, bindparam, delete, func, insert, select

from backend.ingest import crashpoints
from backend.ingest.parsed import ParsedFile, row_table
from backend.models import Coverage, PendingCount, core
from backend.timeutil import FULL_DAY_MASK

#: Rows per stored batch: a few MB compressed, under MariaDB's default 16 MB packet.
PART_ROWS = 200_000
#: Rows of decoded batches summed together before more are read (bounds the fold's memory).
COMPACT_ROWS = 4_000_000
#: Pending rows of a group summed in one pass over its batches; larger groups take more.
PASS_ROWS = 12_000_000

_SCHEMA = pa.schema([("title", pa.string()), ("series", pa.int16()), ("views", pa.int64())])
_WRITE_OPTIONS = pa.ipc.IpcWriteOptions(compression="zstd")
_DAY_BITS = 20  # days fit in 20 bits until the year 4840


@dataclass(frozen=True, order=True)
class Group:
    """The pending counts of one project, day and source."""

    project_id: int
    day: int
    source: int


def encode(table: pa.Table) -> bytes:
    """One batch of ``(title, series, views)`` rows as a compressed Arrow IPC stream."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, _SCHEMA, options=_WRITE_OPTIONS) as writer:
        writer.write_table(table.cast(_SCHEMA))
    return bytes(sink.getvalue().to_pybytes())


def decode(data: bytes) -> pa.Table:
    """The rows of a batch written by :func:`encode`."""
    return pa.ipc.open_stream(pa.py_buffer(data)).read_all()


def _tuples_table(rows: Sequence[tuple[int, str, int, int, int]]) -> pa.Table:
    columns = list(zip(*rows, strict=True))
    return row_table(*(pa.array(column) for column in columns))


def _runs(table: pa.Table) -> Iterator[tuple[int, int, pa.Table]]:
    """``(project id, day, rows)`` for each run of rows of one project and day, in order.

    Dumps are sorted by domain code, so a block's rows come in a few long runs: slicing
    them costs nothing, where sorting the whole file by project copied every title.
    """
    count = table.num_rows
    if not count:
        return
    key = pc.add(pc.shift_left(table["project_id"], _DAY_BITS), table["day"])
    changes = pc.not_equal(key.slice(1), key.slice(0, count - 1))
    starts = [0, *(int(i) + 1 for i in pc.indices_nonzero(changes).to_pylist()), count]
    keys = key.take(pa.array(starts[:-1])).to_pylist()
    for packed, start, end in zip(keys, starts, starts[1:], strict=False):
        yield packed >> _DAY_BITS, packed & ((1 << _DAY_BITS) - 1), table.slice(start, end - start)


def add_file(connection: Connection, file_name: str, source: int, parsed: ParsedFile) -> int:
    """Append a parsed hourly file's rows as pending batches; returns the rows written."""
    if crashpoints.kill_after_rows() is not None:  # the crash hook counts rows one by one
        for _row in crashpoints.counted(parsed.iter_rows()):
            pass
    tables = list(parsed.row_tables)
    if parsed.rows:
        tables.append(_tuples_table(parsed.rows))
    groups: dict[tuple[int, int], list[pa.Table]] = {}
    for table in tables:
        for project, day, rows in _runs(table):
            groups.setdefault((project, day), []).append(rows.select(["title", "series", "views"]))
    records = []
    batches = []
    for (project, day), pieces in sorted(groups.items()):
        rows = pa.concat_tables(pieces)  # zero-copy: the pieces become its chunks
        for part, offset in enumerate(range(0, rows.num_rows, PART_ROWS)):
            batch = rows.slice(offset, PART_ROWS)
            batches.append(batch)
            records.append(
                {
                    "project_id": project,
                    "day": day,
                    "source": source,
                    "file_name": file_name,
                    "part": part,
                    "row_count": batch.num_rows,
                }
            )
    # Compression runs without the GIL: both cores share it.
    with ThreadPoolExecutor(2, thread_name_prefix="wikiviews-encode") as pool:
        for record, data in zip(records, pool.map(encode, batches), strict=True):
            record["data"] = data
    if records:
        connection.execute(insert(core(PendingCount)), records)
    return sum(record["row_count"] for record in records)


def complete_groups(
    connection: Connection, days: Sequence[int], scope: Sequence[int] | None
) -> list[Group]:
    """Pending groups on ``days`` (of ``scope``, ``None``: any project) whose source now
    covers all 24 hours of the day, for their project or for every project."""
    pending = core(PendingCount)
    query = select(pending.c.project_id, pending.c.day, pending.c.source).distinct()
    query = query.where(pending.c.day.in_(list(days)))
    if scope is not None:
        query = query.where(pending.c.project_id.in_(list(scope)))
    groups = [Group(*row) for row in connection.execute(query)]
    if not groups:
        return []
    coverage = core(Coverage)
    masks = {
        (p, d, s): mask
        for p, d, s, mask in connection.execute(
            select(
                coverage.c.project_id, coverage.c.day, coverage.c.source, coverage.c.hours_mask
            ).where(coverage.c.day.in_(sorted({g.day for g in groups})))
        )
    }
    return sorted(
        group
        for group in groups
        if masks.get((group.project_id, group.day, group.source), 0)
        | masks.get((0, group.day, group.source), 0)
        == FULL_DAY_MASK
    )


def all_groups(connection: Connection) -> list[Group]:
    """Every pending group, complete or not."""
    pending = core(PendingCount)
    query = select(pending.c.project_id, pending.c.day, pending.c.source).distinct()
    return sorted(Group(*row) for row in connection.execute(query))


def summed(connection: Connection, group: Group) -> Iterator[pa.Table]:
    """The group's rows summed per (title, series), as tables of rows of ``ROW_COLUMNS``.

    A group of at most :data:`PASS_ROWS` pending rows is summed in one pass. A larger one
    (English Wikipedia's day is ~50 M rows, ~14 M pages) is summed in ranges of titles, one
    pass over its batches each, so that the memory held stays near ``PASS_ROWS`` rows: a
    sum over all of them at once took several GB.
    """
    pending = core(PendingCount)
    total = connection.execute(
        select(func.coalesce(func.sum(pending.c.row_count), 0)).where(_group_filter(group))
    ).scalar_one()
    passes = -(-int(total) // PASS_ROWS)
    bounds = _title_bounds(connection, group, passes) if passes > 1 else []
    edges: list[str | None] = [None, *bounds, None]
    for low, high in pairwise(edges):
        table = _summed_range(connection, group, low, high)
        count = table.num_rows
        yield row_table(
            pa.repeat(group.project_id, count),
            table["title"],
            pa.repeat(group.day, count),
            table["series"],
            table["views"],
        )


def _batches(
    connection: Connection, group: Group, file_name: str | None = None
) -> Iterator[pa.Table]:
    """The decoded batches of a group (of one of its files), read one at a time."""
    pending = core(PendingCount)
    where = _group_filter(group)
    if file_name is not None:
        where = and_(where, pending.c.file_name == file_name)
    query = (
        select(pending.c.data)
        .where(where)
        .order_by(pending.c.file_name, pending.c.part)
        .execution_options(stream_results=True, yield_per=8)
    )
    for (data,) in connection.execute(query):
        yield decode(bytes(data))


def _title_bounds(connection: Connection, group: Group, passes: int) -> list[str]:
    """Titles that cut the group into about ``passes`` ranges of equal size.

    Taken from a sample of the group's first file: an hour's titles spread over the title
    space as the day's do.
    """
    pending = core(PendingCount)
    first = connection.execute(
        select(func.min(pending.c.file_name)).where(_group_filter(group))
    ).scalar_one()
    samples = [
        table["title"].take(pa.array(range(0, table.num_rows, 97)))
        for table in _batches(connection, group, first)
    ]
    titles = pc.unique(pa.chunked_array(samples, pa.string()))
    titles = titles.take(pc.sort_indices(titles))
    picks = {titles[len(titles) * i // passes].as_py() for i in range(1, passes)}
    return sorted(picks - {None}, key=lambda title: title.encode())


def _summed_range(
    connection: Connection, group: Group, low: str | None, high: str | None
) -> pa.Table:
    """``(title, series, views)`` summed over the group's titles in ``[low, high)``."""
    tables: list[pa.Table] = []
    held = 0
    for table in _batches(connection, group):
        if low is not None or high is not None:
            table = table.filter(_in_range(table["title"], low, high))
        tables.append(table)
        held += table.num_rows
        if held > COMPACT_ROWS and len(tables) > 1:
            tables = [_sum(pa.concat_tables(tables))]
            held = tables[0].num_rows
    return _sum(pa.concat_tables(tables)) if tables else _SCHEMA.empty_table()


def _in_range(titles: pa.ChunkedArray, low: str | None, high: str | None) -> pa.ChunkedArray:
    if low is None:
        return pc.less(titles, high)
    if high is None:
        return pc.greater_equal(titles, low)
    return pc.and_(pc.greater_equal(titles, low), pc.less(titles, high))


def _sum(table: pa.Table) -> pa.Table:
    # One thread: Acero's threaded grouping was twice as slow here, and held two tables.
    grouped = table.group_by(["title", "series"], use_threads=False).aggregate([("views", "sum")])
    return pa.table(
        {
            "title": grouped["title"],
            "series": grouped["series"],
            "views": grouped["views_sum"],
        }
    )


def delete_groups(connection: Connection, groups: Sequence[Group]) -> None:
    """Forget the pending batches of ``groups`` (after they were folded)."""
    if not groups:
        return
    pending = core(PendingCount)
    connection.execute(
        delete(pending).where(
            pending.c.project_id == bindparam("p_project_id"),
            pending.c.day == bindparam("p_day"),
            pending.c.source == bindparam("p_source"),
        ),
        [{"p_project_id": g.project_id, "p_day": g.day, "p_source": g.source} for g in groups],
    )


def remove_file(connection: Connection, file_name: str, scope: Sequence[int]) -> set[int]:
    """Delete a file's pending batches for the projects of ``scope``.

    Returns the projects that had some: their share of the file is gone, exactly.
    """
    pending = core(PendingCount)
    where = and_(pending.c.file_name == file_name, pending.c.project_id.in_(list(scope)))
    found = set(connection.execute(select(pending.c.project_id).distinct().where(where)).scalars())
    if found:
        connection.execute(delete(pending).where(where))
    return found


def iter_pending(connection: Connection) -> Iterator[tuple[int, int, int, str, int, int]]:
    """Every pending row as ``(project id, day, source, title, series, views)``."""
    pending = core(PendingCount)
    query = select(pending.c.project_id, pending.c.day, pending.c.source, pending.c.data)
    order = ("project_id", "day", "source", "file_name", "part")
    for project, day, source, data in connection.execute(
        query.order_by(*(pending.c[name] for name in order))
    ):
        table = decode(bytes(data))
        for title, series, views in zip(
            table["title"].to_pylist(),
            table["series"].to_pylist(),
            table["views"].to_pylist(),
            strict=True,
        ):
            yield project, day, source, title, series, views


def _group_filter(group: Group) -> ColumnElement[bool]:
    pending = core(PendingCount)
    return and_(
        pending.c.project_id == group.project_id,
        pending.c.day == group.day,
        pending.c.source == group.source,
    )
