"""The bot writes only between its markers; everything else stays byte-identical."""

from __future__ import annotations

import pytest

from bot.markers import BEGIN, END, MarkerError, find_region, region_text, render_page

HUMAN = "{{bots|deny=OtherBot}}\nIntro written by people.\n== List ==\n"
FOOTER = "\nHuman footer.\n== Discussion ==\nKeep this ~~~~ as is.\n[[Category:Reports]]"


def page(body: str) -> str:
    return f"{HUMAN}{BEGIN}\n{body}\n{END}{FOOTER}"


def test_missing_page_is_created_with_header_and_markers() -> None:
    text = render_page(None, "TABLE", header="Header.")
    assert text == f"Header.\n\n{BEGIN}\nTABLE\n{END}\n"
    assert region_text(text) == "\nTABLE\n"


def test_only_the_region_changes() -> None:
    old = page("old table")
    new = render_page(old, "new table")
    start = old.index(BEGIN) + len(BEGIN)
    end = old.index(END)
    assert new[:start] == old[:start]
    assert new[new.index(END) :] == old[end:]
    assert region_text(new) == "\nnew table\n"


def test_same_body_gives_the_same_text() -> None:
    old = render_page(page("x"), "the body")
    assert render_page(old, "the body") == old


def test_page_without_markers_gets_them_appended() -> None:
    old = "Human text without newline"
    new = render_page(old, "TABLE")
    assert new.startswith(old + "\n\n" + BEGIN)
    assert region_text(new) == "\nTABLE\n"
    assert render_page("Ends with newline\n", "T").startswith("Ends with newline\n\n" + BEGIN)


@pytest.mark.parametrize(
    "quoted",
    [
        f"<nowiki>{BEGIN}</nowiki>",
        f"<pre>{BEGIN}\n{END}</pre>",
        f"{{{{Quote|{BEGIN}}}}}",
    ],
)
def test_quoted_markers_are_not_markers(quoted: str) -> None:
    old = f"Docs: {quoted}\n"
    assert find_region(old) is None
    new = render_page(old, "TABLE")
    assert new.startswith(old)
    assert region_text(new) == "\nTABLE\n"


@pytest.mark.parametrize(
    "text",
    [
        f"{BEGIN}\n{BEGIN}\n{END}",
        f"{BEGIN}\n{END}\n{END}",
        f"{END}\nx\n{BEGIN}",
        f"{BEGIN}\nno end",
        f"no begin\n{END}",
    ],
)
def test_ambiguous_markers_are_refused(text: str) -> None:
    with pytest.raises(MarkerError):
        render_page(text, "TABLE")


def test_markers_with_other_wording_still_count() -> None:
    # Only the key words matter: a translated or edited tail of the comment is fine.
    old = "<!-- wikiviews-bot begin (do not edit) -->\nold\n<!--wikiviews-bot end-->\nafter"
    assert render_page(old, "new") == (
        "<!-- wikiviews-bot begin (do not edit) -->\nnew\n<!--wikiviews-bot end-->\nafter"
    )
