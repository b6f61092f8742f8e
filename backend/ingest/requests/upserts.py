"""Core ``INSERT … ON CONFLICT`` for the three backends, built from the model tables."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, cast

from sqlalchemy import Column, Connection, MetaData, Table, select, true
from sqlalchemy.dialects import mysql, postgresql, sqlite

from backend.ingest.dialect import dialect_for
from backend.models import Base


def table_of(model: type[Base]) -> Table:
    """The Core table of a model (typed as a ``Table``, which it is)."""
    return cast(Table, model.__table__)


def _insert(connection: Connection, table: Table) -> Any:
    # Any: each dialect's Insert has its own conflict clause, chosen by the dialect name.
    name = connection.dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name in ("mysql", "mariadb"):
        return mysql.insert(table)
    return sqlite.insert(table)


def upsert(
    connection: Connection,
    table: Table,
    rows: Sequence[dict[str, Any]],
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


def bulk_upsert(
    connection: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Iterable[tuple[Any, ...]],
    keys: Sequence[str],
    *,
    add: Sequence[str] = (),
    replace: Sequence[str] = (),
) -> None:
    """:func:`upsert` for many rows given as tuples in ``columns`` order.

    The rows go into a temporary table by the driver's fastest path (``COPY`` on PostgreSQL),
    then into ``table`` with one ``INSERT … SELECT``; the keys of ``rows`` must be unique.
    """
    temporary = Table(
        f"tmp_{table.name}",
        MetaData(),
        *(Column(name, table.c[name].type) for name in columns),
        prefixes=["TEMPORARY"],
    )
    temporary.create(connection)
    try:
        dialect_for(connection).fill(temporary, rows)
        statement = _insert(connection, table).from_select(
            list(columns), select(*temporary.c).where(true())
        )
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
        connection.execute(statement)
    finally:
        temporary.drop(connection)
