"""A bounded, counting memo for the per-line lookups of the raw-log pipeline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

Key = TypeVar("Key")
Value = TypeVar("Value")


class CountingMemo(Generic[Key, Value]):
    """``compute`` behind a dictionary of at most ``size`` entries, with hit counts.

    The dictionary is emptied when full rather than evicting one by one: the lookups are
    heavily skewed (a few user agents and addresses make most lines), so the hot keys are
    back after a few lines, and a plain dictionary costs less per hit than an LRU.
    The memo lives in memory only; nothing of it is ever written anywhere.
    """

    def __init__(self, compute: Callable[[Key], Value], size: int) -> None:
        self._compute = compute
        self._size = size
        self._known: dict[Key, Value] = {}
        self.hits = 0
        self.misses = 0

    def __call__(self, key: Key) -> Value:
        known = self._known.get(key)
        if known is not None:
            self.hits += 1
            return known
        self.misses += 1
        if len(self._known) >= self._size:
            self._known.clear()
        known = self._known[key] = self._compute(key)
        return known
