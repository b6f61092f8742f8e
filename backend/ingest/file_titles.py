"""The distinct titles of a parsed file with their page ids, built by Arrow.

A daily file repeats a title once per access method; its page ids come one per title. The
store needs the distinct titles in (project id, title) byte order, which is the order new
titles are numbered in, each with its page id. Building that list with Arrow's hash
aggregation, join and sort is cheaper than asking the store for it: on PostgreSQL the
``DISTINCT``, the join with the page ids and a spilled sort of text keys took 7 s of a 12 s
title insert for an all-wikis daily file (see docs/performance.md).
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from backend.ingest.parsed import PAGE_ID_COLUMNS, ParsedFile

#: Columns of :func:`file_titles`' table and of the temporary table it fills.
TITLE_COLUMNS = ("project_id", "title", "page_id", "ord")


def _key_table(project_ids: list[int], titles: list[str]) -> pa.Table:
    return pa.table(
        [pa.array(project_ids, pa.int64()), pa.array(titles, pa.string())],
        names=["project_id", "title"],
    )


def _keys(parsed: ParsedFile) -> pa.Table:
    """Every (project id, title) of the file's rows, once."""
    pieces = [table.select(["project_id", "title"]) for table in parsed.row_tables]
    if parsed.rows:
        pieces.append(_key_table([row[0] for row in parsed.rows], [row[1] for row in parsed.rows]))
    every = pa.concat_tables(pieces) if pieces else _key_table([], [])
    return every.group_by(["project_id", "title"], use_threads=False).aggregate([])


def _page_ids(parsed: ParsedFile) -> pa.Table | None:
    """(project id, title, page id) of the file, one row per title as parsers give them."""
    pieces = [table.select(list(PAGE_ID_COLUMNS)) for table in parsed.page_id_tables]
    if parsed.page_ids:
        project_ids, titles, page_ids = zip(*parsed.page_ids, strict=True)
        pieces.append(
            _key_table(list(project_ids), list(titles)).append_column(
                "page_id", pa.array(page_ids, pa.int64())
            )
        )
    return pa.concat_tables(pieces) if pieces else None


def file_titles(parsed: ParsedFile) -> pa.Table:
    """The file's distinct titles with their page ids (null where the file has none).

    Columns :data:`TITLE_COLUMNS`; rows in (project id, title) order, compared byte by byte
    as SQLite and PostgreSQL (``COLLATE "C"``) compare them, ``ord`` numbering them 0, 1, …
    """
    keys = _keys(parsed)
    page_ids = _page_ids(parsed)
    if page_ids is None:
        keys = keys.append_column("page_id", pa.nulls(keys.num_rows, pa.int64()))
    else:
        keys = keys.join(
            page_ids, ["project_id", "title"], join_type="left outer", use_threads=False
        )
    order = pc.sort_indices(keys, sort_keys=[("project_id", "ascending"), ("title", "ascending")])
    ordered = keys.take(order).select(["project_id", "title", "page_id"])
    return ordered.append_column("ord", pa.array(range(ordered.num_rows), pa.int64()))
