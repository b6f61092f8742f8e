"""The back-fill's reading of its arguments: URIs, ``file:`` paths, and the ingest's selection."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from backend.backfill.hadoop import literal_pattern
from backend.backfill.sources import BadArgument, SourceFile, expand_local, file_uri_path, is_uri
from backend.dumpfiles import dump_order, is_dump_name
from backend.ingest.run import expand_paths

NAMES = [
    "pageviews-20240301-000000.gz",
    "pageviews-20240301-user.bz2",
    "pageviews-202402-user.bz2",
    "pagecounts-20140501-010000.gz",
    "pageviews-20240301-000000.gz.md5",
    "pageviews-20240301-user.bz2.sha1",
    "pageviews-2024.json",
    "pagecounts-readme.txt",
    "pageviews-nonsense",
    "md5sums.txt",
    "notes.gz",
    ".pageviews-20240301-000000.gz.crc",
]


def test_selection_and_order_are_the_ingests(tmp_path: Path):
    selected = [name for name in NAMES if is_dump_name(name)]
    assert selected == [*NAMES[:4], "pageviews-nonsense"]
    for name in NAMES:
        (tmp_path / name).write_bytes(b"x")
    # The ingest's own directory expansion takes the same files, oldest hour first.
    found = [path.name for path in expand_paths([str(tmp_path)])]
    assert found == sorted(selected, key=dump_order)
    assert found[0] == "pageviews-nonsense"  # an unknown name sorts first
    assert found[1:] == [
        "pagecounts-20140501-010000.gz",
        "pageviews-202402-user.bz2",
        "pageviews-20240301-000000.gz",
        "pageviews-20240301-user.bz2",
    ]


@pytest.mark.parametrize(
    ("argument", "uri", "local"),
    [
        ("file:///dumps/2024", True, "/dumps/2024"),
        ("file://localhost/dumps", True, "/dumps"),
        ("file:/dumps/a b", True, "/dumps/a b"),
        ("FILE:///dumps", True, "/dumps"),
        ("hdfs://namenode:8020/dumps", True, None),
        ("s3a://bucket/dumps/*.bz2", True, None),
        ("file://otherhost/dumps", True, None),
        ("dumps/2024", False, None),
        ("/dumps/2024", False, None),
        ("pageviews-20240301-000000.gz", False, None),
    ],
)
def test_uris_and_the_local_paths_of_file_uris(argument, uri, local):
    assert is_uri(argument) is uri
    assert file_uri_path(argument) == local


def test_local_expansion_of_file_uris_is_the_ingests(tmp_path):
    fixtures = Path(__file__).parent.parent / "fixtures"
    as_paths = [str(p) for p in expand_paths([str(fixtures)])]
    found = expand_local([f"file://{fixtures}", f"file:{fixtures}/pageviews-2024030*"])
    assert [f.location for f in found] == as_paths
    assert all(f.size == Path(f.location).stat().st_size and not f.remote for f in found)


def test_local_expansion_names_every_missing_argument_and_refuses_other_schemes(tmp_path):
    with pytest.raises(BadArgument, match=f"^no such file or directory: file://{tmp_path}/a, b$"):
        expand_local([f"file://{tmp_path}/a", "b", str(tmp_path)])
    with pytest.raises(BadArgument, match=re.escape("hdfs:// URIs need --engine spark")):
        expand_local([str(tmp_path), "hdfs://namenode/dumps"])


def test_a_remote_file_is_recorded_by_its_local_path_or_its_uri(tmp_path):
    local = SourceFile(f"file:{tmp_path}/x/../pageviews-20240301-000000.gz", 1, remote=True)
    assert local.name == "pageviews-20240301-000000.gz"
    assert local.recorded_path == f"{tmp_path.resolve()}/pageviews-20240301-000000.gz"
    far = SourceFile("hdfs://nn:8020/d/pageviews-20240301-user.bz2", 1, remote=True)
    assert (far.name, far.recorded_path) == (far.location.rsplit("/", 1)[1], far.location)


def test_literal_pattern_escapes_hadoop_glob_characters():
    assert literal_pattern("file:/d{1,2}/a[b]*?\\c") == "file:/d\\{1{\\,}2\\}/a\\[b\\]\\*\\?\\\\c"
    assert literal_pattern("hdfs://nn/plain/pageviews-x.gz") == "hdfs://nn/plain/pageviews-x.gz"
