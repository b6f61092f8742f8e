"""Synthetic Wikimedia dumps for the ingest benchmark, cached by their generation parameters.

* :func:`hourly_file` writes one all-wikis hourly ``pageviews-YYYYMMDD-HH0000.gz`` of a real
  file's size and shape: ~800 domain codes with a long-tail share (``en`` ≈ 20 % of the lines,
  ``en.m`` ≈ 15 %), titles of realistic length (some UTF-8, some with ``%``, ``"`` or ``\\``),
  Pareto-distributed views, sorted by (domain code, title) bytewise.
* :func:`complete_days` writes ``pageview_complete`` daily files (``-user``, ``-spider``,
  ``-automated``) of one large wiki: Zipf popularity, most titles not read on a given day,
  hourly letters summing to the daily total, and ``truth.json`` with the exact number of
  lines (= non-zero (title, day, access, agent) counts) and views written.
* :func:`complete_all_wikis_file` writes one all-wikis ``pageview_complete`` daily user file.
* :func:`day_files` writes a whole day of hourly all-wikis files like :func:`hourly_file`'s,
  where popular titles recur every hour and the long tail changes, so that the day holds
  ~6.5 times an hour's lines in distinct (code, title) pairs, and a ``truth.json``.

All are deterministic for a seed and their size parameters. The data lands in a directory
named after those parameters and :data:`GENERATOR_VERSION`, written under a temporary name
and renamed when complete, so a rerun reuses it and an interrupted run leaves nothing stale.
"""

from __future__ import annotations

import bz2
import gzip
import json
import math
import multiprocessing
import os
import random
import resource
import shutil
import time
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path

from backend.domain_codes import parse_domain_code

#: Bump when the generated data changes, so that cached data of older versions is not reused.
GENERATOR_VERSION = 1

HOURLY_DATE = date(2024, 3, 1)
HOURLY_HOUR = 12
COMPLETE_FIRST_DAY = date(2024, 1, 1)
COMPLETE_WIKI = "en.wikipedia"

# -- titles ---------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    """The space-separated words of ``text`` (keeps long word lists readable)."""
    return text.split()


_SYLLABLES = _words(
    "ab ac ad al am an ar as at ba be bi bo bu ca ce ci co cu da de di do du el em en er es "
    "fa fe fi fo ga ge gi go ha he hi ho in is ka ke ki ko la le li lo lu ma me mi mo mu na "
    "ne ni no nu or pa pe pi po ra re ri ro ru sa se si so su ta te ti to tu un va ve vi vo "
    "wa we wi ya yo za zo ber ton ster land ville burg field ham wood stein berg son sen ez "
    "ian ina ova ski ric ford dale mont"
)
_UTF8_WORDS = _words(
    "Café Zürich São_Paulo Kraków Łódź Dvořák Ærø İstanbul Ōsaka Málaga Köln Müller Größe "
    "Österreich Ñandú Čapek Þingvellir Ἀθῆναι Москва Санкт-Петербург Ελλάδα Київ 東京 日本 "
    "北京 ラーメン 서울 القاهرة ירושלים हिन्दी ไทย Việt_Nam 😀"
)
_QUALIFIERS = _words(
    "film album band novel song TV_series musician footballer politician river village "
    "company video_game album_by_the_band 1987_film 2019_film surname disambiguation"
)
_NAMESPACES = ("Category", "File", "Talk", "User", "Template", "Wikipedia", "Special", "Portal")
_FIXED_TITLES = (
    "Main_Page", "-", "Special:Search", "Special:Random", "100%_Pure", '"Weird_Al"_Yankovic',
    "\\o/", "Deaths_in_2024", "Wikipedia:Featured_pictures",
)  # fmt: skip


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    """Capitalised pseudo-words of 2–4 syllables (4–14 letters)."""
    words: dict[str, None] = {}
    while len(words) < size:
        count = rng.choice((2, 3, 3, 3, 4, 4))
        words["".join(rng.choices(_SYLLABLES, k=count)).capitalize()] = None
    return list(words)


