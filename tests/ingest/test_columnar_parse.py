"""The vectorised parse gives exactly what the line-by-line rules give, odd lines included.

Each file is parsed twice: as the ingest does (blocks through Arrow, odd lines one by one)
and with every line forced through the line-by-line rules. Everything the loader uses must
be equal: rows, page ids, per-project hours and days, views and reject reasons.
"""

from __future__ import annotations

import random
import zlib
from collections import Counter
from pathlib import Path

import pytest

from backend.dumpfiles import identify
from backend.ingest import complete_dumps, hourly_dumps
from backend.ingest.complete_dumps import parse_complete_dump
from backend.ingest.lines import text_lines
from backend.ingest.parsed import ParsedFile, ProjectFilter
from backend.ingest.reader import read_selected
from tests.helpers import write_dump

WIKIS = ["en.wikipedia", "de.wikipedia", "commons.wikimedia", "fr.wiktionary", "wikidata"]
TITLES = ["Main_Page", "Ωmega", "سلام", "A|b", "{{x}}", "]]", "<script>", "-", "Z" * 300]
LETTERS_DAILY = "ABCDEFGHIJKLMNOPQRSTUVWX"


def good_line(rng: random.Random, slots: int) -> str:
    """A valid line: letters summing to the total."""
    letters = "".join(chr(65 + s) for s in range(slots))
    picked = rng.sample(letters, rng.randint(1, 4))
    counts = [rng.randint(0, 50) for _ in picked]
    access = rng.choice(["desktop", "mobile-web", "mobile-app"])
    wiki, title = rng.choice(WIKIS), rng.choice(TITLES) + str(rng.randint(0, 30))
    # A page has one id in a file (or none, for a title that is not a page).
    page = str(zlib.crc32(f"{wiki} {title}".encode()) % 10**8) if len(title) % 3 else "null"
    hours = "".join(f"{letter}{count}" for letter, count in zip(picked, counts, strict=True))
    return f"{wiki} {title} {page} {access} {sum(counts)} {hours}"


#: Ways to break (or oddly keep valid) a line, each a function of the good line's fields.
MUTATIONS = [
    lambda f: [*f[:4], "-3", f[5]],  # negative count
    lambda f: [*f[:4], "٣", f[5]],  # a non-ASCII digit: int() takes it
    lambda f: [*f[:4], "1_0", f[5]],  # int() takes underscores too
    lambda f: [*f[:4], f"+{f[4]}", f[5]],
    lambda f: [f[0], f[1], "-5", *f[3:]],  # negative page id
    lambda f: [f[0], f[1], "12a", *f[3:]],
    lambda f: [f[0], f[1], "0007", *f[3:]],
    lambda f: [f[0], f[1], *f[3:]],  # five fields: no page id (valid)
    lambda f: [*f[:3], "tablet", *f[4:]],
    lambda f: ["xx.notawiki", *f[1:]],
    lambda f: ["EN.wikipedia", *f[1:]],
    lambda f: [f[0], "", *f[2:]],  # empty title
    lambda f: [f[0], "é" * 300, *f[2:]],  # 600 bytes
    lambda f: [*f[:5], f[5] + "Y1"],  # hour 24
    lambda f: [*f[:5], f[5] + "A1"],  # letters no longer sum to the total
    lambda f: [*f[:5], f[5] + "junk"],
    lambda f: [*f[:4], "0", ""],  # zero line: valid, holds nothing
    lambda f: [*f[:4], "0", "A0"],
    lambda f: [*f[:5], f[5] + "A0"],
    lambda f: [*f, "extra"],
    lambda f: f[:3],
    lambda f: [f[0], f[1] + "  x", *f[2:]],  # two spaces: more fields
    lambda f: [*f[:4], "9" * 25, f[5]],  # beyond 64 bits
]


def lines_of(seed: int, count: int, slots: int) -> list[str]:
    rng = random.Random(seed)
    lines = []
    for _ in range(count):
        line = good_line(rng, slots)
        if rng.random() < 0.3:
            line = " ".join(rng.choice(MUTATIONS)(line.split(" ")))
        lines.append(line)
    return lines


def line_by_line(path: Path, projects: ProjectFilter, hourly: bool) -> ParsedFile:
    """The same file with every line through the line-by-line rules."""
    dump = identify(path)
    parsed = ParsedFile()
    reader = complete_dumps._CompleteReader(dump, projects, parsed, hourly)
    prefixes = complete_dumps._prefixes(projects)  # the same byte-level cut of other wikis
    for block in read_selected(path, prefixes, parsed.count_lines):
        for lines in text_lines([block], parsed.rejects):
            for line in lines:
                reader.take_line(line)
    reader.finish()
    return parsed


