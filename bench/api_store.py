"""The store of the API benchmark: one simulated year of one large wiki, built once and cached.

The counts come from the ingest benchmark's model (:mod:`datagen`: Zipf popularity over the
titles, most titles not read on a given day, user views split over the three access methods,
spider and automated traffic in their own, sparser series). Each month is written as
``pageview_complete`` **monthly** files, ``pageviews-YYYYMM-{user,spider,automated}.gz``
(lines ``en.wikipedia Title page_id access monthly_total letters``, letters ``A``..``_`` for
the days with views), and loaded by a real ``wikiviews ingest`` subprocess, one month per
run, so every month goes through the loader, publication, the per-day top lists and packing
(with the default 3 staging days) exactly as real dumps do.

Monthly files are the fastest honest input: one line per (title, access) and month instead of
one per day, no hourly letters to write or parse, and 36 load transactions instead of 1,098.
The store's data points are the same as 366 daily files would give; it only lacks per-project
hourly rows, which no benchmarked route reads. Generation runs on two processes and overlaps
with the loading of the months already written.
"""

from __future__ import annotations

import calendar
import gzip
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import datagen
from datagen import ACCESS_ORDER, AGENTS, COMPLETE_WIKI, CompleteSpec

REPO = Path(__file__).resolve().parent.parent
#: Bump when the generated store changes, so that cached stores of older versions are rebuilt.
STORE_VERSION = 1
FIRST_DAY = datagen.COMPLETE_FIRST_DAY  # 2024-01-01
_ACCESS_POSITION = {access: position for position, access in enumerate(ACCESS_ORDER)}
_DAY_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_"


@dataclass(frozen=True)
class StoreSpec:
    """What the store holds; it names the cache directory.

    ``agents`` are the monthly files written per month: Wikimedia publishes monthly
    ``pageview_complete`` files for ``user`` only, so that is the default (spider and automated
    series are then absent and ``all-agents`` equals ``user``).
    """

    titles: int
    months: int
    read_share: float = 0.1
    agents: tuple[str, ...] = ("user",)
    seed: int = 7

    @property
    def complete_spec(self) -> CompleteSpec:
        """The generator's parameters (``days`` is not used by the month writer)."""
        return CompleteSpec(
            days=self.days, titles=self.titles, seed=self.seed, read_share=self.read_share
        )

    @property
    def days(self) -> int:
        """Days covered: whole months from 2024-01-01."""
        return sum(len(month_range(index)) for index in range(self.months))

    @property
    def key(self) -> str:
        """Cache directory name."""
        agents = "".join(agent[0] for agent in self.agents)
        return (
            f"api-store-t{self.titles}-m{self.months}-r{self.read_share}-a{agents}"
            f"-s{self.seed}-v{STORE_VERSION}"
        )


def month_start(index: int) -> date:
    """First day of the ``index``-th month (0-based) after :data:`FIRST_DAY`."""
    year, month = divmod(FIRST_DAY.month - 1 + index, 12)
    return date(FIRST_DAY.year + year, month + 1, 1)


def month_range(index: int) -> range:
    """Day indices (0-based from :data:`FIRST_DAY`) of the ``index``-th month."""
    first = month_start(index)
    length = calendar.monthrange(first.year, first.month)[1]
    offset = (first - FIRST_DAY).days
    return range(offset, offset + length)


def months_for_days(days: int) -> int:
    """Whole months needed to cover ``days`` days from :data:`FIRST_DAY` (at least one)."""
    count, covered = 0, 0
    while covered < days:
        covered += len(month_range(count))
        count += 1
    return max(1, count)


_OUT = ""
_AGENTS: tuple[str, ...] = AGENTS


def _write_month(index: int) -> dict[str, dict[str, int]]:
    """Write the three monthly files of month ``index``; lines, data points and views of each."""
    model = datagen._MODEL
    assert model is not None
    days = month_range(index)
    tables: dict[str, dict[int, list]] = {agent: {} for agent in _AGENTS}
    for slot, day in enumerate(days):
        letter = _DAY_LETTERS[slot]
        for agent, per_title in datagen._day_counts(model, day).items():
            table = tables.get(agent)
            if table is None:
                continue
            for title, per_access in per_title.items():
                for access, views in per_access.items():
                    key = title * 3 + _ACCESS_POSITION[access]
                    entry = table.get(key)
                    if entry is None:
                        table[key] = [views, 1, f"{letter}{views}"]
                    else:
                        entry[0] += views
                        entry[1] += 1
                        entry[2] += f"{letter}{views}"
    stamp = f"{month_start(index):%Y%m}"
    facts: dict[str, dict[str, int]] = {}
    for agent, table in tables.items():
        name = f"pageviews-{stamp}-{agent}.gz"
        parts: list[str] = []
        points = views_sum = 0
        for key in sorted(table):
            title, position = divmod(key, 3)
            total, count, letters = table[key]
            parts.append(
                f"{COMPLETE_WIKI} {model.titles[title]} {model.page_ids[title]} "
                f"{ACCESS_ORDER[position]} {total} {letters}\n"
            )
            points += count
            views_sum += total
        partial = Path(_OUT) / f".{name}.part"
        with gzip.open(partial, "wb", compresslevel=1) as stream:
            stream.write("".join(parts).encode())
        partial.rename(Path(_OUT) / name)
        facts[name] = {"lines": len(parts), "points": points, "views": views_sum}
    return facts


