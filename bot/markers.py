"""The bot's own part of a page: the text between its two marker comments.

Markers are found with mwparserfromhell among the page's top-level nodes only, so a marker
quoted inside ``<nowiki>``, ``<pre>`` or a template parameter is not one. The new text is built
by slicing the old text at the markers' offsets: everything outside them stays byte-identical.
"""

from __future__ import annotations

from dataclasses import dataclass

import mwparserfromhell
from mwparserfromhell.nodes import Comment

BEGIN = "<!-- wikiviews-bot begin: the text down to the end marker is replaced at every update -->"
END = "<!-- wikiviews-bot end -->"
_BEGIN_KEY = "wikiviews-bot begin"
_END_KEY = "wikiviews-bot end"


class MarkerError(ValueError):
    """The page's markers are ambiguous (doubled, unpaired or out of order): left alone."""


@dataclass(frozen=True)
class Region:
    """Offsets of the bot's part: ``text[start:end]`` lies between the two markers."""

    start: int
    end: int


def find_region(text: str) -> Region | None:
    """The bot's part of ``text``, or ``None`` when the page has no markers."""
    begins: list[int] = []
    ends: list[int] = []
    offset = 0
    for node in mwparserfromhell.parse(text).nodes:
        raw = str(node)
        if isinstance(node, Comment):
            key = str(node.contents).strip()
            if key.startswith(_BEGIN_KEY):
                begins.append(offset + len(raw))
            elif key.startswith(_END_KEY):
                ends.append(offset)
        offset += len(raw)
    if not begins and not ends:
        return None
    if len(begins) != 1 or len(ends) != 1:
        raise MarkerError(f"{len(begins)} begin and {len(ends)} end markers (expected one each)")
    if begins[0] > ends[0]:
        raise MarkerError("the end marker comes before the begin marker")
    return Region(begins[0], ends[0])


def region_text(text: str) -> str | None:
    """What is between the markers now (``None`` without markers)."""
    region = find_region(text)
    return None if region is None else text[region.start : region.end]


def render_page(old: str | None, body: str, *, header: str = "", footer: str = "") -> str:
    """The page's new text with ``body`` between the markers.

    ``old`` is ``None`` for a missing page: it is created as ``header``, the marked body and
    ``footer``. A page without markers gets a marked body appended at its end. Otherwise only
    the text between the markers changes.
    """
    inner = "\n" + body.strip("\n") + "\n"
    if old is None:
        # A blank line after the header: it stays a paragraph of its own.
        parts = [header.rstrip("\n") + "\n\n" if header else "", BEGIN, inner, END, "\n"]
        if footer:
            parts.append(footer.rstrip("\n") + "\n")
        return "".join(parts)
    region = find_region(old)
    if region is None:
        separator = "" if not old else ("\n" if old.endswith("\n") else "\n\n")
        return old + separator + BEGIN + inner + END + "\n"
    return old[: region.start] + inner + old[region.end :]
