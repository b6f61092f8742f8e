"""Project names as users type them: normalised once, database names as aliases, typos caught.

``EN.Wikipedia.org``, ``en.wikipedia`` and ``enwiki`` all name ``en.wikipedia``; a name of no
known project family (``en.wikipdia``) is refused with the closest known names, so a typo
cannot turn into a load of nothing or a fetch of everything.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from backend.domain_codes import (
    EXTRA_FAMILIES,
    LANGUAGELESS,
    SUFFIXES,
    WIKIMEDIA_SITES,
    is_known_project,
    normalise_project,
)

#: Wikimedia database-name suffixes (``enwiki``, ``dewiktionary`` …) → project family.
_DBNAME_FAMILIES = {
    "wiki": "wikipedia",
    "wiktionary": "wiktionary",
    "wikibooks": "wikibooks",
    "wikinews": "wikinews",
    "wikiquote": "wikiquote",
    "wikisource": "wikisource",
    "wikiversity": "wikiversity",
    "wikivoyage": "wikivoyage",
    "wikimedia": "wikimedia",
}
#: Database names that are not ``<language><family>``.
_DBNAME_SPECIAL = {
    "wikidatawiki": "wikidata",
    "mediawikiwiki": "mediawiki",
    "wikifunctionswiki": "wikifunctions",
    **{f"{site}wiki": f"{site}.wikimedia" for site in WIKIMEDIA_SITES},
}
_DBNAME = re.compile(
    r"^([a-z][a-z0-9_]*?)(" + "|".join(sorted(_DBNAME_FAMILIES, key=len)[::-1]) + r")$"
)


class UnknownProject(ValueError):
    """A project name that names no known wiki; the message offers the closest names."""


def from_database_name(name: str) -> str | None:
    """The project of a Wikimedia database name (``enwiki`` → ``en.wikipedia``), or ``None``."""
    if name in _DBNAME_SPECIAL:
        return _DBNAME_SPECIAL[name]
    match = _DBNAME.match(name)
    if match is None:
        return None
    language = match.group(1).replace("_", "-")
    return f"{language}.{_DBNAME_FAMILIES[match.group(2)]}"


def _candidates(name: str, known: Iterable[str]) -> list[str]:
    """Names a typo of ``name`` may have meant: its language with every family, and ``known``."""
    language = name.partition(".")[0]
    families = sorted({f for f in SUFFIXES.values() if f not in LANGUAGELESS})
    names = {f"{language}.{family}" for family in families}
    names |= LANGUAGELESS | EXTRA_FAMILIES | {f"{site}.wikimedia" for site in WIKIMEDIA_SITES}
    names |= set(known)
    return sorted(names)


def resolve_project(raw: str, known: Iterable[str] = ()) -> str:
    """The project ``raw`` names, normalised (``EN.Wikipedia.org``, ``enwiki`` → ``en.wikipedia``).

    ``known`` adds names a suggestion may offer (the store's projects). Raises
    :class:`UnknownProject` for a name of no known project family, naming the closest ones.
    """
    name = normalise_project(raw)
    if name is None:
        raise UnknownProject(f"invalid project name {raw!r}: expected a name like en.wikipedia")
    alias = from_database_name(name) if "." not in name else None
    if alias is not None:
        return alias
    if is_known_project(name):
        return name
    close = difflib.get_close_matches(name, _candidates(name, known), n=3, cutoff=0.6)
    if "." not in name:  # a bare language or site: ``commons``, ``de``
        bare = f"{name}.wikimedia" if name in WIKIMEDIA_SITES else f"{name}.wikipedia"
        close = [bare, *(c for c in close if c != bare)][:3]
    hint = (
        f"; did you mean {' or '.join(close)}?" if close else "; expected a name like en.wikipedia"
    )
    raise UnknownProject(f"unknown project {raw!r}{hint}")