def _month_files(directory: Path, index: int) -> list[Path]:
    stamp = f"{month_start(index):%Y%m}"
    return [directory / f"pageviews-{stamp}-{agent}.gz" for agent in _AGENTS]


def _ingest(files: list[Path], data_dir: Path, log: Path) -> float:
    """One ``wikiviews ingest`` run of ``files`` into the store; its wall seconds."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIKIVIEWS_")}
    env["WIKIVIEWS_DATA_DIR"] = str(data_dir)
    started = time.perf_counter()
    with open(log, "ab") as output:
        result = subprocess.run(
            [sys.executable, "-m", "backend", "ingest", *map(str, files)],
            env=env,
            cwd=REPO,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    if result.returncode != 0:
        raise RuntimeError(f"wikiviews ingest failed (exit {result.returncode}); see {log}")
    return time.perf_counter() - started


def store_path(directory: Path) -> Path:
    """The SQLite file of a store directory."""
    return directory / "wikiviews.sqlite3"


def build_info(directory: Path) -> dict | None:
    """What a finished store directory recorded about its build, or ``None``."""
    path = directory / "build.json"
    return json.loads(path.read_text()) if path.exists() else None


def ensure_store(
    directory: Path, spec: StoreSpec, log: Callable[[str], None] = print, keep_files: bool = False
) -> dict:
    """The build record of the store in ``directory``, building it first when missing."""
    directory = directory.resolve()
    info = build_info(directory)
    if info is not None:
        log(f"store cached: {directory} (built in {info['build_seconds']:.0f} s)")
        return info
    if directory.exists() and any(directory.iterdir()):
        raise SystemExit(f"{directory} exists but holds no finished store (no build.json)")
    work = directory.parent / f"{directory.name}.tmp-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    files_dir = work / "files"
    files_dir.mkdir(parents=True)
    log(
        f"building the store: {spec.titles:,} titles ({spec.read_share:.0%} read on a day), "
        f"{spec.months} month(s) = {spec.days} days from {FIRST_DAY}, monthly files of "
        f"{', '.join(spec.agents)}, into {directory} (once; cached afterwards) …"
    )
    started = time.perf_counter()
    global _OUT, _AGENTS
    _OUT = str(files_dir)
    _AGENTS = tuple(agent for agent in AGENTS if agent in spec.agents)
    datagen._MODEL = datagen._build_model(spec.complete_spec)
    model_seconds = time.perf_counter() - started
    log(f"  model of {spec.titles:,} titles built in {model_seconds:.0f} s")
    facts: dict[str, dict[str, int]] = {}
    loads: list[float] = []
    context = multiprocessing.get_context("fork")
    with context.Pool(2) as pool:
        for index, month_facts in enumerate(pool.imap(_write_month, range(spec.months))):
            facts.update(month_facts)
            files = _month_files(files_dir, index)
            seconds = _ingest(files, work, work / "ingest.log")
            loads.append(seconds)
            points = sum(month_facts[f.name]["points"] for f in files)
            log(
                f"  {month_start(index):%Y-%m}: {points:,} data points generated and loaded "
                f"({seconds:.0f} s of ingest; {time.perf_counter() - started:.0f} s so far)"
            )
            if not keep_files:
                for file in files:
                    file.unlink()
    datagen._MODEL = None
    build_seconds = time.perf_counter() - started
    if not keep_files:
        shutil.rmtree(files_dir)
    info = {
        "spec": {**spec.__dict__, "agents": list(spec.agents)},
        "wiki": COMPLETE_WIKI,
        "first_day": FIRST_DAY.isoformat(),
        "last_day": (FIRST_DAY + timedelta(days=spec.days - 1)).isoformat(),
        "days": spec.days,
        "points": sum(f["points"] for f in facts.values()),
        "lines": sum(f["lines"] for f in facts.values()),
        "views": sum(f["views"] for f in facts.values()),
        "build_seconds": build_seconds,
        "ingest_seconds": sum(loads),
        "ingest_seconds_by_month": loads,
        "store_bytes": store_path(work).stat().st_size,
        "files": facts,
    }
    (work / "build.json").write_text(json.dumps(info, indent=1))
    directory.parent.mkdir(parents=True, exist_ok=True)
    if directory.exists():
        directory.rmdir()
    work.rename(directory)
    log(
        f"store built in {build_seconds:.0f} s ({sum(loads):.0f} s of it in wikiviews ingest): "
        f"{info['points']:,} data points, {info['store_bytes'] / 1e6:,.0f} MB"
    )
    return info
