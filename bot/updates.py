"""What a job hands to the writer, and how a run's outcome is summed up (no pywikibot here)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

OUTCOMES = ("created", "edited", "unchanged", "excluded", "skipped", "resumed", "failed")


@dataclass
class PageUpdate:
    """What to write on one page."""

    title: str
    body: str
    summary: str
    header: str = ""
    footer: str = ""
    #: Given the old text between the markers (or ``None``), whether to write at all.
    wanted: Callable[[str | None], bool] | None = None
    #: The body is the whole page (a data page some module parses): no markers, no header.
    whole: bool = False
    #: Text of another page whose {{bots}}/{{nobots}} also apply (a data page's talk page).
    guard: str | None = None


def summary_line(outcomes: Counter[str], simulate: bool) -> str:
    """``edited 3, created 1, unchanged 2, excluded 1, failed 0`` (what the run did)."""
    prefix = "simulated: " if simulate else ""
    return prefix + ", ".join(f"{name} {outcomes.get(name, 0)}" for name in OUTCOMES)
