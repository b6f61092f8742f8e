"""Who belongs to a WikiProject: a category tree, banner transclusions, or PageAssessments.

Everything here talks to the wiki through one function, ``call(params) -> dict`` (the API's
JSON answer, ``formatversion=2``), so it runs against pywikibot in production and against
recorded answers in the tests. Members stream out as they are listed; talk pages are mapped to
their subject pages; class and importance come from the banner's parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property

import mwparserfromhell

ApiCall = Callable[[dict[str, str]], dict]
#: Titles per request where the API takes a list of titles (its limit for normal users).
TITLES_PER_REQUEST = 50
SHELL_NAMES = ("wikiproject banner shell", "wpbs", "wikiprojectbannershell")


@dataclass(frozen=True)
class Member:
    """A subject page of a project, with its assessment (empty when unknown)."""

    title: str
    assessment: str = ""
    importance: str = ""

    @cached_property
    def key(self) -> str:
        """The title as pageview data spells it (underscores), computed once."""
        return self.title.replace(" ", "_")


def query(call: ApiCall, params: dict[str, str]) -> Iterator[dict]:
    """Each ``query`` part of a list request, following ``continue`` to the end."""
    request = {"action": "query", "format": "json", "formatversion": "2", **params}
    while True:
        answer = call(dict(request))
        if "error" in answer:
            raise RuntimeError(
                f"API error {answer['error'].get('code')}: {answer['error'].get('info')}"
            )
        yield answer.get("query", {})
        if "continue" not in answer:
            return
        request.update({k: str(v) for k, v in answer["continue"].items()})


class Namespaces:
    """The wiki's namespace names, for mapping talk pages to subject pages."""

    def __init__(self, names: dict[int, str]) -> None:
        self.names = names

    @classmethod
    def load(cls, call: ApiCall) -> Namespaces:
        """Read the namespaces from ``meta=siteinfo``."""
        info = next(query(call, {"meta": "siteinfo", "siprop": "namespaces"}))
        spaces = info.get("namespaces", {})
        return cls({int(ns["id"]): ns.get("name", "") for ns in spaces.values()})

    def subject(self, title: str, ns: int) -> tuple[str, int]:
        """The subject page of ``title`` (itself when it is not a talk page)."""
        if ns < 0 or ns % 2 == 0:
            return title, ns
        rest = title.split(":", 1)[1] if ":" in title else title
        subject_ns = ns - 1
        name = self.names.get(subject_ns, "")
        return (f"{name}:{rest}" if name else rest), subject_ns

    def talk_namespaces(self) -> str:
        """The talk namespaces, as a ``|``-separated API value."""
        return "|".join(str(ns) for ns in sorted(self.names) if ns > 0 and ns % 2 == 1)


def category_members(
    call: ApiCall, category: str, depth: int, namespaces: Namespaces
) -> Iterator[Member]:
    """Pages in ``category`` and its subcategories down to ``depth`` (talk pages as subjects)."""
    seen_categories = {category}
    level = [category]
    seen_pages: set[str] = set()
    for current_depth in range(depth + 1):
        following: list[str] = []
        for cat in level:
            params = {
                "list": "categorymembers",
                "cmtitle": cat,
                "cmlimit": "max",
                "cmprop": "title",
            }
            for part in query(call, params):
                for item in part.get("categorymembers", []):
                    if item["ns"] == 14:
                        if current_depth < depth and item["title"] not in seen_categories:
                            seen_categories.add(item["title"])
                            following.append(item["title"])
                        continue
                    title, _ = namespaces.subject(item["title"], item["ns"])
                    if title not in seen_pages:
                        seen_pages.add(title)
                        yield Member(title)
        level = following


def assessment_from_text(text: str, banner_names: Iterable[str]) -> tuple[str, str]:
    """Class and importance from a talk page's banner (class may sit on the banner shell)."""
    wanted = {_template_key(name) for name in banner_names}
    assessment = importance = shell_class = ""
    for template in mwparserfromhell.parse(text).filter_templates():
        key = _template_key(str(template.name))
        if key in wanted:
            assessment = assessment or _param(template, "class")
            importance = importance or _param(template, "importance")
        elif key in SHELL_NAMES:
            shell_class = shell_class or _param(template, "class")
    return _normal_grade(assessment or shell_class), _normal_grade(importance)


