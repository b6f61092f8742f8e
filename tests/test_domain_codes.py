"""The domain-code table, row by row, and its inverse used for byte-level filtering."""

import pytest

from backend.codes import Access
from backend.domain_codes import (
    SubtotalLine,
    codes_for_project,
    normalise_project,
    parse_domain_code,
)

DESKTOP, MOBILE = Access.DESKTOP, Access.MOBILE

ROWS = [
    ("en", "en.wikipedia", DESKTOP),
    ("en.m", "en.wikipedia", MOBILE),
    ("en.zero", "en.wikipedia", MOBILE),
    ("de.b", "de.wikibooks", DESKTOP),
    ("de.m.b", "de.wikibooks", MOBILE),
    ("fr.d", "fr.wiktionary", DESKTOP),
    ("fr.m.d", "fr.wiktionary", MOBILE),
    ("en.n", "en.wikinews", DESKTOP),
    ("en.q", "en.wikiquote", DESKTOP),
    ("en.s", "en.wikisource", DESKTOP),
    ("en.v", "en.wikiversity", DESKTOP),
    ("fr.voy", "fr.wikivoyage", DESKTOP),
    ("fr.m.voy", "fr.wikivoyage", MOBILE),
    ("en.zero.voy", "en.wikivoyage", MOBILE),
    ("commons.m", "commons.wikimedia", DESKTOP),
    ("commons.m.m", "commons.wikimedia", MOBILE),
    ("meta.m", "meta.wikimedia", DESKTOP),
    ("species.m.m", "species.wikimedia", MOBILE),
    ("www.wd", "wikidata", DESKTOP),
    ("m.wd", "wikidata", MOBILE),
    ("www.w", "mediawiki", DESKTOP),
    ("m.w", "mediawiki", MOBILE),
    ("www.f", "wikimediafoundation", DESKTOP),
    ("zh-min-nan", "zh-min-nan.wikipedia", DESKTOP),
    ("be-tarask.m", "be-tarask.wikipedia", MOBILE),
    ("simple.m.d", "simple.wiktionary", MOBILE),
]


@pytest.mark.parametrize(("code", "project", "access"), ROWS)
def test_each_domain_code_maps_to_its_project_and_access(code, project, access):
    assert parse_domain_code(code) == (project, access)


@pytest.mark.parametrize(
    "code",
    [
        "",
        "xx.zz.qq",
        "en.k",
        "EN",
        "en..m",
        "www",
        "www.b",
        "m",
        "en.m.m.m",
        "en.x",
        "en.m.zz",
        ".en",
        "longchapter.m.m",
    ],
)
def test_codes_that_are_not_domain_codes_map_to_none(code):
    assert parse_domain_code(code) is None


@pytest.mark.parametrize("code", ["en.mw", "de.m.mw"])
def test_pagecounts_mobile_subtotals_are_recognised(code):
    with pytest.raises(SubtotalLine):
        parse_domain_code(code)


@pytest.mark.parametrize("project", sorted({project for _, project, _ in ROWS}))
def test_every_code_for_a_project_maps_back_to_it(project):
    codes = codes_for_project(project)
    assert codes
    resolved = {parse_domain_code(code) for code in codes}
    assert {found[0] for found in resolved if found} == {project}
    listed = {code for code, p, _ in ROWS if p == project}
    assert listed <= set(codes)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("EN.WIKIPEDIA.ORG", "en.wikipedia"),
        ("www.en.wikipedia.org", "en.wikipedia"),
        ("www.mediawiki.org", "mediawiki"),
        (" wikidata ", "wikidata"),
        ("en wiki", None),
        ("", None),
        ("<script>", None),
    ],
)
def test_project_names_normalise_like_the_pageview_api(given, expected):
    assert normalise_project(given) == expected


@pytest.mark.parametrize(
    ("name", "known"),
    [
        ("en.wikipedia", True),
        ("commons.wikimedia", True),
        ("wikidata", True),
        ("zh-min-nan.wikipedia", True),
        ("xx.zz.qq", False),
        ("en.wikipedia.org", False),
        ("En.wikipedia", False),
        ("en.wikiwhatever", False),
    ],
)
def test_complete_dump_wiki_codes_must_be_known_projects(name, known):
    from backend.domain_codes import is_known_project

    assert is_known_project(name) is known
