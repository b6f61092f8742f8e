"""Files that must not load silently: empty, changed since loaded, implausibly small."""

from __future__ import annotations

import gzip
import os
from datetime import UTC

from sqlalchemy import func, select

from backend import db
from backend.ingest.ingest_command import run_ingest
from backend.ingest.parsed import ProjectFilter
from backend.ingested import loaded_file
from backend.models import IngestedFile, PublishedDay
from tests.helpers import write_dump

NAME = "pageviews-20240303-000000.gz"


def _ingest(settings, path, replace=False) -> bool:
    # The hourly window lets --replace take the old content out without the old file.
    return run_ingest(settings, [path], ProjectFilter(), replace=replace, hourly=True)


def _recorded(settings) -> list[tuple[str, str]]:
    engine = db.make_engine(settings)
    with engine.connect() as connection:
        files = IngestedFile.__table__
        rows = connection.execute(select(files.c.name, files.c.sha256)).all()
        published = connection.execute(select(func.count()).select_from(PublishedDay)).scalar()
    engine.dispose()
    return [tuple(row) for row in rows] + ([("published", published)] if published else [])


def test_a_zero_byte_file_is_rejected_and_nothing_recorded(migrated_settings, tmp_path, capsys):
    path = tmp_path / NAME
    path.write_bytes(b"")
    assert not _ingest(migrated_settings, path)
    assert _recorded(migrated_settings) == []
    out = capsys.readouterr()
    assert "empty file (0 bytes); nothing was recorded" in out.out + out.err
    # The real file of that name loads afterwards.
    write_dump(tmp_path, NAME, ["en Main_Page 5 0"])
    assert _ingest(migrated_settings, path)
    assert [name for name, _ in _recorded(migrated_settings)] == [NAME]


def test_a_valid_archive_without_lines_is_rejected(migrated_settings, tmp_path, capsys):
    path = tmp_path / NAME
    path.write_bytes(gzip.compress(b""))
    assert path.stat().st_size > 0
    assert not _ingest(migrated_settings, path)
    assert _recorded(migrated_settings) == []
    out = capsys.readouterr()
    assert "holds no lines; nothing was recorded" in out.out + out.err


def test_same_name_with_other_content_is_an_error_until_replaced(
    migrated_settings, tmp_path, capsys
):
    path = write_dump(tmp_path, NAME, ["en Main_Page 5 0"])
    assert _ingest(migrated_settings, path)
    first = _recorded(migrated_settings)
    capsys.readouterr()
    write_dump(tmp_path, NAME, ["en Main_Page 7 0", "de Berlin 1 0"])
    assert not _ingest(migrated_settings, path)
    out = capsys.readouterr()
    message = f"{NAME} was loaded before with different content; `--replace` reloads it"
    assert "files: 0 loaded, 0 skipped, 1 failed" in out.out
    assert (out.out + out.err).count(message) == 1
    assert f"error: {message}" in out.err
    assert _recorded(migrated_settings) == first
    assert _ingest(migrated_settings, path, replace=True)
    assert _recorded(migrated_settings) != first


def test_the_same_content_again_is_skipped(migrated_settings, tmp_path, capsys):
    path = write_dump(tmp_path, NAME, ["en Main_Page 5 0"])
    assert _ingest(migrated_settings, path)
    capsys.readouterr()
    assert _ingest(migrated_settings, path)
    assert "files: 0 loaded, 1 skipped, 0 failed" in capsys.readouterr().out


def test_an_implausibly_small_dump_loads_with_a_warning_naming_it(
    migrated_settings, tmp_path, capsys
):
    path = write_dump(tmp_path, NAME, ["en Main_Page 5 0", "de Berlin 2 0"])
    assert _ingest(migrated_settings, path)
    out = capsys.readouterr().out
    assert "files: 1 loaded" in out
    warning = [line for line in out.splitlines() if line.startswith("warning:")]
    assert warning == [
        f"warning: {NAME}: only 2 lines, implausibly few for a pageviews dump "
        "(real ones hold millions); loaded anyway"
    ]


def test_many_small_files_get_one_warning_line(migrated_settings, tmp_path, capsys):
    paths = [
        write_dump(tmp_path, f"pageviews-20240303-{hour:02d}0000.gz", ["en Main_Page 5 0"])
        for hour in range(5)
    ]
    assert run_ingest(migrated_settings, paths, ProjectFilter())
    warning = [line for line in capsys.readouterr().out.splitlines() if "warning" in line]
    assert warning == [
        "warning: 5 files hold implausibly few lines for real dumps (real ones hold millions): "
        "pageviews-20240303-000000.gz, pageviews-20240303-010000.gz, "
        "pageviews-20240303-020000.gz and 2 more; loaded anyway"
    ]


def test_a_file_unchanged_since_its_load_is_known_without_reading_it(migrated_settings, tmp_path):
    path = write_dump(tmp_path, NAME, ["en Main_Page 5 0"])
    assert _ingest(migrated_settings, path)
    engine = db.make_engine(migrated_settings)
    with engine.connect() as connection:
        record = loaded_file(connection, NAME)
    engine.dispose()
    assert record is not None
    loaded_at = record.loaded_at.replace(tzinfo=UTC).timestamp()
    # MariaDB keeps whole seconds: date the file clearly before the load.
    os.utime(path, (loaded_at - 60, loaded_at - 60))
    assert record.unchanged_at(path)
    later = loaded_at + 60
    os.utime(path, (later, later))  # touched after the load: only the digest can tell
    assert not record.unchanged_at(path)
    copy = tmp_path / "elsewhere" / NAME
    copy.parent.mkdir()
    copy.write_bytes(path.read_bytes())
    assert not record.unchanged_at(copy)
