"""Benchmark of the history-page gadget on a real MediaWiki 1.39 and a real backend.

Sets up what the end-to-end tests use (MediaWiki on ``php -S``, a SQLite store of known views,
``wikiviews serve``, the gadget installed through the wiki's API), then loads the history page
``--rounds`` times with the gadget and as many times without it (``safemode=1``: the same page
with site scripts and gadgets off), interleaved, each in a fresh Chromium context. Prints:

* start → ready: the gadget's own ``performance.mark`` from its start to the box rendered
  (median; target ≤ 200 ms), with the page's load event as the baseline it is set against;
* load event: median ``loadEventEnd`` with and without the gadget, their difference
  (target ≤ 50 ms) and ratio;
* bytes, gzipped (target ≤ 3 KB): the bootstrap's ``load.php`` response (script, styles,
  configuration), the drawing module's, the wiki API's answer that carries the messages, their
  total, and the Wikimedia-mode module, against all ``load.php`` bytes of the page without the
  gadget, gzipped the same way.

Run from the repository root after ``npm ci``::

    .venv/bin/python bench/gadget.py              # 50 rounds (~5 min on 2 cores)
    .venv/bin/python bench/gadget.py --rounds 5   # smoke test
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend.settings import Settings  # noqa: E402
from tests.api.gunicorn import serving as serving_backend  # noqa: E402
from tests.e2e import gadget_store  # noqa: E402
from tests.e2e.mediawiki import install, serving  # noqa: E402
from tests.helpers import cli_env  # noqa: E402

#: gzip level of the byte figures (what web servers commonly use).
GZIP_LEVEL = 6


def gzipped(url: str) -> int:
    """Bytes of ``url``'s body once gzipped."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "identity"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return len(gzip.compress(response.read(), GZIP_LEVEL))


def build_store(directory: Path, api_php: str) -> Settings:
    """The end-to-end tests' store, its redirects read from the wiki."""
    through = datetime.now(UTC).date() - timedelta(days=1)
    dumps = directory / "dumps"
    dumps.mkdir()
    gadget_store.write_dumps(dumps, through)
    settings = Settings(
        data_dir=str(directory), database_url=f"sqlite:///{directory}/wikiviews.sqlite3"
    )
    for command in (["ingest", str(dumps)], ["redirects", "load", gadget_store.PROJECT, api_php]):
        subprocess.run(
            [sys.executable, "-m", "backend", *command],
            env=cli_env(settings),
            check=True,
            capture_output=True,
        )
    return settings


def run_browser(with_url: str, without_url: str, rounds: int) -> list[dict]:
    """The per-load figures from bench/gadget.js."""
    plan = json.dumps({"with": with_url, "without": without_url, "rounds": rounds})
    result = subprocess.run(
        ["node", str(ROOT / "bench" / "gadget.js"), plan],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        raise SystemExit(f"browser run failed:\n{result.stderr[-3000:]}")
    return [json.loads(line) for line in result.stdout.splitlines()]


def report(loads: list[dict], sizes: dict[str, int], page_bytes: int) -> None:
    """Print the three figures with their baselines."""
    with_gadget = [load for load in loads if load["variant"] == "with"]
    without = [load for load in loads if load["variant"] == "without"]
    assert all(load["state"] == "ready" for load in with_gadget), "a box did not render"
    assert all(load["startToReady"] is None for load in without), "safemode loaded the gadget"
    start_ready = statistics.median(load["startToReady"] for load in with_gadget)
    load_with = statistics.median(load["loadEventEnd"] for load in with_gadget)
    load_without = statistics.median(load["loadEventEnd"] for load in without)
    print(f"loads: {len(with_gadget)} with the gadget, {len(without)} without, interleaved")
    print(
        f"start -> ready (median):        {start_ready:7.1f} ms  (target <= 200 ms; "
        f"{start_ready / load_without:.2f} x the page's load event without the gadget)"
    )
    print(
        f"load event, with / without:     {load_with:7.1f} / {load_without:.1f} ms  "
        f"adds {load_with - load_without:+.1f} ms (target <= 50 ms), ratio "
        f"{load_with / load_without:.3f}"
    )
    total = sizes["bootstrap"] + sizes["render"] + sizes["messages"]
    print(f"bytes, gzip -{GZIP_LEVEL} (target <= 3072 B for the gadget's load.php):")
    print(f"  bootstrap load.php (script, styles, configuration): {sizes['bootstrap']:6d} B")
    print(f"  drawing module load.php:                            {sizes['render']:6d} B")
    print(f"  wiki API answer (messages + revision days):         {sizes['messages']:6d} B")
    print(
        f"  total per history view:                             {total:6d} B  "
        f"({total / page_bytes:.1%} of the page's {page_bytes} B of load.php without it)"
    )
    print(f"  Wikimedia-mode module (only in that mode):          {sizes['aqs']:6d} B")


def main() -> None:
    """Set everything up, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=50, help="loads of each variant")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wikiviews-bench-gadget-") as tmp:
        directory = Path(tmp)
        wiki = install(directory / "site")
        with serving(wiki):
            through = datetime.now(UTC).date() - timedelta(days=1)
            wiki.import_xml(gadget_store.pages_xml(through))
            (directory / "store").mkdir()
            store = build_store(directory / "store", wiki.api_php)
            (directory / "gunicorn").mkdir()
            with serving_backend(store, directory / "gunicorn", workers=2) as backend:
                env = {
                    **os.environ,
                    "WIKIVIEWS_WIKI_USER": wiki.bot.user,
                    "WIKIVIEWS_WIKI_PASSWORD": wiki.bot.password,
                }
                subprocess.run(
                    [sys.executable, str(ROOT / "gadget" / "install.py"), "--site",
                     wiki.api_php, "--api", backend.url, "--project", gadget_store.PROJECT],
                    env=env, check=True, capture_output=True,
                )  # fmt: skip
                base = wiki.index_php + "?"
                page = {"title": gadget_store.ARTICLE, "action": "history"}
                loads = run_browser(
                    base + urlencode(page),
                    base + urlencode({**page, "safemode": "1"}),
                    args.rounds,
                )
                first = next(load for load in loads if load["variant"] == "with")
                module = next(u for u in first["modules"] if "modules=ext.gadget.wikiviews&" in u)
                sizes = {
                    "bootstrap": gzipped(module),
                    "render": gzipped(module.replace("wikiviews&", "wikiviews-render&")),
                    "aqs": gzipped(module.replace("wikiviews&", "wikiviews-aqs&")),
                    "messages": gzipped(first["api"][0]),
                }
                baseline = next(load for load in loads if load["variant"] == "without")
                page_bytes = sum(gzipped(url) for url in baseline["modules"])
                report(loads, sizes, page_bytes)


if __name__ == "__main__":
    main()
