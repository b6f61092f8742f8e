"""Tests of backend.sample: determinism, names, format rules, malformed lines, truth, shape.

The line checker below is a small independent reference of the dump formats
(docs: shared reference sections 6.1, 6.2, 6.4), not the project's loader.
"""

from __future__ import annotations

import bz2
import gzip
import importlib.util
import json
import os
import re
import statistics
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote_to_bytes

import pytest

from backend.codes import Access
from backend.domain_codes import SubtotalLine, parse_domain_code
from backend.sample import ACCESSES, AGENTS, FORMATS, PROJECTS, sample_truth, write_sample

FIXTURES = Path(__file__).resolve().parent / "fixtures"
START = date(2024, 3, 1)
GENERATED_KINDS = {"fields", "count", "utf8", "nul", "domain"}
TOO_LONG = 1 << 20
DIGITS = re.compile(r"[0-9]+")
PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
HOUR_LETTERS = re.compile(r"([A-X])([0-9]+)")
DAY_LETTERS = re.compile(r"([A-Z\[\\\]^_])([0-9]+)")
KNOWN_WIKIS = {
    parsed[0]
    for p in PROJECTS
    for c in (p.desktop, p.mobile)
    if c and (parsed := parse_domain_code(c))
}


# --- reference checker -------------------------------------------------------------------


def read_lines(path: Path) -> list[bytes]:
    """Decompressed lines of a dump file; every line ends with a newline."""
    with (gzip.open if path.suffix == ".gz" else bz2.open)(path, "rb") as stream:
        data = stream.read()
    assert data.endswith(b"\n"), path
    return data[:-1].split(b"\n")


def check_line(line: bytes, fmt: str) -> tuple[str | None, dict]:
    """(reject reason or None or "subtotal", parsed fields) of one line by the format rules.

    Reasons are the loader's (backend.ingest.parsed.REJECT_REASONS); ``hours`` (letters that
    do not parse or sum to the total) is never generated, so it fails the manifest checks.
    """
    if len(line) >= TOO_LONG:
        return "too_long", {}
    if b"\x00" in line:
        return "nul", {}
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return "utf8", {}
    fields = text.split(" ")
    if fmt in ("pageviews", "pagecounts"):
        if len(fields) != 4:
            return "fields", {}
        code, title, count, size = fields
        if not DIGITS.fullmatch(count) or not DIGITS.fullmatch(size) or int(count) < 1:
            return "count", {}
        try:
            parsed = parse_domain_code(code)
        except SubtotalLine:
            return "subtotal", {"code": code, "title": title}
        if parsed is None:
            return "domain", {}
        bucket = "desktop" if parsed[1] is Access.DESKTOP else "mobile"
        assert title and (size == "0") == (fmt == "pageviews"), line
        return None, {"code": code, "project": parsed[0], "access": bucket, "title": title,
                      "count": int(count), "size": int(size)}  # fmt: skip
    if len(fields) != 6:
        return "fields", {}
    wiki, title, page_id, access, total, letters = fields
    pattern = DAY_LETTERS if fmt == "complete-monthly" else HOUR_LETTERS
    pairs = [(m[1], int(m[2])) for m in pattern.finditer(letters)]
    if not DIGITS.fullmatch(total):
        return "count", {}
    if "".join(f"{k}{n}" for k, n in pairs) != letters or sum(n for _, n in pairs) != int(total):
        return "hours", {}
    if wiki not in KNOWN_WIKIS:
        return "domain", {}
    assert page_id == "null" or DIGITS.fullmatch(page_id), line
    assert access in ACCESSES and title and int(total) > 0, line
    keys = [k for k, _ in pairs]
    assert keys == sorted(set(keys)) and all(n > 0 for _, n in pairs), line
    return None, {"project": wiki, "access": access, "title": title, "total": int(total),
                  "page_id": page_id, "slots": {ord(k) - 65: n for k, n in pairs}}  # fmt: skip


