"""A real ``wikiviews serve`` (gunicorn) on a loopback port, for tests that need real HTTP.

:func:`serving` starts ``python -m backend serve --bind 127.0.0.1:<free port> --workers N`` in
its own process group with a store's environment, waits until ``/healthz`` answers 200
(polling with a bounded number of tries, paced by waiting on the process itself, so an early
exit is noticed at once), yields a :class:`LiveServer`, and kills the whole group on exit.

Use it from a fixture::

    @pytest.fixture(scope="module")
    def live_server(api_store, tmp_path_factory):
        with serving(api_store, tmp_path_factory.mktemp("gunicorn")) as server:
            yield server

``tests/api/conftest.py`` has that fixture as ``api_server``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from backend.settings import Settings
from tests.helpers import cli_env

#: How long a poll of ``/healthz`` may take, and how long to wait between two polls.
POLL_TIMEOUT_SECONDS = 2.0
POLL_PAUSE_SECONDS = 0.1
#: Polls before giving up (about 30 s of a server that neither answers nor exits).
MAX_POLLS = 300
#: Attempts with a new port when the one picked was taken before gunicorn could bind it.
PORT_ATTEMPTS = 3
USER_AGENT = "wikiviews-tests/1.0 (tests@example.org)"
SERVE = (sys.executable, "-m", "backend", "serve")
#: What gunicorn logs when the port was taken meanwhile.
PORT_TAKEN = ("Connection in use", "Address already in use")


class ServerDidNotStart(RuntimeError):
    """gunicorn exited, or ``/healthz`` never answered 200."""


@dataclass(frozen=True)
class LiveServer:
    """A running server: its root URL (``http://127.0.0.1:PORT``) and its log file."""

    url: str
    pid: int
    log: Path

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        """(status, body) of a GET of ``path`` (already percent-encoded)."""
        request = urllib.request.Request(
            self.url + path, headers={"User-Agent": USER_AGENT, **(headers or {})}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(
    settings: Settings, directory: Path, *, workers: int = 1, **env: str
) -> Iterator[LiveServer]:
    """A ``wikiviews serve`` on ``settings``' store until the block ends.

    ``directory`` receives the server's log and its Prometheus files; ``env`` adds variables
    (``WIKIVIEWS_RATE_LIMIT="5 per second"``). Raises :class:`ServerDidNotStart` with the log
    when the server does not come up.
    """
    metrics_dir = directory / "prometheus"
    metrics_dir.mkdir(exist_ok=True)
    environment = cli_env(settings, PROMETHEUS_MULTIPROC_DIR=str(metrics_dir), **env)
    failures = []
    for attempt in range(PORT_ATTEMPTS):
        port = free_port()
        log = directory / f"gunicorn-{attempt}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [*SERVE, "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            server = LiveServer(f"http://127.0.0.1:{port}", process.pid, log)
            if _wait_ready(server, process):
                yield server
                return
            failures.append(log.read_text(errors="replace")[-2000:])
            if not any(text in failures[-1] for text in PORT_TAKEN):
                break
        finally:
            _stop(process)
    raise ServerDidNotStart("gunicorn did not come up:\n" + "\n---\n".join(failures))


def _wait_ready(server: LiveServer, process: subprocess.Popen) -> bool:
    """Whether ``/healthz`` answered 200 before the process exited or the polls ran out."""
    for _ in range(MAX_POLLS):
        if process.poll() is not None:
            return False
        try:
            request = urllib.request.Request(
                server.url + "/healthz", headers={"User-Agent": USER_AGENT}
            )
            with urllib.request.urlopen(request, timeout=POLL_TIMEOUT_SECONDS) as response:
                if response.status == 200:
                    return True
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        with suppress(subprocess.TimeoutExpired):
            # Paces the polls, and returns at once if the server exits meanwhile.
            process.wait(timeout=POLL_PAUSE_SECONDS)
    return False


def _stop(process: subprocess.Popen) -> None:
    """End the server's process group: TERM, then KILL if it has not exited in 15 s."""
    if process.poll() is None:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=15)
    with suppress(ProcessLookupError):
        # Workers of a master that died still belong to the group.
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
