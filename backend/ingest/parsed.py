"""What parsing one dump file produces, before anything touches the store."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from backend.project_names import resolve_project
from backend.titles import MAX_TITLE_BYTES

#: Longest line accepted; dump lines are far shorter (titles are at most 512 bytes).
MAX_LINE_BYTES = 4096

#: Why a line was rejected, in the words the summary prints.
REJECT_REASONS = {
    "fields": "wrong number of fields",
    "count": "count not a non-negative integer",
    "utf8": "invalid UTF-8",
    "nul": "NUL byte",
    "too_long": f"line longer than {MAX_LINE_BYTES} bytes",
    "domain": "unknown domain code or project",
    "title": f"empty title or title over {MAX_TITLE_BYTES} bytes",
    "hours": "hourly or daily letter counts malformed or not summing to the total",
    "access": "unknown access method",
    "page_id": "page id neither an integer nor null",
}


class ProjectFilter:
    """Which projects a load keeps: all, only some, or all but some (already loaded)."""

    def __init__(self, only: frozenset[str] | None = None, exclude: frozenset[str] = frozenset()):
        self.only = only
        self.exclude = exclude

    def keeps(self, project: str) -> bool:
        """Whether lines of ``project`` are loaded."""
        if project in self.exclude:
            return False
        return self.only is None or project in self.only

    @property
    def is_all(self) -> bool:
        """Whether every project is kept."""
        return self.only is None and not self.exclude

    @classmethod
    def from_names(cls, names: Iterable[str], known: Iterable[str] = ()) -> ProjectFilter:
        """Build from ``--project`` values; empty keeps all.

        Names are resolved by :func:`~backend.project_names.resolve_project` (``enwiki`` is
        ``en.wikipedia``); an unknown one raises
        :class:`~backend.project_names.UnknownProject` naming the closest of ``known`` and
        of the known project families.
        """
        names = tuple(names)
        if not names:
            return cls()
        known = tuple(known)
        return cls(frozenset(resolve_project(name, known) for name in names))


#: Columns of :attr:`ParsedFile.row_tables`, in the order of a row tuple.
ROW_COLUMNS = ("project_id", "title", "day", "series", "views")
#: Columns of :attr:`ParsedFile.page_id_tables`.
PAGE_ID_COLUMNS = ("project_id", "title", "page_id")


def row_table(
    project_id: pa.Array, title: pa.Array, day: pa.Array, series: pa.Array, views: pa.Array
) -> pa.Table:
    """An Arrow table of parsed rows (see :attr:`ParsedFile.row_tables`)."""
    columns = [project_id, title, day, series, views]
    return pa.table(
        [pc.cast(c, pa.string() if i == 1 else pa.int64()) for i, c in enumerate(columns)],
        names=list(ROW_COLUMNS),
    )


def arrow_tuples(table: pa.Table) -> Iterator[tuple[Any, ...]]:
    """The rows of an Arrow table as tuples, a batch of columns at a time."""
    for batch in table.to_batches(max_chunksize=1 << 16):
        yield from zip(*(column.to_pylist() for column in batch.columns), strict=True)


def _remapped(table: pa.Table, mapping: Mapping[int, int]) -> pa.Table:
    """``table`` with its first column (project ids) renumbered by ``mapping``."""
    olds = list(mapping)
    news = pa.array([mapping[old] for old in olds], pa.int64())
    positions = pc.index_in(table.column(0), value_set=pa.array(olds, pa.int64()))
    return table.set_column(0, table.schema.field(0), pc.take(news, positions))


@dataclass
class ParsedFile:
    """Counts read from one file, before anything touches the store."""

    #: Project names by id: the store's ids when ``allocate`` is given, else 0, 1, 2 …
    projects: dict[int, str] = field(default_factory=dict)
    #: The hour every row belongs to, for hourly files (their rows feed the hourly window).
    single_hour: int | None = None
    #: (project id, title, day, series, views)
    rows: list[tuple[int, str, int, int, int]] = field(default_factory=list)
    #: More such rows, as Arrow tables with the columns of :data:`ROW_COLUMNS` (the
    #: vectorised parsers' output: no Python object per row until a driver needs one).
    row_tables: list[pa.Table] = field(default_factory=list)
    #: (project id, title, page id) from formats that carry MediaWiki page ids, one per title
    #: (a parser keeps the first it sees)
    page_ids: list[tuple[int, str, int]] = field(default_factory=list)
    #: More of them as Arrow tables (columns project_id, title, page_id), a title in only
    #: one row of one of them
    page_id_tables: list[pa.Table] = field(default_factory=list)
    #: (project id, title, hour, series, views) for the hourly window, when requested
    hour_rows: list[tuple[int, str, int, int, int]] = field(default_factory=list)
    project_hours: Counter[tuple[int, int, int]] = field(default_factory=Counter)
    project_days: Counter[tuple[int, int, int]] = field(default_factory=Counter)
    lines_read: int = 0
    lines_examined: int = 0
    rejects: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    views: int = 0

    allocate: Callable[[str], int] | None = field(default=None, repr=False)
    _ids: dict[str, int] = field(default_factory=dict, repr=False)
    on_lines: Callable[[int], None] | None = field(default=None, repr=False)

    def project_id(self, name: str) -> int:
        """The id of a project, allocating it on first sight."""
        found = self._ids.get(name)
        if found is None:
            found = self.allocate(name) if self.allocate else len(self._ids)
            self._ids[name] = found
            self.projects[found] = name
        return found

    def count_lines(self, lines: int) -> None:
        """Add ``lines`` to the lines read from the file."""
        self.lines_read += lines
        if self.on_lines is not None:
            self.on_lines(lines)

    @property
    def row_count(self) -> int:
        """Rows in ``rows`` and ``row_tables``."""
        return len(self.rows) + sum(int(table.num_rows) for table in self.row_tables)

    def iter_rows(self) -> Iterator[tuple[int, str, int, int, int]]:
        """Every row of ``rows`` and ``row_tables`` as a tuple."""
        yield from self.rows
        for table in self.row_tables:
            yield from arrow_tuples(table)

    def iter_page_ids(self) -> Iterator[tuple[int, str, int]]:
        """Every (project id, title, page id) of ``page_ids`` and ``page_id_tables``."""
        yield from self.page_ids
        for table in self.page_id_tables:
            yield from arrow_tuples(table)

    def remap_projects(self, mapping: Mapping[int, int]) -> None:
        """Renumber projects by ``mapping`` (old id → new id) everywhere, in place."""
        self.projects = {mapping[old]: name for old, name in self.projects.items()}
        self.rows = [(mapping[p], title, day, s, v) for p, title, day, s, v in self.rows]
        self.row_tables = [_remapped(table, mapping) for table in self.row_tables]
        self.page_id_tables = [_remapped(table, mapping) for table in self.page_id_tables]
        self.page_ids = [(mapping[p], title, page) for p, title, page in self.page_ids]
        self.hour_rows = [(mapping[p], title, h, s, v) for p, title, h, s, v in self.hour_rows]
        self.project_hours = Counter(
            {(mapping[p], hour, s): v for (p, hour, s), v in self.project_hours.items()}
        )
        self.project_days = Counter(
            {(mapping[p], day, s): v for (p, day, s), v in self.project_days.items()}
        )

    @property
    def lines_rejected(self) -> int:
        """Lines rejected for any reason."""
        return sum(self.rejects.values())
