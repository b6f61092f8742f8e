"""Parse ``pageview_complete`` daily and monthly files.

Line: ``wiki_code title page_id access daily_total letters`` (older rows lack ``page_id``),
one file per agent type. ``letters`` concatenates ``<letter><count>`` for non-zero hours
(``A``=00 … ``X``=23) in daily files and for days (``A``=1 … ``_``=31) in monthly files.
Titles are already decoded; page ids are an integer or ``null``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc

from backend.codes import ACCESS_NAMES, series_code
from backend.domain_codes import is_known_project
from backend.dumpfiles import DumpFile
from backend.ingest.columnar import all_of, codes_of, full_match, joined_lines, read_fields
from backend.ingest.lines import text_lines
from backend.ingest.parsed import PAGE_ID_COLUMNS, ParsedFile, ProjectFilter, row_table
from backend.ingest.reader import prefetched, read_selected
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
    reader = _CompleteReader(dump, projects, parsed, hourly_window)
    blocks = read_selected(dump.local_path, _prefixes(projects), parsed.count_lines)
    for block in prefetched(blocks):
        reader.take_block(block)
    reader.finish()
    return parsed


_FIELDS = ("wiki", "title", "page_id", "access", "total", "letters")


class _CompleteReader:
    """The state of one file's parse: blocks go in vectorised, odd lines one by one."""

    def __init__(
        self, dump: DumpFile, projects: ProjectFilter, parsed: ParsedFile, hourly_window: bool
    ):
        assert dump.agent is not None
        self.dump = dump
        self.projects = projects
        self.parsed = parsed
        self.hourly_window = hourly_window
        self.monthly = dump.kind == "complete-monthly"
        self.first_day = dump.first_hour // 24
        self.slots = dump.hours // 24 if self.monthly else 24
        self.series_of = {
            name: series_code(dump.source, access, dump.agent)
            for name, access in ACCESS_NAMES.items()
        }
        self.wikis: dict[str, int | None] = {}  # id, -1 filtered out, None unknown
        #: Page ids as read, duplicates included, in order: Arrow tables of clean blocks,
        #: and the lines read one by one since the last table.
        self.page_id_tables: list[pa.Table] = []
        self.line_page_ids: list[tuple[int, str, int]] = []
        letters = "".join(re.escape(chr(65 + slot)) for slot in range(self.slots))
        self.letters_pattern = f"(?:[{letters}][0-9]{{1,18}})+"
        self.slot_of = {chr(65 + slot): slot for slot in range(self.slots)}

    def wiki_index(self, wiki: str) -> int | None:
        """The project id of ``wiki``, -1 when filtered out, ``None`` when unknown."""
        if wiki in self.wikis:
            return self.wikis[wiki]
        if not is_known_project(wiki):
            index = None
        else:
            index = self.parsed.project_id(wiki) if self.projects.keeps(wiki) else -1
        self.wikis[wiki] = index
        return index

    # -- vectorised -------------------------------------------------------------------------
    def take_block(self, block: bytes) -> None:
        """Parse one block of whole lines."""
        fields = read_fields(block, _FIELDS)
        if fields is None:
            for lines in text_lines([block], self.parsed.rejects):
                self.parsed.lines_examined += len(lines)
                for line in lines:
                    self.take_line(line)
            return
        table, others = fields
        self.parsed.lines_examined += table.num_rows + len(others)
        odd = self._take_table(table)
        for line in [*odd, *others]:
            self.take_line(line)
        self._flush_line_page_ids()

    def _flush_line_page_ids(self) -> None:
        if self.line_page_ids:
            columns = list(zip(*self.line_page_ids, strict=True))
            self.page_id_tables.append(
                pa.table(
                    [
                        pa.array(columns[0], pa.int64()),
                        columns[1],
                        pa.array(columns[2], pa.int64()),
                    ],
                    names=list(PAGE_ID_COLUMNS),
                )
            )
            self.line_page_ids = []

    def finish(self) -> None:
        """Keep each title's first page id (a page has one id; a file should not disagree)."""
        self._flush_line_page_ids()
        if not self.page_id_tables:
            return
        every = pa.concat_tables(self.page_id_tables)
        every = every.append_column("seq", pa.array(range(every.num_rows), pa.int64()))
        first = every.group_by(["project_id", "title"], use_threads=False).aggregate(
            [("seq", "min")]
        )
        order = pc.sort_indices(first["seq_min"])
        self.parsed.page_id_tables.append(
            every.take(pc.take(first["seq_min"], order)).select(list(PAGE_ID_COLUMNS))
        )
        self.page_id_tables = []

    def _take_table(self, table: pa.Table) -> list[str]:
        """Take the rows that are plainly valid; the others come back as lines."""
        if not table.num_rows:
            return []
        wikis = {wiki: self.wiki_index(wiki) for wiki in pc.unique(table["wiki"]).to_pylist()}
        index = codes_of(table["wiki"], {w: -2 if i is None else i for w, i in wikis.items()})
        kept = pc.not_equal(index, -1)  # lines of filtered-out wikis are dropped unseen
        table = table.append_column("index", index).filter(kept)
        series = codes_of(table["access"], self.series_of)
        title_bytes = pc.binary_length(table["title"])
        plain = all_of(
            pc.greater_equal(table["index"], 0),
            pc.greater_equal(series, 0),
            full_match(table["total"], "[0-9]{1,18}"),
            full_match(table["page_id"], "[0-9]{1,18}|null"),
            pc.greater(title_bytes, 0),
            pc.less_equal(title_bytes, MAX_TITLE_BYTES),
            full_match(table["letters"], self.letters_pattern),
        )
        table = table.append_column("series", series)
        odd = joined_lines(table.filter(pc.invert(plain)), _FIELDS)
        rows = table.filter(plain)
        if not rows.num_rows:
            return odd
        letters = pc.list_slice(
            pc.split_pattern(pc.replace_substring_regex(rows["letters"], "([^0-9])", " \\1"), " "),
            1,
        )
        parent = pc.list_parent_indices(letters)
        flat = pc.list_flatten(letters)
        slots = codes_of(pc.utf8_slice_codeunits(flat, 0, 1), self.slot_of)
        counts = pc.cast(pc.utf8_slice_codeunits(flat, 1, 32), pa.int64())
        sums = (
            pa.table({"row": parent, "count": counts})
            .group_by("row", use_threads=False)
            .aggregate([("count", "sum")])
            .sort_by("row")["count_sum"]
        )
        totals = pc.cast(rows["total"], pa.int64())
        summed = pc.equal(sums, totals)
        odd.extend(joined_lines(rows.filter(pc.invert(summed)), _FIELDS))
        good = pc.and_(summed, pc.greater(totals, 0))  # zero lines are valid but hold nothing
        per_letter = pa.table(
            {
                "index": pc.take(rows["index"], parent),
                "title": pc.take(rows["title"], parent),
                "series": pc.take(rows["series"], parent),
                "slot": slots,
                "count": counts,
            }
        ).filter(pc.take(good, parent))
        rows = rows.append_column("views", totals).filter(good)
        self._add(rows, per_letter)
        return odd

    def _add(self, rows: pa.Table, per_letter: pa.Table) -> None:
        parsed = self.parsed
        parsed.views += pc.sum(rows["views"]).as_py() or 0
        with_page = rows.filter(pc.not_equal(rows["page_id"], "null"))
        self.page_id_tables.append(
            pa.table(
                [
                    with_page["index"],
                    with_page["title"],
                    pc.cast(with_page["page_id"], pa.int64()),
                ],
                names=list(PAGE_ID_COLUMNS),
            )
        )
        if self.monthly:
            days = pc.add(per_letter["slot"], self.first_day)
            parsed.row_tables.append(
                row_table(
                    per_letter["index"],
                    per_letter["title"],
                    days,
                    per_letter["series"],
                    per_letter["count"],
                )
            )
            by_day = per_letter.append_column("day", days)
            for project, day, series, views in _sums(by_day, ("index", "day", "series")):
                parsed.project_days[(project, day, series)] += views
            return
        day = self.first_day
        parsed.row_tables.append(
            row_table(
                rows["index"],
                rows["title"],
                pa.repeat(day, rows.num_rows),
                rows["series"],
                rows["views"],
            )
        )
        for project, series, views in _sums(rows, ("index", "series"), "views"):
            parsed.project_days[(project, day, series)] += views
        first_hour = self.dump.first_hour
        for project, slot, series, views in _sums(per_letter, ("index", "slot", "series")):
            parsed.project_hours[(project, first_hour + slot, series)] += views
        if self.hourly_window:
            hours = pc.add(per_letter["slot"], first_hour)
            parsed.hour_rows.extend(
                zip(
                    per_letter["index"].to_pylist(),
                    per_letter["title"].to_pylist(),
                    hours.to_pylist(),
                    per_letter["series"].to_pylist(),
                    per_letter["count"].to_pylist(),
                    strict=True,
                )
            )

    # -- line by line -----------------------------------------------------------------------
    def take_line(self, line: str) -> None:
        """Parse one line, counting why it is rejected if it is."""
        parsed = self.parsed
        rejects = parsed.rejects
        parts = line.split(" ")
        if len(parts) == 6:
            wiki, title, page_id, access, total, letters = parts
        elif len(parts) == 5:
            wiki, title, access, total, letters = parts
            page_id = "null"
        else:
            rejects["fields"] += 1
            return
        index = self.wiki_index(wiki)
        if index is None:
            rejects["domain"] += 1
            return
        if index < 0:
            return
        series = self.series_of.get(access)
        if series is None:
            rejects["access"] += 1
            return
        try:
            views = int(total)
        except ValueError:
            rejects["count"] += 1
            return
        if views < 0:
            rejects["count"] += 1
            return
        if page_id != "null":
            try:
                page = int(page_id)
            except ValueError:
                rejects["page_id"] += 1
                return
            if page < 0:
                rejects["page_id"] += 1
                return
        else:
            page = None
        if not title or (
            len(title) > MAX_TITLE_BYTES // 4 and len(title.encode()) > MAX_TITLE_BYTES
        ):
            rejects["title"] += 1
            return
        decoded = parse_letters(letters, self.slots)
        if decoded is None or sum(count for _, count in decoded) != views:
            rejects["hours"] += 1
            return
        if views == 0:
            return
        if page is not None:
            self.line_page_ids.append((index, title, page))
        parsed.views += views
        if self.monthly:
            for slot, count in decoded:
                day = self.first_day + slot
                parsed.rows.append((index, title, day, series, count))
                parsed.project_days[(index, day, series)] += count
            return
        parsed.rows.append((index, title, self.first_day, series, views))
        parsed.project_days[(index, self.first_day, series)] += views
        for slot, count in decoded:
            hour = self.dump.first_hour + slot
            parsed.project_hours[(index, hour, series)] += count
            if self.hourly_window:
                parsed.hour_rows.append((index, title, hour, series, count))


def _sums(table: pa.Table, keys: tuple[str, ...], value: str = "count") -> list[tuple[int, ...]]:
    """``(*keys, sum of value)`` for each distinct key of ``table``."""
    grouped = table.group_by(list(keys), use_threads=False).aggregate([(value, "sum")])
    columns = [grouped[key].to_pylist() for key in keys]
    return list(zip(*columns, grouped[f"{value}_sum"].to_pylist(), strict=True))


def _prefixes(projects: ProjectFilter) -> tuple[bytes, ...] | None:
    """Line prefixes of the wanted wikis, or ``None`` to keep every line."""
    if projects.only is None:
        return None
    return tuple(f"{name} ".encode() for name in sorted(projects.only))
