"""Popular-pages subscriptions: which WikiProject gets which report, from a JSON document.

The format is the one Community Tech's bot reads from English Wikipedia (keys are WikiProject
pages; ``Report``, ``Limit`` and ``Name`` per project; ``description`` is ignored), plus an
optional ``Members`` object choosing the membership source::

    {"description": "…",
     "Wikipedia:WikiProject Dinosaurs": {
        "Report": "Wikipedia:WikiProject Dinosaurs/Popular pages",
        "Limit": 500, "Name": "Dinosaurs",
        "Members": {"banner": "Template:WikiProject Dinosaurs"}}}

``Members`` is one of ``{"category": "Category:…", "depth": N}``, ``{"banner": "Template:…"}``
or ``{"assessments": "Name"}`` (PageAssessments); without it, PageAssessments is used where the
wiki has it and the banner ``Template:WikiProject <Name>`` elsewhere.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

MAX_LIMIT = 1000
MAX_DEPTH = 20


class SubscriptionError(ValueError):
    """A subscription document or entry that cannot be used."""


@dataclass(frozen=True)
class Membership:
    """Where a project's members come from."""

    kind: str  # "category", "banner", "assessments" or "default"
    name: str
    depth: int = 0


@dataclass(frozen=True)
class Subscription:
    """One project's report."""

    project_page: str
    name: str
    report: str
    limit: int
    members: Membership


def parse_document(text: str) -> tuple[list[Subscription], dict[str, str]]:
    """Valid subscriptions and, per bad entry, why it was refused (entries never abort others)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SubscriptionError(f"not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise SubscriptionError("the document must be a JSON object")
    good: list[Subscription] = []
    bad: dict[str, str] = {}
    for key, value in data.items():
        if key == "description":
            continue
        try:
            good.append(parse_entry(key, value))
        except SubscriptionError as exc:
            bad[key] = str(exc)
    return good, bad


def _limit(raw: object) -> int:
    # Community Tech's own page has "Limit": "500": numeric strings are accepted.
    text = str(raw).strip() if isinstance(raw, int | str) and not isinstance(raw, bool) else ""
    if not text.isdigit():
        raise SubscriptionError(f"Limit must be a whole number, not {raw!r}")
    limit = int(text)
    if not 1 <= limit <= MAX_LIMIT:
        raise SubscriptionError(f"Limit must be between 1 and {MAX_LIMIT}, not {limit}")
    return limit


def _members(raw: object, name: str) -> Membership:
    if raw is None:
        return Membership("default", name)
    if not isinstance(raw, dict) or len({"category", "banner", "assessments"} & raw.keys()) != 1:
        raise SubscriptionError("Members must name one of category, banner or assessments")
    if "category" in raw:
        depth = raw.get("depth", 0)
        if isinstance(depth, bool) or not isinstance(depth, int) or not 0 <= depth <= MAX_DEPTH:
            raise SubscriptionError(f"depth must be a whole number from 0 to {MAX_DEPTH}")
        return Membership("category", _text(raw["category"], "category"), depth)
    if "banner" in raw:
        return Membership("banner", _text(raw["banner"], "banner"))
    value = raw["assessments"]
    return Membership("assessments", name if value is True else _text(value, "assessments"))


def _text(raw: object, what: str) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise SubscriptionError(f"{what} must be a non-empty string")
    return raw.strip()


def parse_entry(key: str, value: object) -> Subscription:
    """One entry of the document, validated."""
    if not isinstance(value, dict):
        raise SubscriptionError("the entry must be a JSON object")
    missing = [field for field in ("Report", "Limit", "Name") if field not in value]
    if missing:
        raise SubscriptionError(f"missing {', '.join(missing)}")
    report = _text(value["Report"], "Report")
    if ":" not in report.lstrip(":"):
        # The same rule as Community Tech's bot: reports never go to the main namespace.
        raise SubscriptionError(f"Report {report!r} is in the main namespace")
    name = _text(value["Name"], "Name")
    return Subscription(
        key, name, report, _limit(value["Limit"]), _members(value.get("Members"), name)
    )
