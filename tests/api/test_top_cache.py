"""The per-worker cache of top answers: reused while the store is unchanged, never after."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import text

from backend import create_app, db
from backend.ingest.ingest_command import run_ingest
from backend.ingest.parsed import ProjectFilter
from backend.ingest.run import expand_paths
from backend.settings import load_settings
from tests.helpers import write_dump

URL = "/api/rest_v1/metrics/pageviews/top/en.wikipedia/all-access/2024/02/01"
AGENT = {"User-Agent": "wikiviews-tests/1.0 (tests@example.org)"}


def _store(directory: Path, lines: list[str]):
    name = "pageviews-20240201-user.bz2"
    settings = load_settings({}, data_dir=str(directory))
    db.upgrade(settings)
    dumps = directory / "dumps"
    dumps.mkdir(exist_ok=True)
    write_dump(dumps, name, sorted(lines))
    assert run_ingest(settings, expand_paths([str(dumps / name)]), ProjectFilter())
    return settings


def _titles(response) -> list[str]:
    return [a["article"] for a in json.loads(response.data)["items"][0]["articles"]]


def test_a_change_to_the_store_is_seen_at_once(tmp_path: Path) -> None:
    settings = _store(
        tmp_path,
        ["en.wikipedia Alpha 1 desktop 30 A30", "en.wikipedia Beta 2 desktop 20 A20"],
    )
    app = create_app(settings)
    client = app.test_client()
    first = client.get(URL, headers=AGENT)
    again = client.get(URL, headers=AGENT)
    assert _titles(first) == ["Alpha", "Beta"]
    assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
    unchanged = client.get(URL, headers={**AGENT, "If-None-Match": first.headers["ETag"]})
    assert unchanged.status_code == 304

    writer = db.make_engine(settings)  # another connection, as the blocklist command uses
    with writer.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO blocked_titles (project, folded, title, reason, added_at) "
                "VALUES ('en.wikipedia', 'alpha', 'Alpha', 'test', CURRENT_TIMESTAMP)"
            )
        )
    assert _titles(client.get(URL, headers=AGENT)) == ["Beta"]

    with writer.begin() as connection:
        connection.execute(text("DELETE FROM blocked_titles"))
    assert client.get(URL, headers=AGENT).data == first.data
    writer.dispose()
    app.extensions["wikiviews_engine"].dispose()


def test_two_stores_never_share_an_answer(tmp_path: Path) -> None:
    one = create_app(_store(tmp_path / "one", ["en.wikipedia Alpha 1 desktop 30 A30"]))
    two = create_app(_store(tmp_path / "two", ["en.wikipedia Omega 9 desktop 40 A40"]))
    assert _titles(one.test_client().get(URL, headers=AGENT)) == ["Alpha"]
    assert _titles(two.test_client().get(URL, headers=AGENT)) == ["Omega"]
    assert _titles(one.test_client().get(URL, headers=AGENT)) == ["Alpha"]
    for app in (one, two):
        app.extensions["wikiviews_engine"].dispose()
