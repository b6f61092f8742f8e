"""``wikiviews redirects load``: the MediaWiki API (a local server) and SQL dumps, every backend."""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import text

from backend.ingest.ingest_command import run_ingest
from backend.ingest.parsed import ProjectFilter
from backend.ingest.run import expand_paths
from backend.redirects import RedirectSourceError, load_redirects, sql_rows
from tests.helpers import run_cli, store_connection, write_dump

#: Canned answers of a MediaWiki API, keyed by the continuation parameters of the request:
#: the redirects of the first batch come in two parts (rdcontinue), then a second batch.
API_PAGES = {
    (): {
        "continue": {"rdcontinue": "1|11", "continue": "||"},
        "query": {
            "pages": [
                {
                    "pageid": 1,
                    "ns": 0,
                    "title": "Target page",
                    "redirects": [{"pageid": 10, "ns": 0, "title": "Redirect one"}],
                },
                {"pageid": 2, "ns": 0, "title": "No redirects"},
            ]
        },
    },
    (("rdcontinue", "1|11"),): {
        "continue": {"gapcontinue": "Zeta", "continue": "gapcontinue||"},
        "query": {
            "pages": [
                {
                    "pageid": 1,
                    "ns": 0,
                    "title": "Target page",
                    "redirects": [{"pageid": 11, "ns": 0, "title": "Redirect two"}],
                },
                {"pageid": 2, "ns": 0, "title": "No redirects"},
            ]
        },
    },
    (("gapcontinue", "Zeta"),): {
        "batchcomplete": True,
        "query": {
            "pages": [
                {
                    "pageid": 3,
                    "ns": 0,
                    "title": "Zeta",
                    "redirects": [
                        {"pageid": 12, "ns": 0, "title": 'Zeta/Old "name" | {{x}}'},
                        {"pageid": 13, "ns": 0, "title": "Zeta"},
                    ],
                }
            ]
        },
    },
}
EXPECTED_API = [
    ("Redirect_one", "Target_page"),
    ("Redirect_two", "Target_page"),
    ('Zeta/Old_"name"_|_{{x}}', "Zeta"),
]


class _Api(BaseHTTPRequestHandler):
    requests: list[dict[str, list[str]]]
    user_agents: list[str]
    error: bool

    def do_GET(self) -> None:
        query = parse_qs(urlsplit(self.path).query, keep_blank_values=True)
        type(self).requests.append(query)
        type(self).user_agents.append(self.headers.get("User-Agent", ""))
        key = tuple(
            (name, query[name][0]) for name in ("rdcontinue", "gapcontinue") if name in query
        )
        if type(self).error:
            body = {"error": {"code": "readapidenied", "info": "You need read permission."}}
        else:
            body = API_PAGES[key]
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *_args) -> None:
        pass


@pytest.fixture
def api_server() -> Iterator[type[_Api]]:
    """A MediaWiki API on 127.0.0.1 answering :data:`API_PAGES`; ``.url`` is its api.php."""
    handler = type("Api", (_Api,), {"requests": [], "user_agents": [], "error": False})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    handler.url = f"http://127.0.0.1:{server.server_address[1]}/w/api.php"
    try:
        yield handler
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def stored(settings, project: str = "en.wikipedia") -> list[tuple[str, str]]:
    with store_connection(settings) as connection:
        rows = connection.execute(
            text(
                "SELECT r.title, r.target FROM redirects r JOIN projects p "
                "ON p.id = r.project_id WHERE p.name = :p ORDER BY r.title"
            ),
            {"p": project},
        ).all()
    return sorted((title, target) for title, target in rows)


def test_api_source_pages_through_continue(migrated_settings, api_server):
    result = load_redirects(migrated_settings, "EN.Wikipedia.org", api_server.url)
    assert (result.project, result.loaded, result.replaced, result.skipped) == (
        "en.wikipedia",
        3,
        0,
        1,  # Zeta → Zeta
    )
    assert stored(migrated_settings) == sorted(EXPECTED_API)
    first, second, third = api_server.requests
    for request in (first, second, third):
        assert request["generator"] == ["allpages"]
        assert request["gapfilterredir"] == ["nonredirects"]
        assert request["gapnamespace"] == ["0"]
        assert request["prop"] == ["redirects"]
        assert request["formatversion"] == ["2"]
    assert first["continue"] == [""]
    assert (second["rdcontinue"], second["continue"]) == (["1|11"], ["||"])
    assert (third["gapcontinue"], third["continue"]) == (["Zeta"], ["gapcontinue||"])
    assert all(agent.startswith("wikiviews/") for agent in api_server.user_agents)


def test_api_error_leaves_the_stored_redirects(migrated_settings, api_server):
    load_redirects(migrated_settings, "en.wikipedia", api_server.url)
    api_server.error = True
    with pytest.raises(RedirectSourceError, match="readapidenied"):
        load_redirects(migrated_settings, "en.wikipedia", api_server.url)
    assert stored(migrated_settings) == sorted(EXPECTED_API)


