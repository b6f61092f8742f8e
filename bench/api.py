"""API benchmark: requests/s, p50 and p99 of the JSON API under gunicorn, against a Flask floor.

Run from the repository root with the project's virtualenv (see ``bench/README.md``)::

    .venv/bin/python bench/api.py                          # 1 M titles × 1 year, 10 s a point
    .venv/bin/python bench/api.py --repeat 3               # median of 3 passes
    .venv/bin/python bench/api.py --titles 20000 --days 60 --duration 3   # quick run
    .venv/bin/python bench/api.py --profile                # where the server's time goes

The store (one simulated year of one wiki, see :mod:`api_store`) is built once through
``wikiviews ingest`` and cached. ``wikiviews serve`` (gunicorn, 2 sync workers) serves it on
loopback, and ``wrk`` drives it at 1, 8 and 32 connections for a bounded time per point,
rotating over thousands of different request paths (titles drawn Zipf-like, different days,
access methods and agents). The same run drives a minimal Flask app answering a fixed JSON
body under the same gunicorn settings: the framework's floor. The load generator shares the
machine's cores with the server.
"""

from __future__ import annotations

import argparse
import bisect
import cProfile
import io
import json
import os
import platform
import pstats
import random
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path
from urllib.parse import quote

import api_store
import datagen
from api_store import StoreSpec

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
DEFAULT_OUT = BENCH / "out"
LUA = BENCH / "api_paths.lua"
USER_AGENT = "wikiviews-bench/1.0 (bench/api.py; loopback load test)"
PROJECT = datagen.COMPLETE_WIKI
PAGEVIEWS = "/api/rest_v1/metrics/pageviews"
#: The rate limit the API runs with here: the benchmark measures capacity, and every request
#: comes from one client address, which the default per-client limit would throttle.
BENCH_RATE_LIMIT = "1000000 per second"
#: Distinct request paths generated per route.
PATHS_PER_ROUTE = 20_000
#: Zipf exponent of the titles asked for (the data's popularity exponent is 1.05).
REQUEST_ZIPF = 1.0
TARGET_CONNECTIONS = 8


@dataclass(frozen=True)
class Target:
    """What a route must reach at :data:`TARGET_CONNECTIONS` connections."""

    rate: float | None = None  # requests per second
    floor_share: float | None = None  # share of the floor's rate
    p99_ms: float | None = None

    def text(self) -> str:
        parts = []
        if self.rate:
            parts.append(f"≥ {self.rate:,.0f} req/s")
        if self.floor_share:
            parts.append(f"≥ {self.floor_share:.0%} of floor")
        if self.p99_ms:
            parts.append(f"p99 ≤ {self.p99_ms:g} ms")
        return ", ".join(parts)


@dataclass(frozen=True)
class Route:
    """One benchmarked route: its label, path file stem and target."""

    key: str
    label: str
    target: Target | None = None


ROUTES = (
    Route("floor", "floor: minimal Flask app, fixed JSON body"),
    Route("article60", "per-article, daily, 60 days", Target(floor_share=0.5, p99_ms=25)),
    Route("article365", "per-article, daily, 1 year"),
    Route("summary", "summary, ?days=60", Target(floor_share=0.35, p99_ms=25)),
    Route("top", "top of a day (1000 articles)", Target(floor_share=0.5, p99_ms=25)),
)
ROUTE_BY_KEY = {route.key: route for route in ROUTES}


def say(message: str = "") -> None:
    """Print a progress or result line at once."""
    print(message, flush=True)


# -- request paths ------------------------------------------------------------------------------


def _day_stamp(day_index: int) -> str:
    return f"{api_store.FIRST_DAY + timedelta(days=day_index):%Y%m%d}"


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


ACCESS_MIX = {"all-access": 0.6, "desktop": 0.15, "mobile-web": 0.15, "mobile-app": 0.1}
AGENT_MIX = {"user": 0.6, "all-agents": 0.4}


@dataclass
class Paths:
    """Request paths per route, and what they ask for."""

    by_route: dict[str, list[str]]
    distinct_titles: dict[str, int] = field(default_factory=dict)
    description: list[str] = field(default_factory=list)


