"""A local dumps host for the fetch tests: a dumps-like tree over HTTP, with faults on demand.

:func:`build_tree` lays sample dumps out as ``pageviews/YYYY/YYYY-MM/`` and
``pageview_complete/YYYY/YYYY-MM/`` with an ``md5sums.txt`` in each month directory, as the
dumps host does. :class:`DumpsServer` serves such a tree on 127.0.0.1 (a free port, in a
thread) with HTTP/1.1 keep-alive and ``Range`` support, and can, per file name:

* answer 404 (``hidden``: not published yet),
* send wrong bytes of the right length (``corrupt``: how many answers),
* close the connection after some bytes of the body (``drop_after``: first answer only),
* answer 503 a number of times first (``unavailable``),
* leave it out of ``md5sums.txt`` (``unlisted``; for ``unlisted_answers`` answers, or always
  while that is ``None``).

It records every request (path and Range header) and the most connections open at once.
With ``overlap = N`` every file answer waits until N connections are open (or a 10-second
guard passes, recorded in ``overlap_timeouts``), so a client's concurrency is exercised.
"""

from __future__ import annotations

import hashlib
import shutil
import threading
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

from backend.dumpfiles import complete_dump, hourly_dump, identify


def build_tree(sample_dir: Path, root: Path) -> dict[str, Path]:
    """Copy the dumps of ``sample_dir`` into a dumps-like tree under ``root``.

    Returns ``{file name: path in the tree}``; writes ``md5sums.txt`` per month directory.
    """
    placed: dict[str, Path] = {}
    for source in sorted(sample_dir.iterdir()):
        if not source.name.startswith("pageviews-"):
            continue
        dump = identify(source)
        if dump.kind == "pageviews":
            item = hourly_dump(dump.first_hour)
        elif dump.kind == "complete-daily":
            item = complete_dump(dump.first_hour, dump.agent.name.lower())
        else:
            continue
        target = root / item.directory / item.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        placed[item.name] = target
    for directory in {p.parent for p in placed.values()}:
        lines = [
            f"{hashlib.md5(p.read_bytes()).hexdigest()}  {p.name}\n"
            for p in sorted(directory.iterdir())
            if p.name.startswith("pageviews-")
        ]
        (directory / "md5sums.txt").write_text("".join(lines))
    return placed


@dataclass
class Request:
    """One request the server saw."""

    path: str
    range: str | None
    status: int


class DumpsServer:
    """Serve ``root`` on 127.0.0.1 until :meth:`stop` (see the module docstring)."""

    def __init__(self, root: Path):
        self.root = root
        self.hidden: set[str] = set()
        self.corrupt: Counter[str] = Counter()
        self.drop_after: dict[str, int] = {}
        self.unavailable: Counter[str] = Counter()
        self.requests: list[Request] = []
        self.open_connections = 0
        self.max_connections = 0
        self.overlap: int | None = None
        self.unlisted: set[str] = set()
        self.unlisted_answers: int | None = None
        self.overlap_timeouts = 0
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The base URL (the tree's root)."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> DumpsServer:
        """Start serving in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def requests_for(self, name: str) -> list[Request]:
        """The requests whose path ends with ``name``."""
        with self._lock:
            return [r for r in self.requests if r.path.endswith("/" + name)]

    def _record(self, path: str, range_header: str | None, status: int) -> None:
        with self._lock:
            self.requests.append(Request(path, range_header, status))

    def _connection(self, delta: int) -> None:
        with self._changed:
            self.open_connections += delta
            self.max_connections = max(self.max_connections, self.open_connections)
            self._changed.notify_all()

    def _checksums(self, data: bytes) -> bytes:
        with self._lock:
            if not self.unlisted or self.unlisted_answers == 0:
                return data
            if self.unlisted_answers is not None:
                self.unlisted_answers -= 1
            lines = data.decode().splitlines(keepends=True)
            kept = [line for line in lines if line.split()[-1] not in self.unlisted]
            return "".join(kept).encode()

    def _wait_for_overlap(self) -> None:
        with self._changed:
            if self.overlap is None:
                return
            needed = self.overlap
            if not self._changed.wait_for(lambda: self.open_connections >= needed, timeout=10):
                self.overlap_timeouts += 1


def _handler(server: DumpsServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            server._connection(+1)

        def finish(self) -> None:
            try:
                super().finish()
            finally:
                server._connection(-1)

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep test output clean

        def _simple(self, status: int, body: bytes = b"") -> None:
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            relative = unquote(self.path.split("?", 1)[0]).lstrip("/")
            name = relative.rsplit("/", 1)[-1]
            range_header = self.headers.get("Range")
            path = (server.root / relative).resolve()
            if name in server.hidden or not path.is_file() or server.root not in path.parents:
                server._record(self.path, range_header, 404)
                return self._simple(404, b"not found")
            with server._lock:
                busy = server.unavailable[name] > 0
                if busy:
                    server.unavailable[name] -= 1
            if busy:
                server._record(self.path, range_header, 503)
                self.send_response(503)
                self.send_header("Retry-After", "7")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            if name.startswith("pageviews-"):
                server._wait_for_overlap()
            data = path.read_bytes()
            if name == "md5sums.txt":
                data = server._checksums(data)
            with server._lock:
                corrupt = server.corrupt[name] > 0
                if corrupt:
                    server.corrupt[name] -= 1
                drop = server.drop_after.pop(name, None)
            if corrupt:
                middle = len(data) // 2
                data = data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]
            start = 0
            status = 200
            if range_header and range_header.startswith("bytes=") and range_header.endswith("-"):
                start = int(range_header[len("bytes=") : -1])
                if start >= len(data):
                    server._record(self.path, range_header, 416)
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{len(data)}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                status = 206
            server._record(self.path, range_header, status)
            body = data[start:]
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", f'"{hashlib.md5(data).hexdigest()}"')
            if status == 206:
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            self.end_headers()
            if drop is not None:
                self.wfile.write(body[:drop])
                self.wfile.flush()
                self.close_connection = True
                return None
            self.wfile.write(body)
            return None

    return Handler
