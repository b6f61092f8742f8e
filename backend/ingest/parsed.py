"""What parsing one dump file produces, before anything touches the store."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

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


@dataclass
class ParsedFile:
    """Counts read from one file, before anything touches the store."""

    #: Project names by id: the store's ids when ``allocate`` is given, else 0, 1, 2 …
    projects: dict[int, str] = field(default_factory=dict)
    #: The hour every row belongs to, for hourly files (their rows feed the hourly window).
    single_hour: int | None = None
    #: (project id, title, day, series, views)
    rows: list[tuple[int, str, int, int, int]] = field(default_factory=list)
    #: (project id, title, page id) from formats that carry MediaWiki page ids
    page_ids: list[tuple[int, str, int]] = field(default_factory=list)
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
    def lines_rejected(self) -> int:
        """Lines rejected for any reason."""
        return sum(self.rejects.values())
