"""``wikiviews redirects load``: a wiki's redirects into the ``redirects`` table.

Two sources, both giving (redirect title → target title) pairs in pageview-dump form
(underscores for spaces, namespace prefix included):

* **A MediaWiki API URL** (``https://en.wikipedia.org/w/api.php``). Every non-redirect page
  of the namespaces asked for (default: articles) is listed with the redirects to it::

      action=query&generator=allpages&gapfilterredir=nonredirects&gapnamespace=0
      &gaplimit=max&prop=redirects&rdprop=title&rdlimit=max&format=json&formatversion=2

  and paged through ``continue`` as the API returns it (``rdcontinue`` pages the redirects
  of a batch, ``gapcontinue`` the next batch). ``allpages`` refuses ``redirects=1``
  (redirect resolution) as a generator, and ``list=allredirects`` gives only the redirect's
  page id, so ``prop=redirects`` is the one query that names both ends.
* **A ``redirect`` table SQL dump** (``enwiki-YYYYMMDD-redirect.sql.gz``, rows
  ``(rd_from, rd_namespace, rd_title, rd_interwiki, rd_fragment)``). ``rd_from`` is the
  redirect's *page id*, so its title comes from a ``page`` table dump
  (``--page-dump enwiki-YYYYMMDD-page.sql.gz``: ``page_id, page_namespace, page_title, …``)
  or, without one, from the page ids the store keeps (``titles.page_id``, filled by
  ``pageview_complete`` dumps). Dumps give namespaces as numbers whose names are local to
  each wiki, so only redirects from and to the main namespace (0) are taken from them.

Loading replaces all of a project's redirects in one transaction. Interwiki redirects,
redirects to themselves and titles over 512 bytes are skipped.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import requests
from sqlalchemy import Connection, delete, func, insert, select

from backend import db
from backend.ingest.projects import ensure_projects
from backend.models import Redirect, Title, core
from backend.project_names import resolve_project
from backend.settings import Settings
from backend.titles import MAX_TITLE_BYTES
from backend.version import user_agent

#: Rows per INSERT round trip.
_BATCH = 5000
_TUPLE = re.compile(rb"\((?:'(?:[^'\\]|\\.)*'|[^'()])*\)")
_FIELD = re.compile(rb"'((?:[^'\\]|\\.)*)'|([^,]+)")
_ESCAPE = re.compile(rb"\\(.)", re.DOTALL)
_ESCAPES = {b"0": b"\0", b"b": b"\b", b"n": b"\n", b"r": b"\r", b"t": b"\t", b"Z": b"\x1a"}


class RedirectSourceError(Exception):
    """A redirect source that cannot be read (HTTP or API error, unreadable dump)."""


@dataclass(frozen=True)
class LoadResult:
    """What a load did: redirects stored, and how many the store held before."""

    project: str
    loaded: int
    replaced: int
    skipped: int


def _title(raw: str) -> str | None:
    """A title in pageview form, or ``None`` when it cannot be one."""
    title = raw.strip().replace(" ", "_")
    if not title or len(title.encode()) > MAX_TITLE_BYTES:
        return None
    if any(ch < " " or ch == "\x7f" for ch in title):
        return None
    return title


def api_redirects(
    url: str,
    namespaces: Iterable[int] = (0,),
    *,
    session: requests.Session | None = None,
    timeout: float = 60,
) -> Iterator[tuple[str, str]]:
    """(redirect, target) titles of a wiki from its MediaWiki API at ``url``, page by page."""
    http = session or requests.Session()
    http.headers["User-Agent"] = user_agent("wikiviews redirects load")
    for namespace in namespaces:
        base = {
            "action": "query",
            "format": "json",
            "formatversion": "2",
            "generator": "allpages",
            "gapfilterredir": "nonredirects",
            "gapnamespace": str(namespace),
            "gaplimit": "max",
            "prop": "redirects",
            "rdprop": "title",
            "rdlimit": "max",
        }
        cont: dict[str, str] = {"continue": ""}
        while True:
            try:
                response = http.get(url, params={**base, **cont}, timeout=timeout)
                response.raise_for_status()
                data = response.json()
            except (requests.RequestException, ValueError) as exc:
                raise RedirectSourceError(f"{url}: {exc}") from exc
            if "error" in data:
                error = data["error"]
                raise RedirectSourceError(
                    f"{url}: API error {error.get('code')}: {error.get('info')}"
                )
            pages = data.get("query", {}).get("pages", [])
            if isinstance(pages, dict):  # formatversion=1 answers
                pages = pages.values()
            for page in pages:
                for redirect in page.get("redirects", ()):
                    yield redirect["title"], page["title"]
            if "continue" not in data:
                break
            cont = {k: str(v) for k, v in data["continue"].items()}


def sql_rows(lines: Iterable[bytes], table: str) -> Iterator[tuple]:
    """Rows of the ``INSERT INTO `table` VALUES (…),(…);`` statements of a MySQL dump.

    Strings come back as ``bytes`` (unescaped), numbers as ``int``, ``NULL`` as ``None``.
    """
    prefix = f"INSERT INTO `{table}` VALUES ".encode()
    for line in lines:
        if not line.startswith(prefix):
            continue
        for match in _TUPLE.finditer(line, len(prefix)):
            row: list[object] = []
            for field in _FIELD.finditer(match.group(0)[1:-1]):
                quoted, bare = field.groups()
                if quoted is not None:
                    row.append(_ESCAPE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(1)), quoted))
                elif bare.strip() == b"NULL":
                    row.append(None)
                else:
                    try:
                        row.append(int(bare))
                    except ValueError:
                        row.append(bare.strip())
            yield tuple(row)


def _open_dump(path: Path) -> Iterator[bytes]:
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rb") as handle:
            yield from handle
    except (OSError, EOFError) as exc:
        raise RedirectSourceError(f"{path}: {exc}") from exc


def _decode(value: object) -> str | None:
    if not isinstance(value, bytes):
        return None
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return None


def dump_redirects(path: Path) -> dict[int, str]:
    """Target titles of the main-namespace, local redirects of a ``redirect`` table dump,
    keyed by the redirect's page id."""
    targets: dict[int, str] = {}
    for row in sql_rows(_open_dump(path), "redirect"):
        if len(row) < 4 or row[1] != 0 or row[3] not in (b"", None):
            continue
        title = _decode(row[2])
        if isinstance(row[0], int) and title:
            targets[row[0]] = title
    return targets