def comparable(parsed: ParsedFile) -> dict[str, object]:
    name = parsed.projects.get
    return {
        "rows": Counter((name(p), t, d, s, v) for p, t, d, s, v in parsed.iter_rows()),
        "page_ids": sorted((name(p), t, page) for p, t, page in parsed.iter_page_ids()),
        "hour_rows": Counter((name(p), t, h, s, v) for p, t, h, s, v in parsed.hour_rows),
        "project_hours": {(name(p), h, s): v for (p, h, s), v in parsed.project_hours.items()},
        "project_days": {(name(p), d, s): v for (p, d, s), v in parsed.project_days.items()},
        "views": parsed.views,
        "rejects": dict(parsed.rejects),
        "lines_read": parsed.lines_read,
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize(
    ("name", "slots"),
    [("pageviews-20210301-user.bz2", 24), ("pageviews-202103-spider.bz2", 31)],
)
@pytest.mark.parametrize("only", [None, frozenset({"en.wikipedia", "wikidata"})])
def test_vectorised_parse_equals_line_by_line(
    tmp_path: Path, seed: int, name: str, slots: int, only: frozenset[str] | None
):
    lines = lines_of(seed, 3000, slots)
    path = write_dump(tmp_path, name, sorted(lines))
    projects = ProjectFilter(only)
    hourly = slots == 24
    fast = parse_complete_dump(identify(path), projects, hourly_window=hourly)
    slow = line_by_line(path, projects, hourly)
    assert comparable(fast) == comparable(slow)
    assert fast.rejects, "the generated file must hold rejected lines"
    assert fast.row_count and (fast.page_id_tables or only)
    assert fast.row_tables, "clean blocks must take the vectorised path"


def test_odd_blocks_fall_back_to_line_by_line(tmp_path: Path):
    good = "en.wikipedia Main_Page 1 desktop 5 A2B3"
    path = write_dump(
        tmp_path,
        "pageviews-20210301-user.bz2",
        [
            good.encode(),
            b"en.wikipedia Bad\xff 1 desktop 5 A5",  # invalid UTF-8
            b"en.wikipedia Nul\x00 1 desktop 5 A5",
            b"en.wikipedia Carriage\r 1 desktop 5 A5",
            b"",  # an empty line
            ("en.wikipedia " + "x" * 5000 + " 1 desktop 5 A5").encode(),
        ],
    )
    parsed = parse_complete_dump(identify(path), ProjectFilter())
    assert dict(parsed.rejects) == {"utf8": 1, "nul": 1, "too_long": 1, "fields": 1}
    rows = sorted((t, v) for _p, t, _d, _s, v in parsed.iter_rows())
    assert rows == [("Carriage\r", 5), ("Main_Page", 5)]
    assert parsed.views == 10


HOURLY_CODES = ["en", "en.m", "de", "de.m.b", "commons.m", "en.mw", "xx-bogus.q", "EN", "fr.d"]

#: Ways to break (or oddly keep valid) an hourly line's fields (code, title, count, size).
HOURLY_MUTATIONS = [
    lambda f: [f[0], f[1], "-3", f[3]],
    lambda f: [f[0], f[1], "0", f[3]],
    lambda f: [f[0], f[1], "٣", f[3]],
    lambda f: [f[0], f[1], "+7", f[3]],
    lambda f: [f[0], f[1], "9" * 25, f[3]],
    lambda f: [f[0], f[1], "x", f[3]],
    lambda f: [f[0], "", f[2], f[3]],
    lambda f: [f[0], "é" * 300, f[2], f[3]],
    lambda f: [f[0], f[1], f[2], "junk"],  # the size field is not checked
    lambda f: f[:3],
    lambda f: [*f, "extra"],
]


def hourly_lines(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    lines = []
    for _ in range(count):
        fields = [
            rng.choice(HOURLY_CODES),
            rng.choice(TITLES) + str(rng.randint(0, 30)),
            str(rng.randint(1, 500)),
            "0",
        ]
        if rng.random() < 0.3:
            fields = rng.choice(HOURLY_MUTATIONS)(fields)
        lines.append(" ".join(fields))
    return lines


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("only", [None, frozenset({"en.wikipedia", "commons.wikimedia"})])
def test_vectorised_hourly_parse_equals_line_by_line(
    tmp_path: Path, seed: int, only: frozenset[str] | None
):
    path = write_dump(tmp_path, "pageviews-20210301-140000.gz", sorted(hourly_lines(seed, 3000)))
    projects = ProjectFilter(only)
    fast = hourly_dumps.parse_hourly_dump(identify(path), projects)
    slow = ParsedFile(single_hour=identify(path).first_hour)
    reader = hourly_dumps._HourlyReader(identify(path), projects, slow)
    for block in read_selected(path, hourly_dumps._prefixes(projects), slow.count_lines):
        for lines in text_lines([block], slow.rejects):
            for line in lines:
                reader.take_line(line)
    reader.finish()
    assert comparable(fast) == comparable(slow)
    assert fast.skipped == slow.skipped
    assert fast.rejects and fast.row_count
    assert fast.row_tables, "clean blocks must take the vectorised path"
