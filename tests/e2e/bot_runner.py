"""Run ``wikiviews-bot`` in a child process with views from a JSON file (crash tests).

Usage: ``python bot_runner.py VIEWS.json [wikiviews-bot arguments…]``; the JSON holds
``{"through": "YYYY-MM-DD", "views": [[project, title, "YYYY-MM-DD", desktop, mobile], …]}``.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "bot"))
from memory_source import MemorySource

import bot.jobs
from bot.cli import main


def _source(path: str) -> MemorySource:
    spec = json.loads(Path(path).read_text(encoding="utf-8"))
    source = MemorySource(through=date.fromisoformat(spec["through"]))
    for project, title, day, desktop, mobile in spec["views"]:
        source.add(project, title, date.fromisoformat(day), desktop, mobile)
    return source


if __name__ == "__main__":
    views = _source(sys.argv[1])
    bot.jobs.open_source = lambda spec: views
    main(sys.argv[2:])
