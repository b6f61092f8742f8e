"""What the store holds, as the statistics page lists it: projects and title suggestions."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from backend.queries.common import fetch_rows


@dataclass(frozen=True)
class ProjectSpan:
    """A project and its first and last published day (``None`` when nothing is published)."""

    name: str
    first_day: int | None
    last_day: int | None


def project_spans(connection: Connection) -> list[ProjectSpan]:
    """Every project the store knows with its published span, sorted by name."""
    rows = fetch_rows(
        connection,
        "SELECT p.name, MIN(d.day), MAX(d.day) FROM projects p "
        "LEFT JOIN published_days d ON d.project_id = p.id GROUP BY p.name ORDER BY p.name",
        {},
    )
    return [ProjectSpan(name, first, last) for name, first, last in rows]


def _next_prefix(prefix: str) -> str | None:
    """The smallest string above every string beginning with ``prefix`` (code point order)."""
    last = ord(prefix[-1]) + 1
    if 0xD800 <= last <= 0xDFFF:
        last = 0xE000  # surrogates are not characters of any stored title
    if last > 0x10FFFF:
        return None
    return prefix[:-1] + chr(last)


def titles_with_prefix(
    connection: Connection, project_id: int, prefix: str, limit: int
) -> list[str]:
    """Up to ``limit`` stored titles of a project beginning with ``prefix``, in title order.

    A range on the (project, title) unique index, so it stays an index seek on every backend
    however many titles the project has.
    """
    if not prefix:
        return []
    high = _next_prefix(prefix)
    sql = "SELECT title FROM titles WHERE project_id = :p AND title >= :low"
    values: dict[str, object] = {"p": project_id, "low": prefix, "n": limit}
    if high is not None:
        sql += " AND title < :high"
        values["high"] = high
    rows = fetch_rows(connection, sql + " ORDER BY title LIMIT :n", values)
    return [title for (title,) in rows]
