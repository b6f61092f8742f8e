"""The bot with its real read model: ``--source store`` and ``--source`` a real ``wikiviews serve``.

A store is loaded from ``pageview_complete`` monthly dumps by the real ingest, with a redirect
in its redirect table; ``wikiviews-bot`` runs as a child process (no test double anywhere),
once reading the store and once reading a ``wikiviews serve`` of the same store over
loopback. Both must write the same reports, with the store's numbers.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from datetime import date

import pytest
import requests
from sqlalchemy import text

import backend.sources
from backend import db
from backend.ingest.ingest_command import run_ingest
from backend.ingest.parsed import ProjectFilter
from backend.ingest.run import expand_paths
from backend.redirects import replace_redirects
from backend.settings import load_settings
from tests.helpers import write_dump

if not hasattr(backend.sources, "open_source"):
    pytest.skip("the read model's implementations are not in this tree", allow_module_level=True)

PROJECT = "en.wikipedia"
#: Monthly user views per title and access method; "Dinosaurs" redirects to "Dinosaur".
#: April is reported; March is the previous period; May keeps April behind the live edge
#: (the store builds a month's top list once the month is settled).
APRIL = {
    "Dinosaur": {"desktop": 2000, "mobile-web": 1100},
    "Dinosaurs": {"desktop": 310},
    "T._rex": {"desktop": 300, "mobile-web": 320},
    "Stegosaurus": {"desktop": 31},
    "Main_Page": {"desktop": 90000, "mobile-web": 90000},
    "Bot_target": {"desktop": 50000},
    "A|b_{{c}}_]]": {"desktop": 700, "mobile-web": 700},
    "עברית_ערך": {"desktop": 400, "mobile-web": 500},
}
MARCH = {"T._rex": {"desktop": 5000, "mobile-web": 5000}, "Dinosaur": {"desktop": 10}}
MAY = {"Stegosaurus": {"desktop": 1}}


def _monthly_lines(month: date, views: dict[str, dict[str, int]]) -> list[str]:
    lines = []
    for title, per_access in views.items():
        for access, total in per_access.items():
            # All of a month's views on its 7th day ("G").
            lines.append(f"{PROJECT} {title} null {access} {total} G{total}")
    return sorted(lines)


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> dict[str, str]:
    directory = tmp_path_factory.mktemp("bot-store")
    settings = load_settings({}, data_dir=str(directory))
    db.upgrade(settings)
    dumps = directory / "dumps"
    dumps.mkdir()
    for month, views in ((3, MARCH), (4, APRIL), (5, MAY)):
        name = f"pageviews-2024{month:02d}-user.bz2"
        write_dump(dumps, name, _monthly_lines(date(2024, month, 1), views))
    assert run_ingest(settings, expand_paths([str(dumps)]), ProjectFilter())
    engine = db.make_engine(settings)
    with engine.begin() as connection:
        project_id = connection.execute(
            text("SELECT id FROM projects WHERE name = :n"), {"n": PROJECT}
        ).scalar_one()
        replace_redirects(connection, project_id, [("Dinosaurs", "Dinosaur")])
    engine.dispose()
    return {"WIKIVIEWS_DATA_DIR": str(directory)}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(store):
    """``wikiviews serve`` on the store, on a free loopback port."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIKIVIEWS_")}
    env.update(
        store, WIKIVIEWS_BIND=f"127.0.0.1:{port}", WIKIVIEWS_WORKERS="1", WIKIVIEWS_RATE_LIMIT=""
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "backend", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if requests.get(base + "/healthz", timeout=10).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert process.poll() is None, "wikiviews serve exited"
            time.sleep(0.1)
        yield base
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=30)


def _bot(wiki, store, tmp_path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIKIVIEWS_")}
    env.update(store, WIKIVIEWS_BOT_PASSWORD=wiki.bot.password)
    command = [
        sys.executable,
        "-m",
        "bot",
        args[0],
        "--site",
        wiki.api_php,
        "--user",
        wiki.bot.user,
        "--project",
        PROJECT,
        "--put-throttle",
        "0",
        "--data-dir",
        str(tmp_path / "bot-data"),
        *args[1:],
    ]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)


def _text(wiki, title: str) -> str:
    answer = requests.get(
        wiki.api_php,
        params={
            "action": "query",
            "prop": "revisions",
            "rvprop": "content",
            "rvslots": "main",
            "titles": title,
            "format": "json",
            "formatversion": "2",
        },
        timeout=30,
    ).json()
    return answer["query"]["pages"][0]["revisions"][0]["slots"]["main"]["content"]


def _region(text: str) -> str:
    return text[text.index("wikiviews-bot begin") : text.index("wikiviews-bot end")]


def test_same_reports_from_the_store_and_from_the_api(wiki, store, server, tmp_path):
    wiki.edit("Template:WikiProject Dinosaurs", "Banner.")
    for title, grade in (
        ("Dinosaur", "fa|importance=top"),
        ("T. rex", "b"),
        ("Stegosaurus", "start"),
    ):
        wiki.edit(f"Talk:{title}", "{{WikiProject Dinosaurs|class=" + grade + "}}")
    config = {
        "Project:Dinosaurs": {
            "Report": "Project:Dinosaurs/Popular store",
            "Limit": 10,
            "Name": "Dinosaurs",
            "Members": {"banner": "Template:WikiProject Dinosaurs"},
        }
    }
    subscriptions = tmp_path / "subscriptions.json"
    subscriptions.write_text(json.dumps(config))
    over_api = tmp_path / "subscriptions-api.json"
    config["Project:Dinosaurs"]["Report"] = "Project:Dinosaurs/Popular api"
    over_api.write_text(json.dumps(config))

    runs = [
        _bot(
            wiki,
            store,
            tmp_path,
            "popular-pages",
            "--subscriptions-file",
            str(subscriptions),
            "--month",
            "2024-04",
        ),
        _bot(
            wiki,
            store,
            tmp_path,
            "popular-pages",
            "--source",
            server,
            "--redirects",
            "source",
            "--subscriptions-file",
            str(over_api),
            "--month",
            "2024-04",
        ),
        _bot(
            wiki,
            store,
            tmp_path,
            "top-report",
            "--period",
            "month",
            "--date",
            "2024-04-01",
            "--page",
            "Project:Top store",
            "--current-page",
            "",
        ),
        _bot(
            wiki,
            store,
            tmp_path,
            "top-report",
            "--source",
            server,
            "--period",
            "month",
            "--date",
            "2024-04-01",
            "--page",
            "Project:Top api",
            "--current-page",
            "",
        ),
    ]
    for run in runs:
        assert run.returncode == 0, run.stdout + run.stderr
        assert "created 1" in run.stdout, run.stdout

    popular = _region(_text(wiki, "Project:Dinosaurs/Popular store"))
    assert popular == _region(_text(wiki, "Project:Dinosaurs/Popular api"))
    # The redirect's 310 views are summed into Dinosaur (3,100 + 310); April has 30 days.
    assert "| {{formatnum:3410}}\n| {{formatnum:113}}\n| <nowiki>FA</nowiki>" in popular
    assert "'''Total views''': {{formatnum:4061}}" in popular

    top = _region(_text(wiki, "Project:Top store"))
    assert top == _region(_text(wiki, "Project:Top api"))
    rows = top.split("|-")
    assert "[[:Dinosaur|" in rows[1] and "{{formatnum:3100}}" in rows[1] and "35%" in rows[1]
    assert "Main Page" not in top
    assert "▼ 1" in top or "▲ 1" in top  # T. rex was first in March
    assert "Bot target" in top.split("=== Excluded ===")[1]
