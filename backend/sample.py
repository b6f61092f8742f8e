"""Deterministic, realistic sample Wikimedia pageview dump files (tests, demos, benchmarks).

:func:`write_sample` writes the public dump formats (``pageviews`` hourly, ``pageview_complete``
daily and monthly, legacy ``pagecounts-raw``) for a range of days, byte-identical for the same
seed and arguments, plus ``manifest.json`` holding the exact truth of every file (lines,
malformed lines by kind, valid views per project and access); :func:`sample_truth` reads it.

All formats come from one set of hourly counts per (project, access, agent, title), so they
agree: a ``pageviews`` file is the ``user`` agent with ``mobile-web`` + ``mobile-app`` merged,
a ``complete`` daily file holds the same counts per hour letter, a monthly file their daily
sums, and a ``pagecounts`` file the desktop views of all agents. Popularity is Zipf over a
per-project title list; the rank of a (project, title) depends only on the seed.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import json
import math
import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any
from urllib.parse import quote

FORMATS = ("pageviews", "complete", "complete-monthly", "pagecounts")
AGENTS = ("user", "spider", "automated")
ACCESSES = ("desktop", "mobile-web", "mobile-app")
#: Reasons a line is rejected; ``too_long`` is never generated here (see tests/fixtures/bad).
MALFORMED_KINDS = ("fields", "count", "utf8", "nul", "too_long", "domain")
MANIFEST = "manifest.json"

#: Agent → (views relative to ``user``, Zipf exponent of its popularity).
_AGENT_SHAPE = {"user": (1.0, 1.0), "spider": (0.05, 0.9), "automated": (0.02, 1.4)}
_VIEWS_PER_TITLE = 1.0  # mean user views per hour per title of a project, before the cycle
_GENERATED_KINDS = ("fields", "count", "negative", "utf8", "nul", "domain")


@dataclass(frozen=True)
class Project:
    """A sampled wiki: API name, hourly domain codes, size and traffic shape."""

    name: str
    desktop: str
    mobile: str | None
    share: float  # title count relative to the largest project
    split: tuple[float, float, float]  # shares of desktop, mobile-web, mobile-app views
    peak: int  # UTC hour of the daily peak
    vocab: str


PROJECTS: tuple[Project, ...] = (
    Project("en.wikipedia", "en", "en.m", 1.0, (0.38, 0.56, 0.06), 17, "en"),
    Project("de.wikipedia", "de", "de.m", 0.35, (0.45, 0.5, 0.05), 19, "de"),
    Project("fr.wikipedia", "fr", "fr.m", 0.3, (0.45, 0.5, 0.05), 19, "fr"),
    Project("ja.wikipedia", "ja", None, 0.25, (1.0, 0.0, 0.0), 12, "ja"),
    Project("de.wikibooks", "de.b", "de.m.b", 0.04, (0.7, 0.3, 0.0), 18, "deb"),
    Project("fr.wikivoyage", "fr.voy", None, 0.03, (1.0, 0.0, 0.0), 18, "voy"),
    Project("commons.wikimedia", "commons.m", "commons.m.m", 0.2, (0.8, 0.2, 0.0), 15, "commons"),
    Project("wikidata", "www.wd", "m.wd", 0.15, (0.9, 0.1, 0.0), 14, "wikidata"),
)

# Titles every project has; the first three are the most popular, the rest rank high.
_FIXED: dict[str, list[str]] = {
    "en": ["Main_Page", "Special:Search", "-", "Special:Random", "100%_Pure",
           '"Weird_Al"_Yankovic', "\\o/", "Vertical_bar_|", "Café", "東京", "Zürich",
           "القاهرة", "ירושלים", "Ελλάδα", "Москва", "😀"],
    "de": ["Wikipedia:Hauptseite", "Spezial:Suche", "-", "Special:Search", "Köln", "Müller",
           "Straße_des_17._Juni", "Österreich", "Ärzte_ohne_Grenzen", "Spezial:Zufällige_Seite"],
    "fr": ["Wikipédia:Accueil_principal", "Spécial:Recherche", "-", "Special:Search", "Café",
           "Élysée", "L'Étranger", "100%_Pure"],
    "ja": ["メインページ", "特別:検索", "-", "東京都", "日本", "ラーメン"],
    "deb": ["Hauptseite", "Special:Search", "Kochbuch/_Apfelstrudel", "Regal:Informatik"],
    "voy": ["Accueil", "Spécial:Recherche", "Paris", "Île-de-France"],
    "commons": ["Main_Page", "Special:MediaSearch", "Special:Search", "File:Example.jpg",
                "File:Łódź_–_Piotrkowska.jpg", "Category:Ελλάδα"],
    "wikidata": ["Wikidata:Main_Page", "Special:Search", "Q42", "Special:EntityPage/Q5",
                 "Property:P31"],
}  # fmt: skip
_SYL = "ka ro len mar to bel an si dor vi na chel ter gra mo lis ben ur sta fen ko ri pa ve"
_SYLLABLES = {
    "en": _SYL.split(),
    "de": (_SYL + " mü bä kö grü hö fü ün").split(),
    "fr": (_SYL + " é è ça fê lè ô").split(),
}
_PATTERNS = {
    "en": ["{w}", "{w}_{v}", "{w}_(film)", "{w}_(album)", "List_of_{w}_{v}s", "{w},_{v}",
           "Talk:{w}", "User:{w}{n}", "Category:{w}_{v}", "File:{w}.jpg", "{w}_{v}_River"],
    "de": ["{w}", "{w}straße", "{w}_(Begriffsklärung)", "Liste_der_{w}", "Diskussion:{w}",
           "{w}er_{v}", "Bad_{w}", "{w}_(Gemeinde)"],
    "fr": ["{w}", "{w}_(homonymie)", "Liste_des_{w}", "Discussion:{w}", "Saint-{w}",
           "{w}-sur-{v}", "{w}_(commune)"],
    "deb": ["Kochbuch/_{w}", "Mathematik:_{w}/_{v}", "Regal:{w}", "{w}/_Kapitel_{n}"],
    "voy": ["{w}", "{w}_(département)", "Saint-{w}", "{w}-sur-{v}"],
    "commons": ["File:{w}_{n}.jpg", "File:{w}_{v}.svg", "Category:{w}", "Category:{w}_in_{v}",
                "File:{w}_–_{v}.JPG"],
}  # fmt: skip
_KANJI = "東京大阪京都日本山川田中村北南西海島学校駅線鉄道神社寺城市町県国語史歌劇映画"
_KANA = ["アニメ", "ゲーム", "サッカー", "テレビ", "ドラマ", "プロ野球", "ラーメン"]
_SPECIAL_PREFIXES = ("Special:", "Spezial:", "Spécial:", "特別:")


def _rng(seed: int, *parts: object) -> random.Random:
    """A generator seeded from a stable digest of ``seed`` and ``parts`` (never ``hash()``)."""
    key = "\x1f".join(str(p) for p in (seed, *parts)).encode()
    return random.Random(int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "big"))


def _make_title(rng: random.Random, vocab: str) -> str:
    """One plausible title of a project's vocabulary (UTF-8, underscores, never encoded)."""
    if vocab == "ja":
        kanji = "".join(rng.choice(_KANJI) for _ in range(rng.randint(2, 4)))
        return rng.choice([kanji, kanji + rng.choice(_KANA), f"{kanji}の{rng.choice(_KANA)}"])
    if vocab == "wikidata":
        number = rng.randint(1, 120_000_000)
        return rng.choice([f"Q{number}", f"Q{number}", f"Property:P{1 + number % 12000}"])
    syllables = _SYLLABLES[{"deb": "de", "voy": "fr", "commons": "en"}.get(vocab, vocab)]

    def word() -> str:
        text = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
        return text[0].upper() + text[1:]

    pattern = rng.choice(_PATTERNS[vocab])
    return pattern.format(w=word(), v=word(), n=rng.randint(1, 999))


