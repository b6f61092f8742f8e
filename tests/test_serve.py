"""``wikiviews serve`` refuses a store whose schema is behind the code."""

from __future__ import annotations

from backend import db
from backend.settings import Settings
from tests.helpers import run_cli


def test_serve_refuses_a_store_never_migrated(tmp_path):
    settings = Settings(data_dir=str(tmp_path), database_url=f"sqlite:///{tmp_path}/new.sqlite3")
    result = run_cli(settings, "serve", "--bind", "127.0.0.1:1")
    assert result.returncode == 1
    assert "schema revision none" in result.stderr and "wikiviews db upgrade" in result.stderr


def test_serve_refuses_a_store_one_migration_behind(migrated_settings):
    db.downgrade(migrated_settings, "0001")
    result = run_cli(migrated_settings, "serve", "--bind", "127.0.0.1:1")
    assert result.returncode == 1
    assert "revision 0001" in result.stderr and db.head_revision(migrated_settings) in result.stderr
