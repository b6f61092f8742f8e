"""Report bot benchmark: popular-pages tables for many projects from a local store.

Run from the repository root with the project's virtualenv::

    .venv/bin/python bench/bot.py                                   # 1,000 projects × 5,000
    .venv/bin/python bench/bot.py --projects 50 --members 2000 --titles 50000   # quick run

A synthetic wiki (``--titles`` titles, Zipf-like monthly views) is written as one
``pageview_complete`` monthly file and loaded by a real ``wikiviews ingest`` (cached under
``bench/out/bot-…``). ``--projects`` projects draw ``--members`` members each from those
titles (popular titles belong to many projects, as on a real wiki). The measured step is what
``wikiviews-bot popular-pages`` does after listing members: every member's views for the month
through the read model (``StoreSource``; the union of titles in batches, one query each), then
each project's top 1,000 rows, total and rendered wikitext. No wiki is called; the number of
wiki API requests a real run makes per project is computed from the API's limits.

The baseline is how the existing bot gets the same numbers: one HTTP request per member and
project to the per-article route (``…/per-article/…/monthly/…``), here against
``wikiviews serve`` on the same store over loopback, timed on a sample of ``--sample`` titles
and extrapolated to every membership. Medians of ``--repeat`` runs; the ratio compares both.
"""

from __future__ import annotations

import argparse
import gzip
import math
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from backend.sources import open_source  # noqa: E402
from bot.membership import Member  # noqa: E402
from bot.periods import period_of  # noqa: E402
from bot.popular import build_table, fetch_views, render_table  # noqa: E402

PROJECT = "en.wikipedia"
MONTH = period_of("month", date(2024, 1, 1))
LIMIT = 1000
#: The API's list limit for accounts with apihighlimits (bots), and its content batch size.
LIST_LIMIT = 5000
CONTENT_BATCH = 500
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_"


def _title(index: int) -> str:
    return f"Article_{index:07d}"