def recount(path: Path, fmt: str) -> dict:
    """Everything a manifest row claims, recounted from the file."""
    bad: Counter[str] = Counter()
    views: defaultdict[str, Counter[str]] = defaultdict(Counter)
    valid, subtotal, keys = [], 0, []
    lines = read_lines(path)
    for line in lines:
        reason, row = check_line(line, fmt)
        if reason == "subtotal":
            subtotal += 1
        elif reason:
            bad[reason] += 1
        else:
            valid.append(row)
            views[row["project"]][row["access"]] += row.get("count", row.get("total", 0))
            first = row["code"] if "code" in row else row["project"]
            keys.append((first.encode(), row["title"].encode(), row["access"]))
    return {"lines": len(lines), "valid_lines": len(valid), "malformed": dict(bad),
            "subtotal_lines": subtotal, "views": {p: dict(a) for p, a in views.items()},
            "rows": valid, "keys": keys}  # fmt: skip


@pytest.mark.parametrize(
    ("fmt", "line", "reason"),
    [
        ("pageviews", b"en Main_Page 12 0", None),
        ("pageviews", b"commons.m.m File:Mobile.jpg 5 0", None),
        ("pageviews", b"en Main_Page 12", "fields"),
        ("pageviews", b"en Main Page 12 0", "fields"),
        ("pageviews", b"en Main_Page -3 0", "count"),
        ("pageviews", b"en Main_Page x3 0", "count"),
        ("pageviews", b"en Caf\xe9 3 0", "utf8"),
        ("pageviews", b"en Ca\x00f 3 0", "nul"),
        ("pageviews", b"xx.zz.qq Main_Page 3 0", "domain"),
        ("pagecounts", b"en.mw en 12345 987654", "subtotal"),
        ("pagecounts", b"en Caf%C3%A9 2 4000", None),
        ("complete", b"en.wikipedia Main_Page 15580374 desktop 300 A100B200", None),
        ("complete", b"en.wikipedia Main_Page null desktop 301 A100B200", "hours"),
        ("complete", b"en.wikipedia Main_Page null desktop 300 A100Y200", "hours"),
        ("complete", b"en.wikipedia Main_Page desktop 300 A100B200", "fields"),
        ("complete", b"en.wikipedia Main_Page null desktop -3 A3", "count"),
        ("complete", b"xx.zz.qq Main_Page null desktop 3 A3", "domain"),
        ("complete-monthly", b"wikidata Q42 null mobile-web 16 A8_8", None),
        ("complete-monthly", b"wikidata Q42 null mobile-web 16 A8B-8", "hours"),
    ],
)
def test_reference_checker(fmt: str, line: bytes, reason: str | None) -> None:
    assert check_line(line, fmt)[0] == reason


# --- samples -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    write_sample(out, start=START, days=2, seed=3, formats=FORMATS, titles=400)
    return out


@pytest.fixture(scope="module")
def truth(sample: Path) -> dict:
    return sample_truth(sample)


def test_same_seed_same_bytes_other_seed_differs(tmp_path: Path) -> None:
    kwargs = {"start": START, "days": 1, "formats": FORMATS, "titles": 150}
    a = write_sample(tmp_path / "a", seed=5, **kwargs)
    b = write_sample(tmp_path / "b", seed=5, **kwargs)
    c = write_sample(tmp_path / "c", seed=6, **kwargs)
    assert [p.name for p in a] == [p.name for p in b] == [p.name for p in c]
    for pa, pb, pc in zip(a, b, c, strict=True):
        assert pa.read_bytes() == pb.read_bytes(), pa.name
        assert read_lines(pa) != read_lines(pc), pa.name
    assert (tmp_path / "a/manifest.json").read_bytes() == (
        tmp_path / "b/manifest.json"
    ).read_bytes()


