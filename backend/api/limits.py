"""The extensions' per-client rate limit (Flask-Limiter), and where it keeps its counters."""

from __future__ import annotations

import functools
from typing import Any

from flask import Blueprint, Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits.storage import MemoryStorage

from backend.settings import Settings

#: Expired counters are swept after this many counted requests.
SWEEP_EVERY = 4096


class SweptMemoryStorage(MemoryStorage):
    """limits' in-process storage without its expiry timer: sweeps expired keys itself.

    ``MemoryStorage`` starts a new ``threading.Timer`` thread whenever its last one has
    ended, so under load a thread is created every few requests; with 2 sync workers that
    cost a limited request about a fifth of its time. Here expired counters are dropped when
    read (as ``MemoryStorage.get`` already does) and swept every :data:`SWEEP_EVERY`
    counts, so memory stays bounded without a thread.
    """

    STORAGE_SCHEME = ["wikiviews-memory"]  # noqa: RUF012  (limits declares it so)

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: str):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.timer.cancel()
        self._counted = 0

    # Replaces MemoryStorage's private hook, called on every count; pinned by a test.
    def _MemoryStorage__schedule_expiry(self) -> None:
        self._counted += 1
        if self._counted % SWEEP_EVERY == 0:
            self._MemoryStorage__expire_events()  # type: ignore[attr-defined]


def install(app: Flask, blueprints: tuple[Blueprint, ...]) -> None:
    """Register ``blueprints`` (beyond Wikimedia's API), rate-limited when a limit is set.

    The limiter's hooks run on the limited blueprints only: registered app-wide (as
    Flask-Limiter does), they cost every request of the compatible routes, which carry no
    limit, about a tenth of its time. When Redis does not answer, the counters fall back to
    this process's memory with one warning (``/healthz`` says so), never a 500.
    """
    settings: Settings = app.config["WIKIVIEWS_SETTINGS"]
    rate = settings.rate_limit
    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri=settings.redis_url or "wikiviews-memory://",
        default_limits=[],
        headers_enabled=True,
        in_memory_fallback=[rate] if rate and settings.redis_url else [],
        in_memory_fallback_enabled=bool(rate and settings.redis_url),
        swallow_errors=True,
    )
    app.extensions["wikiviews_limiter"] = limiter
    tables = (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs)
    moved = [_take_hooks(table, limiter) for table in tables]
    for blueprint in blueprints:
        if rate:
            limiter.limit(rate)(blueprint)
            for table, funcs in zip(tables, moved, strict=True):
                table.setdefault(blueprint.name, []).extend(funcs)  # type: ignore[attr-defined]
        app.register_blueprint(blueprint)


def _take_hooks(table: dict[Any, list[Any]], owner: object) -> list[Any]:
    """Remove ``owner``'s app-wide hooks from a Flask hook table and return them."""

    def owned(function: object) -> bool:
        if isinstance(function, functools.partial):
            return bool(function.args) and function.args[0] is owner
        return getattr(function, "__self__", None) is owner

    hooks = table.get(None, [])
    taken = [f for f in hooks if owned(f)]
    table[None] = [f for f in hooks if not owned(f)]
    return taken


def rate_limit_storage(app: Flask) -> str:
    """Where the rate limiter keeps its counters: ``memory``, ``redis``, or the fallback."""
    settings: Settings = app.config["WIKIVIEWS_SETTINGS"]
    if not settings.redis_url:
        return "memory"
    limiter: Limiter = app.extensions["wikiviews_limiter"]
    try:
        reachable = bool(limiter.storage.check())
    except Exception:  # any driver error means the same: not reachable
        reachable = False
    return "redis" if reachable else "memory (Redis unreachable: per-process fallback)"
