"""The store of the extension tests (``/api/wikiviews/v1/`` and ``/json/``).

:func:`extensions_store_on` (the ``extensions_store`` fixture of conftest.py) loads it
with ``top_size=3`` (so stored top lists are cut and the range tops must prove or scan)
and the hourly window on. For ``en.wikipedia``, user views
on desktop unless said otherwise:

* January 2024 (monthly ``pageview_complete``): ``Main_Page`` 1000 a day, ``Second`` 100,
  ``Steady`` 60, ``Target`` 10;
* February 2024 (monthly): ``Main_Page`` 2000, ``Second`` 100, ``Steady`` 60, ``Target`` 20,
  and ``Spike_D`` 500 on day D only, for D = 10…19;
* 1–3 March (daily ``pageview_complete``, every view in hour 0): ``Main_Page`` 3000 desktop
  + 100 mobile-web + 7 spider, ``Second`` 100, ``Steady`` 60, ``Target`` 30,
  ``Redirect_A`` 1, ``Redirect_B`` 2, ``Blocked_Redirect`` 5, each of :data:`ODD_TITLES` 3;
  on 3 March also ``Hidden`` 2500 (blocked);
* 4 March 00:00–05:59 (hourly ``pageviews``, not a complete day): ``Main_Page`` 50 desktop
  and 5 mobile an hour, ``Target`` 4, ``Redirect_A`` 1.

``Redirect_A``, ``Redirect_B``, ``Blocked_Redirect`` and ``Redirect_Unviewed`` redirect to
``Target``; ``hidden`` and ``Blocked_Redirect`` are blocked. ``de.wikipedia`` has ``Berlin``
9 a day in March and a held hour, 3 March 10:00.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, text

from backend import db
from backend.blocklist import add_entries, make_entry
from backend.ingest.ingest_command import run_ingest
from backend.ingest.parsed import ProjectFilter
from backend.ingest.run import expand_paths
from backend.redirects import replace_redirects
from backend.settings import Settings
from backend.timeutil import hour_number
from tests.conftest import empty_store
from tests.helpers import write_dump

#: Titles that must come out intact: wikitext and HTML metacharacters, CSV quoting,
#: right-to-left text, and 255 bytes of UTF-8.
ODD_TITLES = [
    "A|B_{{x}}_]]",
    "<script>alert(1)</script>",
    'Say_"Hi",_World',
    "עברית_(ספר)",
    "é" * 127 + "x",
]
REDIRECTS = {
    "Redirect_A": "Target",
    "Redirect_B": "Target",
    "Blocked_Redirect": "Target",
    "Redirect_Unviewed": "Target",
}
HELD_HOUR = hour_number(date(2024, 3, 3), 10)


def _day_letter(day: int) -> str:
    return chr(ord("A") + day - 1)


def _monthly(directory: Path, month: date, per_day: Callable[[int], dict[str, int]]) -> None:
    days = (month.replace(month=month.month + 1) - month).days
    totals: dict[str, dict[int, int]] = {}
    for day in range(1, days + 1):
        for title, views in per_day(day).items():
            totals.setdefault(title, {})[day] = views
    lines = [
        f"en.wikipedia {title} null desktop {sum(counts.values())} "
        + "".join(f"{_day_letter(d)}{v}" for d, v in sorted(counts.items()))
        for title, counts in sorted(totals.items())
    ]
    write_dump(directory, f"pageviews-{month:%Y%m}-user.bz2", lines)


def _write_dumps(directory: Path) -> None:
    _monthly(
        directory,
        date(2024, 1, 1),
        lambda d: {"Main_Page": 1000, "Second": 100, "Steady": 60, "Target": 10},
    )
    _monthly(
        directory,
        date(2024, 2, 1),
        lambda d: {
            "Main_Page": 2000,
            "Second": 100,
            "Steady": 60,
            "Target": 20,
            **({f"Spike_{d}": 500} if 10 <= d <= 19 else {}),
        },
    )
    for n in (1, 2, 3):
        day = date(2024, 3, n)
        user = {
            "Main_Page": 3000,
            "Second": 100,
            "Steady": 60,
            "Target": 30,
            "Redirect_A": 1,
            "Redirect_B": 2,
            "Blocked_Redirect": 5,
            **dict.fromkeys(ODD_TITLES, 3),
            **({"Hidden": 2500} if n == 3 else {}),
        }
        lines = [f"en.wikipedia {t} null desktop {v} A{v}" for t, v in user.items()]
        lines += [
            "en.wikipedia Main_Page null mobile-web 100 A100",
            "de.wikipedia Berlin 5 desktop 9 A9",
        ]
        write_dump(directory, f"pageviews-{day:%Y%m%d}-user.bz2", sorted(lines))
        write_dump(
            directory,
            f"pageviews-{day:%Y%m%d}-spider.bz2",
            ["en.wikipedia Main_Page null desktop 7 A7"],
        )
    for hour in range(6):
        write_dump(
            directory,
            f"pageviews-20240304-{hour:02d}0000.gz",
            ["en Main_Page 50 0", "en Redirect_A 1 0", "en Target 4 0", "en.m Main_Page 5 0"],
        )


@contextmanager
def extensions_store_on(
    backend: str, directory: Path, admin_engine: Callable[[str], Engine]
) -> Iterator[Settings]:
    """Settings of the store described in this module's docstring, on ``backend``."""
    with empty_store(backend, directory, admin_engine) as plain:
        settings = dataclasses.replace(plain, top_size=3, hourly_window_days=7)
        db.upgrade(settings)
        dumps = directory / "dumps"
        dumps.mkdir()
        _write_dumps(dumps)
        assert run_ingest(settings, expand_paths([str(dumps)]), ProjectFilter(), hourly=True)
        engine = db.make_engine(settings)
        with engine.begin() as connection:
            ids = dict(connection.execute(text("SELECT name, id FROM projects")).all())
            replace_redirects(connection, ids["en.wikipedia"], REDIRECTS.items())
            add_entries(
                connection,
                [
                    make_entry("en.wikipedia", "hidden"),
                    make_entry("en.wikipedia", "Blocked_Redirect"),
                ],
            )
            connection.execute(
                text(
                    "INSERT INTO held_hours (project_id, hour, reason, held_at) "
                    "VALUES (:p, :h, 'spike: 5x the hour a week before', :at)"
                ),
                {"p": ids["de.wikipedia"], "h": HELD_HOUR, "at": datetime(2024, 3, 4, 1, 2, 3)},
            )
        engine.dispose()
        yield settings


def identified_client(app: Flask) -> FlaskClient:
    """A client of ``app`` that identifies itself."""
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = "wikiviews-tests/1.0 (tests@example.org)"
    return client


def days_between(first: date, last: date) -> list[date]:
    """Every date from ``first`` to ``last``, inclusive."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
