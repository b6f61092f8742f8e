"""HTTP downloads for the fetcher: resume with Range, retry with backoff, at most N connections.

The dumps host allows 3 connections per client. :class:`Transfer` owns that many HTTP
sessions, each with a pool of one connection, and every request borrows one for its whole
life (headers and body), so no more sockets are ever open to the host, however many threads
ask. A download goes to ``NAME.part`` and is renamed to ``NAME`` once its length is complete;
a dropped connection resumes where the ``.part`` file ends (``Range: bytes=N-``, guarded by
``If-Range`` with the first response's validator), also after a restart of the process.
"""

from __future__ import annotations

import email.utils
import queue
import random
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests
import urllib3
from requests.adapters import HTTPAdapter

from backend.version import user_agent as default_user_agent

#: Statuses worth another try: rate limiting and server-side trouble.
RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
CHUNK = 1 << 20
_CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+|\*)$")
_UNSATISFIED_RANGE = re.compile(r"^bytes \*/(\d+)$")


class NotPublished(Exception):
    """The server answered 404 (or 410): the file is not there (yet)."""


class TransferFailed(Exception):
    """A download that failed for good (after its retries, or with an error not worth one)."""


class Stopped(Exception):
    """The transfer was asked to stop (the process is shutting down)."""


class _Retry(Exception):
    def __init__(self, reason: str, wait: float | None = None):
        super().__init__(reason)
        self.wait = wait


