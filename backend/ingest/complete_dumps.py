"""Parse ``pageview_complete`` daily and monthly files.

Line: ``wiki_code title page_id access daily_total letters`` (older rows lack ``page_id``),
one file per agent type. ``letters`` concatenates ``<letter><count>`` for non-zero hours
(``A``=00 … ``X``=23) in daily files and for days (``A``=1 … ``_``=31) in monthly files.
Titles are already decoded; page ids are an integer or ``null``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from backend.codes import ACCESS_NAMES, series_code
from backend.domain_codes import is_known_project
from backend.dumpfiles import DumpFile
from backend.ingest.lines import text_lines
from backend.ingest.parsed import ParsedFile, ProjectFilter
from backend.ingest.reader import read_selected
from backend.titles import MAX_TITLE_BYTES

_LETTER_COUNT = re.compile(r"([A-Z\[\\\]^_])(\d+)")


def parse_letters(letters: str, slots: int) -> list[tuple[int, int]] | None:
    """Decode ``A3C12`` into ``[(0, 3), (2, 12)]``; ``None`` when malformed or out of range."""
    pairs = _LETTER_COUNT.findall(letters)
    decoded = [(ord(letter) - 65, int(count)) for letter, count in pairs]
    if sum(len(letter) + len(count) for letter, count in pairs) != len(letters):
        return None
    if any(slot >= slots for slot, _ in decoded):
        return None
    return decoded


def parse_complete_dump(
    dump: DumpFile,
    projects: ProjectFilter,
    *,
    hourly_window: bool = False,
    on_lines: Callable[[int], None] | None = None,
    allocate: Callable[[str], int] | None = None,
) -> ParsedFile:
    """Read one ``pageview_complete`` file completely; raises ``UnreadableFile`` if corrupt."""
    parsed = ParsedFile(on_lines=on_lines, allocate=allocate)
    monthly = dump.kind == "complete-monthly"
    first_day = dump.first_hour // 24
    slots = dump.hours // 24 if monthly else 24
    assert dump.agent is not None
    rejects = parsed.rejects
    wikis: dict[str, int | bool | None] = {}
    series_of = {
        name: series_code(dump.source, access, dump.agent) for name, access in ACCESS_NAMES.items()
    }
    seen_page_ids: set[tuple[int, str]] = set()

    for lines in text_lines(
        read_selected(dump.local_path, _prefixes(projects), parsed.count_lines), rejects
    ):
        parsed.lines_examined += len(lines)
        for line in lines:
            parts = line.split(" ")
            if len(parts) == 6:
                wiki, title, page_id, access, total, letters = parts
            elif len(parts) == 5:
                wiki, title, access, total, letters = parts
                page_id = "null"
            else:
                rejects["fields"] += 1
                continue
            index = wikis.get(wiki, False)
            if index is False:
                if not is_known_project(wiki):
                    index = wikis[wiki] = None
                else:
                    index = wikis[wiki] = parsed.project_id(wiki) if projects.keeps(wiki) else -1
            if index is None:
                rejects["domain"] += 1
                continue
            if index < 0:
                continue
            series = series_of.get(access)
            if series is None:
                rejects["access"] += 1
                continue
            try:
                views = int(total)
            except ValueError:
                rejects["count"] += 1
                continue
            if views < 0:
                rejects["count"] += 1
                continue
            if page_id != "null":
                try:
                    page = int(page_id)
                except ValueError:
                    rejects["page_id"] += 1
                    continue
                if page < 0:
                    rejects["page_id"] += 1
                    continue
            else:
                page = None
            if not title or (
                len(title) > MAX_TITLE_BYTES // 4 and len(title.encode()) > MAX_TITLE_BYTES
            ):
                rejects["title"] += 1
                continue
            decoded = parse_letters(letters, slots)
            if decoded is None or sum(count for _, count in decoded) != views:
                rejects["hours"] += 1
                continue
            if views == 0:
                continue
            if page is not None and (index, title) not in seen_page_ids:
                seen_page_ids.add((index, title))
                parsed.page_ids.append((index, title, page))
            parsed.views += views
            if monthly:
                for slot, count in decoded:
                    day = first_day + slot
                    parsed.rows.append((index, title, day, series, count))
                    parsed.project_days[(index, day, series)] += count
            else:
                parsed.rows.append((index, title, first_day, series, views))
                parsed.project_days[(index, first_day, series)] += views
                for slot, count in decoded:
                    hour = dump.first_hour + slot
                    parsed.project_hours[(index, hour, series)] += count
                    if hourly_window:
                        parsed.hour_rows.append((index, title, hour, series, count))
    return parsed


def _prefixes(projects: ProjectFilter) -> tuple[bytes, ...] | None:
    """Line prefixes of the wanted wikis, or ``None`` to keep every line."""
    if projects.only is None:
        return None
    return tuple(f"{name} ".encode() for name in sorted(projects.only))
