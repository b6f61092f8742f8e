"""Typed SQLAlchemy tables: the schema's source of truth (migrations must match it).

Layout, sized for English Wikipedia (~8 M titles read a day) for years on one machine:

* ``titles`` is the dictionary: one row per (project, title), with the MediaWiki page id
  when the input has one. Every count refers to a title by its integer id.
* ``day_counts`` holds recent daily counts per page and series (see :mod:`backend.codes`):
  every file adds into it, so it is the one place that changes while files arrive.
* ``page_months`` packs settled days into one row per page and month: the daily counts of all
  series in a small varint blob (:mod:`backend.series_codec`) plus the page's monthly totals
  of user views per access method. That keeps a stored data point at a few bytes.
* ``page_hours`` is the optional rolling window of per-page hourly counts.
* ``pending_counts`` holds hourly files' per-page counts of days not yet complete, as
  compressed batches, until the day's last hour folds them into ``day_counts``.
* ``project_hours`` / ``project_days`` / ``project_months`` are per-project aggregates kept
  forever; ``top_articles`` the precomputed top lists.
* ``coverage`` says which hours of a (project, day) each source has loaded (project 0 stands
  for "every project", written by unfiltered loads); ``published_days`` is the winning
  source of each day that is complete and not held; ``held_hours`` the hours held back and why.
* ``country_*`` tables are filled from raw request logs (empty until then).

Days, hours and months are stored as integers counted from 1970-01-01 (see
:mod:`backend.timeutil`): they index and pack better than dates or strings.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects import mysql, postgresql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Title ids: 64-bit everywhere, and SQLite's rowid (INTEGER PRIMARY KEY) there.
TitleId = BigInteger().with_variant(Integer(), "sqlite")
#: Titles compare byte for byte (MediaWiki titles are case-sensitive after the first letter);
#: on PostgreSQL the "C" collation also makes the loader's sorts and joins several times faster.
TitleText = (
    String(512)
    .with_variant(
        mysql.VARCHAR(512, charset="utf8mb4", collation="utf8mb4_bin"), "mysql", "mariadb"
    )
    .with_variant(postgresql.VARCHAR(512, collation="C"), "postgresql")
)
#: Packed series may exceed 64 KiB for a page read every day in many series.
Blob = LargeBinary().with_variant(mysql.MEDIUMBLOB(), "mysql", "mariadb")

WITHOUT_ROWID = {"sqlite_with_rowid": False}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Project(Base):
    """A wiki, named as the pageview API names it (``en.wikipedia``, ``wikidata``)."""

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(64), unique=True)


class Title(Base):
    """The title dictionary: one row per (project, title)."""

    __tablename__ = "titles"
    __table_args__ = (UniqueConstraint("project_id", "title", name="uq_titles_project_title"),)

    id: Mapped[int] = mapped_column(TitleId, primary_key=True, autoincrement=False)
    # No foreign key: the loader creates projects first, and a per-row check of millions of
    # new titles per file doubled the load time on PostgreSQL.
    project_id: Mapped[int] = mapped_column(SmallInteger)
    title: Mapped[str] = mapped_column(TitleText)
    page_id: Mapped[int | None] = mapped_column(BigInteger)


class DayCount(Base):
    """Daily views of a page in one series, for days not yet packed into ``page_months``."""

    __tablename__ = "day_counts"
    __table_args__ = (WITHOUT_ROWID,)

    project_id: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    day: Mapped[int] = mapped_column(Integer, primary_key=True)
    title_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    series: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    views: Mapped[int] = mapped_column(BigInteger)


class PageMonth(Base):
    """All daily counts of one page in one month, packed, with the month's user totals."""

    __tablename__ = "page_months"
    __table_args__ = (WITHOUT_ROWID,)

    project_id: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    month: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    title_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    packed: Mapped[bytes] = mapped_column(Blob)
    user_all: Mapped[int] = mapped_column(BigInteger)
    user_desktop: Mapped[int] = mapped_column(BigInteger)
    user_mobile_web: Mapped[int] = mapped_column(BigInteger)
    user_mobile_app: Mapped[int] = mapped_column(BigInteger)


class PackedDay(Base):
    """A (project, day) whose counts live in ``page_months`` rather than ``day_counts``."""

    __tablename__ = "packed_days"

    project_id: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    day: Mapped[int] = mapped_column(Integer, primary_key=True)


class PendingCount(Base):
    """Per-page counts of one hourly file for one project and day, waiting for the day's
    last hour: a compressed Arrow batch of (title, series, views) rows.

    Hourly files append here instead of into ``day_counts``: one row per file, project and
    part rather than one keyed row per page (see :mod:`backend.ingest.pending`). When the
    day's coverage of the source is complete its batches are summed and added into
    ``day_counts`` at once, and deleted. Days not complete are never published, so no
    reader needs these rows.
    """

    __tablename__ = "pending_counts"

    project_id: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    day: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255), primary_key=True)
    part: Mapped[int] = mapped_column(Integer, primary_key=True)
    row_count: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(Blob)