def _template_key(name: str) -> str:
    name = name.strip().replace("_", " ")
    if name.lower().startswith("template:"):
        name = name[len("template:") :]
    return name.strip().lower()


def _param(template, name: str) -> str:
    return template.get(name).value.strip_code().strip() if template.has(name) else ""


def _normal_grade(value: str) -> str:
    """``b`` → ``B``, ``high`` → ``High``, ``stub`` → ``Stub`` (banners are careless)."""
    value = value.strip()
    if len(value) <= 2:
        return value.upper()
    return value[:1].upper() + value[1:].lower()


def _batched(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def banner_names(call: ApiCall, banner: str) -> list[str]:
    """The banner template's name and its redirects' names (without the namespace)."""
    names = [banner]
    params = {"titles": banner, "prop": "redirects", "rdlimit": "max", "rdnamespace": "10"}
    for part in query(call, params):
        for page in part.get("pages", []):
            names.extend(r["title"] for r in page.get("redirects", []))
    return names


def banner_members(
    call: ApiCall, banner: str, namespaces: Namespaces, *, batch: int = TITLES_PER_REQUEST
) -> Iterator[Member]:
    """Subject pages of the talk pages that transclude ``banner``, with their assessment."""
    names = banner_names(call, banner)
    params = {
        "list": "embeddedin",
        "eititle": banner,
        "eilimit": "max",
        "einamespace": namespaces.talk_namespaces(),
    }
    for part in query(call, params):
        talk = [(item["title"], item["ns"]) for item in part.get("embeddedin", [])]
        for chunk in _batched([t for t, _ in talk], batch):
            texts = talk_texts(call, chunk)
            ns_of = dict(talk)
            for title in chunk:
                assessment, importance = assessment_from_text(texts.get(title, ""), names)
                subject, _ = namespaces.subject(title, ns_of[title])
                yield Member(subject, assessment, importance)


def talk_texts(call: ApiCall, titles: list[str]) -> dict[str, str]:
    """The current wikitext of ``titles`` (at most one API batch)."""
    params = {
        "titles": "|".join(titles),
        "prop": "revisions",
        "rvprop": "content",
        "rvslots": "main",
    }
    texts: dict[str, str] = {}
    for part in query(call, params):
        for page in part.get("pages", []):
            revisions = page.get("revisions") or []
            if revisions:
                slot = revisions[0].get("slots", {}).get("main", {})
                texts[page["title"]] = slot.get("content", revisions[0].get("content", ""))
    return texts


def has_page_assessments(call: ApiCall) -> bool:
    """Whether the wiki runs the PageAssessments extension."""
    info = next(query(call, {"meta": "siteinfo", "siprop": "extensions"}))
    return any(ext.get("name") == "PageAssessments" for ext in info.get("extensions", []))


def assessment_members(call: ApiCall, project: str) -> Iterator[Member]:
    """Members of ``project`` from PageAssessments (``list=projectpages``), main namespace."""
    params = {
        "list": "projectpages",
        "wppprojects": project,
        "wppassessments": "1",
        "wpplimit": "max",
        "wppnamespace": "0",
    }
    for part in query(call, params):
        projects = part.get("projects", {})
        pages = projects.get(project, []) if isinstance(projects, dict) else []
        for page in pages:
            grade = page.get("assessment", {}) or {}
            yield Member(
                page["title"],
                _normal_grade(grade.get("class", "")),
                _normal_grade(grade.get("importance", "")),
            )


def redirects_to(call: ApiCall, titles: list[str]) -> dict[str, list[str]]:
    """For each title, the titles of the redirects to it (main namespace)."""
    found: dict[str, list[str]] = {}
    for chunk in _batched(titles, TITLES_PER_REQUEST):
        params = {
            "titles": "|".join(chunk),
            "prop": "redirects",
            "rdlimit": "max",
            "rdnamespace": "0",
        }
        for part in query(call, params):
            for page in part.get("pages", []):
                found.setdefault(page["title"], []).extend(
                    r["title"] for r in page.get("redirects", [])
                )
    return found
