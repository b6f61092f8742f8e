"""A stand-in for Wikimedia's pageview API: only the compatible routes, nothing of ours.

It forwards ``/api/rest_v1/metrics/pageviews/…`` to a real ``wikiviews serve`` and answers
404 to everything else (``/api/wikiviews/v1/summary`` above all), so a client that works
against it uses nothing Wikimedia's API lacks. It records the paths it was asked for.
"""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

COMPATIBLE = "/api/rest_v1/metrics/pageviews/"


class _Handler(BaseHTTPRequestHandler):
    server: _StandIn

    def do_GET(self) -> None:
        self.server.paths.append(self.path)
        if not self.path.startswith(COMPATIBLE):
            self._answer(404, b'{"type":"not_found"}', "application/problem+json")
            return
        request = urllib.request.Request(
            self.server.upstream + self.path,
            headers={"User-Agent": self.headers.get("User-Agent", "stand-in")},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, body = response.status, response.read()
                kind = response.headers.get("Content-Type", "application/json")
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read()
            kind = error.headers.get("Content-Type", "application/json")
        self._answer(status, body, kind)

    def _answer(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the paths are recorded instead."""


class _StandIn(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, upstream: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.upstream = upstream
        self.paths: list[str] = []
        self.url = f"http://127.0.0.1:{self.server_address[1]}"


@contextmanager
def standing_in(upstream: str) -> Iterator[_StandIn]:
    """The stand-in in front of ``upstream`` until the block ends; ``.url`` is its root."""
    server = _StandIn(upstream)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
