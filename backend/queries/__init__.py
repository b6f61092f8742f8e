"""The read side for the API and the bot: the only package that writes SELECTs for them.

Every function sees published data only: days in ``published_days`` (with their winning
source) and hours that some source covers and no hold keeps back. ``access`` and ``agent``
take the API's values (``all-access``, ``desktop`` …; ``all-agents``, ``user`` …).
Series leave out days and hours without views, as Wikimedia's API does; a day with views
that are not of the access and agent asked for is present with 0 (zero is not absence).

Modules: ``common`` (vocabularies, the statement fast path, id lookups, blocklist),
``articles``, ``projects``, ``tops``, ``article_ids`` (the extensions' reads by title id),
``ranges`` (range top lists), ``country_articles`` (per-article country counts),
``freshness`` and ``status`` (what is loaded). Everything public is importable from here.
"""

from __future__ import annotations

from backend.queries.article_ids import (
    ArticleIds,
    DayPublication,
    daily_views_by_id,
    day_publication,
    hourly_views_by_id,
    last_visible_hour,
    project_and_through,
    resolve_titles,
    sum_views,
    top_rank,
    visible_hours,
)
from backend.queries.articles import (
    article_daily,
    article_monthly,
    last_published_day,
    published_days,
)
from backend.queries.common import (
    ALL_PROJECTS,
    TOP_ACCESS_COLUMN,
    TopEntry,
    blocked_titles,
    data_version,
    is_blocked,
    project_id,
    project_names,
    title_id,
)
from backend.queries.country_articles import CountryViews, article_by_country
from backend.queries.freshness import Freshness, freshness, hourly_window_filled
from backend.queries.projects import (
    last_published_hour,
    project_daily,
    project_hourly,
    project_monthly,
    project_monthly_from_days,
    store_overview,
)
from backend.queries.ranges import RangeTop, ScanTooLong, range_top_days, range_top_months
from backend.queries.status import ProjectRow, pending_days, project_rows, store_size
from backend.queries.tops import (
    COUNTRY_MONTH_MINIMUM,
    CountryArticle,
    CountryEntry,
    top_articles,
    top_countries,
    top_per_country,
)

__all__ = [
    "ALL_PROJECTS",
    "COUNTRY_MONTH_MINIMUM",
    "TOP_ACCESS_COLUMN",
    "ArticleIds",
    "CountryArticle",
    "CountryEntry",
    "CountryViews",
    "DayPublication",
    "Freshness",
    "ProjectRow",
    "RangeTop",
    "ScanTooLong",
    "TopEntry",
    "article_by_country",
    "article_daily",
    "article_monthly",
    "blocked_titles",
    "daily_views_by_id",
    "data_version",
    "day_publication",
    "freshness",
    "hourly_views_by_id",
    "hourly_window_filled",
    "is_blocked",
    "last_published_day",
    "last_published_hour",
    "last_visible_hour",
    "pending_days",
    "project_and_through",
    "project_daily",
    "project_hourly",
    "project_id",
    "project_monthly",
    "project_monthly_from_days",
    "project_names",
    "project_rows",
    "published_days",
    "range_top_days",
    "range_top_months",
    "resolve_titles",
    "store_overview",
    "store_size",
    "sum_views",
    "title_id",
    "top_articles",
    "top_countries",
    "top_per_country",
    "top_rank",
    "visible_hours",
]
