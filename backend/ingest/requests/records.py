"""One request as the readers hand it on, and why a line can be rejected."""

from __future__ import annotations

from dataclasses import dataclass

#: Why a line was rejected, in the words the summary prints. No reason ever quotes the line:
#: a log line holds an IP address and a user agent.
REJECT_REASONS = {
    "binary": "binary or invalid UTF-8",
    "too_long": "line or field of absurd length",
    "syntax": "not a JSON object or a combined-log line",
    "fields": "a required field missing or of the wrong type",
    "timestamp": "unparsable timestamp",
    "future": "timestamp in the future",
    "status": "HTTP status not a number",
    "truncated": "truncated last line",
    "duplicate": "sequence number seen before for its host (dropped)",
}

#: Longest line accepted: longer lines are never real requests (URLs are capped at ~8 KiB).
MAX_LINE_BYTES = 16384


@dataclass(slots=True)
class Request:
    """The fields of one request that classification needs (held in memory only)."""

    hour: int
    minute: int
    host: str
    path: str
    query: str
    status: int
    content_type: str
    user_agent: str
    ip: str
    x_analytics: str = ""
    hostname: str = ""
    sequence: int = -1


class Rejected(Exception):
    """A line that is not a usable request; ``reason`` is a key of :data:`REJECT_REASONS`."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason
