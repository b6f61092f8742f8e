"""Statistics page benchmark: time to first chart in headless Chromium, and page weight.

Serves the API benchmark's store (:mod:`api_store`: one simulated year of ``en.wikipedia``,
built once and cached under ``bench/out``) with ``wikiviews serve`` and loads, each ``--loads``
times in a fresh browser context (nothing cached):

* one article over the year of daily data (``/?pages=…&start=…&end=…``);
* the ten most viewed articles over the same year;
* the top view of one month (``/topviews?date=YYYY-MM``).

The figure is the median time from navigation to the page's ``wikiviews:ready`` mark (the
chart and tables drawn), cold (a fresh browser context: nothing cached) and warm (the page's
static files cached by a visit to another view before, as for a returning reader; the data
is fetched anew). The baseline, measured in the same run, is a script fetching and
parsing the same API answers the page used (the one the shell inlined included), without a
browser. Page weight is the HTML
shell plus every static file, each gzipped, before any data.

    .venv/bin/python bench/page.py [--titles 100000] [--months 12] [--loads 20]

Needs Node.js, ``npm ci`` (playwright-core) and Chromium at /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import api_store
from api import BENCH, DEFAULT_OUT, REPO, start_api
from api_store import StoreSpec

STATIC = REPO / "backend" / "web" / "static"
TARGETS_MS = {"one article, a year": 500, "ten articles, a year": 1000, "top view, a month": 500}


def get_json(base: str, path: str) -> dict:
    """The JSON of a GET on the benchmark server."""
    request = urllib.request.Request(base + path, headers={"User-Agent": "wikiviews-bench"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


def page_weight(base: str) -> tuple[int, int]:
    """(raw bytes, gzipped bytes) of the shell at / plus every static file of the page."""
    request = urllib.request.Request(base + "/", headers={"User-Agent": "wikiviews-bench"})
    with urllib.request.urlopen(request, timeout=60) as response:
        parts = [response.read()]
    parts += [path.read_bytes() for path in sorted(STATIC.rglob("*")) if path.is_file()]
    return sum(map(len, parts)), sum(len(gzip.compress(part, 9)) for part in parts)


def cases(base: str, info: dict) -> dict[str, str]:
    """The pages to load: their paths on the server, from the store's own top list."""
    first, last = info["first_day"], info["last_day"]
    top, month = None, last[:7]
    for month in sorted({last[:7], f"{last[:5]}{int(last[5:7]) - 1:02d}"}, reverse=True):
        try:  # the newest month whose top list is stored (the last one may still be open)
            top = get_json(base, f"/api/rest_v1/metrics/pageviews/top/en.wikipedia/all-access/"
                           f"{month[:4]}/{month[5:]}/all-days")  # fmt: skip
            break
        except urllib.error.HTTPError:
            continue
    if top is None:
        raise SystemExit("the store has no monthly top list for its last two months")
    titles = [entry["article"] for entry in top["items"][0]["articles"][:10]]
    pages = lambda names: "|".join(quote(t, safe="") for t in names)  # noqa: E731
    span = f"project=en.wikipedia&start={first}&end={last}"
    return {
        "one article, a year": f"/?{span}&pages={pages(titles[:1])}",
        "ten articles, a year": f"/?{span}&pages={pages(titles)}",
        "top view, a month": f"/topviews?project=en.wikipedia&date={month}",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--titles", type=int, default=100_000, help="titles of the wiki")
    parser.add_argument("--months", type=int, default=12, help="months of daily data")
    parser.add_argument("--loads", type=int, default=20, help="page loads per case (median)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="work directory")
    args = parser.parse_args(argv)
    spec = StoreSpec(titles=args.titles, months=args.months)
    store_dir = args.out / spec.key
    info = api_store.ensure_store(store_dir, spec)
    work = args.out / "page"
    work.mkdir(parents=True, exist_ok=True)
    server = start_api(store_dir, work)
    try:
        raw, zipped = page_weight(server.base)
        plan = {"base": server.base, "loads": args.loads, "cases": cases(server.base, info)}
        done = subprocess.run(
            ["node", str(BENCH / "page.mjs"), json.dumps(plan)],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise SystemExit(done.stderr)
        results = json.loads(done.stdout)
    finally:
        server.stop()
    span = f"{info['first_day']} to {info['last_day']}"
    print(f"store: {spec.titles:,} titles, {info['days']} days ({span}); {args.loads} loads a case")
    print(f"page weight before data: {raw / 1024:.1f} KB, {zipped / 1024:.1f} KB gzipped "
          "(target ≤ 100 KB gzipped)")  # fmt: skip
    print(f"{'case':<22} {'cold':>8} {'warm':>8} {'baseline':>9} {'ratio':>12} {'target':>8}")
    for name, result in results.items():
        cold, warm = statistics.median(result["cold"]), statistics.median(result["warm"])
        plain = statistics.median(result["baseline"])
        print(
            f"{name:<22} {cold:>5.0f} ms {warm:>5.0f} ms {plain:>6.0f} ms "
            f"{cold / plain:>5.1f}x/{warm / plain:>4.1f}x {TARGETS_MS[name]:>5} ms"
        )
    print("cold: nothing cached; warm: the page's files cached by a visit to another view, "
          "the data not; baseline: the same API answers fetched and parsed by a script; "
          "ratio: cold/warm against the baseline (medians)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