class PageHour(Base):
    """The rolling hourly window: views of a page in one hour and series."""

    __tablename__ = "page_hours"
    __table_args__ = (WITHOUT_ROWID,)

    project_id: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    title_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    hour: Mapped[int] = mapped_column(Integer, primary_key=True)
    series: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    views: Mapped[int] = mapped_column(BigInteger)


class ProjectHour(Base):
    """Views of a whole project in one hour and series."""

    __tablename__ = "project_hours"
    __table_args__ = (WITHOUT_ROWID,)

    project_id: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    hour: Mapped[int] = mapped_column(Integer, primary_key=True)
    series: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    views: Mapped[int] = mapped_column(BigInteger)


class ProjectDay(Base):
    """Views of a whole project in one day and series."""

    __tablename__ = "project_days"
    __table_args__ = (WITHOUT_ROWID,)

    project_id: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    day: Mapped[int] = mapped_column(Integer, primary_key=True)
    series: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    views: Mapped[int] = mapped_column(BigInteger)


class ProjectMonth(Base):
    """Views of a whole project in one complete, published month (winning sources only)."""

    __tablename__ = "project_months"
    __table_args__ = (WITHOUT_ROWID,)

    project_id: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    month: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    series: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    views: Mapped[int] = mapped_column(BigInteger)


class TopArticle(Base):
    """One entry of a precomputed top list (user agent, title ``-`` excluded).

    ``period`` is a day number for ``granularity='d'`` and a month number for ``'m'``;
    ``access`` is 0 for all-access, else 1 + :class:`backend.codes.Access`.
    """

    __tablename__ = "top_articles"
    __table_args__ = (WITHOUT_ROWID,)

    project_id: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    granularity: Mapped[str] = mapped_column(String(1), primary_key=True)
    period: Mapped[int] = mapped_column(Integer, primary_key=True)
    access: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    position: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    title_id: Mapped[int] = mapped_column(BigInteger)
    views: Mapped[int] = mapped_column(BigInteger)
    rank: Mapped[int] = mapped_column(SmallInteger)


class Coverage(Base):
    """Which hours of a day a source has loaded for a project (0 = every project)."""

    __tablename__ = "coverage"

    project_id: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    day: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    hours_mask: Mapped[int] = mapped_column(Integer)


