"""Every table of a store as sorted rows, for comparing two stores table by table."""

from __future__ import annotations

from sqlalchemy import inspect, text

from backend.partitions import is_partition_name
from backend.settings import Settings
from tests.helpers import store_connection

#: Columns that record when or how long, not what: they differ between any two loads.
VOLATILE = {"ingested_files": {"duration", "loaded_at"}}


def tables(settings: Settings) -> dict[str, list[tuple[object, ...]]]:
    """``{table: sorted rows}`` for every table but Alembic's, without volatile columns."""
    result: dict[str, list[tuple[object, ...]]] = {}
    with store_connection(settings) as connection:
        for name in sorted(inspect(connection).get_table_names()):
            if name == "alembic_version" or is_partition_name(name):
                continue  # a partition's rows are its parent's
            columns = [
                c["name"]
                for c in inspect(connection).get_columns(name)
                if c["name"] not in VOLATILE.get(name, set())
            ]
            rows = connection.execute(text(f"SELECT {', '.join(columns)} FROM {name}"))
            result[name] = sorted(
                (tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in rows),
                key=repr,
            )
    return result
