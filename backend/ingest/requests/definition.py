"""Which requests are pageviews, of which project and title (Wikimedia's definition).

This follows Wikimedia's ``PageviewDefinition.isPageview`` (see docs/raw-logs.md): previews
excluded; status 200 or 304; a known host; then either a web pageview (an HTML content type,
an article URL form, no ``api.php``, none of the special pages and actions that are not
reading) or an app pageview (JSON for the Wikipedia apps, marked ``pageview=1``).

Generalised to any wiki: ``hosts`` maps the wiki's own host names to project names, and its
article path and script path replace Wikimedia's ``/wiki/`` and ``/w``. Wikimedia's hosts
work without configuration. Combined access logs may lack the content type: then only the
article path and ``index.php`` count (never ``load.php``, images or other files).
"""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import unquote

from backend.codes import Access
from backend.ingest.requests.records import Request
from backend.titles import MAX_TITLE_BYTES

_WIKIMEDIA_ORG = re.compile(
    r"^(?!doc)(commons|foundation|meta|incubator|species|outreach|usability|strategy|advisory"
    r"|wikitech|[a-z]{2,3})\.((m|mobile|wap|zero)\.)?wikimedia\.org$"
)
_FAMILY_ORG = re.compile(
    r"^((?!www\.)(?!donate\.)(?!arbcom)([a-z][a-z0-9_-]*)\.)*"
    r"(wikibooks|wikinews|wikipedia|wikiquote|wikisource|wiktionary|wikiversity|wikivoyage)"
    r"\.org$"
)
_LANGUAGELESS_ORG = re.compile(
    r"^((?!test)(?!query)([a-z0-9_-]+)\.)*(wikidata|mediawiki|wikimediafoundation)\.org$"
)
#: Longest host considered: project names are stored in 64 characters.
MAX_HOST = 60
_MOBILE_LABELS = frozenset({"m", "mobile", "wap", "zero"})
_MOBILE_HOST = re.compile(r"(^(m|zero|wap|mobile)\.)|(\.(m|zero|wap|mobile)\.)")

HTML_TYPES = frozenset(
    {
        "text/html",
        "text/html; charset=iso-8859-1",
        "text/html; charset=ISO-8859-1",
        "text/html; charset=utf-8",
        "text/html; charset=UTF-8",
    }
)
SUCCESS = frozenset({200, 304})
REDIRECTS = frozenset({301, 302, 307})
_BAD_PATH = re.compile(
    "BannerRandom|HideBanners|CentralAutoLogin|MobileEditor|Undefined"
    "MobileMenu|BlankPage|UserLogin|ZeroRatedMobileAccess"
)
_BAD_QUERY = re.compile("CentralAutoLogin|MobileEditor|UserLogin|ZeroRatedMobileAccess")
_EDIT_QUERY = re.compile("action=edit|action=submit")
_ARTICLE_QUERY = re.compile(r"^\?((cur|old)id|title|search)=")
_VARIANT_PATH = re.compile(r"^/(sr(-(ec|el))?|zh(-(cn|hans|hant|hk|mo|my|sg|tw))?)/")
_TITLE_PARAM = re.compile(r"[?&]title=([^&]*)")
_PAGE_PARAM = re.compile(r"[?&]page=([^&]*)")
_APP_UA = re.compile(r"WikipediaApp|Wikipedia/5\.0\.")
_APP_REST = re.compile(r"^/api/rest_v1/page/(?:mobile-sections-lead|mobile-html|mobile-sections)/")
_MOBILE_QUERY = re.compile(r"[?&](useformat=mobile|useskin=minerva)(&|$)")
#: Wikimedia accepts titles of these ASCII characters and any non-ASCII character;
#: anything else is "no title found" (``-``).
_TITLE_ASCII = (
    " %!\"$&'()*,-./0123456789:;=?@ABCDEFGHIJKLMNOPQRSTUVWXYZ\\^_`abcdefghijklmnopqrstuvwxyz~+"
)
_TITLE_BAD = re.compile(
    "[" + re.escape("".join(chr(c) for c in range(128) if chr(c) not in _TITLE_ASCII)) + "]"
)
#: Distinct raw titles remembered (readers repeat popular pages): bounded memory.
TITLE_CACHE_SIZE = 200_000

