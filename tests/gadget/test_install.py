"""The gadget installer's pages and definition lines (its edits through a real wiki's API are
tested end to end in tests/e2e/test_gadget.py)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

PATH = Path(__file__).resolve().parents[2] / "gadget" / "install.py"
_spec = importlib.util.spec_from_file_location("gadget_install", PATH)
install = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = install  # dataclasses look their module up
_spec.loader.exec_module(install)

OPTIONS = install.Options(api="https://views.example/", project="en.wikipedia")


@pytest.mark.parametrize(
    ("host", "project"),
    [
        ("en.wikipedia.org", "en.wikipedia"),
        ("fr.wikivoyage.org", "fr.wikivoyage"),
        ("commons.wikimedia.org", "commons.wikimedia"),
        ("www.wikidata.org", "wikidata"),
        ("wiki.example.com", "wiki.example.com"),
    ],
)
def test_project_names_follow_wikimedia(host: str, project: str) -> None:
    assert install.project_of(host) == project


def test_the_definition_merges_into_other_gadgets_and_stays_put() -> None:
    existing = (
        "== tools ==\n* other[ResourceLoader]|other.js\n\n== wikiviews ==\n* wikiviews[old]|x.js\n"
    )
    lines = install.definition_lines(OPTIONS)
    merged = install.merge_definition(existing, lines)
    assert merged.startswith("== tools ==\n* other[ResourceLoader]|other.js\n")
    assert merged.count("* wikiviews[") == 1 and "[old]" not in merged
    assert merged.endswith("== wikiviews ==\n" + "\n".join(lines) + "\n")
    assert install.merge_definition(merged, lines) == merged


def test_an_empty_definition_page_gets_a_section() -> None:
    lines = install.definition_lines(OPTIONS)
    assert install.merge_definition("", lines) == "== wikiviews ==\n" + "\n".join(lines) + "\n"


def test_on_by_default_unless_opt_in() -> None:
    default = install.definition_lines(OPTIONS)[0]
    opt_in = install.definition_lines(install.Options("https://v.example", "x", opt_in=True))[0]
    assert default.startswith("* wikiviews[ResourceLoader|default|package|actions=history|")
    assert "|default|" not in opt_in
    assert "namespaces=0|" in default
    # Core modules only; the drawing and Wikimedia modules are hidden and loaded on demand.
    assert "dependencies=mediawiki.util,mediawiki.storage,user.options|" in default
    assert all("|hidden|" in line for line in install.definition_lines(OPTIONS)[1:])


def test_pages_hold_the_files_the_configuration_and_the_messages() -> None:
    pages = install.build_pages(install.Options("https://v.example/", "en.wikipedia", mode="aqs"))
    config = json.loads(pages["MediaWiki:Gadget-wikiviews-config.json"])
    assert config == {
        "api": "https://v.example",
        "project": "en.wikipedia",
        "namespaces": [0],
        "mode": "aqs",
    }
    source = (PATH.parent / "wikiviews.js").read_text(encoding="utf-8")
    assert pages["MediaWiki:Gadget-wikiviews.js"] == source
    assert pages["MediaWiki:Wikiviews-views"] == "$1 views by people in the last 30 days"
    assert pages["MediaWiki:Wikiviews-views/de"].startswith("$1 Aufrufe")
    assert "MediaWiki:Wikiviews-views/en" not in pages
    assert pages["MediaWiki:Gadget-wikiviews/ar"].endswith("(wikiviews)")
    assert not [title for title in pages if title.endswith("/qqq")]


def test_a_french_wiki_gets_french_base_messages_and_english_as_a_language() -> None:
    pages = install.message_pages("fr")
    assert pages["MediaWiki:Wikiviews-stats"] == "statistiques"
    assert pages["MediaWiki:Wikiviews-stats/en"] == "statistics"
    assert "MediaWiki:Wikiviews-stats/fr" not in pages


def test_json_pages_compare_as_data_others_as_text() -> None:
    assert install._same("A.json", '{\n    "a": 1\n}', '{"a": 1}\n')
    assert not install._same("A.json", '{"a": 1}', '{"a": 2}')
    assert install._same("A.js", "x\n", "x")
    assert not install._same("A.js", None, "x")


def test_files_for_installing_by_hand(tmp_path: Path) -> None:
    written = install.write_files(tmp_path, OPTIONS)
    names = {path.name for path in written}
    assert "MediaWiki:Gadgets-definition" in names
    assert "MediaWiki:Wikiviews-views%2Fde" in names
    definition = (tmp_path / "MediaWiki:Gadgets-definition").read_text()
    assert definition.splitlines()[0] == "== wikiviews =="
