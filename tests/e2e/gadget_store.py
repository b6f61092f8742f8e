"""The known data of the gadget's end-to-end tests: a store, the wiki's pages, the answers.

Everything is dated relative to ``through``, the last complete day (yesterday, UTC), because
the gadget's Wikimedia mode asks for the days up to yesterday as Wikimedia's API would have
them. For ``en.wikipedia``, 70 daily ``pageview_complete`` files of user views on desktop:

* ``Main_Page`` 5000 a day, ``Popular`` 1000, ``Test_Article`` 200 + (37·n mod 90) on the day
  whose ordinal is n, ``Test_Redirect`` 5, :data:`ODD_TITLE` 40 + (n mod 7);
* spider views of ``Test_Article`` (99 999 on ``through``) that a human-traffic count ignores.

The wiki holds ``Test Article`` with revisions on ``through`` − 100 (before the chart),
− 50, − 20 (two, one at 00:30 UTC), − 3 (at 23:59:59 UTC) and ``through`` + 1 (after it);
``Test Redirect`` redirecting to it; and :data:`ODD_TITLE` edited on ``through`` − 10.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

from tests.helpers import write_dump

PROJECT = "en.wikipedia"
ARTICLE = "Test_Article"
REDIRECT = "Test_Redirect"
#: Quotes, an ampersand and right-to-left text: legal in a MediaWiki title, awkward elsewhere.
ODD_TITLE = 'Zoë_"Q"_&_עברית'
DAYS_STORED = 70
SERIES_DAYS = 60


def views_on(title: str, day: date) -> int:
    """User views of ``title`` on ``day`` (0 outside the stored days is the caller's job)."""
    n = day.toordinal()
    return {
        "Main_Page": 5000,
        "Popular": 1000,
        ARTICLE: 200 + (37 * n) % 90,
        REDIRECT: 5,
        ODD_TITLE: 40 + n % 7,
    }[title]


def stored_days(through: date) -> list[date]:
    """The days the store holds, oldest first."""
    return [through - timedelta(days=k) for k in range(DAYS_STORED - 1, -1, -1)]


def write_dumps(directory: Path, through: date) -> None:
    """The daily user and spider files of the store."""
    titles = ("Main_Page", "Popular", ARTICLE, REDIRECT, ODD_TITLE)
    for day in stored_days(through):
        lines = [
            f"{PROJECT} {title} null desktop {views_on(title, day)} A{views_on(title, day)}"
            for title in titles
        ]
        write_dump(directory, f"pageviews-{day:%Y%m%d}-user.bz2", sorted(lines))
    write_dump(
        directory,
        f"pageviews-{through:%Y%m%d}-spider.bz2",
        [f"{PROJECT} {ARTICLE} null desktop 99999 A99999"],
    )


def expected(title: str, through: date, *, redirects: bool) -> dict:
    """What the summary route must answer for ``title`` (rank: by views on ``through``)."""
    included = [title] + ([REDIRECT] if redirects and title == ARTICLE else [])
    series = [
        (day, sum(views_on(t, day) for t in included))
        for day in (through - timedelta(days=k) for k in range(SERIES_DAYS - 1, -1, -1))
    ]
    total = sum(v for _, v in series[-30:])
    previous = sum(v for _, v in series[:30])
    ranking = sorted(
        ("Main_Page", "Popular", ARTICLE, REDIRECT, ODD_TITLE),
        key=lambda t: -views_on(t, through),
    )
    return {
        "through": f"{through:%Y%m%d}",
        "series": [{"date": f"{d:%Y%m%d}", "views": v} for d, v in series],
        "total_30": total,
        "previous_total_30": previous,
        "change_pct": round((total - previous) * 100 / previous, 1),
        "rank": ranking.index(title) + 1,
    }


def revision_times(through: date) -> list[datetime]:
    """When ``Test Article`` was edited."""
    at = datetime.combine
    return [
        at(through - timedelta(days=100), time(12)),
        at(through - timedelta(days=50), time(12)),
        at(through - timedelta(days=20), time(0, 30)),
        at(through - timedelta(days=20), time(16)),
        at(through - timedelta(days=3), time(23, 59, 59)),
        at(through + timedelta(days=1), time(0, 5)),
    ]


def edited_days(through: date) -> set[str]:
    """The days of ``Test Article``'s chart that must carry an edit mark."""
    first = through - timedelta(days=SERIES_DAYS - 1)
    return {f"{t:%Y%m%d}" for t in revision_times(through) if first <= t.date() <= through}


def _revision(when: datetime, user: str, text: str) -> str:
    return (
        f"<revision><timestamp>{when:%Y-%m-%dT%H:%M:%SZ}</timestamp>"
        f"<contributor><username>{user}</username></contributor><comment>edit</comment>"
        "<model>wikitext</model><format>text/x-wiki</format>"
        f'<text xml:space="preserve">{escape(text)}</text></revision>'
    )


def _page(title: str, revisions: list[str]) -> str:
    return f"<page><title>{escape(title)}</title><ns>0</ns>{''.join(revisions)}</page>"


def pages_xml(through: date) -> str:
    """An XML dump of the wiki's pages (importDump.php keeps the revisions' times)."""
    users = ("Alice", "Bob")
    article = [
        _revision(when, users[i % 2], f"Version {i} of the article.")
        for i, when in enumerate(revision_times(through))
    ]
    odd = [_revision(datetime.combine(through - timedelta(days=10), time(9)), "Alice", "Odd.")]
    redirect = [
        _revision(
            datetime.combine(through - timedelta(days=90), time(9)),
            "Bob",
            "#REDIRECT [[Test Article]]",
        )
    ]
    return (
        '<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" version="0.11" '
        'xml:lang="en">'
        + _page(ARTICLE.replace("_", " "), article)
        + _page(ODD_TITLE.replace("_", " "), odd)
        + _page(REDIRECT.replace("_", " "), redirect)
        + "</mediawiki>"
    )