#: Why a request is not a pageview (the keys :func:`PageviewRules.judge` returns).
NOT_PAGEVIEW = {
    "preview": "a preview (X-Analytics preview=1)",
    "redirect": "a redirect to a pageview, not the pageview itself",
    "status": "HTTP status other than 200 or 304",
    "host": "not a host of a counted wiki",
    "content_type": "not an HTML page (nor an app pageview)",
    "api": "an API request",
    "path": "not an article URL form",
    "special": "a special page that is not reading (banners, login, mobile editor …)",
    "action": "an edit or submit action",
}


class _Paths:
    """A wiki's URL layout: article path, ``index.php`` and the script directory."""

    __slots__ = ("article", "index", "index_php", "script")

    def __init__(self, article_path: str, script_path: str):
        self.article = article_path if article_path.endswith("/") else article_path + "/"
        script = script_path.rstrip("/")
        self.index_php = script + "/index.php"
        self.index = self.index_php + "/"
        self.script = script + "/"


WIKIMEDIA_PATHS = _Paths("/wiki/", "/w")


class Pageview(NamedTuple):
    """A request found to be a pageview (a tuple: made once per line, it must be cheap)."""

    project: str
    title: str
    access: Access


class PageviewRules:
    """The pageview definition for Wikimedia's hosts plus a wiki's own ``hosts``."""

    def __init__(
        self,
        hosts: dict[str, str] | None = None,
        article_path: str = "/wiki/",
        script_path: str = "/w",
    ):
        self.hosts = {host.lower(): project for host, project in (hosts or {}).items()}
        self.own_paths = _Paths(article_path, script_path)
        self._host_cache: dict[str, tuple[str, bool, _Paths] | None] = {}
        self._titles: dict[tuple[str, str, _Paths], str] = {}

    def project_of(self, host: str) -> tuple[str, bool, _Paths] | None:
        """(project, is a mobile host, URL paths) of a host, or ``None`` when not counted."""
        try:
            return self._host_cache[host]
        except KeyError:
            pass
        found = self._project_of(host)
        if len(self._host_cache) < 100_000:
            self._host_cache[host] = found
        return found

    def _project_of(self, host: str) -> tuple[str, bool, _Paths] | None:
        if host in self.hosts:
            return self.hosts[host], bool(_MOBILE_HOST.search(host)), self.own_paths
        if len(host) > MAX_HOST:
            return None
        labels = host.split(".")
        if match := _WIKIMEDIA_ORG.match(host):
            return f"{match.group(1)}.wikimedia", match.group(2) is not None, WIKIMEDIA_PATHS
        if _FAMILY_ORG.match(host):
            family = labels[-2]
            rest = [label for label in labels[:-2] if label not in _MOBILE_LABELS]
            if len(rest) != 1:
                return None
            return f"{rest[0]}.{family}", len(rest) + 2 != len(labels), WIKIMEDIA_PATHS
        if _LANGUAGELESS_ORG.match(host):
            mobile = any(label in _MOBILE_LABELS for label in labels[:-2])
            return labels[-2], mobile, WIKIMEDIA_PATHS
        return None

    def judge(self, request: Request) -> Pageview | str:
        """The pageview ``request`` is, or the key of :data:`NOT_PAGEVIEW` saying why not."""
        x_analytics = request.x_analytics
        if x_analytics and "preview=1" in x_analytics and "preview=1" in x_analytics.split(";"):
            return "preview"
        status = request.status
        if status not in SUCCESS:
            return "redirect" if status in REDIRECTS else "status"
        site = self.project_of(request.host)
        if site is None:
            return "host"
        project, mobile_host, paths = site
        path, query, content_type = request.path, request.query, request.content_type
        if content_type and content_type not in HTML_TYPES:
            if "application/json" in content_type and _APP_UA.search(request.user_agent):
                return self._app_pageview(request, project, x_analytics)
            return "content_type"
        if "api.php" in path:
            return "api"
        article = path.startswith(paths.article)
        if not article and not _ARTICLE_QUERY.match(query):
            if content_type:
                if not (path.startswith(paths.script) or _VARIANT_PATH.match(path)):
                    return "path"
            elif not (path == paths.index_php or path.startswith(paths.index)):
                return "path"  # no content type logged: only sure article forms count
        if _BAD_PATH.search(path) or (query and _BAD_QUERY.search(query)):
            return "special"
        if query and _EDIT_QUERY.search(query):
            return "action"
        key = (path, query, paths)
        title = self._titles.get(key)
        if title is None:
            title = _title(paths, path, query, article)
            if len(self._titles) >= TITLE_CACHE_SIZE:
                self._titles.clear()
            self._titles[key] = title
        if _APP_UA.search(request.user_agent):
            access = Access.MOBILE_APP
        elif mobile_host or (query and _MOBILE_QUERY.search(query)):
            access = Access.MOBILE_WEB
        else:
            access = Access.DESKTOP
        return Pageview(project, title, access)

    def _app_pageview(self, request: Request, project: str, x_analytics: str) -> Pageview | str:
        path, query = request.path, request.query
        marked = "pageview=1" in x_analytics.split(";") if x_analytics else False
        if not marked and "api.php" in path:
            marked = "sections=0" in query or (
                "sections=all" in query
                and ("iPhone" in request.user_agent or "iOS" in request.user_agent)
            )
        if not marked:
            return "content_type"
        title = "-"
        if _APP_REST.match(path):
            title = normalise_title(unquote_path(path.split("/", 5)[5]))
        elif match := _PAGE_PARAM.search(query):
            title = normalise_title(unquote_query(match.group(1)))
        return Pageview(project, title, Access.MOBILE_APP)