def write_month(directory: Path, titles: int, seed: int) -> Path:
    """One monthly ``pageview_complete`` file: every title viewed on a few days of January."""
    rng = random.Random(seed)
    path = directory / "pageviews-202401-user.gz"
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as out:
        for index in range(titles):
            base = max(1, int(200_000 / (index + 1) ** 0.9))
            days = sorted(rng.sample(range(31), k=3))
            counts = [max(1, base // 3 + rng.randrange(3)) for _ in days]
            letters = "".join(f"{_LETTERS[d]}{n}" for d, n in zip(days, counts, strict=True))
            out.write(f"{PROJECT} {_title(index)} {index + 1} desktop {sum(counts)} {letters}\n")
    return path


def ensure_store(out: Path, titles: int, seed: int) -> Path:
    """The data directory of a store holding the month (built once, then reused)."""
    store = out / f"bot-t{titles}-s{seed}"
    if (store / "ready").exists():
        return store
    shutil.rmtree(store, ignore_errors=True)
    store.mkdir(parents=True)
    dump = write_month(store, titles, seed)
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIKIVIEWS_")}
    env["WIKIVIEWS_DATA_DIR"] = str(store)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "backend", "ingest", str(dump)],
        env=env,
        cwd=REPO,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(f"store: {titles:,} titles loaded in {time.perf_counter() - started:.0f} s")
    (store / "ready").touch()
    return store


def memberships(projects: int, members: int, titles: int, seed: int) -> list[list[Member]]:
    """Each project's members: popular titles are shared by many projects."""
    rng = random.Random(seed + 1)
    shared: dict[int, Member] = {}  # one Member per title, referenced by every project
    weights = [1 / (i + 1) ** 0.5 for i in range(titles)]
    cumulative = list(_accumulate(weights))
    lists = []
    for _ in range(projects):
        chosen: set[int] = set()
        while len(chosen) < members:
            chosen.update(
                _bisect(cumulative, rng.random() * cumulative[-1])
                for _ in range(members - len(chosen))
            )
        lists.append(
            [
                shared.setdefault(i, Member(_title(i).replace("_", " "), "B", "Mid"))
                for i in sorted(chosen)
            ]
        )
    return lists


def _accumulate(values):
    total = 0.0
    for value in values:
        total += value
        yield total


def _bisect(cumulative: list[float], x: float) -> int:
    import bisect

    return min(bisect.bisect_left(cumulative, x), len(cumulative) - 1)


def compute_tables(source, projects: list[list[Member]]) -> tuple[float, float, int]:
    """The bot's popular-pages work for every project: (views seconds, tables seconds, bytes)."""
    started = time.perf_counter()
    union = sorted({m.title for members in projects for m in members})
    views = fetch_views(source, PROJECT, union, MONTH, redirects=True)
    middle = time.perf_counter()
    size = 0
    for n, members in enumerate(projects):
        table = build_table(f"P{n}", MONTH, members, lambda k: views.get(k, 0), LIMIT)
        size += len(render_table(table))
    return middle - started, time.perf_counter() - middle, size


def api_requests_per_project(members: int) -> dict[str, int]:
    """Wiki API requests a real run makes to list one project's members."""
    lists = math.ceil(members / LIST_LIMIT)
    return {
        "banner (list + banner redirects + talk pages' text)": lists
        + 1
        + math.ceil(members / CONTENT_BATCH),
        "category tree (per subcategory: + 1)": lists,
        "PageAssessments": lists,
        "views, from a local store": 0,
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def baseline_seconds_per_title(store: Path, titles: int, sample: int, seed: int) -> float:
    """Median seconds of one per-article monthly request to ``wikiviews serve``."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIKIVIEWS_")}
    env.update(
        WIKIVIEWS_DATA_DIR=str(store), WIKIVIEWS_BIND=f"127.0.0.1:{port}", WIKIVIEWS_WORKERS="2"
    )
    log = open(store / "serve.log", "wb")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [sys.executable, "-m", "backend", "serve"],
        env=env,
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit(f"serve did not start; see {store / 'serve.log'}") from None
                time.sleep(0.2)
        rng = random.Random(seed + 2)
        times = []
        for index in rng.sample(range(titles), k=min(sample, titles)):
            name = urllib.parse.quote(_title(index), safe="")
            url = (
                f"http://127.0.0.1:{port}/api/rest_v1/metrics/pageviews/per-article/"
                f"{PROJECT}/all-access/user/{name}/monthly/2024010100/2024013100"
            )
            request = urllib.request.Request(url, headers={"User-Agent": "wikiviews-bench/1"})
            started = time.perf_counter()
            with urllib.request.urlopen(request, timeout=30) as answer:
                answer.read()
            times.append(time.perf_counter() - started)
        return statistics.median(times)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--titles", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=500, help="baseline requests timed")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out")
    args = parser.parse_args()

    store = ensure_store(args.out, args.titles, args.seed)
    projects = memberships(args.projects, args.members, args.titles, args.seed)
    shared = len({m.title for members in projects for m in members})
    source = open_source(f"sqlite:///{store / 'wikiviews.sqlite3'}")
    runs = [compute_tables(source, projects) for _ in range(args.repeat)]
    seconds = statistics.median(run[0] + run[1] for run in runs)
    views_seconds = statistics.median(run[0] for run in runs)
    tables_seconds = statistics.median(run[1] for run in runs)
    per_request = baseline_seconds_per_title(store, args.titles, args.sample, args.seed)
    baseline = per_request * args.projects * args.members

    print(
        f"projects: {args.projects:,} × {args.members:,} members "
        f"({shared:,} distinct titles of {args.titles:,})"
    )
    print(
        f"popular-pages tables from the store: {seconds:.1f} s (median of {args.repeat}: "
        f"views {views_seconds:.1f} s, tables {tables_seconds:.1f} s; "
        f"{runs[0][2] / 1e6:.1f} MB of wikitext)"
    )
    print(
        f"baseline, one per-article request per membership: {per_request * 1000:.2f} ms "
        f"median over {args.sample} requests → {baseline:,.0f} s extrapolated"
    )
    print(f"ratio: {baseline / seconds:,.0f}× faster than the per-title baseline")
    print("wiki API requests per project of this size:")
    for name, count in api_requests_per_project(args.members).items():
        print(f"  {name}: {count}")


if __name__ == "__main__":
    main()
