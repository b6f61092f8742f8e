"""Actors: keyed hashes of (IP address, user agent), their daily state, and the automated rule.

An actor is identified only by ``BLAKE2b(key_day, ip + user agent)``: the key is 32 random
bytes made for each UTC day, kept in ``actor-keys/`` under the data directory, and deleted
48 hours after the day began (``wikiviews purge``, and every ingest). Once the key is gone,
nobody can tell whose a stored hash was, and the hashes go with it. A log that arrives after
its day's key is gone is classified with a key that lives only in memory, and no state is
kept for it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from backend.timeutil import day_date, day_number

#: Hours after the start of its day that a day's key and actor state are deleted.
STATE_HOURS = 48


def state_expired(day: int, now: float | None = None) -> bool:
    """Whether the key and actor state of ``day`` must no longer exist."""
    now = time.time() if now is None else now
    return now >= (day * 24 + STATE_HOURS) * 3600


class ActorKeys:
    """The daily secret keys of actor hashes, in ``<data_dir>/actor-keys``."""

    def __init__(self, data_dir: str | Path, now: float | None = None):
        self.directory = Path(data_dir) / "actor-keys"
        self.now = now
        self._keys: dict[int, bytes] = {}

    def _path(self, day: int) -> Path:
        return self.directory / f"{day_date(day).isoformat()}.key"

    def key(self, day: int) -> tuple[bytes, bool]:
        """(key of ``day``, whether state hashed with it may be kept)."""
        if day in self._keys:
            return self._keys[day], not state_expired(day, self.now)
        if state_expired(day, self.now):
            key = self._keys[day] = secrets.token_bytes(32)
            return key, False
        path = self._path(day)
        try:
            key = path.read_bytes()
        except FileNotFoundError:
            self.directory.mkdir(parents=True, exist_ok=True)
            key = secrets.token_bytes(32)
            temporary = path.with_suffix(".tmp")
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(key)
            # Another process may have made the day's key meanwhile: theirs wins.
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
            temporary.unlink()
            key = path.read_bytes()
        self._keys[day] = key
        return key, True

    def hash(self, day: int, ip: str, user_agent: str) -> bytes:
        """The 16-byte actor hash of an (IP, user agent) on ``day``."""
        key, _ = self.key(day)
        return hashlib.blake2b(f"{ip}\n{user_agent}".encode(), key=key, digest_size=16).digest()

    def purge(self, dry_run: bool = False) -> list[Path]:
        """Delete the keys of days whose state has expired; returns the files concerned."""
        if not self.directory.is_dir():
            return []
        gone = []
        for path in sorted(self.directory.glob("*.key")):
            try:
                day = day_number(date.fromisoformat(path.stem))
            except ValueError:
                continue
            if state_expired(day, self.now):
                gone.append(path)
                if not dry_run:
                    path.unlink(missing_ok=True)
        return gone


@dataclass(slots=True)
class ActorDay:
    """What is known of one actor on one day: counts only, no address and no agent."""

    pageviews: int = 0
    first_minute: int = 0
    last_minute: int = 0
    nocookies: int = 0
    distinct_pages: int = 0
    ua_length: int = 0

    def merged(self, other: ActorDay) -> ActorDay:
        """This state and ``other`` (from another input of the same day) together.

        Distinct pages add up: an upper bound, so the page-diversity rule errs towards user.
        """
        if not other.pageviews:
            return self
        return ActorDay(
            self.pageviews + other.pageviews,
            min(self.first_minute, other.first_minute),
            max(self.last_minute, other.last_minute),
            self.nocookies + other.nocookies,
            self.distinct_pages + other.distinct_pages,
            self.ua_length or other.ua_length,
        )


@dataclass(frozen=True)
class AutomatedRule:
    """Wikimedia's actor heuristic (T251169) with its thresholds as the defaults."""

    max_pageviews: int = 800
    max_rate: float = 30.0
    min_pageviews: int = 10
    nocookies: int = 10
    diverse_pageviews: int = 100
    diversity: float = 0.2
    ua_min: int = 25
    ua_max: int = 400

    def is_automated(self, actor: ActorDay) -> bool:
        """Rules in Wikimedia's order; "unclassified" actors count as users."""
        views = actor.pageviews
        if views < self.min_pageviews:
            return False
        if views > self.max_pageviews:
            return True
        minutes = max(1, actor.last_minute - actor.first_minute + 1)
        if views / minutes >= self.max_rate:
            return True
        if (
            actor.nocookies > self.nocookies
            and views > self.diverse_pageviews
            and actor.distinct_pages / views < self.diversity
        ):
            return True
        return actor.ua_length > self.ua_max or actor.ua_length < self.ua_min
