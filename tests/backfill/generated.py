"""A small generated month of every dump kind, for comparing back-fill and ingest.

March 2024 as daily ``pageview_complete`` files (three agents, three wikis, some page ids
null), February as a monthly user file, hourly ``pageviews`` for days that also have
complete files (the better source must win) and for days that have none, and legacy
``pagecounts`` for a day before all of them. Deterministic for a seed.
"""

from __future__ import annotations

import random
from pathlib import Path

from tests.helpers import write_dump

WIKIS = {"en.wikipedia": "en", "de.wikipedia": "de", "commons.wikimedia": "commons"}
ACCESS = ("desktop", "mobile-web", "mobile-app")
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWX[\\]^_"


def _titles(rng: random.Random, count: int) -> list[str]:
    odd = ["Café_%25", 'Quote_"x"', "Back\\slash", "עברית", "A|B"]
    return sorted({f"Page_{rng.randrange(10 * count)}" for _ in range(count)} | set(odd))


def _letters(total: int, slots: int, rng: random.Random) -> str:
    cuts: dict[int, int] = {}
    for _ in range(total):
        slot = rng.randrange(slots)
        cuts[slot] = cuts.get(slot, 0) + 1
    return "".join(f"{LETTERS[slot]}{cuts[slot]}" for slot in sorted(cuts))


def _complete_lines(rng: random.Random, titles: list[str], slots: int, scale: int) -> list[str]:
    lines = []
    for wiki in WIKIS:
        for number, title in enumerate(titles):
            for access in ACCESS:
                if rng.random() < 0.45:
                    continue
                total = 1 + int(rng.paretovariate(1.3) * scale) % 400
                page = "null" if number % 7 == 0 else str(1000 + number)
                lines.append(
                    f"{wiki} {title} {page} {access} {total} {_letters(total, slots, rng)}"
                )
    return sorted(lines, key=str.encode)


def write_month(directory: Path, *, titles: int = 60, seed: int = 11) -> Path:
    """Write the generated files into ``directory`` (created) and return it."""
    rng = random.Random(seed)
    names = _titles(rng, titles)
    directory.mkdir(parents=True, exist_ok=True)
    write_dump(directory, "pageviews-202402-user.bz2", _complete_lines(rng, names, 29, 5))
    for day in range(1, 9):
        for agent in ("user", "automated", "spider"):
            write_dump(
                directory,
                f"pageviews-202403{day:02d}-{agent}.bz2",
                _complete_lines(rng, names[: titles // (2 if agent != "user" else 1)], 24, 2),
            )
    # Hourly files: day 8 also has complete files (those win); days 9 and 10 have none.
    for day in (8, 9, 10):
        for hour in (0, 5, 23):
            lines = sorted(
                (
                    f"{code}{rng.choice(['', '.m'])} {title} {1 + rng.randrange(30)} 0"
                    for code in WIKIS.values()
                    for title in rng.sample(names, len(names) // 3)
                ),
                key=str.encode,
            )
            write_dump(directory, f"pageviews-202403{day:02d}-{hour:02d}0000.gz", lines)
    for hour in (1, 2):
        write_dump(
            directory,
            f"pagecounts-20140501-{hour:02d}0000.gz",
            [f"en {t.replace('%', '%25')} {1 + rng.randrange(9)} 100" for t in names[:20]],
        )
    return directory
