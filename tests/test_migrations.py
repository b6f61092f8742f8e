"""The Alembic migrations build exactly the schema of backend.models, on every backend."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Engine, Integer, MetaData, String, inspect

from backend import db
from backend.models import Base
from backend.settings import Settings, load_settings
from tests.conftest import STORE_KINDS, empty_store

MODEL_TABLES = set(Base.metadata.tables)


@pytest.fixture(params=STORE_KINDS)
def store_settings(
    request: pytest.FixtureRequest, tmp_path: Path, _admin_engine: Callable[[str], Engine]
) -> Iterator[Settings]:
    """As in tests/conftest.py, and a PostgreSQL store partitioned by month besides (created
    with its partitioned tables; see tests/test_partitions.py for stores with partitions)."""
    with empty_store(request.param, tmp_path, _admin_engine) as settings:
        yield settings


@contextmanager
def engine_of(settings: Settings) -> Iterator[Engine]:
    """The store's engine, disposed afterwards (server databases are dropped after the test)."""
    engine = db.make_engine(settings)
    try:
        yield engine
    finally:
        engine.dispose()


def table_names(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def schema_differences(engine: Engine, metadata: MetaData) -> list:
    """What Alembic's autogenerate would change to make the store match ``metadata``.

    Nothing is filtered out. On SQLite, PostgreSQL 15 and MariaDB (SQLAlchemy 2.1, Alembic
    1.20) a store migrated to head compares equal to the models, type variants included:
    the SQLite INTEGER rowid alias of ``titles.id`` is compared with its ``sqlite`` variant
    and MariaDB's ``utf8mb4_bin`` VARCHAR and MEDIUMBLOB with their ``mariadb`` variants (a
    utf8mb4_general_ci title or a plain BLOB is reported). Should a dialect ever report pure
    rendering noise, filter that one difference here, with the reason, never whole classes.
    """
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, metadata)


def test_upgrade_creates_every_table_at_head(store_settings: Settings) -> None:
    with engine_of(store_settings) as engine:
        assert table_names(engine) == set()
        db.upgrade(store_settings)
        assert table_names(engine) == MODEL_TABLES | {"alembic_version"}
        assert db.current_revision(engine) == db.head_revision(store_settings)
        assert db.head_revision(store_settings) is not None


def test_downgrade_to_base_and_upgrade_again(migrated_settings: Settings) -> None:
    with engine_of(migrated_settings) as engine:
        db.downgrade(migrated_settings, "base")
        assert table_names(engine) & MODEL_TABLES == set()
        assert db.current_revision(engine) is None

        db.upgrade(migrated_settings)
        assert table_names(engine) == MODEL_TABLES | {"alembic_version"}
        assert db.current_revision(engine) == db.head_revision(migrated_settings)
        assert schema_differences(engine, Base.metadata) == []


def test_models_and_migrations_do_not_drift(migrated_settings: Settings) -> None:
    with engine_of(migrated_settings) as engine:
        assert schema_differences(engine, Base.metadata) == []


def test_drift_check_reports_changed_models(migrated_settings: Settings) -> None:
    """The drift check can fail: a column the migrations lack or a changed type shows up."""
    changed = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["titles"].append_column(Column("extra", Integer, nullable=True))
    changed.tables["projects"].c.name.type = String(128)

    with engine_of(migrated_settings) as engine:
        differences = schema_differences(engine, changed)

    added = [d for d in differences if isinstance(d, tuple) and d[0] == "add_column"]
    assert [(d[2], d[3].name) for d in added] == [("titles", "extra")]
    retyped = [
        change
        for d in differences
        if isinstance(d, list)
        for change in d
        if change[0] == "modify_type"
    ]
    assert [(c[2], c[3], c[6].length) for c in retyped] == [("projects", "name", 128)]
    assert len(differences) == 2


def test_schema_is_current_only_after_upgrade(store_settings: Settings) -> None:
    with engine_of(store_settings) as engine:
        assert db.current_revision(engine) is None
        assert not db.schema_is_current(store_settings, engine)
        db.upgrade(store_settings)
        assert db.schema_is_current(store_settings, engine)


def test_sqlite_settings_fixture_is_migrated(sqlite_settings: Settings) -> None:
    assert sqlite_settings.database_url.startswith("sqlite:///")
    with engine_of(sqlite_settings) as engine:
        assert db.schema_is_current(sqlite_settings, engine)


def test_tests_never_touch_the_real_store(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The session fixture points the environment's store into pytest's temporary directory."""
    settings = load_settings()
    assert Path(settings.data_dir).is_relative_to(tmp_path_factory.getbasetemp())
    assert settings.database_url == f"sqlite:///{settings.data_dir}/wikiviews.sqlite3"