@dataclass
class _Pool:
    """A project's titles in popularity order with page ids, sizes and per-agent draws."""

    titles: list[str]
    page_ids: list[int | None]
    sizes: list[int]
    draws: dict[str, tuple[list[int], list[float]]]


def _pool(seed: int, project: Project, titles: int) -> _Pool:
    """Build the title list of ``project``; index = popularity rank for the ``user`` agent."""
    rng = _rng(seed, "titles", project.name)
    fixed = _FIXED[project.vocab]
    n = max(len(fixed) + 4, round(titles * project.share))
    seen, extra = set(fixed), []
    while len(fixed) + len(extra) < n:
        title = _make_title(rng, project.vocab)
        if title in seen:
            title = f"{title}_({len(extra)})"
        if title not in seen:
            seen.add(title)
            extra.append(title)
    window = max(len(fixed), n // 10)  # the fixed titles rank in the top tenth
    for title in fixed[3:]:
        extra.insert(rng.randint(0, min(window, len(extra))), title)
    ordered = fixed[:3] + extra
    page_ids = [
        None
        if t == "-" or "|" in t or t.startswith(_SPECIAL_PREFIXES) or rng.random() < 0.03
        else rng.randint(1, 80_000_000)
        for t in ordered
    ]
    sizes = [int(rng.lognormvariate(10.0, 0.8)) + 400 for _ in ordered]
    draws = {}
    for agent, (_share, exponent) in _AGENT_SHAPE.items():
        population = list(range(n))
        if agent != "user":
            _rng(seed, "rank", project.name, agent).shuffle(population)
        draws[agent] = (population, list(accumulate(1 / (r + 1) ** exponent for r in range(n))))
    return _Pool(ordered, page_ids, sizes, draws)


Views = dict[tuple[str, str, str], list[Counter[int]]]


def _day_views(seed: int, pools: dict[str, _Pool], day: date) -> Views:
    """Hourly views of ``day``: (project, access, agent) → 24 Counters of title index → views."""
    out: Views = {}
    for project in PROJECTS:
        pool = pools[project.name]
        base = len(pool.titles) * _VIEWS_PER_TITLE
        base *= 0.85 + 0.3 * _rng(seed, "day", project.name, day).random()
        for access, access_share in zip(ACCESSES, project.split, strict=True):
            for agent, (agent_share, _exponent) in _AGENT_SHAPE.items():
                population, cum_weights = pool.draws[agent]
                hours = []
                for hour in range(24):
                    rng = _rng(seed, "views", project.name, access, agent, day, hour)
                    cycle = 1 + 0.5 * math.cos(2 * math.pi * (hour - project.peak) / 24)
                    lam = base * access_share * agent_share * cycle
                    k = max(0, round(rng.gauss(lam, math.sqrt(lam)))) if lam > 0 else 0
                    hours.append(Counter(rng.choices(population, cum_weights=cum_weights, k=k)))
                out[(project.name, access, agent)] = hours
    return out


def _bad_line(kind: str, style: str, rng: random.Random) -> bytes:
    """One malformed line of ``kind`` (or ``negative``) in ``style`` hourly/pagecounts/complete."""
    word = "".join(rng.choice(_SYLLABLES["en"]) for _ in range(3)).capitalize()
    n = rng.randint(1, 40)
    bad_count = rng.choice(["seven", "12k", "1.5"]) if kind == "count" else f"-{n}"
    if style == "complete":
        wiki = "xx.zz.qq" if kind == "domain" else rng.choice(["en.wikipedia", "wikidata"])
        access, pid = rng.choice(ACCESSES), rng.choice(["null", str(rng.randint(1, 9999))])
        if kind == "fields":
            return rng.choice(
                [f"{wiki} {word} {access} {n}", f"{wiki} Broken {word} {pid} {access} {n} A{n}"]
            ).encode()
        total = bad_count if kind in ("count", "negative") else str(n)
        fields = [wiki, "{}", pid, access, total, f"A{n}"]
    else:
        code = "xx.zz.qq" if kind == "domain" else rng.choice(["en", "de", "fr"])
        size = "0" if style == "pageviews" else str(n * rng.randint(2000, 60000))
        if kind == "fields":
            return rng.choice([f"{code} {word} {n}", f"{code} Broken {word} {n} {size}"]).encode()
        count = bad_count if kind in ("count", "negative") else str(n)
        fields = [code, "{}", count, size]
    title = {"utf8": b"Caf\xe9_" + word.encode(), "nul": word.encode() + b"\x00x"}
    line = " ".join(fields).encode()
    return line.replace(b"{}", title.get(kind, word.encode()))


def _write(
    path: Path, valid: list[bytes], style: str, first: bool, malformed: bool, rng: random.Random
) -> tuple[int, dict[str, int]]:
    """Insert malformed lines among ``valid``, compress by suffix, write; (lines, bad kinds)."""
    kinds: list[str] = []
    if malformed:
        plain = [k for k in _GENERATED_KINDS if k != "negative"]
        kinds = list(_GENERATED_KINDS) if first else rng.sample(plain, rng.randint(1, 3))
    lines = list(valid)
    bad: Counter[str] = Counter()
    for kind in kinds:
        lines.insert(rng.randint(0, len(lines)), _bad_line(kind, style, rng))
        bad["count" if kind == "negative" else kind] += 1
    data = b"".join(line + b"\n" for line in lines)
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(data, compresslevel=6, mtime=0))
    else:
        path.write_bytes(bz2.compress(data, 9))
    return len(lines), dict(sorted(bad.items()))


