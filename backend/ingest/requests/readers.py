"""Read raw request logs: webrequest-like JSON lines or combined access logs, gzip or plain.

Two formats, told apart by the first non-empty line:

* **JSON lines** shaped like Wikimedia's webrequest table (``hostname``, ``sequence``, ``dt``,
  ``ip``, ``http_status``, ``uri_host``, ``uri_path``, ``uri_query`` with its leading ``?``,
  ``content_type``, ``user_agent``, ``x_analytics``, …);
* **combined** access logs of nginx or Apache, optionally led by the virtual host (Apache's
  ``%v`` or ``%v:%p``, nginx's ``$host``) and followed by the response's content type (see
  docs/raw-logs.md for the two ``log_format`` lines). Without a leading host, every line is
  taken to be for the ``default_host`` given to the reader.

Bad lines are counted per reason in ``rejects`` and skipped; a line's text never appears in an
error (it holds an IP address and a user agent).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import itertools
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any, BinaryIO

import orjson

from backend.ingest.requests.records import MAX_LINE_BYTES, Rejected, Request

_gzip: ModuleType
try:  # isal's gzip is a drop-in and several times faster where it is installed
    from isal import igzip as _isal_gzip

    _gzip = _isal_gzip
except ImportError:  # pragma: no cover - isal is a runtime dependency
    _gzip = gzip

_GZIP_MAGIC = b"\x1f\x8b"
#: Longest log host name kept for sequence checks (the column's width).
MAX_HOSTNAME = 255
_DT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}$")
_COMBINED = re.compile(
    r"^(?:(?P<vhost>\S+) )?(?P<ip>\S+) \S+ \S+ \[(?P<time>[^\]]{20,40})\] "
    r'"(?P<request>(?:[^"\\]|\\.)*)" (?P<status>\S+) \S+ '
    r'"(?:[^"\\]|\\.)*" "(?P<ua>(?:[^"\\]|\\.)*)"(?: "(?P<ctype>(?:[^"\\]|\\.)*)")?'
)
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}


class UnreadableInput(Exception):
    """The input cannot be read to its end (corrupt or truncated compression)."""


class HashingReader(io.RawIOBase):
    """Passes bytes through while computing their SHA-256 and counting them."""

    def __init__(self, raw: BinaryIO):
        self.raw = raw
        self.sha256 = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        """Close the source too (a gzip reader leaves the file it reads open), not stdin."""
        if self.raw is not sys.stdin.buffer:
            self.raw.close()
        super().close()

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.sha256.update(data)
        self.size += n
        return n


def open_input(path: str, data: bytes | None = None) -> tuple[BinaryIO, HashingReader]:
    """Open ``path`` (``-`` for standard input) as decompressed bytes, hashing the raw bytes.

    Close both: the stream, then the hashing reader (which closes the file).

    Gzip is recognised by its magic bytes, not the file name. ``data``, when given, is read
    instead of ``path``.
    """
    raw: BinaryIO
    if data is not None:
        raw = io.BytesIO(data)
    elif path == "-":
        raw = sys.stdin.buffer
    else:
        raw = Path(path).open("rb")  # noqa: SIM115 - closed with the stream returned
    hashing = HashingReader(raw)
    buffered = io.BufferedReader(hashing, 1 << 20)
    if buffered.peek(2)[:2] == _GZIP_MAGIC:
        return _gzip.GzipFile(fileobj=buffered, mode="rb"), hashing
    return buffered, hashing


class LogReader:
    """Yields :class:`Request` objects from a decompressed stream, counting rejects."""

    def __init__(self, default_host: str = "", now: float | None = None):
        self.default_host = default_host.lower()
        self.rejects: Counter[str] = Counter()
        self.lines = 0
        self.format = ""
        self._latest_hour = int((now if now is not None else time.time()) // 3600) + 1
        self._dt_hours: dict[str, int] = {}
        self._clf_minutes: dict[str, int] = {}

    def read(self, stream: BinaryIO) -> Iterator[Request]:
        """Every usable request of ``stream``; raises :class:`UnreadableInput` when corrupt."""
        try:
            lines = iter(stream)
            for raw in lines:
                first = raw.strip()
                if first:
                    self.format = "json" if first.startswith(b"{") else "combined"
                    reread = itertools.chain([raw], lines)
                    if self.format == "json":
                        yield from self._read_json(reread)
                    else:
                        yield from self._read_text(reread)
                    return
        except (EOFError, OSError, gzip.BadGzipFile) as exc:
            raise UnreadableInput(f"compressed data corrupt or truncated ({exc})") from None

    def _read_json(self, lines: Iterator[bytes]) -> Iterator[Request]:
        # orjson takes the bytes as they are and checks UTF-8 itself: no decode per line.
        rejects, loads, build = self.rejects, orjson.loads, self._json_request
        latest, decode_error = self._latest_hour, orjson.JSONDecodeError
        count = 0
        for raw in lines:
            count += 1
            if len(raw) > MAX_LINE_BYTES:
                rejects["too_long"] += 1
                continue
            try:
                record = loads(raw)
            except decode_error:
                if not raw.strip():
                    count -= 1
                elif not _is_text(raw):
                    rejects["binary"] += 1
                else:
                    rejects["syntax" if raw.endswith(b"\n") else "truncated"] += 1
                continue
            try:
                request = build(record)
            except Rejected as exc:
                rejects[exc.reason if raw.endswith(b"\n") else "truncated"] += 1
                continue
            if request.hour > latest:
                rejects["future"] += 1
                continue
            yield request
        self.lines += count

    def _read_text(self, lines: Iterator[bytes]) -> Iterator[Request]:
        rejects, parse, latest = self.rejects, self.parse_combined, self._latest_hour
        for raw in lines:
            self.lines += 1
            if len(raw) > MAX_LINE_BYTES:
                rejects["too_long"] += 1
                continue
            complete = raw.endswith(b"\n")
            try:
                line = raw.decode("utf-8").strip()
            except UnicodeDecodeError:
                rejects["binary"] += 1
                continue
            if not line:
                self.lines -= 1
                continue
            if "\x00" in line:
                rejects["binary"] += 1
                continue
            try:
                request = parse(line)
            except Rejected as exc:
                rejects["truncated" if not complete else exc.reason] += 1
                continue
            if request.hour > latest:
                rejects["future"] += 1
                continue
            yield request

    # -- JSON lines ---------------------------------------------------------------------------
    def parse_json(self, line: str | bytes) -> Request:
        """One webrequest-like JSON object (raises :class:`Rejected`)."""
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError:
            raise Rejected("syntax") from None
        return self._json_request(record)

    def _json_request(self, record: Any) -> Request:
        if type(record) is not dict:
            raise Rejected("syntax")
        get = record.get
        dt, host, path = get("dt"), get("uri_host"), get("uri_path")
        if type(dt) is not str or type(host) is not str or type(path) is not str:
            raise Rejected("fields")
        hour = self._dt_hours.get(dt[:13])
        if hour is None:
            hour = self._dt_hour(dt[:13])
        minute_text = dt[14:16]
        if not (minute_text.isdecimal() and minute_text < "60" and len(minute_text) == 2):
            raise Rejected("timestamp")
        status: Any = get("http_status")
        try:
            status = int(status)
        except (TypeError, ValueError):
            raise Rejected("status") from None
        sequence = get("sequence")
        hostname = get("hostname")
        if sequence is not None:
            if type(sequence) is not int or type(hostname) is not str:
                raise Rejected("fields")
            if not 0 <= sequence < 1 << 63 or len(hostname) > MAX_HOSTNAME:
                raise Rejected("too_long")
        query, content_type, user_agent, ip, x_analytics = (
            get("uri_query") or "",
            get("content_type") or "",
            get("user_agent") or "",
            get("ip") or "",
            get("x_analytics") or "",
        )
        if not (
            type(query) is str
            and type(content_type) is str
            and type(user_agent) is str
            and type(ip) is str
            and type(x_analytics) is str
        ):
            raise Rejected("fields")
        return Request(
            hour,
            hour * 60 + int(minute_text),
            host.lower(),
            path,
            query,
            status,
            content_type,
            user_agent,
            ip,
            x_analytics,
            hostname or "",
            -1 if sequence is None else sequence,
        )

    def _dt_hour(self, stamp: str) -> int:
        if not _DT.match(stamp):
            raise Rejected("timestamp")
        try:
            at = datetime(int(stamp[:4]), int(stamp[5:7]), int(stamp[8:10]), int(stamp[11:13]))
        except ValueError:
            raise Rejected("timestamp") from None
        hour = (at - datetime(1970, 1, 1)) // _ONE_HOUR
        self._dt_hours[stamp] = hour
        return hour

    # -- combined access logs ------------------------------------------------------------------
    def parse_combined(self, line: str) -> Request:
        """One combined-format line, with or without the leading host (raises ``Rejected``)."""
        match = _COMBINED.match(line)
        if match is None:
            raise Rejected("syntax")
        vhost, ip, stamp, request, status, ua, ctype = match.groups()
        if vhost:
            host = vhost.rsplit(":", 1)[0] if ":" in vhost else vhost
            host = host.lower()
        elif self.default_host:
            host = self.default_host
        else:
            raise Rejected("fields")
        parts = request.split(" ")
        if len(parts) != 3:
            raise Rejected("fields")
        target = parts[1]
        cut = target.find("?")
        path, query = (target, "") if cut < 0 else (target[:cut], target[cut:])
        key = stamp[:14] + stamp[20:]
        base = self._clf_minutes.get(key)
        if base is None:
            base = self._clf_minute(stamp)
        minute_text = stamp[15:17]
        if not (minute_text.isdecimal() and minute_text < "60" and len(minute_text) == 2):
            raise Rejected("timestamp")
        minute = base + int(minute_text)
        try:
            code = int(status)
        except ValueError:
            raise Rejected("status") from None
        return Request(
            minute // 60,
            minute,
            host,
            path,
            query,
            code,
            _unescape(ctype) if ctype and ctype != "-" else "",
            _unescape(ua) if ua != "-" else "-",
            ip,
        )

    def _clf_minute(self, stamp: str) -> int:
        # 10/Oct/2000:13:55:36 -0700 → minutes since the epoch of 13:00 local in UTC
        try:
            day, month, year = int(stamp[0:2]), _MONTHS[stamp[3:6]], int(stamp[7:11])
            hour = int(stamp[12:14])
            zone = stamp[21:]
            sign = -1 if zone[0] == "-" else 1
            offset = sign * (int(zone[1:3]) * 60 + int(zone[3:5]))
            if stamp[2] != "/" or stamp[11] != ":" or zone[0] not in "+-" or len(zone) != 5:
                raise ValueError
            local = datetime(year, month, day, hour)
        except (ValueError, KeyError, IndexError):
            raise Rejected("timestamp") from None
        minute = (local - datetime(1970, 1, 1)) // _ONE_MINUTE - offset
        self._clf_minutes[stamp[:14] + stamp[20:]] = minute
        return minute


def _is_text(raw: bytes) -> bool:
    """Whether a line is UTF-8 text without NUL bytes (else it is counted as binary)."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in raw


def _unescape(value: str) -> str:
    """Undo the escaping nginx (``\\x22``) and Apache (``\\"``) apply inside quoted fields."""
    if "\\" not in value:
        return value
    return value.replace('\\"', '"').replace("\\x22", '"').replace("\\\\", "\\")


_ONE_HOUR = datetime(1970, 1, 1, 1) - datetime(1970, 1, 1)
_ONE_MINUTE = _ONE_HOUR / 60
