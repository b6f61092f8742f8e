"""Delivery lists and the delivery key."""

from __future__ import annotations

import json

from bot.deliver import delivery_key, parse_targets


def test_wikitext_list() -> None:
    text = "\n".join(
        [
            "Subscribers:",
            "{{#target:Wikipedia talk:WikiProject Dinosaurs}}",
            "* {{#target:User:Alice}}",
            "{{#target:User talk:Bob|en.wikipedia.org}}",  # another wiki: skipped
            "* [[Project talk:Birds]]",
            "# [[:Talk:Fish|the fish]]",
            "{{#target:Wikipedia talk:WikiProject Dinosaurs}}",  # duplicate
            "Text with a [[link]] that is not a target line.",
        ]
    )
    assert parse_targets(text) == [
        "Wikipedia talk:WikiProject Dinosaurs",
        "User talk:Alice",
        "Project talk:Birds",
        "Talk:Fish",
    ]


def test_massmessage_json_list() -> None:
    text = json.dumps(
        {
            "description": "x",
            "targets": [
                {"title": "User:Carol"},
                {"title": "Project talk:Birds"},
                {"title": "Talk:Elsewhere", "site": "de.wikipedia.org"},
            ],
        }
    )
    assert parse_targets(text, "MassMessageListContent") == [
        "User talk:Carol",
        "Project talk:Birds",
    ]


def test_delivery_key_is_a_comment_per_revision() -> None:
    key = delivery_key("Project:Top -- articles", 42)
    assert key.startswith("<!--") and key.endswith("-->")
    assert "--" not in key[4:-3]
    assert delivery_key("Project:Top -- articles", 43) != key
