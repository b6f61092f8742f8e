"""Per-article views by country and day (``country_article_days``, filled by raw logs).

The raw-log ingest writes only what may be published: articles read by more than
``country_min_actors`` (at least 1000) distinct actors from a country that day, views
rounded up to hundreds, never the title ``-`` nor a protected country. This read adds no
other number and leaves out blocked titles.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from backend.blocklist import fold_title
from backend.models import CountryArticleDay, Title
from backend.queries.common import TOP_ACCESS_COLUMN, blocked_titles, project_id


@dataclass(frozen=True)
class CountryViews:
    """Views of an article from one country on one day (rounded up to hundreds)."""

    day: int
    country: str
    views_ceil: int


def article_by_country(
    connection: Connection, project: str, access: str, title: str, first_day: int, last_day: int
) -> list[CountryViews]:
    """Published country counts of one article in ``[first_day, last_day]``, by day then
    views (largest first) then country; empty for an unknown or blocked title."""
    pid = project_id(connection, project)
    if pid is None or fold_title(title) in blocked_titles(connection, project):
        return []
    rows = connection.execute(
        select(CountryArticleDay.day, CountryArticleDay.country, CountryArticleDay.views_ceil)
        .join(
            Title,
            (Title.id == CountryArticleDay.title_id)
            & (Title.project_id == CountryArticleDay.project_id),
        )
        .where(
            CountryArticleDay.project_id == pid,
            Title.title == title,
            Title.title != "-",
            CountryArticleDay.access == TOP_ACCESS_COLUMN[access],
            CountryArticleDay.day.between(first_day, last_day),
        )
        .order_by(
            CountryArticleDay.day, CountryArticleDay.views_ceil.desc(), CountryArticleDay.country
        )
    )
    return [CountryViews(day, country, int(views)) for day, country, views in rows]