REDIRECT_DUMP = (
    b"-- MySQL dump 10.19\n"
    b"INSERT INTO `redirect` VALUES (10,0,'Target_page','',''),"
    b"(11,0,'Target_page','','Section'),(12,0,'It\\'s_a_(title),_ok','',NULL),"
    b"(13,4,'Project_page','',''),(14,0,'Remote','en',''),"
    b"(15,0,'Caf\xc3\xa9_\\\\_\\\"x\\\"','',''),(99,0,'Unknown_source','','');\n"
    b"INSERT INTO `redirect` VALUES (16,0,'Target_page','','');\n"
)
PAGE_DUMP = (
    b"INSERT INTO `page` VALUES (10,0,'Redirect_one',1,0,0.5,'20240101000000',NULL,1,10,"
    b"'wikitext',NULL),(11,0,'Redirect_(two)',1,0,0.1,'20240101000000',NULL,2,10,'wikitext',"
    b"NULL),(12,0,'Its',1,0,0.2,'x',NULL,3,1,'wikitext',NULL),(13,0,'Proj',1,0,0,'x',NULL,4,1,"
    b"'wikitext',NULL),(14,0,'Remote_redirect',1,0,0,'x',NULL,5,1,'wikitext',NULL),"
    b"(15,0,'Cafe',1,0,0,'x',NULL,6,1,'wikitext',NULL),(16,1,'Talk_redirect',1,0,0,'x',NULL,"
    b"7,1,'wikitext',NULL);\n"
)


def test_sql_rows_unescape_mysql_strings():
    rows = list(sql_rows(REDIRECT_DUMP.splitlines(keepends=True), "redirect"))
    assert rows[2] == (12, 0, b"It's_a_(title),_ok", b"", None)
    assert rows[5] == (15, 0, 'Café_\\_"x"'.encode(), b"", b"")
    assert [row[0] for row in rows] == [10, 11, 12, 13, 14, 15, 99, 16]
    assert list(sql_rows([b"INSERT INTO `page` VALUES (1,0,'x');"], "redirect")) == []


def test_dump_source_with_page_dump(migrated_settings, tmp_path):
    redirects = tmp_path / "enwiki-20240301-redirect.sql.gz"
    redirects.write_bytes(gzip.compress(REDIRECT_DUMP))
    pages = tmp_path / "enwiki-20240301-page.sql.gz"
    pages.write_bytes(gzip.compress(PAGE_DUMP))
    result = load_redirects(migrated_settings, "en.wikipedia", str(redirects), page_dump=pages)
    # Project namespace (13), interwiki (14), an unknown page (99) and a talk page (16) are out.
    assert stored(migrated_settings) == [
        ("Cafe", 'Café_\\_"x"'),
        ("Its", "It's_a_(title),_ok"),
        ("Redirect_(two)", "Target_page"),
        ("Redirect_one", "Target_page"),
    ]
    assert (result.loaded, result.skipped) == (4, 2)


def test_dump_source_takes_page_ids_from_the_store_and_replaces(migrated_settings, tmp_path):
    write_dump(
        tmp_path,
        "pageviews-20240301-user.bz2",
        [
            "de.wikipedia Weiterleitung 10 desktop 1 A1",
            "en.wikipedia Old_name 10 desktop 5 A5",
            "en.wikipedia Renamed 11 desktop 1 A1",
        ],
    )
    assert run_ingest(migrated_settings, expand_paths([str(tmp_path)]), ProjectFilter())
    with store_connection(migrated_settings, write=True) as connection:
        de = connection.execute(text("SELECT id FROM projects WHERE name = 'de.wikipedia'"))
        connection.execute(
            text("INSERT INTO redirects (project_id, title, target) VALUES (:p, 'A', 'B')"),
            {"p": de.scalar_one()},
        )
    first = tmp_path / "first.sql"
    first.write_bytes(b"INSERT INTO `redirect` VALUES (10,0,'New_name','',''),(11,0,'X','','');\n")
    result = load_redirects(migrated_settings, "en.wikipedia", str(first))
    assert stored(migrated_settings) == [("Old_name", "New_name"), ("Renamed", "X")]
    assert (result.loaded, result.replaced) == (2, 0)
    second = tmp_path / "second.sql.gz"
    second.write_bytes(gzip.compress(b"INSERT INTO `redirect` VALUES (10,0,'Newer','','');\n"))
    result = load_redirects(migrated_settings, "en.wikipedia", str(second))
    assert stored(migrated_settings) == [("Old_name", "Newer")]
    assert (result.loaded, result.replaced) == (1, 2)
    assert stored(migrated_settings, "de.wikipedia") == [("A", "B")]


def test_command(migrated_settings, api_server, tmp_path):
    done = run_cli(migrated_settings, "redirects", "load", "en.wikipedia", api_server.url)
    assert done.returncode == 0, done.stderr
    assert "en.wikipedia: 3 redirects stored (replacing 0), 1 skipped" in done.stdout
    assert stored(migrated_settings) == sorted(EXPECTED_API)
    missing = run_cli(migrated_settings, "redirects", "load", "en.wikipedia", str(tmp_path / "no"))
    assert missing.returncode == 1
    assert "no such file" in missing.stderr
    bad = run_cli(migrated_settings, "redirects", "load", "not a project", api_server.url)
    assert bad.returncode == 2
    assert stored(migrated_settings) == sorted(EXPECTED_API)


def test_summary_sums_loaded_redirects(migrated_settings, api_server, tmp_path: Path):
    from backend import create_app

    write_dump(
        tmp_path,
        "pageviews-20240301-user.bz2",
        [
            "en.wikipedia Redirect_one null desktop 2 A2",
            "en.wikipedia Redirect_two null desktop 3 A3",
            "en.wikipedia Target_page null desktop 10 A10",
        ],
    )
    assert run_ingest(migrated_settings, expand_paths([str(tmp_path)]), ProjectFilter())
    load_redirects(migrated_settings, "en.wikipedia", api_server.url)
    app = create_app(migrated_settings)
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = "wikiviews-tests/1.0"
    body = client.get("/api/wikiviews/v1/summary/en.wikipedia/Target_page?days=1&redirects=1")
    app.extensions["wikiviews_engine"].dispose()
    assert body.get_json()["series"] == [{"date": "20240301", "views": 15}]
    assert body.get_json()["redirects"] == ["Redirect_one", "Redirect_two"]
