"""Exclusion compliance: ``{{bots}}`` and ``{{nobots}}``, ``optout=`` included.

Follows the conventions of English Wikipedia's Template:Bots, the same ones pywikibot's
``Page.botMayEdit`` applies, plus ``optout=`` (message types a page does not want delivered),
which pywikibot ignores. Templates inside comments and ``<nowiki>`` do not count.
"""

from __future__ import annotations

from dataclasses import dataclass

import mwparserfromhell

#: The message type of the bot's deliveries, for ``{{bots|optout=…}}``.
MESSAGE_TYPE = "wikiviews"


@dataclass(frozen=True)
class Verdict:
    """Whether the bot may edit, and why not."""

    allowed: bool
    reason: str = ""


def _names(value: str) -> set[str]:
    return {_normal_user(part) for part in value.split(",") if part.strip()}


def _normal_user(name: str) -> str:
    name = name.strip().replace("_", " ")
    return name[:1].upper() + name[1:] if name else name


def may_edit(text: str, user: str | None, *, message_type: str | None = None) -> Verdict:
    """Whether ``user`` (a bot account; ``Name@appid`` is fine) may edit a page with ``text``.

    ``message_type`` is given for deliveries: ``{{bots|optout=all}}`` or an ``optout`` list
    naming it then refuses as well.
    """
    me = _normal_user((user or "").partition("@")[0])
    for template in mwparserfromhell.parse(text).filter_templates():
        name = str(template.name).strip().replace("_", " ").lower()
        if name == "nobots":
            raw = template.get(1).value.strip_code().strip() if template.has(1) else ""
            if not raw or "all" in {n.lower() for n in _names(raw)} or me in _names(raw):
                return Verdict(False, "{{nobots}}")
            continue
        if name != "bots":
            continue
        for key, verdict_when_listed in (("allow", True), ("deny", False)):
            if not template.has(key):
                continue
            names = _names(str(template.get(key).value.strip_code()))
            lowered = {n.lower() for n in names}
            hit = "all" in lowered or me in names
            if "none" in lowered:
                hit = False
            if hit != verdict_when_listed:
                return Verdict(False, f"{{{{bots|{key}=…}}}}")
        if message_type and template.has("optout"):
            types = {n.lower() for n in _names(str(template.get("optout").value.strip_code()))}
            if "all" in types or message_type.lower() in types:
                return Verdict(False, "{{bots|optout=…}}")
    return Verdict(True)