def make_titles(rng: random.Random, count: int) -> list[str]:
    """``count`` distinct titles, mostly 8–40 UTF-8 bytes, in a random (popularity) order."""
    vocab = _vocabulary(rng, 30_000)
    titles: dict[str, None] = dict.fromkeys(_FIXED_TITLES)
    size = len(vocab)

    def word() -> str:
        return vocab[rng.randrange(size)]

    def words(count: int) -> str:
        return "_".join(rng.choices(vocab, k=count))

    makers: list[tuple[float, Callable[[], str]]] = [
        (18, lambda: f"{word()}_{word().lower()}"),
        (16, lambda: words(2)),
        (14, lambda: words(3)),
        (5, lambda: words(4)),
        (5, lambda: f"{word()}_of_the_{word()}"),
        (4, word),
        (8, lambda: f"{words(2)}_({rng.choice(_QUALIFIERS)})"),
        (6, lambda: f"{rng.choice(_NAMESPACES)}:{words(2)}"),
        (3, lambda: f"File:{words(2)}_{rng.randrange(1, 999)}.jpg"),
        (4, lambda: f"{word()},_{word()}"),
        (3, lambda: f"{rng.randrange(1000, 2025)}_in_{word()}"),
        (3, lambda: f"List_of_{word().lower()}_episodes"),
        (5, lambda: f"{rng.choice(_UTF8_WORDS)}_{word()}"),
        (3, lambda: f"{word()}_{rng.randrange(1, 99_999)}"),
        (1, lambda: f"{word()}%E2%80%93{word()}"),
        (0.6, lambda: f"{rng.randrange(1, 101)}%_{word()}"),
        (0.6, lambda: f'"{word()}"_{word().lower()}'),
        (0.3, lambda: f"{word()}\\{word()}"),
    ]
    cum = list(accumulate(weight for weight, _ in makers))
    functions = [make for _, make in makers]
    while len(titles) < count:
        for index in rng.choices(range(len(functions)), cum_weights=cum, k=count - len(titles)):
            titles[functions[index]()] = None
    return list(titles)[:count]


# -- hourly all-wikis file ------------------------------------------------------------------

#: Domain codes with a fixed share of the lines; the long tail shares the rest.
_MAJOR_CODES: dict[str, float] = {
    "en": 0.20, "en.m": 0.15, "de": 0.035, "de.m": 0.03, "fr": 0.03, "fr.m": 0.025,
    "ja": 0.03, "ja.m": 0.02, "es": 0.025, "es.m": 0.025, "ru": 0.025, "ru.m": 0.02,
    "it": 0.015, "it.m": 0.012, "zh": 0.012, "zh.m": 0.008, "pt": 0.008, "pt.m": 0.008,
    "pl": 0.007, "pl.m": 0.006, "nl": 0.006, "nl.m": 0.004, "commons.m": 0.025,
    "commons.m.m": 0.003, "www.wd": 0.02, "m.wd": 0.004, "meta.m": 0.002, "www.w": 0.002,
    "species.m": 0.0005, "en.d": 0.004, "en.m.d": 0.003, "en.voy": 0.001, "en.s": 0.001,
}  # fmt: skip
_LANGUAGES = _words(
    "aa ab ace af ak als am an ang ar arc arz as ast av ay az azb ba bar bat-smg bcl be "
    "be-tarask bg bh bi bjn bm bn bo bpy br bs bug bxr ca cbk-zam cdo ce ceb ch chr chy ckb co "
    "cr crh cs csb cu cv cy da diq dsb dv dz ee el eml eo et eu ext fa ff fi fiu-vro fj fo frp "
    "frr fur fy ga gag gan gd gl glk gn gom got gu gv ha hak haw he hi hif hr hsb ht hu hy ia "
    "id ie ig ik ilo io is iu jam jbo jv ka kaa kab kbd kg ki kk kl km kn ko koi krc ks ksh ku "
    "kv kw ky la lad lb lbe lez lg li lij lmo ln lo lrc lt ltg lv mai map-bms mdf mg mhr mi min "
    "mk ml mn mr mrj ms mt mwl my myv mzn na nah nap nds nds-nl ne new ng nn no nov nrm nso nv "
    "ny oc olo om or os pa pag pam pap pcd pdc pfl pi pih pms pnb pnt ps qu rm rmy rn ro "
    "roa-rup roa-tara rue rw sa sah sc scn sco sd se sg sh si simple sk sl sm sn so sq sr srn "
    "ss st stq su sv sw szl ta tcy te tet tg th ti tk tl tn to tpi tr ts tt tum tw ty tyv udm "
    "ug uk ur uz ve vec vep vi vls vo wa war wo wuu xal xh xmf yi yo za zea zh-classical "
    "zh-min-nan zh-yue zu"
)
_TAIL_SUFFIXES = ("", ".m", ".d", ".m.d", ".b", ".q", ".s", ".m.s", ".voy", ".n", ".v", ".m.b")


