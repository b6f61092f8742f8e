"""Range partitions of the large tables on PostgreSQL (``WIKIVIEWS_PARTITION_LARGE_TABLES``).

``day_counts`` (range on ``day``) and ``page_hours`` (on ``hour``) get one partition per
calendar month, ``<table>_pYYYYMM``; ``page_months`` (on ``month``) one per calendar year,
``page_months_yYYYY``. A year, not a month, for ``page_months`` because of how it is read:
a per-article query asks for ``month IN (…)`` and ``title_id IN (…)``, and PostgreSQL (15)
probes every listed month in every partition it keeps, so a year of monthly partitions
made a one-year read of one article 3 times slower than the plain table, yearly ones 1.1
times (``bench/partitions.py``, figures in docs/store.md). A year of the all-wiki history
is still about a twelfth of the table (docs/scale.md).

* :func:`ensure_partitions` creates the partitions of the months a write is about to touch.
  The loader calls it first thing for the days of each file, and packing for the month it
  packs; every other write of these tables goes to days some file loaded before, whose
  partitions therefore exist.
* :func:`convert` turns the unpartitioned tables of a store into partitioned ones, in the
  caller's transaction: new stores at creation (:func:`backend.db.migrate`) and existing
  ones with ``wikiviews partition``.

On other backends, and on PostgreSQL stores that are not partitioned, both do nothing.
There is no default partition: a row for a month without one would fail its whole
transaction, which :func:`ensure_partitions` exists to prevent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, MetaData, Table, text

from backend.models import NAMING_CONVENTION, DayCount, PageHour, PageMonth, core
from backend.timeutil import month_days, month_of_day, month_start

#: The partitioned tables and their partition column, in the order they are converted.
PARTITIONED = {"day_counts": "day", "page_months": "month", "page_hours": "hour"}
_MODELS = {"day_counts": DayCount, "page_months": PageMonth, "page_hours": PageHour}
#: Tables with a partition per calendar year rather than per month.
YEARLY = frozenset({"page_months"})
_PARTITION_NAME = re.compile(r"^((day_counts|page_hours)_p\d{6}|page_months_y\d{4})$")


class PartitionError(Exception):
    """Partitioning cannot go ahead (the message says why); nothing was changed."""


@dataclass(frozen=True)
class Converted:
    """One table turned into a partitioned one by :func:`convert`."""

    table: str
    rows: int
    partitions: int


def is_partition_name(name: str) -> bool:
    """Whether ``name`` names a partition (``day_counts_p202403``, ``page_months_y2024``)."""
    return _PARTITION_NAME.match(name) is not None


def include_name(name: str | None, type_: str, _parent_names: object = None) -> bool:
    """Alembic's ``include_name`` hook: leave the partitions out of schema comparisons.

    The partitions are not in :mod:`backend.models` (their parent is), so autogenerate
    would otherwise propose to drop every one of them.
    """
    return not (type_ == "table" and name is not None and is_partition_name(name))


def partition_name(table: str, month: int) -> str:
    """The name of ``table``'s partition holding a month number."""
    if table in YEARLY:
        return f"{table}_y{month_start(month).year}"
    return f"{table}_p{month_start(month):%Y%m}"


def bounds(table: str, month: int) -> tuple[int, int]:
    """The partition key range ``[low, high)`` of ``table``'s partition holding a month."""
    if table in YEARLY:
        first = month - month % 12  # month numbers count from January 1970
        return first, first + 12
    days = month_days(month)
    if table == "page_hours":
        return days[0] * 24, (days[-1] + 1) * 24
    return days[0], days[-1] + 1


def _partitions(connection: Connection) -> dict[str, set[str]]:
    """``{partitioned table: names of its partitions}`` of this store (one catalog query)."""
    rows = connection.execute(
        text(
            "SELECT parent.relname, child.relname FROM pg_partitioned_table p "
            "JOIN pg_class parent ON parent.oid = p.partrelid "
            "LEFT JOIN pg_inherits i ON i.inhparent = parent.oid "
            "LEFT JOIN pg_class child ON child.oid = i.inhrelid "
            "WHERE p.partrelid IN (to_regclass('day_counts'), to_regclass('page_months'), "
            "to_regclass('page_hours'))"
        )
    )
    found: dict[str, set[str]] = {}
    for parent, child in rows:
        found.setdefault(parent, set())
        if child is not None:
            found[parent].add(child)
    return found


def partitioned_tables(connection: Connection) -> dict[str, set[str]]:
    """``{table: its partitions}`` of the tables that are partitioned (empty off PostgreSQL)."""
    if connection.dialect.name != "postgresql":
        return {}
    return _partitions(connection)


