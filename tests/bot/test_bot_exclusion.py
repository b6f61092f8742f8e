"""{{bots}} and {{nobots}}, with optout= for deliveries."""

from __future__ import annotations

import pytest

from bot.exclusion import MESSAGE_TYPE, may_edit

USER = "LabBot@lab"


@pytest.mark.parametrize(
    ("text", "allowed"),
    [
        ("No templates here.", True),
        ("{{nobots}}", False),
        ("{{Nobots}}", False),
        ("{{nobots|LabBot}}", False),
        ("{{nobots|OtherBot}}", True),
        ("{{nobots|all}}", False),
        ("{{bots}}", True),
        ("{{bots|allow=all}}", True),
        ("{{bots|allow=LabBot,Other}}", True),
        ("{{bots|allow=Other}}", False),
        ("{{bots|allow=none}}", False),
        ("{{bots|deny=all}}", False),
        ("{{bots|deny=Other, LabBot}}", False),
        ("{{bots|deny=labBot}}", False),  # first letter is case-insensitive
        ("{{bots|deny=Lab_Bot}}", True),
        ("{{bots|deny=Other}}", True),
        ("{{bots|deny=none}}", True),
        ("<nowiki>{{nobots}}</nowiki>", True),
        ("<!-- {{nobots}} -->", True),
        ("{{bots|optout=all}}", True),  # optout only concerns deliveries
    ],
)
def test_edits(text: str, allowed: bool) -> None:
    assert may_edit(text, USER).allowed is allowed


@pytest.mark.parametrize(
    ("text", "allowed"),
    [
        ("{{bots|optout=all}}", False),
        (f"{{{{bots|optout=newsletter,{MESSAGE_TYPE}}}}}", False),
        ("{{bots|optout=newsletter}}", True),
        ("{{bots}}", True),
        ("{{nobots}}", False),
    ],
)
def test_deliveries(text: str, allowed: bool) -> None:
    assert may_edit(text, USER, message_type=MESSAGE_TYPE).allowed is allowed


def test_the_reason_is_given() -> None:
    assert may_edit("{{nobots}}", USER).reason == "{{nobots}}"
    assert "optout" in may_edit("{{bots|optout=all}}", USER, message_type="x").reason
