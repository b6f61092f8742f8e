"""Counts of a day with none yet go in by a plain INSERT where the backend gains by it.

The plain path must give exactly what the upsert gives: repeated keys in one file summed,
a second file of the same day added (by the upsert), a reload changing nothing.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from backend.ingest.loader import days_without_counts
from backend.models import Project, core
from backend.timeutil import day_number
from tests.helpers import store_connection, write_dump
from tests.ingest.test_loading import daily, ingest

DAY = date(2024, 3, 1)
D = day_number(DAY)


def _project_ids(settings) -> dict[str, int]:
    projects = core(Project)
    with store_connection(settings) as connection:
        return dict(connection.execute(select(projects.c.name, projects.c.id)).all())


def _without_counts(settings, pairs) -> bool:
    with store_connection(settings) as connection:
        return days_without_counts(connection, pairs)


def test_a_day_is_fresh_until_a_file_gives_it_counts(migrated_settings, tmp_path):
    assert _without_counts(migrated_settings, [])
    user = write_dump(
        tmp_path,
        "pageviews-20240301-user.bz2",
        ["en.wikipedia Berlin 1 desktop 4 A4", "de.wikipedia Berlin 2 desktop 2 B2"],
    )
    assert ingest(migrated_settings, user)
    ids = _project_ids(migrated_settings)
    en, de = ids["en.wikipedia"], ids["de.wikipedia"]
    assert not _without_counts(migrated_settings, [(en, D)])
    assert not _without_counts(migrated_settings, [(en, D + 1), (de, D)])
    assert _without_counts(migrated_settings, [(en, D + 1), (en, D - 1)])
    assert _without_counts(migrated_settings, [(max(ids.values()) + 1, D)])


def test_repeated_keys_of_a_fresh_day_are_summed_and_later_files_add(migrated_settings, tmp_path):
    # One title on two lines (two page ids: a move) of the same access: one key, 3 + 4 views.
    user = write_dump(
        tmp_path,
        "pageviews-20240301-user.bz2",
        [
            "en.wikipedia Moved_Page 11 desktop 3 A3",
            "en.wikipedia Moved_Page 12 desktop 4 B4",
            "en.wikipedia Other 13 mobile-web 5 C5",
        ],
    )
    spider = write_dump(
        tmp_path,
        "pageviews-20240301-spider.bz2",
        ["en.wikipedia Moved_Page 11 desktop 9 D9", "en.wikipedia New_Here 14 desktop 2 A2"],
    )
    assert ingest(migrated_settings, user)
    assert daily(migrated_settings, "Moved_Page", agent="user") == {D: 7}
    assert ingest(migrated_settings, spider)  # the day has counts now: the upsert path
    assert daily(migrated_settings, "Moved_Page") == {D: 16}
    assert daily(migrated_settings, "Moved_Page", agent="spider") == {D: 9}
    assert daily(migrated_settings, "New_Here", agent="spider") == {D: 2}
    assert daily(migrated_settings, "Other", access="mobile-web") == {D: 5}
    assert ingest(migrated_settings, user, spider)  # reloading changes nothing
    assert daily(migrated_settings, "Moved_Page") == {D: 16}
