"""Engines and schema migrations for the three supported backends."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    TableClause,
    bindparam,
    create_engine,
    event,
    func,
    select,
    true,
    update,
)
from tqdm import tqdm

from backend import partitions
from backend.settings import Settings

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def make_engine(settings: Settings) -> Engine:
    """Create the engine for the configured store (creating the data directory for SQLite)."""
    url = settings.database_url
    if url.startswith("sqlite"):
        os.makedirs(settings.data_dir, exist_ok=True)
        if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 60})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if url.startswith(("mysql", "mariadb")):
        return create_engine(url, pool_pre_ping=True, connect_args={"local_infile": False})
    return create_engine(url, pool_pre_ping=True)


#: Execution option asking for a write transaction (``BEGIN IMMEDIATE`` on SQLite), taken
#: before the first read so that what a writer reads cannot change under it.
WRITE = {"wikiviews_write": True}


def _sqlite_begin(connection) -> None:
    immediate = connection.get_execution_options().get("wikiviews_write")
    # Straight to the driver: exec_driver_sql's execution machinery cost every API request
    # about 0.1 ms for a statement without parameters or rows.
    connection.connection.driver_connection.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # SQLAlchemy, not the driver, starts transactions (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    # WAL lets the API read while an ingest writes; NORMAL is durable against a killed process.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA cache_size=-262144")
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()


def alembic_config(settings: Settings) -> Config:
    """An Alembic configuration pointing at this package's migrations and the store."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", settings.database_url.replace("%", "%%"))
    return config


class _StepHandler(logging.Handler):
    """Passes Alembic's "Running upgrade a -> b, message" lines on, one per migration step."""

    def __init__(self, progress: Callable[[str], None]):
        super().__init__(logging.INFO)
        self.progress = progress

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith("Running "):
            self.progress(" ".join(message.removeprefix("Running ").split()))


@contextlib.contextmanager
def _steps_reported(progress: Callable[[str], None] | None) -> Iterator[None]:
    if progress is None:
        yield
        return
    logger = logging.getLogger("alembic.runtime.migration")
    handler, level = _StepHandler(progress), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def migrate(
    settings: Settings,
    revision: str = "head",
    *,
    down: bool = False,
    progress: Callable[[str], None] | None = None,
) -> None:
    """Migrate the store up (or ``down``) to ``revision``, in one transaction.

    Upgrading creates an empty store (its large tables partitioned by time when
    ``partition_large_tables`` is set: see :mod:`backend.partitions`); downgrading to ``base``
    empties it. ``progress``
    receives a line per migration step as it starts (``upgrade 0001 -> 0002, …``); a data
    migration inside a step reports its own progress (:func:`batched_update`).
    """
    engine = make_engine(settings)
    config = alembic_config(settings)
    step = command.downgrade if down else command.upgrade
    try:
        with _steps_reported(progress), engine.begin() as connection:
            config.attributes["connection"] = connection
            created = not down and current_revision_of(connection) is None
            step(config, revision)
            if created and settings.partition_large_tables:
                partitions.convert(connection, progress)
    finally:
        engine.dispose()


def upgrade(
    settings: Settings, revision: str = "head", progress: Callable[[str], None] | None = None
) -> None:
    """Migrate the store up to ``revision`` (see :func:`migrate`)."""
    migrate(settings, revision, progress=progress)


def downgrade(
    settings: Settings, revision: str, progress: Callable[[str], None] | None = None
) -> None:
    """Migrate the store down to ``revision`` (see :func:`migrate`)."""
    migrate(settings, revision, down=True, progress=progress)


def batched_update(
    connection: Connection,
    table: TableClause,
    values: Mapping[str, Any],
    *,
    group_columns: Sequence[str] = ("project_id", "day"),
    range_column: str = "title_id",
    batch: int = 200_000,
    where: ColumnElement[bool] | None = None,
    description: str | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """``UPDATE table SET values [WHERE where]`` one key range at a time, with a tqdm bar.

    For data migrations of the large tables (in a migration: ``batched_update(op.get_bind(),
    sa.table("day_counts", …), {"views": …})``). Each statement touches one group of
    ``group_columns``, a prefix of the primary key (``(project_id, day)`` of ``day_counts``,
    ``(project_id, month)`` of ``page_months``), and ``batch`` consecutive values of
    ``range_column`` in it: an index range scan of bounded size on every backend, so no
    statement has to hold or log the whole table. The caller's transaction is kept (a failed
    migration leaves the old schema). ``on_batch`` receives the rows each statement updated;
    returns the rows updated in all.
    """
    if batch < 1:
        raise ValueError("batch must be at least 1")
    groups = [table.c[name] for name in group_columns]
    ranged = table.c[range_column]
    condition = where if where is not None else true()
    ranges = connection.execute(
        select(*groups, func.min(ranged), func.max(ranged))
        .where(condition)
        .group_by(*groups)
        .order_by(*groups)
    ).all()
    total = sum((high - low) // batch + 1 for *_keys, low, high in ranges)
    statement = (
        update(table)
        .values(values)
        .where(
            *(column == bindparam(f"_key{i}") for i, column in enumerate(groups)),
            ranged.between(bindparam("_low"), bindparam("_high")),
            condition,
        )
    )
    updated = 0
    with tqdm(
        total=total,
        desc=description or table.name,
        unit=" batches",
        disable=None,
        file=sys.stderr,
    ) as bar:
        for *group, low, high in ranges:
            bound = {f"_key{i}": value for i, value in enumerate(group)}
            for start in range(low, high + 1, batch):
                result = connection.execute(
                    statement, {**bound, "_low": start, "_high": start + batch - 1}
                )
                updated += result.rowcount
                if on_batch is not None:
                    on_batch(result.rowcount)
                bar.update(1)
    return updated


def head_revision(settings: Settings) -> str | None:
    """The newest revision the code knows."""
    return ScriptDirectory.from_config(alembic_config(settings)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision the store is at (``None`` when it has never been migrated)."""
    with engine.connect() as connection:
        return current_revision_of(connection)


def current_revision_of(connection: Connection) -> str | None:
    """:func:`current_revision` on an open connection."""
    return MigrationContext.configure(connection).get_current_revision()


def schema_is_current(settings: Settings, engine: Engine) -> bool:
    """Whether the store is at the code's head revision."""
    return current_revision(engine) == head_revision(settings)
