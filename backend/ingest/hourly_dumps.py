"""Parse hourly ``pageviews-*`` and legacy ``pagecounts-*`` files (``code title views bytes``).

Both formats share the line layout and the domain codes. ``pageviews`` titles are already
decoded and counted for the user agent only; ``pagecounts`` titles are percent-encoded as
requested (decoded here, once), agents are not separated and ``.mw`` lines are per-language
mobile subtotals, which are skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote

from backend.codes import Agent, series_code
from backend.domain_codes import SubtotalLine, codes_for_project, parse_domain_code
from backend.dumpfiles import DumpFile
from backend.ingest.lines import text_lines
from backend.ingest.parsed import ParsedFile, ProjectFilter
from backend.ingest.reader import read_selected
from backend.titles import MAX_TITLE_BYTES


def parse_hourly_dump(
    dump: DumpFile,
    projects: ProjectFilter,
    *,
    on_lines: Callable[[int], None] | None = None,
    allocate: Callable[[str], int] | None = None,
) -> ParsedFile:
    """Read one hourly file completely; raises ``UnreadableFile`` if it is corrupt."""
    parsed = ParsedFile(single_hour=dump.first_hour, on_lines=on_lines, allocate=allocate)
    legacy = dump.kind == "pagecounts"
    agent = Agent.UNSPLIT if legacy else Agent.USER
    day = dump.first_hour // 24
    append = parsed.rows.append
    rejects = parsed.rejects
    targets: dict[str, tuple[int, int, int]] = {}  # code → (project id, day, series)
    others: dict[str, str] = {}  # code → "domain" | "subtotal" | "filtered"
    sums: dict[str, int] = {}  # views per code (str keys hash once)
    get, get_sum = targets.get, sums.get

    def resolve(code: str) -> tuple[int, int, int] | str:
        try:
            found = parse_domain_code(code)
        except SubtotalLine:
            return "subtotal"
        if found is None:
            return "domain"
        project, access = found
        if not projects.keeps(project):
            return "filtered"
        return parsed.project_id(project), day, series_code(dump.source, access, agent)

    for lines in text_lines(
        read_selected(dump.local_path, _prefixes(projects), parsed.count_lines), rejects
    ):
        parsed.lines_examined += len(lines)
        for line in lines:
            try:
                code, title, count, _size = line.split(" ")
            except ValueError:
                rejects["fields"] += 1
                continue
            target = get(code)
            if target is None:
                reason = others.get(code)
                if reason is None:
                    found = resolve(code)
                    if found.__class__ is tuple:
                        target = targets[code] = found
                    else:
                        reason = others[code] = found
                if reason is not None:
                    if reason == "domain":
                        rejects["domain"] += 1
                    elif reason == "subtotal":
                        parsed.skipped["subtotal"] += 1
                    continue
            try:
                views = int(count)
            except ValueError:
                rejects["count"] += 1
                continue
            if views <= 0:
                if views < 0:
                    rejects["count"] += 1
                continue
            if legacy:
                try:
                    title = unquote(title, errors="strict").replace(" ", "_")
                except UnicodeDecodeError:
                    rejects["utf8"] += 1
                    continue
            if not title or (
                len(title) > MAX_TITLE_BYTES // 4 and len(title.encode()) > MAX_TITLE_BYTES
            ):
                rejects["title"] += 1
                continue
            project, when, series = target
            append((project, title, when, series, views))
            sums[code] = get_sum(code, 0) + views

    for code, views in sums.items():
        project, _day, series = targets[code]
        parsed.project_hours[(project, dump.first_hour, series)] += views
        parsed.project_days[(project, day, series)] += views
        parsed.views += views
    return parsed


def _prefixes(projects: ProjectFilter) -> tuple[bytes, ...] | None:
    """Line prefixes of the wanted wikis' domain codes, or ``None`` to keep every line."""
    if projects.only is None:
        return None
    codes = (code for name in sorted(projects.only) for code in codes_for_project(name))
    return tuple(f"{code} ".encode() for code in codes)
