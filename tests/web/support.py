"""Helpers of the statistics page's tests: where things are, and running the browser driver."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.api.gunicorn import LiveServer

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("browser.mjs")
#: Screenshots of each view (git-ignored).
ARTIFACTS = ROOT / "tests" / "web" / "artifacts"
CHROMIUM = os.environ.get("WIKIVIEWS_CHROMIUM", "/usr/bin/chromium")


def need(condition: bool, what: str) -> None:
    """Skip the calling test when ``condition`` is false (fail under REQUIRE_SERVICES=1)."""
    if condition:
        return
    if os.environ.get("WIKIVIEWS_REQUIRE_SERVICES") == "1":
        pytest.fail(f"WIKIVIEWS_REQUIRE_SERVICES=1 but {what}")
    pytest.skip(what)


def run_browser(server: LiveServer, *scenarios: str, **env: str) -> dict[str, dict]:
    """What ``browser.mjs`` saw in each scenario (see its SCENARIOS)."""
    need(shutil.which("node") is not None, "the browser tests need Node.js (node)")
    need(Path(CHROMIUM).exists(), f"the browser tests need Chromium at {CHROMIUM} (apt chromium)")
    need(
        (ROOT / "node_modules" / "playwright-core").is_dir(),
        "the browser tests need playwright-core: run `npm ci`",
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["node", str(DRIVER), server.url, str(ARTIFACTS), *scenarios],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


#: Members the stand-in wiki lists for ``Category:Test``, two to an answer.
CATEGORY_MEMBERS = ["Main Page", "Second", "Steady"]


class _CategoryApi(BaseHTTPRequestHandler):
    """``/w/api.php?action=query&list=categorymembers`` as MediaWiki answers it, paged by 2."""

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path != "/w/api.php" or query.get("list") != "categorymembers":
            self.send_error(404)
            return
        if query.get("cmtitle") != "Category:Test":
            body: dict = {
                "error": {"code": "invalidcategory", "info": "The category name is not valid."}
            }
        else:
            start = int(query.get("cmcontinue", "0"))
            page = CATEGORY_MEMBERS[start : start + 2]
            body = {"query": {"categorymembers": [{"ns": 0, "title": t} for t in page]}}
            if start + 2 < len(CATEGORY_MEMBERS):
                body["continue"] = {"cmcontinue": str(start + 2), "continue": "-||"}
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        if query.get("origin") == "*":  # MediaWiki's anonymous CORS
            self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *_args: object) -> None:
        pass


@contextmanager
def category_wiki() -> Iterator[str]:
    """A loopback stand-in for a wiki's category API (the end-to-end MediaWiki is the real one).

    Yields its base URL; the page reads ``{base}/w/api.php`` for ``{base}/wiki/Category:Test``.
    """
    server = ThreadingHTTPServer(("127.0.0.1", 0), _CategoryApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