class HeldHour(Base):
    """An hour held back from publication, and why (project 0 = every project)."""

    __tablename__ = "held_hours"

    project_id: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    hour: Mapped[int] = mapped_column(Integer, primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    held_at: Mapped[datetime] = mapped_column(DateTime)


class PublishedDay(Base):
    """A day that queries may show, and the source whose counts they use for it."""

    __tablename__ = "published_days"

    project_id: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    day: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[int] = mapped_column(SmallInteger)


class IngestedFile(Base):
    """One loaded input file: what it was, what it held and what was rejected."""

    __tablename__ = "ingested_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    path: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    source: Mapped[int] = mapped_column(SmallInteger)
    kind: Mapped[str] = mapped_column(String(16))
    first_hour: Mapped[int] = mapped_column(Integer)
    hours: Mapped[int] = mapped_column(Integer)
    projects: Mapped[str] = mapped_column(Text)
    lines_read: Mapped[int] = mapped_column(BigInteger)
    lines_rejected: Mapped[int] = mapped_column(BigInteger)
    rejects: Mapped[str] = mapped_column(Text)
    views: Mapped[int] = mapped_column(BigInteger)
    duration: Mapped[float] = mapped_column(Float)
    loaded_at: Mapped[datetime] = mapped_column(DateTime)


class CountryDay(Base):
    """Views of a project from one country in one day (raw logs only; privacy-thresholded)."""

    __tablename__ = "country_days"
    __table_args__ = (WITHOUT_ROWID,)

    project_id: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    day: Mapped[int] = mapped_column(Integer, primary_key=True)
    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    access: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    views: Mapped[int] = mapped_column(BigInteger)


class CountryTopArticle(Base):
    """One entry of a per-country daily top list, across projects (raw logs only)."""

    __tablename__ = "country_top_articles"
    __table_args__ = (WITHOUT_ROWID,)

    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    day: Mapped[int] = mapped_column(Integer, primary_key=True)
    access: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    position: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    project_id: Mapped[int] = mapped_column(SmallInteger)
    title_id: Mapped[int] = mapped_column(BigInteger)
    views_ceil: Mapped[int] = mapped_column(BigInteger)
    rank: Mapped[int] = mapped_column(SmallInteger)


class Redirect(Base):
    """A redirect of a wiki: views of ``title`` can be summed into ``target``.

    Titles are kept as text, not as dictionary ids: a redirect is known before anyone reads
    it, and the table is filled from the wiki's own redirect list (``wikiviews redirects load``).
    """

    __tablename__ = "redirects"

    project_id: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    title: Mapped[str] = mapped_column(TitleText, primary_key=True)
    target: Mapped[str] = mapped_column(TitleText)


class BlockedTitle(Base):
    """A title kept out of per-article and top results (matched case-insensitively).

    ``project`` is a project name, so a title can be blocked before the project has data;
    ``folded`` is the title case-folded, the key the read side compares.
    """

    __tablename__ = "blocked_titles"

    project: Mapped[str] = mapped_column(String(64), primary_key=True)
    folded: Mapped[str] = mapped_column(TitleText, primary_key=True)
    title: Mapped[str] = mapped_column(TitleText)
    reason: Mapped[str] = mapped_column(Text)
    added_at: Mapped[datetime] = mapped_column(DateTime)


Index("ix_ingested_files_first_hour", IngestedFile.first_hour)
Index("ix_redirects_target", Redirect.project_id, Redirect.target)


def core(model: type[Base]) -> Table:
    """The Core :class:`~sqlalchemy.Table` of a model, for statements built with Core."""
    return cast(Table, model.__table__)


# -- Raw request logs: working state (deleted after 48 hours) and what they publish ----------

#: An actor's keyed hash, hex (the key is deleted after 48 hours; see
#: :mod:`backend.ingest.requests.actors`).
ActorHash = String(32)


class RequestActor(Base):
    """What one actor (a keyed hash) did on one day: counts only. Deleted after 48 hours."""

    __tablename__ = "request_actors"

    day: Mapped[int] = mapped_column(Integer, primary_key=True)
    actor: Mapped[str] = mapped_column(ActorHash, primary_key=True)
    pageviews: Mapped[int] = mapped_column(Integer)
    first_minute: Mapped[int] = mapped_column(Integer)
    last_minute: Mapped[int] = mapped_column(Integer)
    nocookies: Mapped[int] = mapped_column(Integer)
    distinct_pages: Mapped[int] = mapped_column(Integer)
    ua_length: Mapped[int] = mapped_column(Integer)


class RequestCountryPage(Base):
    """User views of a page from one country in one day and access. Deleted after 48 hours.

    Never published as is: only through the thresholds of ``country_top_articles`` and
    ``country_article_days``.
    """

    __tablename__ = "request_country_pages"
    __table_args__ = (WITHOUT_ROWID,)

    day: Mapped[int] = mapped_column(Integer, primary_key=True)
    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    project_id: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    title_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    access: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    views: Mapped[int] = mapped_column(BigInteger)


class RequestCountryActor(Base):
    """That an actor read a page from a country on a day (to count distinct readers).

    Deleted after 48 hours with the key that made the hash.
    """

    __tablename__ = "request_country_actors"
    __table_args__ = (WITHOUT_ROWID,)

    day: Mapped[int] = mapped_column(Integer, primary_key=True)
    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    project_id: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    title_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    access: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    actor: Mapped[str] = mapped_column(ActorHash, primary_key=True)


class CountryArticleDay(Base):
    """Published per-article views by country and day: over the distinct-reader floor only,
    rounded up to hundreds (``access`` as in ``top_articles``)."""

    __tablename__ = "country_article_days"
    __table_args__ = (WITHOUT_ROWID,)

    project_id: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    title_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    day: Mapped[int] = mapped_column(Integer, primary_key=True)
    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    access: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    views_ceil: Mapped[int] = mapped_column(BigInteger)


class RequestSequence(Base):
    """Sequence numbers received from one log host in one hour (loss and duplicate checks).

    ``ranges`` lists the received numbers as ``first-last`` runs separated by commas.
    """

    __tablename__ = "request_sequences"

    hostname: Mapped[str] = mapped_column(String(255), primary_key=True)
    hour: Mapped[int] = mapped_column(Integer, primary_key=True)
    first_seq: Mapped[int] = mapped_column(BigInteger)
    last_seq: Mapped[int] = mapped_column(BigInteger)
    received: Mapped[int] = mapped_column(BigInteger)
    duplicates: Mapped[int] = mapped_column(BigInteger)
    ranges: Mapped[str] = mapped_column(Text)


class ReleasedHour(Base):
    """An hour released by ``wikiviews publish --force``: the publish gate holds it no more."""

    __tablename__ = "released_hours"

    project_id: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    hour: Mapped[int] = mapped_column(Integer, primary_key=True)
    released_at: Mapped[datetime] = mapped_column(DateTime)


class PurgeRun(Base):
    """One run of ``wikiviews purge``: when, with what retention, and what it deleted."""

    __tablename__ = "purge_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ran_at: Mapped[datetime] = mapped_column(DateTime)
    dry_run: Mapped[bool] = mapped_column(Boolean)
    retention_days: Mapped[int] = mapped_column(Integer)
    files_deleted: Mapped[int] = mapped_column(Integer)
    rows_deleted: Mapped[int] = mapped_column(BigInteger)
    details: Mapped[str] = mapped_column(Text)