@pytest.mark.slow
def test_independent_of_hash_seed(tmp_path: Path) -> None:
    script = (
        "import sys; from datetime import date; from pathlib import Path;"
        "from backend.sample import write_sample;"
        "write_sample(Path(sys.argv[1]), start=date(2024, 3, 1), days=1, titles=60,"
        " formats=('pageviews', 'complete', 'pagecounts'))"
    )
    for name, hash_seed in (("x", "1"), ("y", "2")):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        subprocess.run([sys.executable, "-c", script, str(tmp_path / name)], env=env, check=True)
    names = sorted(p.name for p in (tmp_path / "x").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "y").iterdir())
    for name in names:
        assert (tmp_path / "x" / name).read_bytes() == (tmp_path / "y" / name).read_bytes(), name


def test_file_names_and_hour_conventions(sample: Path, truth: dict) -> None:
    names = {p.name for p in sample.iterdir()} - {"manifest.json"}
    assert names == set(truth["files"])
    expected = set()
    for d in (START, START + timedelta(days=1)):
        for h in range(24):
            start = datetime(d.year, d.month, d.day, h)
            end = start + timedelta(hours=1)
            expected.add(f"pageviews-{start:%Y%m%d-%H}0000.gz")
            expected.add(f"pagecounts-{end:%Y%m%d-%H}0000.gz")
            row = truth["files"][f"pagecounts-{end:%Y%m%d-%H}0000.gz"]
            assert row["hour"] == f"{start:%Y-%m-%dT%H}:00" == truth["files"][
                f"pageviews-{start:%Y%m%d-%H}0000.gz"]["hour"]  # fmt: skip
            assert row["date"] == d.isoformat()
        expected |= {f"pageviews-{d:%Y%m%d}-{a}.bz2" for a in AGENTS}
    expected |= {f"pageviews-202403-{a}.bz2" for a in AGENTS}
    assert names == expected
    # the last hour of the run (2024-03-02 23:00–24:00) is in the next day's 000000 file
    assert truth["files"]["pagecounts-20240303-000000.gz"]["hour"] == "2024-03-02T23:00"
    assert truth["files"]["pagecounts-20240302-000000.gz"]["hour"] == "2024-03-01T23:00"
    assert "pagecounts-20240301-000000.gz" not in names
    assert truth["files"]["pageviews-202403-user.bz2"]["days"] == ["2024-03-01", "2024-03-02"]


def test_every_file_matches_its_manifest_row(sample: Path, truth: dict) -> None:
    for name, row in truth["files"].items():
        got = recount(sample / name, row["format"])
        for key in ("lines", "valid_lines", "malformed", "subtotal_lines", "views"):
            assert got[key] == row[key], (name, key)
        assert got["keys"] == sorted(got["keys"]), f"{name}: valid lines not sorted"
        assert 1 <= sum(row["malformed"].values()) <= 6, name
        assert row["format"] != "pagecounts" or row["subtotal_lines"] >= 1


def test_first_file_of_each_series_has_every_kind(sample: Path, truth: dict) -> None:
    firsts = ["pageviews-20240301-000000.gz", "pagecounts-20240301-010000.gz"]
    firsts += [f"pageviews-20240301-{a}.bz2" for a in AGENTS]
    firsts += [f"pageviews-202403-{a}.bz2" for a in AGENTS]
    for name in firsts:
        assert set(truth["files"][name]["malformed"]) == GENERATED_KINDS, name
        fmt = truth["files"][name]["format"]
        kinds = Counter(check_line(line, fmt)[0] for line in read_lines(sample / name))
        assert kinds["count"] == 2, name  # one non-numeric, one negative
    later = truth["files"]["pageviews-20240302-000000.gz"]["malformed"]
    assert 1 <= sum(later.values()) <= 3 and set(later) <= GENERATED_KINDS