def _letters(counts: Sequence[int]) -> str:
    """``A3C1``: letter ``chr(65 + i)`` and count for every non-zero ``counts[i]``."""
    return "".join(f"{chr(65 + i)}{c}" for i, c in enumerate(counts) if c > 0)


Totals = defaultdict[str, Counter[str]]  # project → access → views


def _hourly_lines(pools: dict[str, _Pool], views: Views, hour: int) -> tuple[list[bytes], Totals]:
    """Sorted ``pageviews`` lines of one hour (user agent, mobile web + app merged)."""
    rows, totals = [], defaultdict(Counter)
    for p in PROJECTS:
        for code, bucket, accesses in ((p.desktop, "desktop", ACCESSES[:1]),
                                       (p.mobile, "mobile", ACCESSES[1:])):  # fmt: skip
            merged: Counter[int] = Counter()
            for access in accesses:
                merged.update(views[(p.name, access, "user")][hour])
            if code is None:
                assert not merged, f"{p.name} has mobile views but no mobile code"
                continue
            for idx, n in merged.items():
                rows.append((code.encode(), pools[p.name].titles[idx].encode(), n))
                totals[p.name][bucket] += n
    return [b"%s %s %d 0" % row for row in sorted(rows)], totals


def _pagecounts_lines(
    pools: dict[str, _Pool], views: Views, hour: int, rng: random.Random
) -> tuple[list[bytes], Totals, int]:
    """Sorted ``pagecounts-raw`` lines of one hour: desktop, all agents, percent-encoded titles,
    with bytes, plus ``<lang>.mw <lang>`` mobile subtotals; also totals and the subtotal count."""
    rows, totals, subtotals = [], defaultdict(Counter), 0
    for p in PROJECTS:
        pool = pools[p.name]
        merged: Counter[int] = Counter()
        for agent in AGENTS:
            merged.update(views[(p.name, "desktop", agent)][hour])
        for idx, n in sorted(merged.items()):
            size = round(n * pool.sizes[idx] * (0.9 + 0.2 * rng.random()))
            title = quote(pool.titles[idx], safe="!$&'()*+,-./:;=@_~")
            rows.append((p.desktop.encode(), title.encode(), n, size))
            totals[p.name]["desktop"] += n
        if p.mobile and p.name.endswith(".wikipedia"):
            mobile = sum(
                sum(views[(p.name, a, g)][hour].values()) for a in ACCESSES[1:] for g in AGENTS
            )
            if mobile:
                rows.append((f"{p.desktop}.mw".encode(), p.desktop.encode(), mobile, mobile * 9000))
                subtotals += 1
    return [b"%s %s %d %d" % row for row in sorted(rows)], totals, subtotals


