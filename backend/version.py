"""The installed version and the User-Agent every outgoing request of wikiviews sends."""

from __future__ import annotations

from functools import cache
from importlib.metadata import PackageNotFoundError, version


@cache
def release() -> str:
    """The installed wikiviews version (``unknown`` when running from a bare checkout)."""
    try:
        return version("wikiviews")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown"


def user_agent(purpose: str, override: str = "") -> str:
    """``wikiviews/VERSION (self-hosted pageview statistics; PURPOSE)``, or ``override``.

    Wikimedia asks automated clients for a User-Agent that says what calls and why; the
    ``purpose`` names the command (``wikiviews fetch``, ``redirects load`` …).
    """
    if override:
        return override
    return f"wikiviews/{release()} (self-hosted pageview statistics; {purpose})"