def test_negative_and_non_numeric_counts_both_present(sample: Path) -> None:
    counts = []
    for line in read_lines(sample / "pageviews-20240301-000000.gz"):
        fields = line.split(b" ")
        if len(fields) == 4 and not DIGITS.fullmatch(fields[2].decode("latin-1")):
            counts.append(fields[2])
    assert len(counts) == 2
    assert any(c.startswith(b"-") and c[1:].isdigit() for c in counts)
    assert any(not c.lstrip(b"-").isdigit() for c in counts)


def test_without_malformed_every_line_is_valid(tmp_path: Path) -> None:
    write_sample(tmp_path, start=START, days=1, formats=FORMATS, titles=80, malformed=False)
    for name, row in sample_truth(tmp_path)["files"].items():
        assert row["malformed"] == {}, name
        got = recount(tmp_path / name, row["format"])
        assert got["malformed"] == {} and got["views"] == row["views"], name


def test_domain_codes_and_projects(sample: Path) -> None:
    assert {p.name for p in PROJECTS} == KNOWN_WIKIS
    for p in PROJECTS:
        assert parse_domain_code(p.desktop) == (p.name, Access.DESKTOP)
        assert p.mobile is None or parse_domain_code(p.mobile) == (p.name, Access.MOBILE)
    codes = {
        r["code"] for r in recount(sample / "pageviews-20240301-120000.gz", "pageviews")["rows"]
    }
    assert {"en", "en.m", "de.b", "de.m.b", "commons.m", "commons.m.m", "www.wd", "m.wd"} <= codes
    legacy = recount(sample / "pagecounts-20240301-130000.gz", "pagecounts")["rows"]
    assert {r["code"] for r in legacy} == {p.desktop for p in PROJECTS}
    assert all(r["size"] > 0 for r in legacy)


def test_percent_encoding_only_in_pagecounts(sample: Path, truth: dict) -> None:
    encoded = plain = 0
    for name, row in truth["files"].items():
        for r in recount(sample / name, row["format"])["rows"]:
            if row["format"] != "pagecounts":
                assert not PERCENT.search(r["title"]), (name, r["title"])
                continue
            assert r["title"].isascii() and "%" not in PERCENT.sub("", r["title"]), r["title"]
            decoded = unquote_to_bytes(r["title"]).decode("utf-8")
            encoded += decoded != r["title"]
            plain += decoded == r["title"]
    assert encoded > 50 and plain > 50


def test_special_titles_appear(sample: Path) -> None:
    titles, legacy = set(), set()
    for h in range(24):
        titles |= {r["title"] for r in recount(sample / f"pageviews-20240301-{h:02d}0000.gz",
                                               "pageviews")["rows"]}  # fmt: skip
        end = "20240302-000000" if h == 23 else f"20240301-{h + 1:02d}0000"
        legacy |= {
            r["title"] for r in recount(sample / f"pagecounts-{end}.gz", "pagecounts")["rows"]
        }
    for t in ["Main_Page", "Special:Search", "Special:Random", "-", "100%_Pure",
              '"Weird_Al"_Yankovic', "\\o/", "Vertical_bar_|", "Zürich", "東京", "القاهرة",
              "ירושלים", "Köln"]:  # fmt: skip
        assert t in titles, t
    assert {"100%25_Pure", "Caf%C3%A9", "%E6%9D%B1%E4%BA%AC", "Main_Page"} <= legacy