def _complete_lines(
    rows: dict[tuple[str, int, str], list[int]], pools: dict[str, _Pool]
) -> tuple[list[bytes], Totals]:
    """Sorted ``complete`` lines from (project, title index, access) → counts; plus totals."""
    out, totals = [], defaultdict(Counter)
    for (name, idx, access), counts in rows.items():
        total = sum(counts)
        if total == 0:
            continue
        title, pid = pools[name].titles[idx], pools[name].page_ids[idx]
        pid_text = "null" if pid is None else str(pid)
        line = f"{name} {title} {pid_text} {access} {total} {_letters(counts)}"
        out.append(((name.encode(), title.encode(), access), line.encode()))
        totals[name][access] += total
    return [line for _key, line in sorted(out)], totals


def write_sample(
    out_dir: Path,
    *,
    start: date,
    days: int,
    seed: int = 1,
    formats: Sequence[str] = ("pageviews",),
    titles: int = 3000,
    malformed: bool = True,
) -> list[Path]:
    """Write sample dump files for the days ``[start, start + days)`` into ``out_dir``.

    ``formats`` are any of :data:`FORMATS`; ``titles`` is the title count of the largest
    project (the others get fewer). With ``malformed`` a few bad lines are mixed into every
    file, every generated kind in the first file of each format and agent. Also writes
    ``manifest.json`` (see :func:`sample_truth`). Returns the data files in writing order.
    """
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or days < 1 or titles < 1:
        raise ValueError(f"bad arguments: formats={list(formats)} days={days} titles={titles}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    pools = {p.name: _pool(seed, p, titles) for p in PROJECTS}
    written: list[Path] = []
    files: dict[str, dict[str, Any]] = {}
    series_seen: set[str] = set()

    def emit(name: str, valid: list[bytes], style: str, totals: Totals, **meta: Any) -> None:
        series = f"{meta['format']}/{meta.get('agent', '')}"
        first = series not in series_seen
        series_seen.add(series)
        path = out_dir / name
        lines, bad = _write(path, valid, style, first, malformed, _rng(seed, "bad", name))
        subtotal = meta.pop("subtotal_lines", 0)
        files[name] = {
            **meta,
            "lines": lines,
            "valid_lines": lines - sum(bad.values()) - subtotal,
            "malformed": bad,
            "subtotal_lines": subtotal,
            "views": {p: dict(sorted(a.items())) for p, a in sorted(totals.items())},
        }
        written.append(path)

    # (year, month) → agent → (project, title index, access) → views per day of the month
    months: dict[tuple[int, int], dict[str, dict[tuple[str, int, str], list[int]]]] = {}
    month_days: defaultdict[tuple[int, int], list[str]] = defaultdict(list)
    for offset in range(days):
        day = start + timedelta(days=offset)
        views = _day_views(seed, pools, day)
        for hour in range(24):
            at = datetime(day.year, day.month, day.day, hour)
            when = {"date": day.isoformat(), "hour": f"{at:%Y-%m-%dT%H}:00"}
            if "pageviews" in formats:
                valid, totals = _hourly_lines(pools, views, hour)
                emit(f"pageviews-{at:%Y%m%d-%H}0000.gz", valid, "pageviews", totals,
                     format="pageviews", **when)  # fmt: skip
            if "pagecounts" in formats:
                end = at + timedelta(hours=1)  # pagecounts files are named by the END of the hour
                rng = _rng(seed, "bytes", at.isoformat())
                valid, totals, subtotal = _pagecounts_lines(pools, views, hour, rng)
                emit(f"pagecounts-{end:%Y%m%d-%H}0000.gz", valid, "pagecounts", totals,
                     format="pagecounts", subtotal_lines=subtotal, **when)  # fmt: skip
        for agent in AGENTS if {"complete", "complete-monthly"} & set(formats) else ():
            per_title: dict[tuple[str, int, str], list[int]] = {}
            for p in PROJECTS:
                for access in ACCESSES:
                    hours = views[(p.name, access, agent)]
                    for idx in sorted(set().union(*hours)):
                        per_title[(p.name, idx, access)] = [h[idx] for h in hours]
            if "complete" in formats:
                valid, totals = _complete_lines(per_title, pools)
                emit(f"pageviews-{day:%Y%m%d}-{agent}.bz2", valid, "complete", totals,
                     format="complete", agent=agent, date=day.isoformat())  # fmt: skip
            if "complete-monthly" in formats:
                month = months.setdefault((day.year, day.month), {a: {} for a in AGENTS})[agent]
                for key, counts in per_title.items():
                    month.setdefault(key, [0] * 31)[day.day - 1] += sum(counts)
        month_days[(day.year, day.month)].append(day.isoformat())
    for (year, month_no), by_agent in months.items():
        for agent, rows in by_agent.items():
            valid, totals = _complete_lines(rows, pools)
            emit(f"pageviews-{year:04d}{month_no:02d}-{agent}.bz2", valid, "complete", totals,
                 format="complete-monthly", agent=agent, month=f"{year:04d}-{month_no:02d}",
                 days=month_days[(year, month_no)])  # fmt: skip
    manifest = {
        "generator": "backend.sample",
        "seed": seed,
        "start": start.isoformat(),
        "days": days,
        "formats": list(formats),
        "titles": titles,
        "malformed": malformed,
        "files": dict(sorted(files.items())),
    }
    text = json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    (out_dir / MANIFEST).write_text(text, encoding="utf-8")
    return written


def sample_truth(out_dir: Path) -> dict[str, Any]:
    """The manifest :func:`write_sample` left in ``out_dir``: exact truth of every file.

    ``files`` maps each file name to ``format`` (and ``agent``, ``date``, ``hour`` — start of
    the hour covered —, ``month`` and ``days`` where they apply), ``lines`` (all lines),
    ``valid_lines``, ``malformed`` (kind → lines), ``subtotal_lines`` (pagecounts ``.mw``) and
    ``views`` (project → access → valid views; access is ``desktop``/``mobile`` for hourly
    and pagecounts files, ``desktop``/``mobile-web``/``mobile-app`` for complete files).
    """
    return json.loads((Path(out_dir) / MANIFEST).read_text(encoding="utf-8"))