def make_paths(spec: StoreSpec, seed: int = 1) -> Paths:
    """:data:`PATHS_PER_ROUTE` request paths for every route (deterministic for a seed)."""
    titles = datagen.make_titles(random.Random(spec.seed), spec.titles)  # by popularity
    rng = random.Random(seed)
    cum = list(accumulate(1.0 / (rank + 3) ** REQUEST_ZIPF for rank in range(spec.titles)))
    days = spec.days
    by_route: dict[str, list[str]] = defaultdict(list)
    distinct: dict[str, set[str]] = defaultdict(set)

    def title() -> str:
        return titles[bisect.bisect_left(cum, rng.random() * cum[-1])]

    def article_path(span: int) -> tuple[str, str]:
        name = title()
        last = rng.randrange(min(span, days) - 1, days)
        first = last - span + 1
        access, agent = _weighted(rng, ACCESS_MIX), _weighted(rng, AGENT_MIX)
        return name, (
            f"{PAGEVIEWS}/per-article/{PROJECT}/{access}/{agent}/{quote(name, safe='')}/daily/"
            f"{_day_stamp(first)}/{_day_stamp(last)}"
        )

    for _ in range(PATHS_PER_ROUTE):
        for key, span in (("article60", 60), ("article365", 365)):
            name, path = article_path(span)
            by_route[key].append(path)
            distinct[key].add(name)
        name = title()
        by_route["summary"].append(
            f"/api/wikiviews/v1/summary/{PROJECT}/{quote(name, safe='')}?days=60"
        )
        distinct["summary"].add(name)
        # Top lists: mostly recent days (as Wikimedia's traffic), some anywhere in the year.
        day = days - 1 - rng.randrange(min(30, days)) if rng.random() < 0.8 else rng.randrange(days)
        stamp = api_store.FIRST_DAY + timedelta(days=day)
        access = _weighted(rng, ACCESS_MIX)
        by_route["top"].append(
            f"{PAGEVIEWS}/top/{PROJECT}/{access}/{stamp:%Y}/{stamp:%m}/{stamp:%d}"
        )
        distinct["top"].add(f"{access}/{stamp}")
    by_route["floor"] = list(by_route["article60"])
    return Paths(
        dict(by_route),
        {key: len(values) for key, values in distinct.items()},
        [
            f"titles drawn Zipf({REQUEST_ZIPF}) by the data's popularity rank over all "
            f"{spec.titles:,} titles; end days uniform over the store's days; access "
            + ", ".join(f"{k} {v:.0%}" for k, v in ACCESS_MIX.items())
            + "; agent "
            + ", ".join(f"{k} {v:.0%}" for k, v in AGENT_MIX.items()),
            "top: 80 % of the requests for one of the last 30 days, 20 % any day; access mix "
            "as above",
        ],
    )


# -- servers ------------------------------------------------------------------------------------


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def clean_env(**settings: str) -> dict[str, str]:
    """The environment without any ``WIKIVIEWS_*`` variable, plus ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIKIVIEWS_")}
    env.update(settings)
    return env


@dataclass
class Server:
    """A gunicorn master this benchmark started, and its port."""

    name: str
    process: subprocess.Popen
    port: int
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _start(
    name: str,
    command: list[str],
    env: dict[str, str],
    port: int,
    work: Path,
    cwd: Path | None = None,
) -> Server:
    log = work / f"{name}.log"
    output = open(log, "wb")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(
        command, env=env, cwd=cwd or REPO, stdout=output, stderr=subprocess.STDOUT
    )
    server = Server(name, process, port, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{name} server exited at start; see {log}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise SystemExit(f"{name} server did not listen within 60 s; see {log}")


#: gunicorn options of ``--worker gthread``: threads per worker and keep-alive seconds.
GTHREAD_OPTIONS = ("--threads", "4", "--keep-alive", "5")


def _gunicorn(port: int, worker: str) -> list[str]:
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "--workers", "2", "--worker-class", worker, "--bind", f"127.0.0.1:{port}",
        "--no-control-socket",
    ]  # fmt: skip
    return command + list(GTHREAD_OPTIONS) if worker == "gthread" else command


def start_api(
    store_dir: Path, work: Path, worker: str = "sync", tree: Path | None = None
) -> Server:
    """``wikiviews serve`` on the store: gunicorn, 2 sync workers.

    With ``worker="gthread"`` the same app runs under gunicorn's threaded workers with
    keep-alive instead (not what ``wikiviews serve`` does: an experiment for the README).
    """
    port = free_port()
    env = clean_env(
        WIKIVIEWS_DATA_DIR=str(store_dir),
        WIKIVIEWS_BIND=f"127.0.0.1:{port}",
        WIKIVIEWS_WORKERS="2",
        WIKIVIEWS_RATE_LIMIT=BENCH_RATE_LIMIT,
    )
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    if tree is not None:  # another source tree of wikiviews (e.g. an older commit)
        env["PYTHONPATH"] = str(tree)
    if worker == "sync":
        command = [sys.executable, "-m", "backend", "serve"]
        return _start("api", command, env, port, work, cwd=tree)
    metrics_dir = work / "metrics"
    metrics_dir.mkdir(exist_ok=True)
    env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    command = [*_gunicorn(port, worker), "backend:create_app()"]
    return _start("api", command, env, port, work, cwd=tree)


def start_floor(work: Path, worker: str = "sync") -> Server:
    """The floor app under gunicorn with ``wikiviews serve``'s settings."""
    port = free_port()
    command = [*_gunicorn(port, worker), "--chdir", str(BENCH), "api_floor:app"]
    return _start("floor", command, clean_env(), port, work)