def test_formats_agree(sample: Path, truth: dict) -> None:
    files = truth["files"]
    for d in ("20240301", "20240302"):
        hourly: defaultdict[tuple[str, str, int, str], int] = defaultdict(int)
        for h in range(24):
            for r in recount(sample / f"pageviews-{d}-{h:02d}0000.gz", "pageviews")["rows"]:
                hourly[(r["project"], r["title"], h, r["access"])] += r["count"]
        complete: defaultdict[tuple[str, str, int, str], int] = defaultdict(int)
        for r in recount(sample / f"pageviews-{d}-user.bz2", "complete")["rows"]:
            bucket = "desktop" if r["access"] == "desktop" else "mobile"
            for h, n in r["slots"].items():
                complete[(r["project"], r["title"], h, bucket)] += n
        assert hourly == complete
        # pagecounts: desktop views of all agents, per day
        legacy = Counter()
        for row in files.values():
            if row["format"] == "pagecounts" and row["date"].replace("-", "") == d:
                legacy.update({p: a["desktop"] for p, a in row["views"].items()})
        desktop = Counter()
        for a in AGENTS:
            desktop.update(
                {
                    p: v.get("desktop", 0)
                    for p, v in files[f"pageviews-{d}-{a}.bz2"]["views"].items()
                }
            )
        assert +legacy == +desktop
    for agent in AGENTS:
        daily = defaultdict(int)
        for day in (1, 2):
            for r in recount(sample / f"pageviews-2024030{day}-{agent}.bz2", "complete")["rows"]:
                daily[(r["project"], r["title"], r["access"], day - 1)] += r["total"]
        monthly = defaultdict(int)
        for r in recount(sample / f"pageviews-202403-{agent}.bz2", "complete-monthly")["rows"]:
            for slot, n in r["slots"].items():
                monthly[(r["project"], r["title"], r["access"], slot)] += n
        assert daily == monthly, agent


def test_month_spanning_run_letters(tmp_path: Path) -> None:
    write_sample(
        tmp_path, start=date(2024, 2, 28), days=3, formats=("complete-monthly",), titles=60
    )
    truth = sample_truth(tmp_path)["files"]
    assert set(truth) == {f"pageviews-2024{m}-{a}.bz2" for m in ("02", "03") for a in AGENTS}
    assert truth["pageviews-202402-user.bz2"]["days"] == ["2024-02-28", "2024-02-29"]
    feb = recount(tmp_path / "pageviews-202402-user.bz2", "complete-monthly")["rows"]
    mar = recount(tmp_path / "pageviews-202403-user.bz2", "complete-monthly")["rows"]
    assert set().union(*(r["slots"] for r in feb)) == {27, 28}  # "\" = 28th, "]" = 29th
    assert set().union(*(r["slots"] for r in mar)) == {0}  # "A" = 1st
    assert any("\\" in line.decode("utf-8", "replace").split(" ")[-1] for line in
               read_lines(tmp_path / "pageviews-202402-user.bz2"))  # fmt: skip


def test_zipf_popularity_and_daily_cycle(sample: Path, truth: dict) -> None:
    rows = recount(sample / "pageviews-20240301-user.bz2", "complete")["rows"]
    per_title = Counter()
    for r in rows:
        if r["project"] == "en.wikipedia":
            per_title[r["title"]] += r["total"]
    ranked = per_title.most_common()
    assert ranked[0][0] == "Main_Page"
    median = statistics.median([0] * (400 - len(per_title)) + list(per_title.values()))
    assert ranked[0][1] > 30 * max(median, 1)
    assert sum(n for _, n in ranked[:40]) > sum(n for _, n in ranked[40:])  # top 10 % > the rest
    # most titles get no view in a given hour
    hour = recount(sample / "pageviews-20240301-120000.gz", "pageviews")["rows"]
    assert len([r for r in hour if r["code"] == "en"]) < 0.5 * 400
    # daily cycle: en.wikipedia peaks in the (UTC) evening, is low around 05:00
    en = [
        truth["files"][f"pageviews-20240301-{h:02d}0000.gz"]["views"]["en.wikipedia"]
        for h in range(24)
    ]
    totals = [sum(a.values()) for a in en]
    assert totals[17] > 2 * totals[5]
    # the same titles are the most popular on another day
    other = Counter()
    for r in recount(sample / "pageviews-20240302-user.bz2", "complete")["rows"]:
        if r["project"] == "en.wikipedia":
            other[r["title"]] += r["total"]
    top3 = [t for t, _ in ranked[:3]]
    assert top3 == [t for t, _ in other.most_common(3)] == ["Main_Page", "Special:Search", "-"]