@dataclass(frozen=True)
class HourlySpec:
    """Parameters of the hourly file; they name its cache directory."""

    lines: int
    codes: int = 800
    seed: int = 42

    @property
    def key(self) -> str:
        """Cache directory name."""
        return f"hourly-l{self.lines}-c{self.codes}-s{self.seed}-g{GENERATOR_VERSION}"

    @property
    def file_name(self) -> str:
        """The dump's file name (it carries the hour)."""
        return f"pageviews-{HOURLY_DATE:%Y%m%d}-{HOURLY_HOUR:02d}0000.gz"


def domain_code_shares(rng: random.Random, codes: int) -> dict[str, float]:
    """``codes`` valid domain codes and their share of the lines (summing to 1)."""
    shares = dict(_MAJOR_CODES)
    tail = [
        f"{language}{suffix}"
        for suffix in _TAIL_SUFFIXES
        for language in _LANGUAGES
        if f"{language}{suffix}" not in shares
    ]
    tail = tail[: max(0, codes - len(shares))]
    rng.shuffle(tail)
    rest = 1.0 - sum(shares.values())
    weights = [1.0 / (rank + 5) for rank in range(len(tail))]
    total = sum(weights)
    shares.update((code, rest * weight / total) for code, weight in zip(tail, weights, strict=True))
    for code in shares:
        if parse_domain_code(code) is None:
            raise ValueError(f"generated an invalid domain code: {code}")
    return shares


def _pareto_views(rng: random.Random, count: int, alpha: float = 1.2) -> list[int]:
    """Pareto(alpha) views floored to integers: ~57 % are 1, ~81 % at most 3."""
    draw = rng.random
    exponent = -1.0 / alpha
    return [min(int((1.0 - draw()) ** exponent), 500_000) for _ in range(count)]


def _publish(tmp_dir: Path, final_dir: Path) -> None:
    """Move finished data into place, unless a concurrent run already did."""
    try:
        tmp_dir.rename(final_dir)
    except OSError:  # the directory exists: another run generated the same data first
        shutil.rmtree(tmp_dir, ignore_errors=True)


def hourly_file(out: Path, spec: HourlySpec, log: Callable[[str], None] = print) -> Path:
    """Path of the cached hourly file described by ``spec``, generating it if missing."""
    final_dir = out / spec.key
    path = final_dir / spec.file_name
    if path.exists():
        log(f"hourly file cached: {path}")
        return path
    log(f"generating {spec.lines:,} lines into {path} (once; cached afterwards) …")
    rng = random.Random(spec.seed)
    shares = domain_code_shares(rng, spec.codes)
    counts = {code: max(1, round(share * spec.lines)) for code, share in shares.items()}
    counts["en"] += spec.lines - sum(counts.values())
    pool = make_titles(rng, int(max(counts.values()) * 2.2))
    tmp_dir = out / f"{spec.key}.tmp-{os.getpid()}"
    shutil.rmtree(tmp_dir, ignore_errors=True)
    tmp_dir.mkdir(parents=True)
    with gzip.open(tmp_dir / spec.file_name, "wb", compresslevel=6) as stream:
        for code in sorted(counts):
            titles = sorted(rng.sample(pool, counts[code]))
            views = _pareto_views(rng, len(titles))
            text = "".join(
                f"{code} {title} {count} 0\n" for title, count in zip(titles, views, strict=True)
            )
            stream.write(text.encode())
    _publish(tmp_dir, final_dir)
    return path


# -- pageview_complete daily files of one wiki ------------------------------------------------

ACCESS_ORDER = ("desktop", "mobile-app", "mobile-web")  # the order lines of a title appear in
AGENTS = ("user", "spider", "automated")


@dataclass(frozen=True)
class CompleteSpec:
    """Parameters of the daily files; they name their cache directory."""

    days: int
    titles: int
    seed: int = 7
    read_share: float = 0.28  # expected share of titles with user views on a day
    zipf: float = 1.05

    @property
    def key(self) -> str:
        """Cache directory name."""
        return (
            f"complete-d{self.days}-t{self.titles}-r{self.read_share}-z{self.zipf}"
            f"-s{self.seed}-g{GENERATOR_VERSION}"
        )


#: User views per access method; spider and automated views relative to user views and
#: their own access split (bots hardly use the apps).
_USER_SPLIT = {"desktop": 0.45, "mobile-web": 0.50, "mobile-app": 0.05}
_SPIDER = (0.05, {"desktop": 0.85, "mobile-web": 0.15})
_AUTOMATED = (0.02, {"desktop": 0.95, "mobile-web": 0.05})
#: Expected views above which a user count is drawn directly rather than by sampling.
_HEAD_VIEWS = 20.0
#: UTC hour weights of English Wikipedia (peak in the US afternoon / European evening).
_DIURNAL = [1.0 + 0.55 * math.cos(2 * math.pi * (hour - 17) / 24) for hour in range(24)]
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWX"


