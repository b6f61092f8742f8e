"""Core ``INSERT … ON CONFLICT`` for the three backends, built from the model tables."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import mysql, postgresql, sqlite


def _insert(connection: Connection, table: Table):
    name = connection.dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name in ("mysql", "mariadb"):
        return mysql.insert(table)
    return sqlite.insert(table)


def upsert(
    connection: Connection,
    table: Table,
    rows: Sequence[dict],
    keys: Sequence[str],
    *,
    add: Sequence[str] = (),
    replace: Sequence[str] = (),
) -> None:
    """Insert ``rows``; on a key conflict add the ``add`` columns and overwrite ``replace``.

    With neither, conflicting rows are ignored.
    """
    if not rows:
        return
    statement = _insert(connection, table)
    if connection.dialect.name in ("mysql", "mariadb"):
        if not add and not replace:
            statement = statement.prefix_with("IGNORE")
        else:
            values = {c: table.c[c] + statement.inserted[c] for c in add}
            values.update({c: statement.inserted[c] for c in replace})
            statement = statement.on_duplicate_key_update(values)
    elif not add and not replace:
        statement = statement.on_conflict_do_nothing(index_elements=list(keys))
    else:
        values = {c: table.c[c] + statement.excluded[c] for c in add}
        values.update({c: statement.excluded[c] for c in replace})
        statement = statement.on_conflict_do_update(index_elements=list(keys), set_=values)
    for start in range(0, len(rows), 5000):
        connection.execute(statement, list(rows[start : start + 5000]))
