"""Fixtures of the end-to-end tests: a real MediaWiki and a real headless Chromium.

* ``mediawiki`` (session): a wiki installed once (see ``mediawiki.py``) and served by
  ``php -S`` on a free port for the whole session. Use ``wiki`` in tests instead.
* ``wiki``: the same wiki, reset to its "base" snapshot before the test.
* ``browser``: ``browser(plan)`` runs ``js/visit.js`` in Debian's Chromium and returns its
  report (requests, console messages, page errors, the evaluated result).
* ``artifacts``: a directory for screenshots, ``tests/e2e/artifacts/`` (git-ignored) or
  ``$WIKIVIEWS_E2E_ARTIFACTS``.

Missing MediaWiki, PHP, Chromium or ``node_modules`` skip these tests, and fail them under
``WIKIVIEWS_REQUIRE_SERVICES=1`` (as in CI, whose ``.ci/run`` installs them).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.mediawiki import MediaWiki, MediaWikiUnavailable, install, serving

ROOT = Path(__file__).resolve().parents[2]
VISIT = Path(__file__).resolve().parent / "js" / "visit.js"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
#: A browser run that takes longer than this is stuck, not slow.
BROWSER_TIMEOUT_SECONDS = 120


def _unavailable(reason: str) -> None:
    if os.environ.get("WIKIVIEWS_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason} (WIKIVIEWS_REQUIRE_SERVICES=1)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def mediawiki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MediaWiki]:
    """The session's wiki, installed once and running (``url`` set)."""
    try:
        wiki = install(tmp_path_factory.mktemp("mediawiki") / "site")
    except MediaWikiUnavailable as error:
        _unavailable(str(error))
    with serving(wiki):
        yield wiki


@pytest.fixture
def wiki(mediawiki: MediaWiki) -> MediaWiki:
    """The running wiki, back at its "base" snapshot."""
    mediawiki.reset()
    return mediawiki


@pytest.fixture(scope="session")
def browser() -> Callable[[dict], dict]:
    """``browser(plan)``: open a page in headless Chromium as ``js/visit.js`` describes."""
    if not Path(CHROMIUM).exists():
        _unavailable(f"no Chromium at {CHROMIUM}: apt-get install chromium")
    if not (ROOT / "node_modules" / "playwright-core").is_dir() or not shutil.which("node"):
        _unavailable("node or node_modules missing: run npm ci")

    def run(plan: dict) -> dict:
        result = subprocess.run(
            ["node", str(VISIT), json.dumps(plan)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=BROWSER_TIMEOUT_SECONDS,
        )
        if result.returncode != 0:
            raise AssertionError(f"browser run failed:\n{result.stderr[-4000:]}")
        return json.loads(result.stdout)

    return run


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots go (kept after the run, never committed)."""
    directory = Path(os.environ.get("WIKIVIEWS_E2E_ARTIFACTS", ROOT / "tests/e2e/artifacts"))
    directory.mkdir(parents=True, exist_ok=True)
    return directory