def _title(paths: _Paths, path: str, query: str, article: bool) -> str:
    if query and (match := _TITLE_PARAM.search(query)):
        return normalise_title(unquote_query(match.group(1)))
    if article:
        return normalise_title(unquote_path(path[len(paths.article) :]))
    if path.startswith(paths.index):
        return normalise_title(unquote_path(path[len(paths.index) :]))
    if match := _VARIANT_PATH.match(path):
        return normalise_title(unquote_path(path[match.end() :]))
    return "-"


def unquote_path(text: str) -> str | None:
    """Percent-decode a path part once (``None`` when the bytes are not UTF-8)."""
    if "%" not in text:
        return text
    try:
        return unquote(text, errors="strict")
    except UnicodeDecodeError:
        return None


def unquote_query(text: str) -> str | None:
    """Percent-decode a query value once, ``+`` meaning a space."""
    return unquote_path(text.replace("+", "_"))


def normalise_title(title: str | None) -> str:
    """Spaces to underscores; ``-`` for empty, over-long or invalid titles (as Wikimedia)."""
    if not title:
        return "-"
    title = title.replace(" ", "_")
    if len(title.encode("utf-8")) > MAX_TITLE_BYTES or _TITLE_BAD.search(title):
        return "-"
    return title


def parse_hosts(setting: str) -> dict[str, str]:
    """Parse ``host=project,host=project`` (the ``request_hosts`` setting)."""
    hosts: dict[str, str] = {}
    for pair in filter(None, (part.strip() for part in setting.split(","))):
        host, sep, project = pair.partition("=")
        if not sep or not host.strip() or not project.strip():
            raise ValueError(f"expected host=project, got {pair!r}")
        if len(project.strip()) > 64:
            raise ValueError(f"project name longer than 64 characters: {project.strip()!r}")
        hosts[host.strip().lower()] = project.strip()
    return hosts
