"""Membership from category trees, banner transclusions and PageAssessments (recorded answers)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.membership import (
    Member,
    Namespaces,
    assessment_from_text,
    assessment_members,
    banner_members,
    category_members,
    has_page_assessments,
    query,
    redirects_to,
)

RECORDED = Path(__file__).parent / "recorded"
NAMESPACES = Namespaces(
    {
        0: "",
        1: "Talk",
        2: "User",
        3: "User talk",
        4: "Project",
        5: "Project talk",
        10: "Template",
        11: "Template talk",
        14: "Category",
        15: "Category talk",
    }
)


class FakeApi:
    """Answers list requests from tables, in pages of ``page_size`` with ``continue``."""

    def __init__(self, page_size: int = 2) -> None:
        self.page_size = page_size
        self.requests: list[dict] = []
        self.categories: dict[str, list[tuple[str, int]]] = {}
        self.embeddedin: dict[str, list[tuple[str, int]]] = {}
        self.texts: dict[str, str] = {}
        self.redirects: dict[str, list[str]] = {}

    def _paged(self, params, items, key, cont_key):
        offset = int(params.get(cont_key, 0))
        chunk = items[offset : offset + self.page_size]
        answer = {"query": {key: chunk}}
        if offset + self.page_size < len(items):
            answer["continue"] = {cont_key: str(offset + self.page_size), "continue": "-||"}
        return answer

    def __call__(self, params: dict) -> dict:
        self.requests.append(params)
        assert params["action"] == "query" and params["formatversion"] == "2"
        if params.get("list") == "categorymembers":
            items = [{"title": t, "ns": ns} for t, ns in self.categories.get(params["cmtitle"], [])]
            return self._paged(params, items, "categorymembers", "cmcontinue")
        if params.get("list") == "embeddedin":
            items = [{"title": t, "ns": ns} for t, ns in self.embeddedin.get(params["eititle"], [])]
            return self._paged(params, items, "embeddedin", "eicontinue")
        if params.get("prop") == "revisions":
            pages = [
                {"title": t, "revisions": [{"slots": {"main": {"content": self.texts[t]}}}]}
                if t in self.texts
                else {"title": t, "missing": True}
                for t in params["titles"].split("|")
            ]
            return {"query": {"pages": pages}}
        if params.get("prop") == "redirects":
            pages = [
                {
                    "title": t,
                    "redirects": [{"ns": 0, "title": r} for r in self.redirects.get(t, [])],
                }
                for t in params["titles"].split("|")
            ]
            return {"query": {"pages": pages}}
        raise AssertionError(f"unexpected request {params}")


def test_query_follows_continue() -> None:
    api = FakeApi(page_size=2)
    api.categories["Category:X"] = [(f"P{i}", 0) for i in range(5)]
    parts = list(query(api, {"list": "categorymembers", "cmtitle": "Category:X"}))
    assert len(parts) == 3
    assert [r.get("cmcontinue") for r in api.requests] == [None, "2", "4"]


def test_query_raises_api_errors() -> None:
    with pytest.raises(RuntimeError, match="badvalue"):
        list(query(lambda p: {"error": {"code": "badvalue", "info": "no"}}, {"list": "x"}))


def test_category_tree_with_depth_and_talk_pages() -> None:
    api = FakeApi()
    api.categories = {
        "Category:Dinosaurs": [
            ("Dinosaur", 0),
            ("Category:Theropods", 14),
            ("Talk:Fossil", 1),
            ("Category:Dinosaurs", 14),
        ],
        "Category:Theropods": [("T. rex", 0), ("Category:Tyrannosaurids", 14), ("Dinosaur", 0)],
        "Category:Tyrannosaurids": [("Tarbosaurus", 0)],
    }
    depth0 = [m.title for m in category_members(api, "Category:Dinosaurs", 0, NAMESPACES)]
    assert depth0 == ["Dinosaur", "Fossil"]
    depth1 = [m.title for m in category_members(api, "Category:Dinosaurs", 1, NAMESPACES)]
    assert depth1 == ["Dinosaur", "Fossil", "T. rex"]
    depth5 = [m.title for m in category_members(api, "Category:Dinosaurs", 5, NAMESPACES)]
    assert depth5 == ["Dinosaur", "Fossil", "T. rex", "Tarbosaurus"]


def test_banner_members_map_talk_pages_and_read_the_banner() -> None:
    api = FakeApi()
    api.redirects["Template:WikiProject Dinosaurs"] = ["Template:WP Dinos"]
    api.embeddedin["Template:WikiProject Dinosaurs"] = [
        ("Talk:Dinosaur", 1),
        ("Talk:T. rex", 1),
        ("Category talk:Dinosaurs", 15),
        ("User talk:Someone", 3),
    ]
    api.texts = {
        "Talk:Dinosaur": "{{WikiProject Dinosaurs|class=fa|importance=TOP}}",
        "Talk:T. rex": "{{WikiProject banner shell|class=b|1=\n{{WP Dinos|importance=high}}\n}}",
        "Category talk:Dinosaurs": "{{wikiProject_Dinosaurs}}",
        "User talk:Someone": "",
    }
    found = list(banner_members(api, "Template:WikiProject Dinosaurs", NAMESPACES, batch=3))
    assert found == [
        Member("Dinosaur", "FA", "Top"),
        Member("T. rex", "B", "High"),
        Member("Category:Dinosaurs", "", ""),
        Member("User:Someone", "", ""),
    ]
    embedded = [r for r in api.requests if r.get("list") == "embeddedin"]
    assert embedded[0]["einamespace"] == "1|3|5|11|15"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{{WikiProject X|class=start|importance=mid}}", ("Start", "Mid")),
        ("{{WikiProject X|Class = C |importance=}}", ("", "")),  # parameter names are exact
        ("{{WPBS|class=GA|{{WikiProject X|importance=Low}}}}", ("GA", "Low")),
        ("{{WikiProject X|class=B}}{{WikiProject banner shell|class=C}}", ("B", "")),
        ("{{WikiProject Other|class=B|importance=High}}", ("", "")),
        ("<!-- {{WikiProject X|class=B}} -->", ("", "")),
    ],
)
def test_assessment_from_text(text: str, expected: tuple[str, str]) -> None:
    assert assessment_from_text(text, ["Template:WikiProject X"]) == expected


def test_page_assessments_from_recorded_answers() -> None:
    pages = json.loads((RECORDED / "projectpages.json").read_text())["pages"]
    requests: list[dict] = []

    def call(params: dict) -> dict:
        requests.append(params)
        return pages[1] if params.get("wppcontinue") else pages[0]

    found = list(assessment_members(call, "Medicine"))
    assert found == [
        Member("Aspirin", "GA", "High"),
        Member("Paracetamol", "B", "Top"),
        Member("Ibuprofen", "", ""),
        Member("Naproxen (drug)", "Start", "Unknown"),
    ]
    assert requests[0]["wppprojects"] == "Medicine" and requests[0]["wppassessments"] == "1"
    assert requests[1]["wppcontinue"] == "1001|12345"


def test_has_page_assessments() -> None:
    def call(extensions):
        return lambda params: {"query": {"extensions": [{"name": n} for n in extensions]}}

    assert has_page_assessments(call(["Gadgets", "PageAssessments"]))
    assert not has_page_assessments(call(["Gadgets"]))


def test_redirects_are_asked_in_batches_of_fifty() -> None:
    api = FakeApi()
    api.redirects = {"Dinosaur": ["Dinosaurs", "Dinosauria"]}
    titles = ["Dinosaur"] + [f"T{i}" for i in range(99)]
    found = redirects_to(api, titles)
    assert found["Dinosaur"] == ["Dinosaurs", "Dinosauria"]
    assert len(api.requests) == 2
