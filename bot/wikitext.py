"""Wikitext for titles and numbers that renders as exactly what it says.

Titles in pageview data are whatever readers requested: they may hold ``|``, ``{{``, ``]]``,
``<script>``, ``~~~~``, right-to-left text or 255 bytes of UTF-8. A title MediaWiki accepts
is written as a link whose label is ``<nowiki>`` text; anything else (a title the wiki would
refuse) is written as ``<nowiki>`` text without a link. Inside ``<nowiki>`` only ``&``, ``<``
and ``>`` need escaping, as character references, so no markup, signature, magic word or
template in a title can act. ``<bdi>`` isolates right-to-left titles from the table around them.
"""

from __future__ import annotations

import re
from functools import lru_cache

#: MediaWiki's limit on a title's length, in UTF-8 bytes (main namespace).
MAX_TITLE_BYTES = 255

# Characters outside $wgLegalTitleChars (default settings), plus DEL.
_ILLEGAL = re.compile(r"[\x00-\x1f\x7f#<>\[\]|{}]")
# Percent-encoded bytes and character references are refused by MediaWiki's title codec.
_ENCODED = re.compile(r"%[0-9A-Fa-f]{2}|&[A-Za-z0-9\x80-\U0010ffff]+;|&#[0-9]+;|&#x[0-9A-Fa-f]+;")
_RELATIVE = re.compile(r"^\.\.?(/|$)|/\.\.?(/|$)")


def display_title(title: str) -> str:
    """A title as MediaWiki shows it: underscores as spaces."""
    return title.replace("_", " ")


def is_linkable(title: str) -> bool:
    """Whether MediaWiki would accept ``title`` as a page title (so a link to it is safe)."""
    shown = display_title(title).strip()
    if not shown or shown.startswith(":"):
        return False
    if len(shown.encode("utf-8")) > MAX_TITLE_BYTES:
        return False
    if _ILLEGAL.search(shown) or _ENCODED.search(shown) or _RELATIVE.search(shown):
        return False
    return "~~~" not in shown and "\ufffd" not in shown


def nowiki(text: str) -> str:
    """``text`` as inert wikitext: shown exactly, never parsed."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"<nowiki>{escaped}</nowiki>"


@lru_cache(maxsize=1 << 16)  # popular titles recur in many projects' tables
def title_cell(title: str) -> str:
    """A table cell's content naming ``title``: a link when the wiki accepts the title."""
    shown = display_title(title)
    if is_linkable(title):
        return f"<bdi>[[:{shown}|{nowiki(shown)}]]</bdi>"
    return f"<bdi>{nowiki(shown)}</bdi>"


def page_link(title: str) -> str:
    """A plain link to a page the bot itself names (reports, delivery targets)."""
    shown = display_title(title)
    if not is_linkable(title):
        return nowiki(shown)
    return f"[[:{shown}]]"


def formatnum(number: int) -> str:
    """A number the wiki formats in its own language (``{{formatnum:…}}``)."""
    return f"{{{{formatnum:{int(number)}}}}}"


def table(header: list[str], rows: list[list[str]], *, css: str = "wikitable sortable") -> str:
    """A wikitable with one cell a line, so no cell can split another (``||``/``!!``)."""
    lines = [f'{{| class="{css}"']
    lines.extend(f"! {cell}" for cell in header)
    for row in rows:
        lines.append("|-")
        # A space after the bar: a cell starting with "-", "+" or "}" stays a cell.
        lines.extend(f"| {cell}" for cell in row)
    lines.append("|}")
    return "\n".join(lines)
