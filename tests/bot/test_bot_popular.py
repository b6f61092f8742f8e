"""Popular-pages tables: bulk views, redirects summed, top rows, rendering."""

from __future__ import annotations

from datetime import date

import mwparserfromhell
from memory_source import MemorySource

from bot.membership import Member
from bot.periods import period_of
from bot.popular import add_redirect_views, build_table, fetch_views, render_table

P = "en.wikipedia"
MAY = period_of("month", date(2024, 5, 1))


def _source() -> MemorySource:
    src = MemorySource(through=date(2024, 5, 31))
    src.add(P, "Dinosaur", date(2024, 5, 1), desktop=300, mobile=0)
    src.add(P, "Dinosaurs", date(2024, 5, 2), desktop=100, mobile=10)  # a redirect
    src.add(P, "T._rex", date(2024, 5, 3), desktop=62, mobile=0)
    src.add(P, "Other", date(2024, 5, 3), desktop=5000, mobile=0)
    src.add_redirect(P, "Dinosaurs", "Dinosaur")
    return src


def test_views_are_read_in_batches_not_per_title() -> None:
    src = _source()
    titles = ["Dinosaur", "T. rex", "Stegosaurus"] * 1 + [f"Filler {i}" for i in range(7)]
    views = fetch_views(src, P, titles, MAY, batch=4)
    assert views == {"Dinosaur": 410, "T._rex": 62}
    assert src.calls == [("monthly", 4), ("monthly", 4), ("monthly", 2)]


def test_redirects_from_the_wiki_are_summed_in() -> None:
    src = _source()
    views = fetch_views(src, P, ["Dinosaur"], MAY, redirects=False)
    extra = fetch_views(src, P, ["Dinosaurs"], MAY, redirects=False)
    assert add_redirect_views(views, {"Dinosaur": ["Dinosaurs"]}, extra) == {"Dinosaur": 410}


def test_table_keeps_the_limit_and_counts_every_member() -> None:
    members = [
        Member("T. rex", "B", "High"),
        Member("Dinosaur", "fa", ""),
        Member("Zero"),
        Member("Dinosaur", "dup", "dup"),
        Member("Aardvark"),
    ]
    views = {"Dinosaur": 410, "T._rex": 62}
    table = build_table("Dinosaurs", MAY, members, lambda k: views.get(k, 0), limit=3)
    assert table.total == 472
    assert [(r.rank, r.title, r.views, r.daily_average) for r in table.rows] == [
        (1, "Dinosaur", 410, 13),
        (2, "T. rex", 62, 2),
        (3, "Aardvark", 0, 0),  # ties at zero by title
    ]
    assert table.rows[0].assessment == "fa"


def test_rendered_table_has_unknown_for_blank_assessments() -> None:
    members = [Member("T. rex", "B", "High"), Member("Dinosaur")]
    table = build_table("Dinosaurs", MAY, members, lambda k: {"Dinosaur": 31}.get(k, 0), 10)
    text = render_table(table)
    assert text.startswith("'''Period''': 2024-05-01 to 2024-05-31")
    assert "'''Total views''': {{formatnum:31}}" in text
    code = mwparserfromhell.parse(text)
    rows = code.filter_tags(matches=lambda n: n.tag == "tr")
    first = [
        str(c.contents).strip()
        for c in rows[0].contents.filter_tags(matches=lambda n: n.tag == "td", recursive=False)
    ]
    assert first[3] == "{{formatnum:1}}" and first[4] == "Unknown" and first[5] == "Unknown"
    second = [
        str(c.contents).strip()
        for c in rows[1].contents.filter_tags(matches=lambda n: n.tag == "td", recursive=False)
    ]
    assert second[4] == "<nowiki>B</nowiki>" and second[5] == "<nowiki>High</nowiki>"
    assert render_table(table) == text
