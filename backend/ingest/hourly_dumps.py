"""Parse hourly ``pageviews-*`` and legacy ``pagecounts-*`` files (``code title views bytes``).

Both formats share the line layout and the domain codes. ``pageviews`` titles are already
decoded and counted for the user agent only; ``pagecounts`` titles are percent-encoded as
requested (decoded here, once), agents are not separated and ``.mw`` lines are per-language
mobile subtotals, which are skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote

import pyarrow as pa
import pyarrow.compute as pc

from backend.codes import Agent, series_code
from backend.domain_codes import SubtotalLine, codes_for_project, parse_domain_code
from backend.dumpfiles import DumpFile
from backend.ingest.columnar import all_of, codes_of, full_match, joined_lines, read_fields
from backend.ingest.lines import text_lines
from backend.ingest.parsed import ParsedFile, ProjectFilter, row_table
from backend.ingest.reader import prefetched, read_selected
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
    reader = _HourlyReader(dump, projects, parsed)
    blocks = read_selected(dump.local_path, _prefixes(projects), parsed.count_lines)
    for block in prefetched(blocks):
        reader.take_block(block)
    reader.finish()
    return parsed


_FIELDS = ("code", "title", "count", "size")
#: Codes of lines that are not loaded, by why: unknown, a subtotal, or another wiki's.
_DOMAIN, _SUBTOTAL, _FILTERED = -3, -2, -1


class _HourlyReader:
    """The state of one file's parse: blocks go in vectorised, odd lines one by one.

    Legacy ``pagecounts`` files are read line by line: their titles are percent-encoded.
    """

    def __init__(self, dump: DumpFile, projects: ProjectFilter, parsed: ParsedFile):
        self.dump = dump
        self.projects = projects
        self.parsed = parsed
        self.legacy = dump.kind == "pagecounts"
        self.agent = Agent.UNSPLIT if self.legacy else Agent.USER
        self.day = dump.first_hour // 24
        self.targets: list[tuple[int, int, int]] = []  # (project id, day, series)
        self.code_keys: dict[str, int] = {}  # code → index into targets, or a reason < 0
        self.sums: dict[int, int] = {}  # views per target

    def key_of(self, code: str) -> int:
        """The target index of a domain code, or why its lines are not loaded (< 0)."""
        key = self.code_keys.get(code)
        if key is not None:
            return key
        try:
            found = parse_domain_code(code)
        except SubtotalLine:
            key = _SUBTOTAL
        else:
            if found is None:
                key = _DOMAIN
            elif not self.projects.keeps(found[0]):
                key = _FILTERED
            else:
                project, access = found
                series = series_code(self.dump.source, access, self.agent)
                key = len(self.targets)
                self.targets.append((self.parsed.project_id(project), self.day, series))
        self.code_keys[code] = key
        return key

    def take_block(self, block: bytes) -> None:
        """Parse one block of whole lines."""
        fields = None if self.legacy else read_fields(block, _FIELDS)
        if fields is None:
            for lines in text_lines([block], self.parsed.rejects):
                self.parsed.lines_examined += len(lines)
                for line in lines:
                    self.take_line(line)
            return
        table, others = fields
        self.parsed.lines_examined += table.num_rows + len(others)
        for line in [*self._take_table(table), *others]:
            self.take_line(line)

    def _take_table(self, table: pa.Table) -> list[str]:
        """Take the rows that are plainly valid; the others come back as lines."""
        if not table.num_rows:
            return []
        codes = {code: self.key_of(code) for code in pc.unique(table["code"]).to_pylist()}
        key = codes_of(table["code"], codes)
        table = table.append_column("key", key).filter(pc.not_equal(key, _FILTERED))
        title_bytes = pc.binary_length(table["title"])
        plain = all_of(
            pc.greater_equal(table["key"], 0),
            full_match(table["count"], "[0-9]{1,18}"),
            pc.greater(title_bytes, 0),
            pc.less_equal(title_bytes, MAX_TITLE_BYTES),
        )
        odd = joined_lines(table.filter(pc.invert(plain)), _FIELDS)
        rows = table.filter(plain)
        views = pc.cast(rows["count"], pa.int64())
        rows = rows.append_column("views", views).filter(pc.greater(views, 0))
        if not rows.num_rows:
            return odd
        targets = pa.array(self.targets, _TARGET_TYPE)
        target = pc.take(targets, rows["key"])
        self.parsed.row_tables.append(
            row_table(
                pc.struct_field(target, 0),
                rows["title"],
                pc.struct_field(target, 1),
                pc.struct_field(target, 2),
                rows["views"],
            )
        )
        grouped = rows.group_by("key", use_threads=False).aggregate([("views", "sum")])
        for index, views in zip(
            grouped["key"].to_pylist(), grouped["views_sum"].to_pylist(), strict=True
        ):
            self.sums[index] = self.sums.get(index, 0) + views
        return odd

    def take_line(self, line: str) -> None:
        """Parse one line, counting why it is rejected if it is."""
        parsed, rejects = self.parsed, self.parsed.rejects
        try:
            code, title, count, _size = line.split(" ")
        except ValueError:
            rejects["fields"] += 1
            return
        key = self.key_of(code)
        if key < 0:
            if key == _DOMAIN:
                rejects["domain"] += 1
            elif key == _SUBTOTAL:
                parsed.skipped["subtotal"] += 1
            return
        try:
            views = int(count)
        except ValueError:
            rejects["count"] += 1
            return
        if views <= 0:
            if views < 0:
                rejects["count"] += 1
            return
        if self.legacy:
            try:
                title = unquote(title, errors="strict").replace(" ", "_")
            except UnicodeDecodeError:
                rejects["utf8"] += 1
                return
        if not title or (
            len(title) > MAX_TITLE_BYTES // 4 and len(title.encode()) > MAX_TITLE_BYTES
        ):
            rejects["title"] += 1
            return
        project, when, series = self.targets[key]
        parsed.rows.append((project, title, when, series, views))
        self.sums[key] = self.sums.get(key, 0) + views

    def finish(self) -> None:
        """Add the file's per-project sums."""
        parsed = self.parsed
        for key, views in self.sums.items():
            project, _day, series = self.targets[key]
            parsed.project_hours[(project, self.dump.first_hour, series)] += views
            parsed.project_days[(project, self.day, series)] += views
            parsed.views += views


_TARGET_TYPE = pa.struct([("project", pa.int64()), ("day", pa.int64()), ("series", pa.int64())])


def _prefixes(projects: ProjectFilter) -> tuple[bytes, ...] | None:
    """Line prefixes of the wanted wikis' domain codes, or ``None`` to keep every line."""
    if projects.only is None:
        return None
    codes = (code for name in sorted(projects.only) for code in codes_for_project(name))
    return tuple(f"{code} ".encode() for code in codes)