@dataclass
class _Model:
    """Everything a day's generation needs, built once before the worker processes fork."""

    spec: CompleteSpec
    titles: list[str]  # sorted bytewise: a title's index is its position in the file
    page_ids: list[str]
    user_head: dict[str, list[tuple[int, float]]]  # access → (title, expected views)
    user_tail: dict[str, tuple[list[int], list[float]]]  # access → (titles, cum. weights)
    spider_cum: list[float]
    automated_cum: list[float]


_MODEL: _Model | None = None


def _zipf_weights(count: int, exponent: float, offset: float = 3.0) -> list[float]:
    return [1.0 / (rank + offset) ** exponent for rank in range(1, count + 1)]


def _scale_for_read_share(weights: list[float], share: float) -> float:
    """The factor C such that titles read with Poisson(C·w) views give ``share`` read titles."""
    sample = weights[:: max(1, len(weights) // 50_000)]
    low, high = 1e-3, 1e12
    for _ in range(80):
        middle = math.sqrt(low * high)
        read = sum(1.0 - math.exp(-middle * w) for w in sample) / len(sample)
        low, high = (middle, high) if read < share else (low, middle)
    return low


def _build_model(spec: CompleteSpec) -> _Model:
    rng = random.Random(spec.seed)
    by_popularity = make_titles(rng, spec.titles)
    popularity = _zipf_weights(spec.titles, spec.zipf)
    scale = _scale_for_read_share(popularity, spec.read_share)
    # Titles in file order; each keeps the popularity of its rank.
    order = sorted(range(spec.titles), key=by_popularity.__getitem__)
    titles = [by_popularity[i] for i in order]
    expected = [scale * popularity[i] for i in order]
    ids = rng.sample(range(1, 80_000_000), spec.titles)
    page_ids = [
        "null" if title.startswith("Special:") or title == "-" else str(page)
        for title, page in zip(titles, ids, strict=True)
    ]
    user_head: dict[str, list[tuple[int, float]]] = {}
    user_tail: dict[str, tuple[list[int], list[float]]] = {}
    for access, share in _USER_SPLIT.items():
        head, tail, tail_weights = [], [], []
        for index, views in enumerate(expected):
            mean = views * share
            if mean >= _HEAD_VIEWS:
                head.append((index, mean))
            else:
                tail.append(index)
                tail_weights.append(mean)
        user_head[access] = head
        user_tail[access] = (tail, list(accumulate(tail_weights)))
    uniform = sum(expected) / len(expected)
    spider = [0.5 * views + 0.5 * uniform for views in expected]
    steep = _zipf_weights(spec.titles, 1.4)
    automated = [steep[i] for i in order]
    return _Model(
        spec,
        titles,
        page_ids,
        user_head,
        user_tail,
        list(accumulate(spider)),
        list(accumulate(automated)),
    )


def _hour_letters(views: int, rng: random.Random) -> str:
    """``<letter><count>`` for the non-zero hours of ``views`` spread over a day."""
    if views <= 48:
        hours = Counter(rng.choices(range(24), weights=_DIURNAL, k=views))
        counts = [hours.get(hour, 0) for hour in range(24)]
    else:
        total = sum(_DIURNAL)
        expected = [views * w / total for w in _DIURNAL]
        counts = [max(0, round(rng.gauss(e, math.sqrt(e)))) for e in expected]
        # Spread the rounding and noise difference over random hours, one view at a time.
        difference = views - sum(counts)
        step = 1 if difference > 0 else -1
        while difference:
            hour = rng.randrange(24)
            if step > 0 or counts[hour] > 0:
                counts[hour] += step
                difference -= step
    assert sum(counts) == views
    return "".join(f"{_LETTERS[hour]}{count}" for hour, count in enumerate(counts) if count)


class _LetterPool:
    """A few hourly spreads per daily total, drawn once per process from a seed per total."""

    def __init__(self, seed: int, variants: int = 16):
        self.seed = seed
        self.variants = variants
        self.pools: dict[int, list[str]] = {}

    def get(self, views: int, pick: int) -> str:
        pool = self.pools.get(views)
        if pool is None:
            rng = random.Random(self.seed * 1_000_003 + views)
            pool = self.pools[views] = [_hour_letters(views, rng) for _ in range(self.variants)]
        return pool[pick % self.variants]


_LETTER_POOL: _LetterPool | None = None


def _sample_counts(
    rng: random.Random, population: Sequence[int], cum: list[float], volume: float
) -> Counter[int]:
    """Views per title from ``volume`` expected views spread by cumulative weights ``cum``."""
    draws = max(0, round(rng.gauss(volume, math.sqrt(volume)))) if volume > 0 else 0
    return Counter(rng.choices(population, cum_weights=cum, k=draws))


def _day_counts(model: _Model, day: int) -> dict[str, dict[int, dict[str, int]]]:
    """agent → title → access → views of one day (only non-zero counts)."""
    rng = random.Random(model.spec.seed * 7_919 + day)
    factor = (1.0 + 0.07 * math.sin(2 * math.pi * day / 7)) * rng.gauss(1.0, 0.02)
    everyone = range(len(model.titles))
    result: dict[str, dict[int, dict[str, int]]] = {agent: {} for agent in AGENTS}
    user = result["user"]
    user_total = 0
    for access in _USER_SPLIT:
        for index, mean in model.user_head[access]:
            views = max(0, round(rng.gauss(mean * factor, math.sqrt(mean * factor))))
            if views:
                user.setdefault(index, {})[access] = views
                user_total += views
        tail, cum = model.user_tail[access]
        for index, views in _sample_counts(rng, tail, cum, cum[-1] * factor).items():
            user.setdefault(index, {})[access] = views
            user_total += views
    for agent, (ratio, split), cum in (
        ("spider", _SPIDER, model.spider_cum),
        ("automated", _AUTOMATED, model.automated_cum),
    ):
        for access, share in split.items():
            counts = _sample_counts(rng, everyone, cum, user_total * ratio * share)
            for index, views in counts.items():
                result[agent].setdefault(index, {})[access] = views
    return result


def _write_day(day: int) -> dict[str, dict[str, int]]:
    """Write the three files of day ``day`` (0-based); returns lines and views per file."""
    model = _MODEL
    assert model is not None
    global _LETTER_POOL
    if _LETTER_POOL is None:
        _LETTER_POOL = _LetterPool(model.spec.seed)
    letters = _LETTER_POOL.get
    rng = random.Random(model.spec.seed * 104_729 + day)
    pick = rng.getrandbits
    stamp = f"{COMPLETE_FIRST_DAY + timedelta(days=day):%Y%m%d}"
    directory = Path(_OUT_DIR)
    facts: dict[str, dict[str, int]] = {}
    for agent, counts in _day_counts(model, day).items():
        parts: list[str] = []
        lines = views_sum = 0
        for index in sorted(counts):
            per_access = counts[index]
            head = f"{COMPLETE_WIKI} {model.titles[index]} {model.page_ids[index]} "
            for access in ACCESS_ORDER:
                views = per_access.get(access)
                if views:
                    parts.append(f"{head}{access} {views} {letters(views, pick(8))}\n")
                    lines += 1
                    views_sum += views
        name = f"pageviews-{stamp}-{agent}.bz2"
        (directory / name).write_bytes(bz2.compress("".join(parts).encode(), 9))
        facts[name] = {"lines": lines, "views": views_sum}
    return facts


_OUT_DIR = ""


def complete_days(
    out: Path, spec: CompleteSpec, log: Callable[[str], None] = print
) -> tuple[Path, dict]:
    """Directory of the cached daily files described by ``spec`` and their truth."""
    final_dir = out / spec.key
    truth_path = final_dir / "truth.json"
    if truth_path.exists():
        log(f"daily files cached: {final_dir}")
        return final_dir, json.loads(truth_path.read_text())
    log(f"generating {spec.days} days × 3 agents of {spec.titles:,} titles into {final_dir} …")
    global _MODEL, _OUT_DIR
    _MODEL = _build_model(spec)
    tmp_dir = out / f"{spec.key}.tmp-{os.getpid()}"
    shutil.rmtree(tmp_dir, ignore_errors=True)
    (tmp_dir / "files").mkdir(parents=True)
    _OUT_DIR = str(tmp_dir / "files")
    files: dict[str, dict[str, int]] = {}
    context = multiprocessing.get_context("fork")
    with context.Pool(2) as pool:
        for facts in pool.imap(_write_day, range(spec.days)):
            files.update(facts)
    _MODEL = None
    truth = {
        "spec": spec.__dict__,
        "wiki": COMPLETE_WIKI,
        "first_day": COMPLETE_FIRST_DAY.isoformat(),
        "lines": sum(f["lines"] for f in files.values()),
        "views": sum(f["views"] for f in files.values()),
        "lines_by_agent": {
            agent: sum(f["lines"] for n, f in files.items() if n.endswith(f"-{agent}.bz2"))
            for agent in AGENTS
        },
        "files": files,
    }
    (tmp_dir / "truth.json").write_text(json.dumps(truth, indent=1))
    _publish(tmp_dir, final_dir)
    return final_dir, truth


def iter_complete_counts(directory: Path) -> Iterable[tuple[str, int, str, str, int]]:
    """(title, day index, access, agent, views) of every line of the daily files, in order."""
    names = sorted(p.name for p in directory.glob("pageviews-*.bz2"))
    first = COMPLETE_FIRST_DAY
    for name in names:
        stamp, agent = name.removeprefix("pageviews-").removesuffix(".bz2").split("-")
        day = (date(int(stamp[:4]), int(stamp[4:6]), int(stamp[6:])) - first).days
        with bz2.open(directory / name, "rt", encoding="utf-8") as stream:
            for line in stream:
                _wiki, title, _page, access, views, _letters = line.split(" ")
                yield title, day, access, agent, int(views)


# -- pageview_complete daily file of every wiki -----------------------------------------------


@dataclass(frozen=True)
class CompleteAllSpec:
    """Parameters of one all-wikis ``pageview_complete`` daily user file."""

    lines: int
    codes: int = 800
    seed: int = 11

    @property
    def key(self) -> str:
        """Cache directory name."""
        return f"complete-all-l{self.lines}-c{self.codes}-s{self.seed}-g{GENERATOR_VERSION}"

    @property
    def file_name(self) -> str:
        """The dump's file name (it carries the day and the agent)."""
        return f"pageviews-{COMPLETE_FIRST_DAY:%Y%m%d}-user.bz2"


def complete_all_wikis_file(
    out: Path, spec: CompleteAllSpec, log: Callable[[str], None] = print
) -> Path:
    """Path of the cached all-wikis daily file described by ``spec``, generating it if missing.

    Wikis and their shares of the lines are those of the hourly file (``domain_code_shares``:
    English Wikipedia desktop and mobile first, then a long tail); each line is one (wiki,
    title, access) of the day with a Pareto-distributed total spread over the hours as
    English Wikipedia's day is, and a page id for most titles. Lines are sorted as
    Wikimedia's files are: by wiki, then title.
    """
    final_dir = out / spec.key
    path = final_dir / spec.file_name
    if path.exists():
        log(f"all-wikis daily file cached: {path}")
        return path
    log(f"generating {spec.lines:,} lines into {path} (once; cached afterwards) …")
    rng = random.Random(spec.seed)
    by_project: dict[str, float] = Counter()
    for code, share in domain_code_shares(rng, spec.codes).items():
        found = parse_domain_code(code)
        assert found is not None
        by_project[found[0]] += share
    counts = {project: max(1, round(share * spec.lines)) for project, share in by_project.items()}
    counts["en.wikipedia"] += spec.lines - sum(counts.values())
    pool = make_titles(rng, int(max(counts.values()) * 1.5))
    letters = _LetterPool(spec.seed)
    tmp_dir = out / f"{spec.key}.tmp-{os.getpid()}"
    shutil.rmtree(tmp_dir, ignore_errors=True)
    tmp_dir.mkdir(parents=True)
    with bz2.open(tmp_dir / spec.file_name, "wb", compresslevel=9) as stream:
        for project in sorted(counts):
            # About 1.4 lines per title: most titles are read on one or two access methods.
            titles = sorted(rng.sample(pool, max(1, round(counts[project] / 1.4))))
            lines: list[str] = []
            left = counts[project]
            for title in titles:
                if left <= 0:
                    break
                page = rng.randrange(1, 80_000_000) if rng.random() < 0.93 else None
                page_text = "null" if page is None else str(page)
                accesses = ("desktop", "mobile-web", "mobile-app")[: 1 + (rng.random() < 0.35)]
                for access in accesses[:left]:
                    views = _pareto_views(rng, 1)[0]
                    pick = rng.randrange(1 << 20)
                    lines.append(
                        f"{project} {title} {page_text} {access} {views} "
                        f"{letters.get(views, pick)}\n"
                    )
                    left -= 1
            stream.write("".join(lines).encode())
    _publish(tmp_dir, final_dir)
    return path


# -- a day of hourly all-wikis files ------------------------------------------------------------

DAY_DATE = date(2024, 1, 1)
#: How an hour's lines of a domain code split into popularity tiers: (share of the hour's
#: lines, ``r``) where each title of the tier is read in a given hour with chance 1/r, so the
#: tier holds ``r`` times its hourly lines. The first tier is read every hour; the others are
#: a fresh draw every hour. The day's distinct (code, title) count is then
#: ``0.2 + 0.3·3·(1-(2/3)^24) + 0.3·8·(1-(7/8)^24) + 0.2·24·(1-(23/24)^24)`` ≈ 6.47 times an
#: hour's lines.
DAY_TIERS: tuple[tuple[float, int], ...] = ((0.2, 1), (0.3, 3), (0.3, 8), (0.2, 24))
_VIEW_BITS = 24  # a line's views sit in the low bits of its sort key
_VIEW_MASK = (1 << _VIEW_BITS) - 1


@dataclass(frozen=True)
class DaySpec:
    """Parameters of the day of hourly files; they name its cache directory."""

    lines: int  # lines of each hourly file
    codes: int = 800
    seed: int = 42

    @property
    def key(self) -> str:
        """Cache directory name."""
        return f"day-l{self.lines}-c{self.codes}-s{self.seed}-g{GENERATOR_VERSION}"

    def file_name(self, hour: int) -> str:
        """The dump's file name of ``hour`` of the day."""
        return f"pageviews-{DAY_DATE:%Y%m%d}-{hour:02d}0000.gz"


@dataclass
class _DayCode:
    """One domain code of the day: its tiers and its titles (indices into the pool)."""

    code: str
    number: int  # position in the sorted codes (seeds its hourly base views)
    tier_lines: list[int]  # lines of each tier in every hour
    tier_offsets: list[int]  # where each tier starts in ``titles``
    titles: array  # pool indices, most popular tier first
    bit_offset: int  # where the code's titles start in the day's seen-titles bitmap


@dataclass
class _DayModel:
    """Everything an hour's generation needs, built once before the worker processes fork."""

    spec: DaySpec
    blob: bytes  # the title pool, sorted bytewise, concatenated
    offsets: array  # title i is blob[offsets[i]:offsets[i + 1]]
    codes: list[_DayCode]
    bits: int  # titles of every code: the size of the seen-titles bitmap


_DAY_MODEL: _DayModel | None = None


def _build_day_model(spec: DaySpec) -> _DayModel:
    rng = random.Random(spec.seed)
    shares = domain_code_shares(rng, spec.codes)  # the same codes and shares as Part A's file
    counts = {code: max(1, round(share * spec.lines)) for code, share in shares.items()}
    counts["en"] += spec.lines - sum(counts.values())
    plans: list[tuple[str, list[int], list[int]]] = []
    for code in sorted(counts):
        lines = counts[code]
        tail = [int(share * lines) for share, _r in DAY_TIERS[1:]]
        tier_lines = [lines - sum(tail), *tail]
        sizes = [n * r for n, (_share, r) in zip(tier_lines, DAY_TIERS, strict=True)]
        plans.append((code, tier_lines, sizes))
    pool_size = max(sum(sizes) for _code, _lines, sizes in plans)
    titles = sorted(make_titles(rng, pool_size))
    offsets = array("Q", [0])
    encoded = [title.encode() for title in titles]
    del titles
    offsets.extend(accumulate(len(title) for title in encoded))
    blob = b"".join(encoded)
    del encoded
    codes = []
    bit_offset = 0
    for number, (code, tier_lines, sizes) in enumerate(plans):
        universe = array("I", rng.sample(range(pool_size), sum(sizes)))
        codes.append(
            _DayCode(code, number, tier_lines, [0, *accumulate(sizes)][:-1], universe, bit_offset)
        )
        bit_offset += len(universe)
    return _DayModel(spec, blob, offsets, codes, bit_offset)


_VIEWS_TEXT = [f" {views} 0\n".encode() for views in range(1024)]


def _write_hour(hour: int) -> tuple[str, int, int, bytes]:
    """Write the file of ``hour``; returns its name, lines, views and the tail titles it read.

    The bitmap has one bit per title of every code (``_DayCode.bit_offset`` + position) set
    for the titles of the hourly-drawn tiers read in this hour.
    """
    model = _DAY_MODEL
    assert model is not None
    spec = model.spec
    rng = random.Random(spec.seed * 1_000_003 + hour)
    draw = rng.random
    # The hour's volume relative to the day's mean (English Wikipedia's diurnal shape).
    factor = _DIURNAL[hour] * 24 / sum(_DIURNAL)
    seen = bytearray((model.bits + 7) // 8)
    blob, offsets = model.blob, model.offsets
    name = spec.file_name(hour)
    lines = views_sum = 0
    with gzip.open(Path(_OUT_DIR) / name, "wb", compresslevel=6) as stream:
        for day_code in model.codes:
            titles = day_code.titles
            keys: list[int] = []
            add = keys.append
            # Read every hour: a base rate per title (Pareto, fixed for the day) × the hour.
            base_rng = random.Random(spec.seed * 7_919 + day_code.number).random
            for position in range(day_code.tier_lines[0]):
                base = 1.5 * (1.0 - base_rng()) ** (-1 / 1.2)
                views = min(int(base * factor + draw()), 500_000)
                add(titles[position] << _VIEW_BITS | max(1, views))
            # Drawn afresh every hour: the long tail, mostly read once or twice.
            for tier in range(1, len(DAY_TIERS)):
                start = day_code.tier_offsets[tier]
                size = day_code.tier_lines[tier] * DAY_TIERS[tier][1]
                bit = day_code.bit_offset + start
                for position in rng.sample(range(size), day_code.tier_lines[tier]):
                    views = min(int((1.0 - draw()) ** (-1 / 1.6)), 500_000)
                    add(titles[start + position] << _VIEW_BITS | views)
                    at = bit + position
                    seen[at >> 3] |= 1 << (at & 7)
            keys.sort()  # pool indices are in bytewise title order
            prefix = f"{day_code.code} ".encode()
            parts: list[bytes] = []
            extend = parts.extend
            for key in keys:
                index, views = key >> _VIEW_BITS, key & _VIEW_MASK
                text = _VIEWS_TEXT[views] if views < 1024 else b" %d 0\n" % views
                extend((prefix, blob[offsets[index] : offsets[index + 1]], text))
                views_sum += views
            stream.write(b"".join(parts))
            lines += len(keys)
    return name, lines, views_sum, bytes(seen)


def day_files(out: Path, spec: DaySpec, log: Callable[[str], None] = print) -> tuple[Path, dict]:
    """Directory of the cached day of hourly files described by ``spec``, and their truth.

    24 files ``pageviews-20240101-HH0000.gz`` (under ``files/``), each with ``spec.lines``
    lines of the hourly file's domain codes and shares, sorted by (code, title) bytewise.
    Per code, a fifth of an hour's lines are titles read every hour of the day (views
    following the hour's volume), the rest are drawn each hour from a tail ``DAY_TIERS``
    sizes, so the day holds ≈ 6.5 times an hour's lines in distinct (code, title) pairs.
    ``truth.json`` records lines and views per file, the totals and that distinct count.
    """
    final_dir = out / spec.key
    truth_path = final_dir / "truth.json"
    if truth_path.exists():
        log(f"day of hourly files cached: {final_dir}")
        return final_dir, json.loads(truth_path.read_text())
    log(f"generating 24 hourly files of {spec.lines:,} lines into {final_dir} (once) …")
    started = time.perf_counter()
    global _DAY_MODEL, _OUT_DIR
    _DAY_MODEL = _build_day_model(spec)
    tmp_dir = out / f"{spec.key}.tmp-{os.getpid()}"
    shutil.rmtree(tmp_dir, ignore_errors=True)
    (tmp_dir / "files").mkdir(parents=True)
    _OUT_DIR = str(tmp_dir / "files")
    every_hour = sum(day_code.tier_lines[0] for day_code in _DAY_MODEL.codes)
    files: dict[str, dict[str, int]] = {}
    seen = 0
    context = multiprocessing.get_context("fork")
    with context.Pool(2) as pool:
        for name, lines, views, bitmap in pool.imap(_write_hour, range(24)):
            files[name] = {"lines": lines, "views": views}
            seen |= int.from_bytes(bitmap, "little")
            log(f"  {name}: {lines:,} lines")
    codes = len(_DAY_MODEL.codes)
    _DAY_MODEL = None
    distinct = every_hour + seen.bit_count()
    truth = {
        "spec": spec.__dict__,
        "day": DAY_DATE.isoformat(),
        "codes": codes,
        "tiers": [list(tier) for tier in DAY_TIERS],
        "lines_per_file": spec.lines,
        "lines": sum(f["lines"] for f in files.values()),
        "views": sum(f["views"] for f in files.values()),
        "distinct": distinct,
        "distinct_per_hour_lines": round(distinct / spec.lines, 3),
        "files": files,
    }
    (tmp_dir / "truth.json").write_text(json.dumps(truth, indent=1))
    _publish(tmp_dir, final_dir)
    peak_kib = max(
        resource.getrusage(who).ru_maxrss
        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    log(
        f"  generated in {time.perf_counter() - started:.0f} s, "
        f"peak {peak_kib * 1024 / 1e6:,.0f} MB in one process"
    )
    return final_dir, truth