def _attach(connection: Connection, table: str, month: int) -> str:
    """Create ``table``'s partition of ``month`` and attach it.

    ``CREATE TABLE … PARTITION OF`` would take an ACCESS EXCLUSIVE lock on the parent until
    the file's transaction ends, stopping every API read of the table meanwhile; creating
    the table apart and attaching it takes only SHARE UPDATE EXCLUSIVE, which readers and
    writers pass (the new table is empty, so the attach has nothing to check).
    """
    name = partition_name(table, month)
    taken = connection.execute(text("SELECT to_regclass(:name)"), {"name": name}).scalar()
    if taken is not None:
        raise PartitionError(
            f"{name} exists but is not a partition of {table} (a month detached for an "
            f"archive?): rename or drop it before loading data of {month_start(month):%Y-%m}"
        )
    low, high = bounds(table, month)
    connection.execute(
        text(f"CREATE TABLE {name} (LIKE {table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    )
    connection.execute(
        text(f"ALTER TABLE {table} ATTACH PARTITION {name} FOR VALUES FROM ({low}) TO ({high})")
    )
    return name


def ensure_partitions(connection: Connection, days: Iterable[int]) -> list[str]:
    """Create the missing partitions of the months of ``days``; returns their names.

    In the caller's transaction. A no-op (no query) off PostgreSQL, and one catalog query
    when nothing is missing or the store is not partitioned.
    """
    if connection.dialect.name != "postgresql":
        return []
    months = sorted({month_of_day(day) for day in days})
    if not months:
        return []
    created = []
    for table, present in sorted(_partitions(connection).items()):
        for name, month in _partitions_of(table, months).items():
            if name not in present:
                created.append(_attach(connection, table, month))
    return created


def _partitions_of(table: str, months: Iterable[int]) -> dict[str, int]:
    """``{partition name: a month it holds}`` of ``table``'s partitions holding ``months``."""
    return {partition_name(table, month): month for month in sorted(months, reverse=True)}


def _store_months(connection: Connection) -> list[int]:
    """Every month from the store's first to its last with per-page data or packed days."""
    days = connection.execute(
        text(
            "SELECT min(day), max(day) FROM day_counts"
            " UNION ALL SELECT min(day), max(day) FROM packed_days"
            " UNION ALL SELECT min(hour) / 24, max(hour) / 24 FROM page_hours"
        )
    ).all()
    months = [month_of_day(day) for row in days for day in row if day is not None]
    packed = connection.execute(text("SELECT min(month), max(month) FROM page_months")).one()
    months += [month for month in packed if month is not None]
    return list(range(min(months), max(months) + 1)) if months else []


def _partitioned_copy(table: str) -> Table:
    """``table`` as :mod:`backend.models` defines it, declared ``PARTITION BY RANGE``."""
    copy = core(_MODELS[table]).to_metadata(MetaData(naming_convention=NAMING_CONVENTION))
    copy.dialect_kwargs["postgresql_partition_by"] = f"RANGE ({PARTITIONED[table]})"
    return copy


def convert(
    connection: Connection, progress: Callable[[str], None] | None = None
) -> list[Converted]:
    """Partition every large table that is not yet, keeping every row; in one transaction.

    Per table: lock it, rename it and its primary key away, create the partitioned table
    with a partition for every month of the store, copy the rows, check their number and
    drop the old table. Readers wait for the caller's commit; a failure anywhere leaves
    the store as it was once the caller rolls back. Returns what was converted.
    """
    if connection.dialect.name != "postgresql":
        raise PartitionError("only PostgreSQL stores can be partitioned")
    done = partitioned_tables(connection)
    todo = [table for table in PARTITIONED if table not in done]
    for table in todo:
        connection.execute(text(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"))
    months = _store_months(connection) if todo else []
    converted = []
    for table in todo:
        old = f"{table}_unpartitioned"
        rows = connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
        key = connection.execute(
            text(
                "SELECT conname FROM pg_constraint "
                "WHERE conrelid = to_regclass(:table) AND contype = 'p'"
            ),
            {"table": table},
        ).scalar_one()
        connection.execute(text(f"ALTER TABLE {table} RENAME TO {old}"))
        connection.execute(text(f"ALTER TABLE {old} RENAME CONSTRAINT {key} TO pk_{old}"))
        new = _partitioned_copy(table)
        new.create(connection)
        pieces = _partitions_of(table, months)
        for month in pieces.values():
            _attach(connection, table, month)
        columns = ", ".join(column.name for column in new.columns)
        moved = connection.execute(
            text(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {old}")
        ).rowcount
        if moved != rows:
            raise PartitionError(f"{table}: {moved} rows copied of {rows}; nothing was changed")
        connection.execute(text(f"DROP TABLE {old}"))
        converted.append(Converted(table, rows, len(pieces)))
        if progress is not None:
            span = "year" if table in YEARLY else "month"
            into = f": {rows} rows moved into {len(pieces)} partitions" if pieces else ""
            progress(f"{table} partitioned by {span}{into}")
    return converted
