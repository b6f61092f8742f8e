"""The per-project title blocklist: titles kept out of per-article results and top lists.

Titles match case-insensitively, like Wikimedia's disallowed list: an entry is stored under
its *folded* form (:func:`fold_title`: spaces as underscores, then :meth:`str.casefold`), and
the read side (:func:`backend.queries.is_blocked`, :func:`backend.queries.blocked_titles`)
folds the title it is asked about the same way. Entries take effect at once, for data
already loaded too, because nothing is removed from the store: queries leave them out.

The file format of :func:`parse_blocklist` (``wikiviews blocklist load``) is UTF-8 text, one
entry a line, fields separated by a tab::

    # project <TAB> title [<TAB> reason]
    en.wikipedia	Some_title	requested by the page's subject
    de.wikipedia	Another title

Blank lines and lines starting with ``#`` are ignored; the reason is optional.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Table, bindparam, delete, insert, select, update

from backend.domain_codes import normalise_project
from backend.models import BlockedTitle
from backend.titles import MAX_TITLE_BYTES

BLOCKED: Table = BlockedTitle.__table__  # type: ignore[assignment]


class InvalidEntry(ValueError):
    """A blocklist entry (or line of a blocklist file) that cannot be used."""


@dataclass(frozen=True)
class Entry:
    """One blocked title of a project."""

    project: str
    title: str
    reason: str = ""

    @property
    def folded(self) -> str:
        """The key the entry is stored and matched under."""
        return fold_title(self.title)


@dataclass(frozen=True)
class StoredEntry:
    """A blocklist entry as the store holds it."""

    project: str
    title: str
    reason: str
    added_at: datetime


def fold_title(title: str) -> str:
    """The case-insensitive form of a title: spaces as underscores, then case-folded."""
    return title.strip().replace(" ", "_").casefold()


def make_entry(project: str, title: str, reason: str = "") -> Entry:
    """Validate and normalise an entry (project name as the API normalises it, ``_`` for spaces).

    Raises :class:`InvalidEntry` with a message saying what is wrong.
    """
    name = normalise_project(project)
    if name is None:
        raise InvalidEntry(f"invalid project name: {project!r}")
    normalised = title.strip().replace(" ", "_")
    if not normalised:
        raise InvalidEntry("empty title")
    if len(normalised.encode()) > MAX_TITLE_BYTES or len(fold_title(normalised).encode()) > (
        MAX_TITLE_BYTES
    ):
        raise InvalidEntry(f"title longer than {MAX_TITLE_BYTES} bytes: {normalised[:40]}…")
    if "\t" in normalised or "\n" in normalised:
        raise InvalidEntry(f"title contains a tab or newline: {normalised!r}")
    if "\t" in reason or "\n" in reason:
        raise InvalidEntry("reason contains a tab or newline")
    return Entry(name, normalised, reason.strip())


def parse_blocklist(lines: Iterable[str], source: str = "<input>") -> list[Entry]:
    """Entries of a blocklist file (see the module docstring), validated before any is used.

    A later line for the same (project, folded title) replaces an earlier one. Raises
    :class:`InvalidEntry` naming the first bad line.
    """
    entries: dict[tuple[str, str], Entry] = {}
    for number, raw in enumerate(lines, 1):
        line = raw.rstrip("\r\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) not in (2, 3):
            raise InvalidEntry(
                f"{source}:{number}: expected 'project<TAB>title[<TAB>reason]', "
                f"got {len(fields)} tab-separated fields"
            )
        try:
            entry = make_entry(*fields)
        except InvalidEntry as exc:
            raise InvalidEntry(f"{source}:{number}: {exc}") from exc
        entries[(entry.project, entry.folded)] = entry
    return list(entries.values())


def read_blocklist(path: Path) -> list[Entry]:
    """Parse a blocklist file (UTF-8); raises :class:`InvalidEntry` for a bad line or encoding."""
    try:
        content = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidEntry(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    return parse_blocklist(content.splitlines(), str(path))


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def add_entries(connection: Connection, entries: Iterable[Entry]) -> tuple[int, int]:
    """Block ``entries`` (inside the caller's transaction); returns (added, updated).

    An entry already blocked keeps its ``added_at``; its title and reason are updated when
    they differ, so adding the same entries again changes nothing.
    """
    wanted = list(entries)
    if not wanted:
        return 0, 0
    projects = sorted({e.project for e in wanted})
    existing: dict[tuple[str, str], tuple[str, str]] = {}
    for project in projects:
        rows = connection.execute(
            select(BLOCKED.c.folded, BLOCKED.c.title, BLOCKED.c.reason).where(
                BLOCKED.c.project == project
            )
        )
        existing.update({(project, folded): (title, reason) for folded, title, reason in rows})
    inserts, updates = [], []
    for entry in wanted:
        row = {"p": entry.project, "f": entry.folded, "t": entry.title, "r": entry.reason}
        known = existing.get((entry.project, entry.folded))
        if known is None:
            inserts.append({**row, "at": _now()})
        elif known != (entry.title, entry.reason):
            updates.append(row)
    if inserts:
        connection.execute(
            insert(BLOCKED).values(
                project=bindparam("p"),
                folded=bindparam("f"),
                title=bindparam("t"),
                reason=bindparam("r"),
                added_at=bindparam("at"),
            ),
            inserts,
        )
    if updates:
        connection.execute(
            update(BLOCKED)
            .where(BLOCKED.c.project == bindparam("p"), BLOCKED.c.folded == bindparam("f"))
            .values(title=bindparam("t"), reason=bindparam("r")),
            updates,
        )
    return len(inserts), len(updates)


def remove_entry(connection: Connection, project: str, title: str) -> bool:
    """Unblock a title (matched case-insensitively); returns whether it was blocked."""
    entry = make_entry(project, title)
    result = connection.execute(
        delete(BLOCKED).where(BLOCKED.c.project == entry.project, BLOCKED.c.folded == entry.folded)
    )
    return bool(result.rowcount)


def list_entries(connection: Connection, project: str | None = None) -> list[StoredEntry]:
    """Every blocked title (of one project if given), by project and title."""
    query = select(BLOCKED.c.project, BLOCKED.c.title, BLOCKED.c.reason, BLOCKED.c.added_at)
    if project is not None:
        name = normalise_project(project)
        if name is None:
            raise InvalidEntry(f"invalid project name: {project!r}")
        query = query.where(BLOCKED.c.project == name)
    rows = connection.execute(query.order_by(BLOCKED.c.project, BLOCKED.c.folded))
    return [StoredEntry(*row) for row in rows]


def format_entries(entries: Iterable[StoredEntry]) -> str:
    """Entries in the file format of :func:`parse_blocklist` (``list`` output loads back)."""
    return "\n".join(
        f"{e.project}\t{e.title}\t{e.reason}" if e.reason else f"{e.project}\t{e.title}"
        for e in entries
    )
