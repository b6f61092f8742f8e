"""What differs between SQLite, PostgreSQL and MariaDB on the load path, behind one interface.

Everything else the loader does is plain SQL that all three run: ``INSERT … SELECT`` with
window functions and joins. Here are only the bulk fill of a temporary table (executemany on
SQLite, ``COPY`` on PostgreSQL, multi-row ``INSERT`` on MariaDB), the additive upsert clause,
the ingest lock and temporary-table DDL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import islice

from sqlalchemy import Connection

_BATCH = 50_000


class Dialect:
    """Load-path SQL for one backend; pick one with :func:`dialect_for`."""

    name = "sqlite"
    title_type = "VARCHAR(512)"

    def __init__(self, connection: Connection):
        self.connection = connection

    # -- locking -------------------------------------------------------------------------
    def lock(self) -> None:
        """Serialise writers (SQLite's ``BEGIN IMMEDIATE`` already does)."""

    def unlock(self) -> None:
        """Release what :meth:`lock` took, after the transaction ended."""

    # -- temporary tables -----------------------------------------------------------------
    def create_temp(self, name: str, columns: str) -> None:
        """Create (or empty) a temporary table for this connection."""
        self.connection.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{name}")
        self.connection.exec_driver_sql(f"CREATE TEMP TABLE {name} ({columns})")

    def drop_temp(self, name: str) -> None:
        """Drop a temporary table."""
        self.connection.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{name}")

    def fill(self, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
        """Insert ``rows`` into ``table`` as fast as the driver allows."""
        cursor = self.connection.connection.dbapi_connection.cursor()
        marks = ", ".join("?" for _ in columns)
        cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
        cursor.close()

    # -- upserts ---------------------------------------------------------------------------
    def on_conflict_add(self, table: str, keys: Sequence[str], column: str) -> str:
        """Clause turning an ``INSERT`` into "add ``column`` to the existing row"."""
        return (
            f" ON CONFLICT ({', '.join(keys)}) DO UPDATE SET "
            f"{column} = {table}.{column} + excluded.{column}"
        )

    def on_conflict_or(self, table: str, keys: Sequence[str], column: str) -> str:
        """Clause turning an ``INSERT`` into "OR ``column`` into the existing row"."""
        return (
            f" ON CONFLICT ({', '.join(keys)}) DO UPDATE SET "
            f"{column} = {table}.{column} | excluded.{column}"
        )

    def on_conflict_replace(self, keys: Sequence[str], columns: Sequence[str]) -> str:
        """Clause turning an ``INSERT`` into "overwrite ``columns`` of the existing row"."""
        sets = ", ".join(f"{c} = excluded.{c}" for c in columns)
        return f" ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {sets}"

    # SQLite needs a WHERE before ON CONFLICT in INSERT … SELECT … JOIN to parse it.
    select_where_true = " WHERE 1 = 1"
    #: Whether one INSERT may carry the same key twice into an additive upsert (SQLite and
    #: MariaDB apply rows one by one; PostgreSQL refuses to touch a row twice).
    upsert_accepts_repeats = True

    def insert_new_titles(self) -> None:
        """Add the titles of ``tmp_rows`` that the dictionary lacks."""
        # The rowid assigns ids in the order of (project, title): sequential index inserts.
        # OR IGNORE lets the unique index drop known titles (cheaper than DISTINCT + NOT
        # EXISTS); an ignored row takes no rowid, so ids stay dense.
        self.connection.exec_driver_sql(
            "INSERT OR IGNORE INTO titles (project_id, title) "
            "SELECT project_id, title FROM tmp_rows ORDER BY 1, 2"
        )

    def _insert_numbered_titles(self) -> None:
        base = self.connection.exec_driver_sql(
            "SELECT COALESCE(MAX(id), 0) FROM titles"
        ).scalar_one()
        self.connection.exec_driver_sql(
            "INSERT INTO titles (id, project_id, title) "
            f"SELECT {int(base)} + ROW_NUMBER() OVER (ORDER BY n.project_id, n.title), "
            "n.project_id, n.title FROM ("
            " SELECT DISTINCT t.project_id, t.title FROM tmp_rows t WHERE NOT EXISTS ("
            "  SELECT 1 FROM titles p WHERE p.project_id = t.project_id AND p.title = t.title)"
            ") n"
        )

    def update_page_ids_sql(self) -> str:
        """Set ``titles.page_id`` from the temporary ``tmp_page_ids`` table."""
        return (
            "UPDATE titles SET page_id = t.page_id FROM tmp_page_ids t "
            "WHERE titles.project_id = t.project_id AND titles.title = t.title "
            "AND (titles.page_id IS NULL OR titles.page_id <> t.page_id)"
        )


class PostgresDialect(Dialect):
    """PostgreSQL via psycopg 3: COPY for bulk fills, an advisory lock for writers."""

    name = "postgresql"
    title_type = 'VARCHAR(512) COLLATE "C"'
    select_where_true = ""
    upsert_accepts_repeats = False

    def insert_new_titles(self) -> None:
        self._insert_numbered_titles()

    def lock(self) -> None:
        self.connection.exec_driver_sql("SELECT pg_advisory_xact_lock(7372837)")
        # Sorts and hash joins over a file's rows stay in memory instead of spilling.
        self.connection.exec_driver_sql("SET LOCAL work_mem = '256MB'")

    def create_temp(self, name: str, columns: str) -> None:
        self.connection.exec_driver_sql(f"DROP TABLE IF EXISTS pg_temp.{name}")
        self.connection.exec_driver_sql(f"CREATE TEMP TABLE {name} ({columns}) ON COMMIT DROP")

    def drop_temp(self, name: str) -> None:
        self.connection.exec_driver_sql(f"DROP TABLE IF EXISTS pg_temp.{name}")

    def fill(self, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
        cursor = self.connection.connection.dbapi_connection.cursor()
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        # Temporary tables have no statistics until analysed: without them the planner picks
        # nested loops over millions of rows.
        cursor.execute(f"ANALYZE {table}")
        cursor.close()

    def update_page_ids_sql(self) -> str:
        return (
            "UPDATE titles SET page_id = t.page_id FROM tmp_page_ids t "
            "WHERE titles.project_id = t.project_id AND titles.title = t.title "
            "AND titles.page_id IS DISTINCT FROM t.page_id"
        )


class MariaDialect(Dialect):
    """MariaDB via PyMySQL: multi-row INSERT batches, a named lock for writers."""

    name = "mariadb"
    title_type = "VARCHAR(512) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
    select_where_true = ""

    def insert_new_titles(self) -> None:
        self._insert_numbered_titles()

    def lock(self) -> None:
        got = self.connection.exec_driver_sql("SELECT GET_LOCK('wikiviews_ingest', 3600)").scalar()
        if got != 1:
            raise RuntimeError("could not take the ingest lock of the store")

    def unlock(self) -> None:
        self.connection.exec_driver_sql("SELECT RELEASE_LOCK('wikiviews_ingest')")

    def create_temp(self, name: str, columns: str) -> None:
        self.connection.exec_driver_sql(f"DROP TEMPORARY TABLE IF EXISTS {name}")
        self.connection.exec_driver_sql(f"CREATE TEMPORARY TABLE {name} ({columns})")

    def drop_temp(self, name: str) -> None:
        self.connection.exec_driver_sql(f"DROP TEMPORARY TABLE IF EXISTS {name}")

    def fill(self, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
        cursor = self.connection.connection.dbapi_connection.cursor()
        marks = ", ".join("%s" for _ in columns)
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
        iterator = iter(rows)
        while batch := list(islice(iterator, _BATCH)):
            cursor.executemany(sql, batch)
        cursor.close()

    def on_conflict_add(self, table: str, keys: Sequence[str], column: str) -> str:
        return f" ON DUPLICATE KEY UPDATE {column} = {table}.{column} + VALUES({column})"

    def on_conflict_or(self, table: str, keys: Sequence[str], column: str) -> str:
        return f" ON DUPLICATE KEY UPDATE {column} = {table}.{column} | VALUES({column})"

    def on_conflict_replace(self, keys: Sequence[str], columns: Sequence[str]) -> str:
        sets = ", ".join(f"{c} = VALUES({c})" for c in columns)
        return f" ON DUPLICATE KEY UPDATE {sets}"

    def update_page_ids_sql(self) -> str:
        return (
            "UPDATE titles JOIN tmp_page_ids t "
            "ON titles.project_id = t.project_id AND titles.title = t.title "
            "SET titles.page_id = t.page_id "
            "WHERE NOT (titles.page_id <=> t.page_id)"
        )


def dialect_for(connection: Connection) -> Dialect:
    """The load-path SQL of the connection's backend."""
    name = connection.dialect.name
    if name == "postgresql":
        return PostgresDialect(connection)
    if name in ("mysql", "mariadb"):
        return MariaDialect(connection)
    return Dialect(connection)
