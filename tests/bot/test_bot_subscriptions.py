"""Subscriptions: Community Tech's JSON format plus a membership source."""

from __future__ import annotations

import json

import pytest

from bot.subscriptions import SubscriptionError, parse_document

DOC = {
    "description": "Config page.",
    "Wikipedia:WikiProject Dinosaurs": {
        "Report": "Wikipedia:WikiProject Dinosaurs/Popular pages",
        "Limit": "500",
        "Name": "Dinosaurs",
    },
    "Wikipedia:WikiProject Birds": {
        "Report": "Wikipedia:WikiProject Birds/Popular pages",
        "Limit": 1000,
        "Name": "Birds",
        "Members": {"category": "Category:Birds", "depth": 2},
    },
    "Wikipedia:WikiProject Fish": {
        "Report": "WP:Fish/Popular",
        "Limit": 10,
        "Name": "Fish",
        "Members": {"banner": "Template:WikiProject Fish"},
    },
    "Wikipedia:WikiProject Medicine": {
        "Report": "Wikipedia:WikiProject Medicine/Popular pages",
        "Limit": 100,
        "Name": "Medicine",
        "Members": {"assessments": True},
    },
    "Bad limit": {"Report": "P:X", "Limit": 1001, "Name": "X"},
    "Zero limit": {"Report": "P:X", "Limit": 0, "Name": "X"},
    "Bool limit": {"Report": "P:X", "Limit": True, "Name": "X"},
    "Float limit": {"Report": "P:X", "Limit": 2.5, "Name": "X"},
    "Negative limit": {"Report": "P:X", "Limit": "-3", "Name": "X"},
    "Main namespace": {"Report": "Popular pages", "Limit": 10, "Name": "X"},
    "Missing": {"Report": "P:X"},
    "Two sources": {
        "Report": "P:X",
        "Limit": 1,
        "Name": "X",
        "Members": {"category": "C", "banner": "T"},
    },
    "Deep": {"Report": "P:X", "Limit": 1, "Name": "X", "Members": {"category": "C", "depth": 99}},
    "Not an object": [1, 2],
}


def test_good_and_bad_entries_are_separated() -> None:
    good, bad = parse_document(json.dumps(DOC))
    assert [s.project_page for s in good] == [
        "Wikipedia:WikiProject Dinosaurs",
        "Wikipedia:WikiProject Birds",
        "Wikipedia:WikiProject Fish",
        "Wikipedia:WikiProject Medicine",
    ]
    assert good[0].limit == 500 and good[0].members.kind == "default"
    assert (good[1].members.kind, good[1].members.name, good[1].members.depth) == (
        "category",
        "Category:Birds",
        2,
    )
    assert good[2].members.kind == "banner"
    assert (good[3].members.kind, good[3].members.name) == ("assessments", "Medicine")
    assert set(bad) == {
        "Bad limit",
        "Zero limit",
        "Bool limit",
        "Float limit",
        "Negative limit",
        "Main namespace",
        "Missing",
        "Two sources",
        "Deep",
        "Not an object",
    }
    assert "main namespace" in bad["Main namespace"]
    assert "missing Limit, Name" in bad["Missing"]


@pytest.mark.parametrize("text", ["not json", "[1, 2]", '"a string"'])
def test_unusable_documents(text: str) -> None:
    with pytest.raises(SubscriptionError):
        parse_document(text)
