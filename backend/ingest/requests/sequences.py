"""Sequence numbers per log host and hour: drop duplicates, count what is missing.

Each cache or web server numbers its requests (webrequest's ``hostname`` and ``sequence``).
For a (host, hour), the numbers expected are every one from the lowest to the highest seen;
missing are those expected but never received; a number received twice is a duplicate and
its second copy is dropped, across inputs too (the received runs are kept in the store).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field


def runs_of(numbers: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted numbers as inclusive (first, last) runs."""
    runs: list[tuple[int, int]] = []
    for n in sorted(numbers):
        if runs and n <= runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], max(runs[-1][1], n))
        else:
            runs.append((n, n))
    return runs


def format_runs(runs: list[tuple[int, int]]) -> str:
    """Runs as the ``ranges`` column stores them: ``a-b,c-d``."""
    return ",".join(f"{a}-{b}" for a, b in runs)


def parse_runs(text: str) -> list[tuple[int, int]]:
    """The inverse of :func:`format_runs`."""
    runs = []
    for part in filter(None, text.split(",")):
        first, _, last = part.partition("-")
        runs.append((int(first), int(last)))
    return runs


def merge_runs(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The union of two run lists."""
    merged: list[tuple[int, int]] = []
    for first, last in sorted(a + b):
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def contains(runs: list[tuple[int, int]], n: int) -> bool:
    """Whether ``n`` is in one of ``runs`` (sorted)."""
    lo, hi = 0, len(runs)
    while lo < hi:
        mid = (lo + hi) // 2
        if runs[mid][1] < n:
            lo = mid + 1
        else:
            hi = mid
    return lo < len(runs) and runs[lo][0] <= n


@dataclass
class HostHour:
    """Sequence numbers of one (host, hour) in one input, beside what earlier inputs had."""

    stored: list[tuple[int, int]] = field(default_factory=list)
    seen: set[int] = field(default_factory=set)
    duplicates: int = 0


class SequenceTracker:
    """Drops repeated (host, sequence) pairs; ``lookup`` gives earlier inputs' runs."""

    def __init__(self, lookup: Callable[[str, int], list[tuple[int, int]]] | None = None):
        self.lookup = lookup
        self.hours: dict[tuple[str, int], HostHour] = {}

    def fresh(self, hostname: str, hour: int, sequence: int) -> bool:
        """Whether this number is new for its host and hour (``False``: a duplicate)."""
        key = (hostname, hour)
        state = self.hours.get(key)
        if state is None:
            stored = self.lookup(hostname, hour) if self.lookup else []
            state = self.hours[key] = HostHour(stored)
        if sequence in state.seen or (state.stored and contains(state.stored, sequence)):
            state.duplicates += 1
            return False
        state.seen.add(sequence)
        return True
