"""What differs between SQLite, PostgreSQL and MariaDB on the load path, behind one interface.

Statements are SQLAlchemy Core built from :mod:`backend.models`; what differs per backend is
here: the bulk fill of a temporary table (executemany on SQLite, ``COPY`` on PostgreSQL,
multi-row ``INSERT`` batches on MariaDB), the upsert clause (``ON CONFLICT`` or ``ON DUPLICATE
KEY``), how new titles get their ids, the ingest lock and temporary tables.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from itertools import chain, islice
from typing import Any

import pyarrow as pa
from pyarrow import csv as pa_csv
from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    Connection,
    Insert,
    Integer,
    MetaData,
    Select,
    SmallInteger,
    Table,
    and_,
    exists,
    func,
    insert,
    literal,
    select,
    text,
    true,
    tuple_,
    update,
)
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import CreateTable, DropTable

from backend.ingest import crashpoints
from backend.ingest.parsed import ParsedFile, arrow_tuples
from backend.models import Title, TitleText, core

_BATCH = 50_000
#: New titles after which PostgreSQL's statistics of the dictionary are refreshed: autovacuum
#: analyses only after the commit, and a join planned on a tenth of the real row count
#: hashes or sorts the wrong side.
ANALYZE_AFTER_TITLES = 100_000

#: The lowest and highest (project id, title) of a batch of rows, both included.
KeyRange = tuple[tuple[int, str], tuple[int, str]]

#: Temporary tables of one load (per connection; dropped at commit on PostgreSQL).
TEMP = MetaData()


def _temp(name: str, *columns: Column[Any]) -> Table:
    return Table(name, TEMP, *columns, prefixes=["TEMPORARY"], postgresql_on_commit="DROP")


def _key_columns(when: str) -> list[Column[Any]]:
    return [
        Column("project_id", SmallInteger),
        Column("title", TitleText),
        Column(when, Integer),
        Column("series", SmallInteger),
        Column("views", BigInteger),
    ]


#: Parsed daily rows of a file: (project id, title, day, series, views).
tmp_rows = _temp("tmp_rows", *_key_columns("day"))
#: Parsed hourly rows of a daily file, for the hourly window.
tmp_hours = _temp("tmp_hours", *_key_columns("hour"))
#: The distinct titles of a daily file, numbered in (project, title) order, with their page
#: ids where the file has them (see :mod:`backend.ingest.file_titles`).
tmp_titles = _temp(
    "tmp_titles",
    Column("project_id", SmallInteger),
    Column("title", TitleText),
    Column("page_id", BigInteger),
    Column("ord", Integer),
)


@compiles(DropTable, "mysql", "mariadb")
def _drop_temporary(element: DropTable, compiler: Any, **kw: Any) -> str:
    # A plain DROP TABLE commits the transaction on MariaDB; DROP TEMPORARY TABLE does not.
    statement: str = compiler.visit_drop_table(element, **kw)
    if "TEMPORARY" in getattr(element.element, "_prefixes", ()):
        statement = statement.replace("DROP TABLE", "DROP TEMPORARY TABLE", 1)
    return statement


class Dialect:
    """Load-path differences of one backend; pick one with :func:`dialect_for`."""

    name = "sqlite"
    #: Whether one INSERT may carry the same key twice into an additive upsert (SQLite and
    #: MariaDB apply rows one by one; PostgreSQL refuses to touch a row twice).
    upsert_accepts_repeats = True
    #: Whether counts for days that have none yet go in by a plain ``INSERT``: PostgreSQL's
    #: ``ON CONFLICT`` (speculative insertion) costs ~60 % more a row than a plain insert;
    #: on SQLite an upsert costs no more than a plain insert of grouped rows.
    plain_insert_into_fresh_days = False
    #: Whether title lookups of a fold batch are bounded to the batch's (project, title)
    #: range: PostgreSQL otherwise scans (and hashes or sorts) the whole title dictionary for
    #: every batch. Only where titles compare byte by byte (``COLLATE "C"``), as Arrow and
    #: Python compare them; MariaDB's ``utf8mb4_bin`` pads spaces.
    bounds_title_lookups = False
    #: The backend's INSERT construct (it has the backend's upsert clause).
    _insert: Callable[[Table], Any] = staticmethod(sqlite.insert)

    def __init__(self, connection: Connection):
        self.connection = connection

    # -- locking -------------------------------------------------------------------------
    def lock(self) -> None:
        """Serialise writers (SQLite's ``BEGIN IMMEDIATE`` already does)."""

    def unlock(self) -> None:
        """Release what :meth:`lock` took, after the transaction ended."""

    # -- temporary tables -----------------------------------------------------------------
    def create_temp(self, table: Table) -> None:
        """Create (or empty) a temporary table for this connection."""
        self.drop_temp(table)
        self.connection.execute(CreateTable(table))

    def drop_temp(self, table: Table) -> None:
        """Drop a temporary table."""
        self.connection.execute(DropTable(table, if_exists=True))

    def fill(self, table: Table, rows: Iterable[tuple[Any, ...]]) -> None:
        """Insert ``rows`` (tuples in column order) into ``table`` as fast as the driver allows.

        The hot path of every load: the driver's own executemany of tuples, with the
        statement compiled once from Core (SQLAlchemy's executemany of dicts costs more).
        """
        cursor = self.connection.connection.dbapi_connection.cursor()
        cursor.executemany(self._compiled_insert(table), rows)
        cursor.close()

    def append(self, table: Table, rows: Iterable[tuple[Any, ...]]) -> None:
        """Insert ``rows`` into a permanent table by the driver's bulk path (no statistics)."""
        self.fill(table, rows)

    def fill_parsed(self, table: Table, parsed: ParsedFile) -> None:
        """Fill ``table`` (with the columns of a row) with every parsed row of a file."""
        if crashpoints.kill_after_rows() is not None:  # the crash hook counts rows one by one
            self.fill(table, crashpoints.counted(parsed.iter_rows()))
        else:
            self.fill_mixed(table, parsed.rows, parsed.row_tables)

    def fill_mixed(
        self, table: Table, rows: Sequence[tuple[Any, ...]], arrow_tables: Sequence[pa.Table]
    ) -> None:
        """Fill ``table`` with tuples and with the rows of Arrow tables of the same columns."""
        self.fill(table, chain(rows, *(arrow_tuples(t) for t in arrow_tables)))

    def _compiled_insert(self, table: Table) -> str:
        return str(insert(table).compile(dialect=self.connection.dialect))

    # -- upserts ---------------------------------------------------------------------------
    def upsert(
        self,
        table: Table,
        keys: Sequence[str],
        how: str,
        columns: Sequence[str],
        query: Select[Any] | None = None,
    ) -> Insert:
        """``INSERT INTO table`` that on a duplicate key merges ``columns`` into the row.

        ``how`` is ``add`` (add the new value), ``or`` (OR the bits in) or ``replace``. With
        ``query`` the rows are those it selects (its columns: ``keys`` then ``columns``);
        without, the caller passes them as parameters.
        """
        statement = self._insert(table)
        if query is not None:
            # SQLite needs a WHERE before ON CONFLICT in INSERT … SELECT … JOIN to parse it.
            query = query.where(true()) if query.whereclause is None else query
            statement = statement.from_select([*keys, *columns], query)
        return self._on_duplicate(statement, table, keys, how, columns)

    def _on_duplicate(
        self, statement: Any, table: Table, keys: Sequence[str], how: str, columns: Sequence[str]
    ) -> Insert:
        merged = _merged(table, statement.excluded, how, columns)
        result: Insert = statement.on_conflict_do_update(index_elements=list(keys), set_=merged)
        return result

    # -- titles --------------------------------------------------------------------------
    def insert_new_titles(self, source: Table, keys: KeyRange | None = None) -> None:
        """Add the titles of ``source`` (rows with ``project_id`` and ``title``, repeats
        allowed) that the dictionary lacks.

        ``keys`` (every ``(project_id, title)`` of ``source`` lies in it) bounds the lookup of
        known titles where the backend gains by it (:attr:`bounds_title_lookups`).
        """
        titles = core(Title)
        # The rowid assigns ids in the order of (project, title): sequential index inserts.
        # OR IGNORE lets the unique index drop known titles (cheaper than DISTINCT + NOT
        # EXISTS); an ignored row takes no rowid, so ids stay dense.
        self.connection.execute(
            insert(titles)
            .prefix_with("OR IGNORE")
            .from_select(
                ["project_id", "title"],
                select(source.c.project_id, source.c.title).order_by(
                    source.c.project_id, source.c.title
                ),
            )
        )

    def insert_listed_titles(self, listed: Table) -> int:
        """Add the titles of ``listed`` (:data:`tmp_titles`: distinct, numbered by ``ord`` in
        (project, title) order, with page ids) that the dictionary lacks; return how many.

        New titles go in with their page id, so that :meth:`update_page_ids` only writes the
        titles that existed before: writing every new title twice was the largest cost of a
        daily file on PostgreSQL.
        """
        titles = core(Title)
        columns = [listed.c.project_id, listed.c.title, listed.c.page_id]
        result = self.connection.execute(
            insert(titles)
            .prefix_with("OR IGNORE")
            .from_select(
                [c.name for c in columns],
                select(*columns).order_by(listed.c.ord),
            )
        )
        return int(result.rowcount or 0)

    def _insert_numbered_titles(self, source: Table, keys: KeyRange | None) -> None:
        known = self._known(source, keys)
        new = select(source.c.project_id, source.c.title).distinct().where(~known).subquery("n")
        self._insert_numbered(new, (new.c.project_id, new.c.title), ("project_id", "title"))

    def _insert_numbered_listed(self, listed: Table) -> int:
        new = select(listed).where(~self._known(listed)).subquery("n")
        return self._insert_numbered(new, (new.c.ord,), ("project_id", "title", "page_id"))

    def _known(self, source: Any, keys: KeyRange | None = None) -> Any:
        titles = core(Title)
        return exists().where(
            titles.c.project_id == source.c.project_id,
            titles.c.title == source.c.title,
            self.titles_within(keys),
        )

    def _insert_numbered(self, new: Any, order_by: Sequence[Any], names: Sequence[str]) -> int:
        """Insert the ``names`` columns of ``new`` with ids from the dictionary's highest id
        on, in the order of ``order_by``; return how many went in."""
        titles = core(Title)
        base = self.connection.execute(select(func.coalesce(func.max(titles.c.id), 0))).scalar()
        number = func.row_number().over(order_by=order_by)
        result = self.connection.execute(
            insert(titles).from_select(
                ["id", *names],
                select(literal(int(base or 0)) + number, *(new.c[name] for name in names)),
            )
        )
        return int(result.rowcount or 0)

    def titles_within(self, keys: KeyRange | None) -> ColumnElement[bool]:
        """``titles`` rows whose (project id, title) lie in ``keys`` (all of them without a
        range or where :attr:`bounds_title_lookups` is off)."""
        if keys is None or not self.bounds_title_lookups:
            return true()
        titles = core(Title)
        key = tuple_(titles.c.project_id, titles.c.title)
        (low_project, low_title), (high_project, high_title) = keys
        return and_(
            key >= tuple_(literal(low_project, SmallInteger), literal(low_title, TitleText)),
            key <= tuple_(literal(high_project, SmallInteger), literal(high_title, TitleText)),
        )

    def update_page_ids(self, source: Table) -> None:
        """Set ``titles.page_id`` from ``source`` where it has one and it differs."""
        titles = core(Title)
        self.connection.execute(
            update(titles)
            .values(page_id=source.c.page_id)
            .where(
                titles.c.project_id == source.c.project_id,
                titles.c.title == source.c.title,
                source.c.page_id.is_not(None),
                titles.c.page_id.is_distinct_from(source.c.page_id),
            )
        )


def _merged(table: Table, new: Any, how: str, columns: Sequence[str]) -> dict[str, Any]:
    if how == "add":
        return {c: table.c[c] + new[c] for c in columns}
    if how == "or":
        return {c: table.c[c].op("|")(new[c]) for c in columns}
    if how == "replace":
        return {c: new[c] for c in columns}
    raise ValueError(f"unknown merge {how!r}")


class PostgresDialect(Dialect):
    """PostgreSQL via psycopg 3: COPY for bulk fills, an advisory lock for writers."""

    name = "postgresql"
    upsert_accepts_repeats = False
    plain_insert_into_fresh_days = True
    bounds_title_lookups = True
    _insert = staticmethod(postgresql.insert)

    def insert_new_titles(self, source: Table, keys: KeyRange | None = None) -> None:
        self._insert_numbered_titles(source, keys)

    def insert_listed_titles(self, listed: Table) -> int:
        added = self._insert_numbered_listed(listed)
        if added >= ANALYZE_AFTER_TITLES:
            # The joins that follow with the dictionary are planned on its statistics.
            cursor = self.connection.connection.dbapi_connection.cursor()
            _analyze(cursor, core(Title))
            cursor.close()
        return added

    def lock(self) -> None:
        self.connection.execute(select(func.pg_advisory_xact_lock(7372837)))
        # Sorts and hash joins over a file's rows stay in memory instead of spilling (a
        # session setting: Core has no statement for it).
        self.connection.execute(text("SET LOCAL work_mem = '256MB'"))

    def fill(self, table: Table, rows: Iterable[tuple[Any, ...]]) -> None:
        self.append(table, rows)
        cursor = self.connection.connection.dbapi_connection.cursor()
        _analyze(cursor, table)
        cursor.close()

    def append(self, table: Table, rows: Iterable[tuple[Any, ...]]) -> None:
        cursor = self.connection.connection.dbapi_connection.cursor()
        with cursor.copy(_copy_statement(table, csv=False)) as copy:
            for row in rows:
                copy.write_row(row)
        cursor.close()

    def fill_mixed(
        self, table: Table, rows: Sequence[tuple[Any, ...]], arrow_tables: Sequence[pa.Table]
    ) -> None:
        """Tuples through ``write_row``; Arrow tables as CSV written by Arrow, in bulk."""
        cursor = self.connection.connection.dbapi_connection.cursor()
        if rows:
            with cursor.copy(_copy_statement(table, csv=False)) as copy:
                for row in rows:
                    copy.write_row(row)
        if arrow_tables:
            options = pa_csv.WriteOptions(include_header=False, quoting_style="needed")
            with cursor.copy(_copy_statement(table, csv=True)) as copy:
                for arrow_table in arrow_tables:
                    sink = pa.BufferOutputStream()
                    pa_csv.write_csv(arrow_table, sink, options)
                    copy.write(sink.getvalue().to_pybytes())
        _analyze(cursor, table)
        cursor.close()


def _copy_statement(table: Table, *, csv: bool) -> Any:
    from psycopg import sql as pg_sql

    names = pg_sql.SQL(", ").join(pg_sql.Identifier(c.name) for c in table.columns)
    return pg_sql.SQL("COPY {} ({}) FROM STDIN{}").format(
        pg_sql.Identifier(table.name), names, pg_sql.SQL(" (FORMAT csv)" if csv else "")
    )


def _analyze(cursor: Any, table: Table) -> None:
    from psycopg import sql as pg_sql

    # Temporary tables have no statistics until analysed: without them the planner picks
    # nested loops over millions of rows.
    cursor.execute(pg_sql.SQL("ANALYZE {}").format(pg_sql.Identifier(table.name)))


class MariaDialect(Dialect):
    """MariaDB via PyMySQL: multi-row INSERT batches, a named lock for writers."""

    name = "mariadb"
    _insert = staticmethod(mysql.insert)

    def insert_new_titles(self, source: Table, keys: KeyRange | None = None) -> None:
        self._insert_numbered_titles(source, keys)

    def insert_listed_titles(self, listed: Table) -> int:
        return self._insert_numbered_listed(listed)

    def lock(self) -> None:
        got = self.connection.execute(select(func.get_lock("wikiviews_ingest", 3600))).scalar()
        if got != 1:
            raise RuntimeError("could not take the ingest lock of the store")

    def unlock(self) -> None:
        self.connection.execute(select(func.release_lock("wikiviews_ingest")))

    def fill(self, table: Table, rows: Iterable[tuple[Any, ...]]) -> None:
        cursor = self.connection.connection.dbapi_connection.cursor()
        # PyMySQL rewrites an executemany of a positional INSERT into multi-row INSERTs.
        statement = insert(table).compile(dialect=mysql.dialect(paramstyle="format"))
        iterator = iter(rows)
        while batch := list(islice(iterator, _BATCH)):
            cursor.executemany(str(statement), batch)
        cursor.close()

    def _on_duplicate(
        self, statement: Any, table: Table, keys: Sequence[str], how: str, columns: Sequence[str]
    ) -> Insert:
        merged = _merged(table, statement.inserted, how, columns)
        result: Insert = statement.on_duplicate_key_update(merged)
        return result


def dialect_for(connection: Connection) -> Dialect:
    """The load-path differences of the connection's backend."""
    name = connection.dialect.name
    if name == "postgresql":
        return PostgresDialect(connection)
    if name in ("mysql", "mariadb"):
        return MariaDialect(connection)
    return Dialect(connection)
