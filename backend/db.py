"""Engines and schema migrations for the three supported backends."""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event

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
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


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


def upgrade(settings: Settings, revision: str = "head") -> None:
    """Migrate the store up to ``revision`` (creating it when empty)."""
    engine = make_engine(settings)
    config = alembic_config(settings)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    engine.dispose()


def downgrade(settings: Settings, revision: str) -> None:
    """Migrate the store down to ``revision`` (``base`` empties it)."""
    engine = make_engine(settings)
    config = alembic_config(settings)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
    engine.dispose()


def head_revision(settings: Settings) -> str | None:
    """The newest revision the code knows."""
    return ScriptDirectory.from_config(alembic_config(settings)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision the store is at (``None`` when it has never been migrated)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def schema_is_current(settings: Settings, engine: Engine) -> bool:
    """Whether the store is at the code's head revision."""
    return current_revision(engine) == head_revision(settings)
