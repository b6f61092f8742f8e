"""Titles come out of the bot's wikitext as exactly themselves, whatever they contain."""

from __future__ import annotations

import html

import mwparserfromhell
import pytest

from bot.wikitext import formatnum, is_linkable, nowiki, table, title_cell

AWKWARD = [
    "Plain",
    "Rock_'n'_Roll",
    "E=mc2",
    "Pipe|in|title",
    "{{Template}}",
    "]]closing",
    "[[opening",
    "<script>alert(1)</script>",
    "</nowiki>escape",
    "Sig~~~~",
    "''italic'' and '''bold'''",
    "__NOTOC__",
    "עברית_ויקיפדיה",
    "مرحبا (العربية)",
    "é" * 127,  # 254 bytes
    "x" + "é" * 127,  # 255 bytes
    "é" * 128,  # 256 bytes: too long for a title
    "A&amp;B",
    "100%25",
    "-",
    "http://example.org/",
    "ISBN 0123456789",
]


def _shown(cell: str) -> tuple[str, str | None]:
    """(text a reader sees, link target or None), read back with mwparserfromhell."""
    code = mwparserfromhell.parse(cell)
    links = code.filter_wikilinks()
    tags = [t for t in code.filter_tags() if str(t.tag) == "nowiki"]
    assert len(tags) == 1, cell
    text = html.unescape(str(tags[0].contents))
    return text, (str(links[0].title) if links else None)


@pytest.mark.parametrize("title", AWKWARD)
def test_title_cell_shows_exactly_the_title(title: str) -> None:
    text, target = _shown(title_cell(title))
    assert text == title.replace("_", " ")
    if target is not None:
        assert target == ":" + title.replace("_", " ")


@pytest.mark.parametrize("title", AWKWARD)
def test_no_markup_escapes_the_cell(title: str) -> None:
    code = mwparserfromhell.parse(title_cell(title))
    (bdi,) = code.filter_tags(recursive=False)
    assert str(bdi.tag) == "bdi"
    inner = bdi.contents
    links = inner.filter_wikilinks(recursive=False)
    shown = links[0].text if links else inner
    # What a reader sees is one <nowiki> and nothing else: no template, link, tag or signature.
    assert [str(n.tag) for n in shown.nodes] == ["nowiki"]
    assert str(shown) == nowiki(title.replace("_", " "))


@pytest.mark.parametrize(
    ("title", "linkable"),
    [
        ("Plain", True),
        ("Rock_'n'_Roll", True),
        ("עברית", True),
        ("x" + "é" * 127, True),
        ("é" * 128, False),
        ("Pipe|x", False),
        ("{{T}}", False),
        ("a]]b", False),
        ("<b>", False),
        ("Sig~~~", False),
        ("A&amp;B", False),
        ("100%25", False),
        ("../up", False),
        ("a/./b", False),
        (":Lead colon", False),
        ("", False),
        ("Tab\there", False),
        ("Tilde~~ok", True),
    ],
)
def test_is_linkable_follows_mediawiki_title_rules(title: str, linkable: bool) -> None:
    assert is_linkable(title) is linkable


def test_invalid_titles_are_not_links() -> None:
    assert not mwparserfromhell.parse(title_cell("a|b")).filter_wikilinks()
    assert mwparserfromhell.parse(title_cell("a b")).filter_wikilinks()


def test_formatnum_is_a_parser_function() -> None:
    assert formatnum(1234567) == "{{formatnum:1234567}}"


def test_table_puts_one_cell_a_line() -> None:
    wikitext = table(["A", "B"], [["-1", "+2"], ["}", "x"]])
    lines = wikitext.splitlines()
    assert lines[0] == '{| class="wikitable sortable"'
    assert lines[-1] == "|}"
    # A cell starting with "-", "+" or "}" must not become a row, caption or table end.
    assert "| -1" in lines and "| +2" in lines and "| }" in lines
    assert lines.count("|-") == 2
    rows = mwparserfromhell.parse(wikitext).filter_tags(matches=lambda n: n.tag == "tr")
    assert len(rows) == 2