def test_agents_and_projects_sizes(sample: Path, truth: dict) -> None:
    files = truth["files"]
    user = files["pageviews-20240301-user.bz2"]
    for agent in ("spider", "automated"):
        assert files[f"pageviews-20240301-{agent}.bz2"]["lines"] * 2 < user["lines"]
        assert (sample / f"pageviews-20240301-{agent}.bz2").stat().st_size * 2 < (
            sample / "pageviews-20240301-user.bz2").stat().st_size  # fmt: skip
    views = {p: sum(a.values()) for p, a in user["views"].items()}
    assert max(views, key=views.__getitem__) == "en.wikipedia"
    assert views["en.wikipedia"] > 10 * views["fr.wikivoyage"]
    assert {"desktop", "mobile-web", "mobile-app"} == set(user["views"]["en.wikipedia"])
    rows = recount(sample / "pageviews-20240301-user.bz2", "complete")["rows"]
    special = [r for r in rows if r["title"].startswith("Special:")]
    assert special and all(r["page_id"] == "null" for r in special)
    ids = Counter(r["page_id"] == "null" for r in rows if not r["title"].startswith("Special:"))
    assert ids[False] > 10 * ids[True] > 0


def test_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_sample(tmp_path, start=START, days=1, formats=("pagecount",))
    with pytest.raises(ValueError):
        write_sample(tmp_path, start=START, days=0)


# --- committed fixtures ------------------------------------------------------------------


def streamed_lines(path: Path) -> int:
    """Complete lines a line-by-line reader gets from a truncated file before EOFError."""
    lines = 0
    with (gzip.open if path.suffix == ".gz" else bz2.open)(path, "rb") as stream:
        try:
            for line in stream:
                lines += line.endswith(b"\n")
        except EOFError:
            return lines
    raise AssertionError(f"{path} is not truncated")


def load_make_fixtures():
    spec = importlib.util.spec_from_file_location("make_fixtures", FIXTURES / "make_fixtures.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_fixtures_match_manifest() -> None:
    manifest = json.loads((FIXTURES / "manifest.json").read_text(encoding="utf-8"))
    names = {str(p.relative_to(FIXTURES)) for p in FIXTURES.rglob("*.gz")}
    names |= {str(p.relative_to(FIXTURES)) for p in FIXTURES.rglob("*.bz2")}
    assert names == set(manifest["files"])
    assert sum(p.stat().st_size for p in FIXTURES.rglob("*") if p.is_file()) < 300_000
    for name, row in manifest["files"].items():
        path = FIXTURES / name
        if row.get("error") == "not_gzip":
            with pytest.raises(gzip.BadGzipFile):
                gzip.decompress(path.read_bytes())
            continue
        if row.get("error") == "truncated":
            assert path.read_bytes()[:3] in (b"\x1f\x8b\x08", b"BZh")
            with pytest.raises(EOFError):
                read_lines(path)
            assert streamed_lines(path) == row["readable_lines"] < row["original_lines"], name
            continue
        got = recount(path, row["format"])
        for key in ("lines", "valid_lines", "malformed", "subtotal_lines", "views"):
            assert got[key] == row[key], (name, key)
    long_file = manifest["files"]["bad/pageviews-20240302-010000.gz"]
    assert long_file["malformed"] == {"too_long": 1} and long_file["long_line_bytes"] > TOO_LONG


@pytest.mark.slow
def test_fixture_script_reproduces_committed_files(tmp_path: Path) -> None:
    load_make_fixtures().build(tmp_path)
    for name in ("manifest.json", "README.md"):
        assert (tmp_path / name).read_bytes() == (FIXTURES / name).read_bytes(), name
    for name, row in json.loads((tmp_path / "manifest.json").read_text())["files"].items():
        if "error" not in row:  # compressed bytes may vary with the zlib build; content may not
            assert read_lines(tmp_path / name) == read_lines(FIXTURES / name), name