@dataclass(frozen=True)
class Policy:
    """How hard to try: retries after failures that made no progress, and their backoff."""

    retries: int = 5
    backoff_first: float = 2.0
    backoff_max: float = 120.0
    timeout: tuple[float, float] = (30.0, 120.0)  # connect, read

    def backoff(self, attempt: int, wait: float | None = None) -> float:
        """Seconds to wait before retry ``attempt`` (1, 2, …): exponential, jittered, capped.

        A server's ``Retry-After`` (``wait``) wins when it asks for longer.
        """
        delay = min(self.backoff_max, self.backoff_first * 2 ** (attempt - 1))
        delay *= 0.75 + random.random() / 2
        return max(delay, min(wait or 0.0, self.backoff_max * 5))


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class Transfer:
    """Downloads and small GETs against one base URL, sharing ``connections`` connections."""

    def __init__(
        self,
        base_url: str,
        *,
        connections: int = 3,
        policy: Policy | None = None,
        user_agent: str = "",
        sleep: Callable[[float], None] = time.sleep,
    ):
        if not 1 <= connections <= 3:
            raise ValueError("connections must be 1, 2 or 3 (the dumps host's limit is 3)")
        self.base_url = base_url.rstrip("/")
        self.policy = policy or Policy()
        self.sleep = sleep
        self.stop = threading.Event()
        self._sessions: queue.Queue[requests.Session] = queue.Queue()
        for _ in range(connections):
            session = requests.Session()
            adapter = HTTPAdapter(pool_connections=1, pool_maxsize=1, max_retries=0)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            session.headers["User-Agent"] = user_agent or default_user_agent("wikiviews fetch")
            # The files are already compressed: ask for them as they are.
            session.headers["Accept-Encoding"] = "identity"
            self._sessions.put(session)
        self._all = list(self._sessions.queue)

    def close(self) -> None:
        """Close every connection."""
        for session in self._all:
            session.close()

    @contextmanager
    def _session(self) -> Iterator[requests.Session]:
        session = self._sessions.get()
        try:
            yield session
        finally:
            self._sessions.put(session)

    def url(self, path: str) -> str:
        """The absolute URL of ``path`` (relative to the base URL)."""
        return f"{self.base_url}/{path}"

    def get_text(self, path: str) -> str | None:
        """A small file's text, or ``None`` on 404/410; retries like downloads do."""
        attempt = 0
        while True:
            self._check_stop()
            try:
                with self._session() as session:
                    response = session.get(self.url(path), timeout=self.policy.timeout)
                    if response.status_code in (404, 410):
                        return None
                    if response.status_code in RETRYABLE_STATUS:
                        raise _Retry(f"HTTP {response.status_code}", _retry_after(response))
                    if response.status_code != 200:
                        raise TransferFailed(f"{self.url(path)}: HTTP {response.status_code}")
                    return response.content.decode("utf-8", "replace")
            except (requests.RequestException, urllib3.exceptions.HTTPError, _Retry) as exc:
                attempt += 1
                if attempt > self.policy.retries:
                    raise TransferFailed(f"{self.url(path)}: {_reason(exc)}") from exc
                self._wait(self.policy.backoff(attempt, getattr(exc, "wait", None)))

    def download(
        self, path: str, destination: Path, on_bytes: Callable[[int], None] | None = None
    ) -> int:
        """Download ``path`` to ``destination``; returns the bytes received in this call.

        Resumes a ``destination.part`` left by an earlier attempt. Raises
        :class:`NotPublished`, :class:`TransferFailed` or :class:`Stopped`.
        """
        part = destination.with_name(destination.name + ".part")
        validator: str | None = None
        failures = 0
        received = 0
        while True:
            self._check_stop()
            have = part.stat().st_size if part.exists() else 0
            try:
                got, validator = self._attempt(path, part, have, validator, on_bytes)
                received += got
                part.replace(destination)
                return received
            except _Retry as exc:
                now = part.stat().st_size if part.exists() else 0
                received += max(0, now - have)
                if now > have:
                    failures = 0  # progress: resume at once, the budget is for stuck transfers
                    continue
                failures += 1
                if failures > self.policy.retries:
                    raise TransferFailed(
                        f"{self.url(path)}: {exc} (gave up after {self.policy.retries} retries)"
                    ) from exc
                self._wait(self.policy.backoff(failures, exc.wait))

    def _attempt(
        self,
        path: str,
        part: Path,
        have: int,
        validator: str | None,
        on_bytes: Callable[[int], None] | None,
    ) -> tuple[int, str | None]:
        """One GET; raises :class:`_Retry` for anything a later attempt may fix."""
        headers = {}
        if have:
            headers["Range"] = f"bytes={have}-"
            if validator:
                headers["If-Range"] = validator
        url = self.url(path)
        try:
            with (
                self._session() as session,
                session.get(
                    url, headers=headers, stream=True, timeout=self.policy.timeout
                ) as response,
            ):
                status = response.status_code
                if status in (404, 410):
                    raise NotPublished(url)
                if status in RETRYABLE_STATUS:
                    raise _Retry(f"HTTP {status}", _retry_after(response))
                if status == 416 and have:
                    match = _UNSATISFIED_RANGE.match(response.headers.get("Content-Range", ""))
                    if match and int(match.group(1)) == have:
                        return 0, validator  # the part file is already complete
                    part.unlink()  # longer than the file now is: start again
                    raise _Retry("the partial download does not fit the file; restarting", 0)
                if status == 206 and have:
                    match = _CONTENT_RANGE.match(response.headers.get("Content-Range", ""))
                    if not match or int(match.group(1)) != have:
                        raise TransferFailed(f"{url}: unusable Content-Range in a 206 answer")
                    total = None if match.group(3) == "*" else int(match.group(3))
                    mode = "ab"
                elif status == 200:
                    length = response.headers.get("Content-Length")
                    total = int(length) if length and length.isdigit() else None
                    mode, have = "wb", 0  # no range (or the file changed): from the start
                else:
                    raise TransferFailed(f"{url}: HTTP {status}")
                validator = response.headers.get("ETag") or response.headers.get("Last-Modified")
                got = 0
                with part.open(mode) as out:
                    for chunk in response.raw.stream(CHUNK, decode_content=False):
                        if self.stop.is_set():
                            raise Stopped(url)
                        out.write(chunk)
                        got += len(chunk)
                        if on_bytes:
                            on_bytes(len(chunk))
                size = have + got
                if total is not None and size != total:
                    raise _Retry(f"connection closed at {size} of {total} bytes", 0)
                return got, validator
        except (
            requests.RequestException,
            urllib3.exceptions.HTTPError,
            ConnectionError,
            TimeoutError,
        ) as exc:
            raise _Retry(_reason(exc)) from exc
        except OSError as exc:  # the local disk, not the network
            raise TransferFailed(f"{part}: {exc.strerror or exc}") from exc

    def _check_stop(self) -> None:
        if self.stop.is_set():
            raise Stopped("stopping")

    def _wait(self, seconds: float) -> None:
        self._check_stop()
        self.sleep(seconds)


def _reason(exc: BaseException) -> str:
    """A one-line reason for a network error."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
