"""A daily file's distinct titles, built by Arrow, and what the store makes of them.

New titles are numbered in (project, title) byte order, densely after the dictionary's
highest id, and go in with their page ids; titles known before get the file's page id when
it has one and keep theirs when it has none.
"""

from __future__ import annotations

import pyarrow as pa
from sqlalchemy import select

from backend.ingest.file_titles import TITLE_COLUMNS, file_titles
from backend.ingest.parsed import PAGE_ID_COLUMNS, ParsedFile, row_table
from backend.models import Project, Title, core
from tests.helpers import store_connection, write_dump
from tests.ingest.test_loading import ingest


def _rows(rows: list[tuple[int, str, int, int, int]]) -> pa.Table:
    columns = list(zip(*rows, strict=True))
    return row_table(*(pa.array(column) for column in columns))


def test_titles_are_distinct_in_byte_order_with_their_page_ids():
    parsed = ParsedFile(
        rows=[(1, "中", 10, 1, 3), (0, "b", 10, 2, 1)],
        row_tables=[
            _rows([(1, "a", 10, 1, 5), (1, "Z", 10, 1, 1), (1, "a", 10, 2, 2)]),
            _rows([(1, "É", 10, 1, 1), (1, "a b", 10, 1, 1), (0, "b", 10, 1, 4)]),
        ],
        page_id_tables=[
            pa.table(
                [pa.array([1, 0], pa.int64()), ["a", "b"], pa.array([7, 8], pa.int64())],
                names=list(PAGE_ID_COLUMNS),
            )
        ],
        page_ids=[(1, "中", 9)],
    )
    table = file_titles(parsed)
    assert table.column_names == list(TITLE_COLUMNS)
    # Byte order: upper case before lower case, "a" before "a b", then two- and three-byte
    # UTF-8; project 0 before project 1.
    assert table.to_pylist() == [
        {"project_id": 0, "title": "b", "page_id": 8, "ord": 0},
        {"project_id": 1, "title": "Z", "page_id": None, "ord": 1},
        {"project_id": 1, "title": "a", "page_id": 7, "ord": 2},
        {"project_id": 1, "title": "a b", "page_id": None, "ord": 3},
        {"project_id": 1, "title": "É", "page_id": None, "ord": 4},
        {"project_id": 1, "title": "中", "page_id": 9, "ord": 5},
    ]


def test_a_file_without_rows_has_no_titles():
    assert file_titles(ParsedFile()).num_rows == 0


def _titles(settings) -> list[tuple[int, str, int | None]]:
    titles, projects = core(Title), core(Project)
    with store_connection(settings) as connection:
        query = (
            select(titles.c.id, titles.c.title, titles.c.page_id)
            .join(projects, projects.c.id == titles.c.project_id)
            .where(projects.c.name == "en.wikipedia")
            .order_by(titles.c.id)
        )
        return [tuple(row) for row in connection.execute(query)]


def test_new_titles_are_numbered_densely_and_page_ids_follow_the_file(migrated_settings, tmp_path):
    first = tmp_path / "1"
    first.mkdir()
    write_dump(
        first,
        "pageviews-20240301-user.bz2",
        [
            "en.wikipedia Beta 5 desktop 3 A3",
            "en.wikipedia Beta 5 mobile-web 2 B2",
            "en.wikipedia Alpha null desktop 1 C1",
        ],
    )
    assert ingest(migrated_settings, first)
    assert _titles(migrated_settings) == [(1, "Alpha", None), (2, "Beta", 5)]

    second = tmp_path / "2"
    second.mkdir()
    write_dump(
        second,
        "pageviews-20240302-user.bz2",
        [
            "en.wikipedia Gamma 9 desktop 1 A1",
            "en.wikipedia Alpha 7 desktop 1 A1",
            "en.wikipedia Beta 6 desktop 1 A1",
            "en.wikipedia Delta null desktop 1 A1",
        ],
    )
    assert ingest(migrated_settings, second)
    # Known titles take the file's page ids; new ones follow in title order, no gaps.
    assert _titles(migrated_settings) == [
        (1, "Alpha", 7),
        (2, "Beta", 6),
        (3, "Delta", None),
        (4, "Gamma", 9),
    ]

    third = tmp_path / "3"
    third.mkdir()
    write_dump(
        third,
        "pageviews-20240303-user.bz2",
        ["en.wikipedia Alpha null desktop 1 A1", "en.wikipedia Gamma 9 desktop 1 A1"],
    )
    assert ingest(migrated_settings, third)
    assert _titles(migrated_settings)[0] == (1, "Alpha", 7)  # a missing page id keeps the one known
