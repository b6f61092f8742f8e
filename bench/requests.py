"""Benchmark of ``wikiviews ingest-requests``: lines per second, one and two processes.

Generates a realistic webrequest-like JSON log (Zipf-distributed titles and readers, a
real-world mix of browser, crawler, tool and app user agents, a few heavy actors, a share
of non-pageview requests), then measures, as medians of ``--repeat`` runs:

* the baseline: reading the same file and JSON-decoding every line, nothing else;
* the whole pipeline in one process: ``wikiviews ingest-requests FILE`` into a fresh SQLite
  store (reading, classification, aggregation, the store transaction);
* two processes: two ``ingest-requests`` of the two halves of the file, run at once into
  one fresh store;

and prints lines/s, the ratio to the baseline, and the hit rates of the user-agent and IP
caches as the command reports them. Usage::

    .venv/bin/python bench/requests.py [--lines 400000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

BROWSERS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/{v}.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.{v} Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:{v}.0) Gecko/20100101 Firefox/{v}.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_{v} like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; SM-S91{v}B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Mobile Safari/537.36",
]
CRAWLERS = [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.{v}; "
    "+https://openai.com/gptbot)",
]
TOOLS = [
    "python-requests/2.3{v}.0",
    "curl/8.{v}.0",
    "MyResearchTool/0.{v} (https://example.org/tool; tool@example.org)",
]
APPS = ["WikipediaApp/2.7.{v} (Android 14; Phone) Google Play"]


def generate(path: Path, lines: int, seed: int = 7) -> None:
    """Write ``lines`` JSON lines to ``path`` (one hour of one busy wiki plus neighbours)."""
    rng = random.Random(seed)
    titles = [f"Article_{i}" for i in range(50_000)]
    weights = [1 / (i + 1) for i in range(len(titles))]
    readers = [
        (
            ".".join(str(rng.randint(a, b)) for a, b in ((1, 223), (0, 255), (0, 255), (1, 254))),
            rng.choice(BROWSERS).format(v=rng.randint(100, 131)),
        )
        for _ in range(40_000)
    ]
    reader_weights = [1 / (i + 1) ** 0.6 for i in range(len(readers))]
    heavy = [(f"198.18.0.{i}", BROWSERS[0].format(v=120)) for i in range(5)]
    others = (
        [(f"66.249.{i}.1", rng.choice(CRAWLERS).format(v=i % 3)) for i in range(200)]
        + [(f"203.0.113.{i}", rng.choice(TOOLS).format(v=i % 9)) for i in range(50)]
        + [(f"100.64.{i}.9", APPS[0].format(v=i)) for i in range(100)]
    )
    hosts = ["en.wikipedia.org"] * 6 + ["en.m.wikipedia.org"] * 3 + ["de.wikipedia.org"]
    base = int(time.time() // 3600 - 3) * 3600
    title_draw = rng.choices(titles, weights, k=lines)
    reader_draw = rng.choices(readers, reader_weights, k=lines)
    with path.open("w") as out:
        for n in range(lines):
            roll = rng.random()
            if roll < 0.70:
                ip, ua = reader_draw[n]
            elif roll < 0.80:
                ip, ua = rng.choice(heavy)
            else:
                ip, ua = rng.choice(others)
            at = base + n * 3600 // lines
            kind = rng.random()
            path_, query, ctype = f"/wiki/{title_draw[n]}", "", "text/html; charset=UTF-8"
            if kind < 0.15:
                path_, query, ctype = "/w/load.php", "?modules=site&only=styles", "text/css"
            elif kind < 0.20:
                path_, query, ctype = "/w/api.php", "?action=query&format=json", "application/json"
            record = {
                "hostname": f"cp{1001 + n % 4}",
                "sequence": n // 4,
                "dt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at)),
                "ip": ip,
                "http_status": "200" if rng.random() < 0.96 else "304",
                "http_method": "GET",
                "uri_host": rng.choice(hosts),
                "uri_path": path_,
                "uri_query": query,
                "content_type": ctype,
                "user_agent": ua,
                "x_analytics": "ns=0;https=1" if kind >= 0.2 else "",
                "referer": "https://www.google.com/",
                "accept_language": "en-GB,en;q=0.9",
            }
            out.write(json.dumps(record) + "\n")


def baseline(path: Path, decode=json.loads) -> float:
    """Seconds to read the file and JSON-decode every line (with ``decode``)."""
    started = time.perf_counter()
    with path.open("rb") as handle:
        for line in handle:
            decode(line)
    return time.perf_counter() - started


def ingest(paths: list[Path], workdir: Path) -> tuple[float, str]:
    """Wall seconds of one ``ingest-requests`` process per path, all at once, one store."""
    data = Path(tempfile.mkdtemp(dir=workdir))
    env = {**os.environ, "WIKIVIEWS_DATA_DIR": str(data)}
    env.pop("WIKIVIEWS_DATABASE_URL", None)
    command = [sys.executable, "-m", "backend", "db", "upgrade"]
    subprocess.run(command, env=env, check=True, capture_output=True)
    started = time.perf_counter()
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "backend", "ingest-requests", str(p)],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for p in paths
    ]
    outputs = [p.communicate()[0] for p in processes]
    seconds = time.perf_counter() - started
    if any(p.returncode for p in processes):
        raise SystemExit("ingest-requests failed:\n" + "\n".join(outputs))
    return seconds, outputs[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=400_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        work = Path(directory)
        log = work / "webrequest.json"
        generate(log, args.lines)
        halves = [work / "half-1.json", work / "half-2.json"]
        with log.open() as source, halves[0].open("w") as a, halves[1].open("w") as b:
            for n, line in enumerate(source):
                (a if n % 2 == 0 else b).write(line)
        base = statistics.median(baseline(log) for _ in range(args.repeat))
        fast = statistics.median(baseline(log, orjson.loads) for _ in range(args.repeat))
        one = [ingest([log], work) for _ in range(args.repeat)]
        two = [ingest(halves, work) for _ in range(args.repeat)]
    one_s = statistics.median(s for s, _ in one)
    two_s = statistics.median(s for s, _ in two)
    caches = re.search(r"user-agent cache (.*), IP cache (.*)$", one[0][1].strip())
    lines = args.lines
    print(f"lines: {lines:,} (median of {args.repeat} runs each)")
    print(f"baseline, read + json.loads:  {lines / base:>10,.0f} lines/s")
    print(f"baseline, read + orjson.loads:{lines / fast:>10,.0f} lines/s")
    print(
        f"ingest-requests, 1 process:   {lines / one_s:>10,.0f} lines/s "
        f"({base / one_s:.2f}x baseline)"
    )
    print(
        f"ingest-requests, 2 processes: {lines / two_s:>10,.0f} lines/s "
        f"({base / two_s:.2f}x baseline)"
    )
    if caches:
        print(f"user-agent cache: {caches.group(1)}; IP cache: {caches.group(2)}")


if __name__ == "__main__":
    main()