def fetch(base: str, path: str) -> tuple[int, bytes]:
    """(status, body) of one GET with the benchmark's User-Agent."""
    request = urllib.request.Request(base + path, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def prefill(server: Server, paths: Sequence[str], times: int = 4) -> tuple[float, int]:
    """Ask every distinct path ``times`` times over 8 connections; (seconds, distinct)."""
    distinct = list(dict.fromkeys(paths))
    started = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        for status, _body in pool.map(lambda p: fetch(server.base, p), distinct * times):
            if status not in (200, 404):
                raise SystemExit(f"prefill: unexpected status {status}; see {server.log}")
    return time.perf_counter() - started, len(distinct)


def route_missing(status: int, body: bytes) -> bool:
    """Whether an answer says the route does not exist (rather than: no data)."""
    return status == 404 and b"Invalid route" in body


# -- load generation ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    """One wrk run: a route at a number of connections."""

    route: str
    connections: int
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int
    load_before: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk_available() -> str | None:
    """The path of ``wrk``, or ``None``."""
    return shutil.which("wrk")


def run_wrk(
    base: str, paths_file: Path, connections: int, seconds: float, route: str, log: Path
) -> Point:
    """One bounded ``wrk`` run (one thread) rotating over ``paths_file``."""
    load = os.getloadavg()[0]
    command = [
        "wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "5s", "--latency",
        "-s", str(LUA), base, "--", str(paths_file),
    ]  # fmt: skip
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    with open(log, "a") as out:
        out.write(f"$ {' '.join(command)}\n{result.stdout}{result.stderr}\n")
    line = next((x for x in result.stdout.splitlines() if x.startswith("WRK_JSON ")), None)
    if result.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed (exit {result.returncode}); see {log}")
    data = json.loads(line.removeprefix("WRK_JSON "))
    return Point(
        route,
        connections,
        data["requests"],
        data["duration_us"] / 1e6,
        data["p50_us"] / 1000,
        data["p99_us"] / 1000,
        data["status"],
        data["connect"] + data["read"] + data["write"] + data["timeout"],
        load,
    )


# -- results ------------------------------------------------------------------------------------


@dataclass
class Cell:
    """The repeated points of one route and connection count."""

    points: list[Point] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return statistics.median(p.rate for p in self.points)

    @property
    def p50(self) -> float:
        return statistics.median(p.p50_ms for p in self.points)

    @property
    def p99(self) -> float:
        return statistics.median(p.p99_ms for p in self.points)

    @property
    def non_2xx_share(self) -> float:
        requests = sum(p.requests for p in self.points)
        return sum(p.non_2xx for p in self.points) / requests if requests else 0.0

    @property
    def socket_errors(self) -> int:
        return sum(p.socket_errors for p in self.points)


def verdict(target: Target, cell: Cell, floor: Cell | None) -> tuple[bool, str]:
    """Whether a cell meets its target, and which parts miss."""
    missed = []
    if target.rate and cell.rate < target.rate:
        missed.append("rate")
    if target.floor_share and floor is not None and cell.rate < target.floor_share * floor.rate:
        missed.append("share")
    if target.p99_ms and cell.p99 > target.p99_ms:
        missed.append("p99")
    return not missed, ", ".join(missed)


def table(
    cells: dict[tuple[str, int], Cell], routes: Sequence[str], connections: Sequence[int]
) -> str:
    """The Markdown table of route × connections."""
    out = [
        "| route | conns | req/s | p50 ms | p99 ms | × floor | non-2xx | target (8 conns) | met |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for key in routes:
        route = ROUTE_BY_KEY[key]
        for conns in connections:
            cell = cells.get((key, conns))
            if cell is None or not cell.points:
                continue
            floor = cells.get(("floor", conns))
            ratio = f"{cell.rate / floor.rate:.2f}" if floor and floor.points else "-"
            target_text, met = "", ""
            if route.target and conns == TARGET_CONNECTIONS:
                ok, missed = verdict(route.target, cell, floor)
                target_text = route.target.text()
                met = "✔" if ok else f"✘ ({missed})"
            errors = f" ({cell.socket_errors} socket errors)" if cell.socket_errors else ""
            out.append(
                f"| {route.label} | {conns} | {cell.rate:,.0f} | {cell.p50:.1f} | "
                f"{cell.p99:.1f} | {ratio} | {cell.non_2xx_share:.0%}{errors} | "
                f"{target_text} | {met} |"
            )
    return "\n".join(out)


def code_revision() -> str:
    """The commit measured, and whether ``backend/`` had local changes."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "backend"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return "unknown revision"
    return f"commit {head or '?'}" + (" + uncommitted changes in backend/" if dirty else "")


def versions() -> str:
    """Versions of the software measured."""
    from importlib.metadata import version

    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split("\n")[0]
    return (
        f"Python {platform.python_version()}, Flask {version('flask')}, gunicorn "
        f"{version('gunicorn')}, SQLite {sqlite3.sqlite_version}, {wrk.split(' [')[0].strip()}"
    )


# -- probing the routes ---------------------------------------------------------------------------


def probe(server: Server, paths: Paths, routes: list[str], sample: int = 300) -> dict[str, str]:
    """Ask each route a sample of its paths once; returns routes to skip and why.

    Prints the share of 200 and 404 answers and the median body size per route.
    """
    skip: dict[str, str] = {}
    for key in routes:
        if key == "floor":
            continue
        statuses: Counter[int] = Counter()
        sizes = []
        for path in paths.by_route[key][:sample]:
            status, body = fetch(server.base, path)
            if route_missing(status, body):
                skip[key] = f"{path.split('?')[0].rsplit('/', 2)[0]}/… answers 404 Invalid route"
                break
            statuses[status] += 1
            sizes.append(len(body))
        if key in skip:
            continue
        shares = ", ".join(f"{s}: {n / sum(statuses.values()):.0%}" for s, n in statuses.items())
        say(
            f"  {key}: {len(paths.by_route[key]):,} paths, {paths.distinct_titles[key]:,} distinct "
            f"{'lists' if key == 'top' else 'titles'}; sample of {sample}: {shares}; median body "
            f"{statistics.median(sizes):,.0f} B"
        )
        if statuses.keys() - {200, 404}:
            raise SystemExit(f"{key}: unexpected answers {dict(statuses)}; see {server.log}")
    return skip


# -- profiling ------------------------------------------------------------------------------------


def profile(store_dir: Path, paths: Paths, requests: int, out: Path) -> None:
    """cProfile ``requests`` requests per route through the Flask test client, in-process.

    Prints, per route: the time per request with and without the profiler, the SQL
    statements per request (every statement SQLite runs, from its trace callback, whichever
    layer sent it), and the top functions by own and by cumulative time.
    """
    os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
    from sqlalchemy import event

    from backend import create_app
    from backend.settings import load_settings

    settings = load_settings(
        {"WIKIVIEWS_DATA_DIR": str(store_dir), "WIKIVIEWS_RATE_LIMIT": BENCH_RATE_LIMIT}
    )
    app = create_app(settings)
    client = app.test_client()
    statements: Counter[str] = Counter()
    tracing = [False]

    def trace(statement: str) -> None:
        if tracing[0]:
            shape = re.sub(r"'(?:[^']|'')*'|\b\d+\b", "?", " ".join(statement.split()))
            statements[re.sub(r"\?(?:, \?)+", "?…", shape)[:100]] += 1

    event.listen(
        app.extensions["wikiviews_engine"],
        "connect",
        lambda dbapi_connection, _record: dbapi_connection.set_trace_callback(trace),
    )
    headers = {"User-Agent": USER_AGENT}
    for key in ("article60", "summary", "top"):
        chosen = paths.by_route[key][:requests]
        first = client.get(chosen[0], headers=headers)
        if route_missing(first.status_code, first.data):
            say(f"\n{key}: the route does not exist yet; not profiled")
            continue
        for path in chosen[: min(200, len(chosen))]:  # warm caches, as a running server has
            client.get(path, headers=headers)
        unprofiled = time.perf_counter()
        for path in chosen:
            client.get(path, headers=headers)
        unprofiled = time.perf_counter() - unprofiled
        statements.clear()
        tracing[0] = True
        profiler = cProfile.Profile()
        wall = time.perf_counter()
        profiler.enable()
        for path in chosen:
            client.get(path, headers=headers)
        profiler.disable()
        wall = time.perf_counter() - wall
        tracing[0] = False
        dump = out / f"api-{key}.prof"
        profiler.dump_stats(dump)
        say(
            f"\n== {key}: {len(chosen)} requests, {unprofiled / len(chosen) * 1000:.2f} ms per "
            f"request without the profiler ({wall / len(chosen) * 1000:.2f} ms with it); "
            f"profile in {dump}"
        )
        count = sum(statements.values())
        say(f"SQL: {count / len(chosen):.2f} statements per request")
        for statement, times in statements.most_common():
            say(f"  {times / len(chosen):5.2f}/req  {statement}")
        for order in ("tottime", "cumulative"):
            text = io.StringIO()
            pstats.Stats(profiler, stream=text).sort_stats(order).print_stats(25)
            body = text.getvalue()
            say(f"-- top by {order} --")
            say(body[body.find("   ncalls") :].rstrip())


# -- main ---------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--titles", type=int, default=1_000_000, help="titles of the wiki")
    parser.add_argument(
        "--days", type=int, default=366, help="days of data from 2024-01-01 (whole months)"
    )
    parser.add_argument(
        "--read-share", type=float, default=0.1, help="share of the titles read on a given day"
    )
    parser.add_argument(
        "--agents", default="user", help="monthly files per month: user[,spider,automated]"
    )
    parser.add_argument("--store", type=Path, help="store directory (reused when built)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="work directory")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per point")
    parser.add_argument("--connections", default="1,8,32", help="comma-separated")
    parser.add_argument("--repeat", type=int, default=1, help="passes; medians are reported")
    parser.add_argument(
        "--routes", default=",".join(r.key for r in ROUTES), help="comma-separated route keys"
    )
    parser.add_argument(
        "--worker",
        choices=("sync", "gthread"),
        default="sync",
        help="gunicorn worker class: sync is wikiviews serve; gthread (4 threads, keep-alive) "
        "runs the same app under gunicorn directly, for comparison",
    )
    parser.add_argument(
        "--warmup", type=float, default=3.0, help="seconds of unmeasured load per route first"
    )
    parser.add_argument(
        "--prefill-top",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="ask every distinct top list 4 times before measuring (a warm per-worker cache)",
    )
    parser.add_argument(
        "--server-tree",
        type=Path,
        help="serve the API from another wikiviews source tree (e.g. `git archive` of an "
        "older commit), for before/after comparisons",
    )
    parser.add_argument("--build-only", action="store_true", help="build the store and stop")
    parser.add_argument(
        "--profile", action="store_true", help="cProfile the routes in-process instead"
    )
    parser.add_argument("--requests", type=int, default=2_000, help="requests per profile")
    parser.add_argument("--keep-files", action="store_true", help="keep the generated dumps")
    args = parser.parse_args(argv)
    if args.duration <= 0 or args.duration > 120:
        parser.error("--duration must be in (0, 120] seconds")
    if not 1 <= args.repeat <= 10:
        parser.error("--repeat must be 1 to 10")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    months = api_store.months_for_days(args.days)
    spec = StoreSpec(
        titles=args.titles,
        months=min(months, 12 * 5),
        read_share=args.read_share,
        agents=tuple(a.strip() for a in args.agents.split(",") if a.strip()),
    )
    if spec.days != args.days:
        say(f"--days {args.days}: the store holds whole months, {spec.days} days")
    store_dir = args.store or args.out / spec.key
    info = api_store.ensure_store(store_dir, spec, say, keep_files=args.keep_files)
    wanted = {**spec.__dict__, "agents": list(spec.agents)}
    if info["spec"] != wanted:
        raise SystemExit(f"{store_dir} holds {info['spec']}, not {wanted}")
    say(
        f"store: {PROJECT}, {spec.titles:,} titles, {info['days']} days ({info['first_day']} to "
        f"{info['last_day']}), {info['points']:,} data points, "
        f"{info['store_bytes'] / 1e6:,.0f} MB, built in {info['build_seconds']:.0f} s"
    )
    if args.build_only:
        return 0
    paths = make_paths(spec)
    work = args.out / "runs" / f"api-{os.getpid()}"
    work.mkdir(parents=True, exist_ok=True)
    if args.profile:
        profile(store_dir, paths, args.requests, work)
        return 0
    if wrk_available() is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    routes = [key.strip() for key in args.routes.split(",") if key.strip()]
    unknown = set(routes) - ROUTE_BY_KEY.keys()
    if unknown:
        raise SystemExit(f"unknown routes: {', '.join(sorted(unknown))}")
    if "floor" not in routes:
        routes.insert(0, "floor")
    connections = [int(c) for c in args.connections.split(",")]
    files = {}
    for key in routes:
        files[key] = work / f"paths-{key}.txt"
        files[key].write_text("\n".join(paths.by_route[key]) + "\n")
    say(
        f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start; "
        f"{versions()}; {code_revision()}"
    )
    server_text = (
        "wikiviews serve (gunicorn, 2 sync workers: one connection per request)"
        if args.worker == "sync"
        else f"gunicorn 2 gthread workers {' '.join(GTHREAD_OPTIONS)} (not wikiviews serve)"
    )
    if args.server_tree:
        server_text += f", from the source tree {args.server_tree}"
    say(
        f"server: {server_text}; load generator: wrk, 1 thread, on the same cores as the "
        f"workers (nothing pinned); {args.duration:g} s per point, loopback only"
    )
    for line in paths.description:
        say(f"requests: {line}")
    with open(api_store.store_path(store_dir), "rb") as stream:  # into the page cache
        while stream.read(1 << 24):
            pass
    api = start_api(store_dir, work, args.worker, args.server_tree)
    floor = start_floor(work, args.worker)
    cells: dict[tuple[str, int], Cell] = defaultdict(Cell)
    try:
        skip = probe(api, paths, routes)
        for key, reason in skip.items():
            say(f"SKIPPED {key}: {reason}")
        routes = [key for key in routes if key not in skip]
        log = work / "wrk.log"
        say(f"warming up ({args.warmup:g} s per route at 8 connections, not counted) …")
        for key in routes:
            server = floor if key == "floor" else api
            run_wrk(server.base, files[key], 8, args.warmup, key, log)
        if "top" in routes and args.prefill_top:
            seconds, count = prefill(api, paths.by_route["top"])
            say(
                f"top: every one of its {count:,} distinct lists asked 4 times first, so that "
                f"both workers hold it ({seconds:.0f} s; the per-worker cache is warm)"
            )
        for repeat in range(args.repeat):
            for key in routes:
                server = floor if key == "floor" else api
                for conns in connections:
                    point = run_wrk(server.base, files[key], conns, args.duration, key, log)
                    cells[(key, conns)].points.append(point)
                    say(
                        f"  pass {repeat + 1}: {key:10} c={conns:<3} {point.rate:8,.0f} req/s  "
                        f"p50 {point.p50_ms:6.1f} ms  p99 {point.p99_ms:6.1f} ms  "
                        f"non-2xx {point.non_2xx / max(point.requests, 1):.0%}  "
                        f"load {point.load_before:.2f}"
                    )
    finally:
        api.stop()
        floor.stop()
    say(f"\nload average at end: {os.getloadavg()[0]:.2f}; logs in {work}")
    say(
        f"\nMeasured {date.today():%Y-%m-%d}, median of {args.repeat} pass(es) of "
        f"{args.duration:g} s per point; {spec.titles:,} titles × {info['days']} days "
        f"({info['points']:,} data points); {server_text}; wrk and the workers share the "
        f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f}.\n"
    )
    say(table(cells, routes, connections))
    for key, reason in skip.items():
        say(f"\n{ROUTE_BY_KEY[key].label}: not measured ({reason})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