def dump_page_titles(path: Path, wanted: set[int]) -> dict[int, str]:
    """Main-namespace titles of the ``wanted`` page ids in a ``page`` table dump."""
    titles: dict[int, str] = {}
    for row in sql_rows(_open_dump(path), "page"):
        if len(row) >= 3 and row[0] in wanted and row[1] == 0:
            title = _decode(row[2])
            if title:
                titles[row[0]] = title
    return titles


def store_page_titles(connection: Connection, project_id: int, wanted: set[int]) -> dict[int, str]:
    """Titles of ``wanted`` page ids as the store knows them (the newest title of a page id).

    ``titles`` has no index on ``page_id``, so this is one streamed pass over the project's
    titles rather than a lookup per id.
    """
    titles: dict[int, str] = {}
    table = core(Title)
    rows = connection.execute(
        select(table.c.page_id, table.c.title)
        .where(table.c.project_id == project_id, table.c.page_id.is_not(None))
        .order_by(table.c.id),
        execution_options={"stream_results": True, "yield_per": _BATCH},
    )
    for page_id, title in rows:
        if page_id in wanted:
            titles[page_id] = title
    return titles


def replace_redirects(
    connection: Connection, project_id: int, pairs: Iterable[tuple[str, str]]
) -> tuple[int, int, int]:
    """Replace a project's redirects (inside the caller's transaction).

    Returns (stored, previously stored, skipped); a later pair for the same redirect wins.
    """
    chosen: dict[str, str] = {}
    skipped = 0
    for raw_title, raw_target in pairs:
        title, target = _title(raw_title), _title(raw_target)
        if title is None or target is None or title == target:
            skipped += 1
            continue
        chosen[title] = target
    redirects = core(Redirect)
    of_project = redirects.c.project_id == project_id
    before = connection.execute(
        select(func.count()).select_from(redirects).where(of_project)
    ).scalar_one()
    connection.execute(delete(redirects).where(of_project))
    rows = [{"project_id": project_id, "title": t, "target": g} for t, g in sorted(chosen.items())]
    for start in range(0, len(rows), _BATCH):
        connection.execute(insert(redirects), rows[start : start + _BATCH])
    return len(rows), int(before), skipped


def is_url(source: str) -> bool:
    """Whether a SOURCE argument names a MediaWiki API rather than a dump file."""
    return source.startswith(("http://", "https://"))


def load_redirects(
    settings: Settings,
    project: str,
    source: str,
    *,
    page_dump: Path | None = None,
    namespaces: Iterable[int] = (0,),
    progress: Callable[[str], None] | None = None,
) -> LoadResult:
    """Read a project's redirects from ``source`` and replace the stored ones with them.

    Everything is read before the store is touched, so a failing source changes nothing.
    """
    name = resolve_project(project)  # UnknownProject is a ValueError
    engine = db.make_engine(settings)
    try:
        if is_url(source):
            pairs = list(api_redirects(source, namespaces))
            if progress:
                progress(f"read {len(pairs)} redirects from {source}")
            with (
                engine.connect().execution_options(**db.WRITE) as connection,
                connection.begin(),
            ):
                pid = ensure_projects(connection, [name])[name]
                stored, before, skipped = replace_redirects(connection, pid, pairs)
            return LoadResult(name, stored, before, skipped)
        path = Path(source)
        if not path.exists():
            raise RedirectSourceError(f"{path}: no such file")
        targets = dump_redirects(path)
        if progress:
            progress(f"read {len(targets)} main-namespace redirects from {path}")
        from_dump = dump_page_titles(page_dump, set(targets)) if page_dump else None
        with (
            engine.connect().execution_options(**db.WRITE) as connection,
            connection.begin(),
        ):
            pid = ensure_projects(connection, [name])[name]
            titles = (
                from_dump
                if from_dump is not None
                else store_page_titles(connection, pid, set(targets))
            )
            pairs = [
                (titles[page_id], target)
                for page_id, target in targets.items()
                if page_id in titles
            ]
            stored, before, skipped = replace_redirects(connection, pid, pairs)
        return LoadResult(name, stored, before, skipped + len(targets) - len(pairs))
    finally:
        engine.dispose()
