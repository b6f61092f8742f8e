"""Domain codes of the hourly dumps (``en.m``, ``de.b``, ``www.wd`` …) → (project, access).

This is the inverse of Wikimedia's ``transform_pageview_to_legacy_format`` query: the language
part, an optional mobile marker (``m`` or ``zero``), then a project suffix
(:data:`SUFFIXES`). Projects without a language use ``www`` (desktop) or ``m`` (mobile) as
their language part. ``xx.m`` is ambiguous in the format itself (``en.m`` is English Wikipedia
on mobile, ``commons.m`` is Commons on desktop); the named Wikimedia sites of
:data:`WIKIMEDIA_SITES` resolve to ``*.wikimedia`` and every other language part to Wikipedia
mobile, as Wikimedia's own readers do.
"""

from __future__ import annotations

import re
from functools import lru_cache

from backend.codes import Access

#: Project suffix of a domain code → project family (the part after the language).
SUFFIXES: dict[str, str] = {
    "": "wikipedia",
    "b": "wikibooks",
    "d": "wiktionary",
    "f": "wikimediafoundation",
    "m": "wikimedia",
    "n": "wikinews",
    "q": "wikiquote",
    "s": "wikisource",
    "v": "wikiversity",
    "voy": "wikivoyage",
    "w": "mediawiki",
    "wd": "wikidata",
}

#: Families whose sites have no language: their project name is the family alone.
LANGUAGELESS = frozenset({"mediawiki", "wikidata", "wikimediafoundation"})

#: Named (non-language) sites under wikimedia.org that count as pageviews.
WIKIMEDIA_SITES = frozenset(
    {
        "commons",
        "foundation",
        "meta",
        "incubator",
        "species",
        "outreach",
        "usability",
        "strategy",
        "advisory",
        "wikitech",
    }
)

#: Markers of a mobile site between the language and the suffix.
MOBILE_MARKERS = frozenset({"m", "zero"})

#: Per-language mobile subtotals of pagecounts-raw: not page counts, skipped.
SUBTOTAL_SUFFIX = "mw"

_LANGUAGE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class SubtotalLine(Exception):
    """The domain code is a pagecounts-raw ``.mw`` subtotal, not a page count."""


@lru_cache(maxsize=65536)
def parse_domain_code(code: str) -> tuple[str, Access] | None:
    """Map a dump domain code to ``(project, access)``; ``None`` when it is not one.

    ``access`` is :attr:`Access.DESKTOP` or the combined :attr:`Access.MOBILE` bucket.
    Raises :class:`SubtotalLine` for ``.mw`` subtotal codes.
    """
    parts = code.split(".")
    if not 1 <= len(parts) <= 3 or not all(parts):
        return None
    language, rest = parts[0], parts[1:]
    if rest and rest[-1] == SUBTOTAL_SUFFIX:
        raise SubtotalLine(code)
    if not _LANGUAGE.match(language):
        return None
    mobile = False
    if len(rest) == 2:
        if rest[0] not in MOBILE_MARKERS:
            return None
        mobile, suffix = True, rest[1]
    elif len(rest) == 1:
        if rest[0] in MOBILE_MARKERS and not (rest[0] == "m" and language in WIKIMEDIA_SITES):
            mobile, suffix = True, ""
        else:
            suffix = rest[0]
    else:
        suffix = ""
    family = SUFFIXES.get(suffix)
    if family is None:
        return None
    access = Access.MOBILE if mobile else Access.DESKTOP
    if family in LANGUAGELESS:
        if language == "www" and not mobile:
            return family, access
        if language == "m" and not mobile:
            return family, Access.MOBILE
        return None
    if language in ("www", "m"):
        return None
    if family == "wikimedia" and language not in WIKIMEDIA_SITES and len(language) > 3:
        return None
    return f"{language}.{family}", access


_PROJECT = re.compile(r"^[a-z0-9_.-]+$")


def normalise_project(name: str) -> str | None:
    """Normalise a project name as the pageview API does (``EN.Wikipedia.org`` → ``en.wikipedia``).

    Returns ``None`` when the result is not a valid project name.
    """
    name = name.strip().lower()
    if name.startswith("www."):
        name = name[4:]
    if name.endswith(".org"):
        name = name[:-4]
    return name if name and _PROJECT.match(name) else None


def codes_for_project(project: str) -> tuple[str, ...]:
    """Every domain code that can denote ``project`` (used to pre-filter dump lines on bytes)."""
    suffix_of = {family: suffix for suffix, family in SUFFIXES.items()}
    if project in LANGUAGELESS:
        suffix = suffix_of[project]
        return (f"www.{suffix}", f"m.{suffix}")
    language, _, family = project.partition(".")
    suffix = suffix_of.get(family)
    if suffix is None or not language:
        return ()
    if suffix == "":
        return (language, f"{language}.m", f"{language}.zero")
    return (f"{language}.{suffix}", f"{language}.m.{suffix}", f"{language}.zero.{suffix}")


#: Project families that appear in ``pageview_complete`` but have no domain code of their own.
EXTRA_FAMILIES = frozenset({"wikifunctions"})


def is_known_project(name: str) -> bool:
    """Whether ``name`` is a normalised project of a known family (``xx.zz.qq`` is not)."""
    if normalise_project(name) != name:
        return False
    if name in LANGUAGELESS or name in EXTRA_FAMILIES:
        return True
    language, _, family = name.partition(".")
    return bool(_LANGUAGE.match(language)) and family in SUFFIXES.values()
