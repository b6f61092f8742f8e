"""raw request logs: actor state, country working tables, sequences, releases, purges

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NO_ROWID = {"sqlite_with_rowid": False}


def upgrade() -> None:
    op.create_table(
        "request_actors",
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=32), nullable=False),
        sa.Column("pageviews", sa.Integer(), nullable=False),
        sa.Column("first_minute", sa.Integer(), nullable=False),
        sa.Column("last_minute", sa.Integer(), nullable=False),
        sa.Column("nocookies", sa.Integer(), nullable=False),
        sa.Column("distinct_pages", sa.Integer(), nullable=False),
        sa.Column("ua_length", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "actor", name=op.f("pk_request_actors")),
    )
    op.create_table(
        "request_country_pages",
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("project_id", sa.SmallInteger(), nullable=False),
        sa.Column("title_id", sa.BigInteger(), nullable=False),
        sa.Column("access", sa.SmallInteger(), nullable=False),
        sa.Column("views", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "day",
            "country",
            "project_id",
            "title_id",
            "access",
            name=op.f("pk_request_country_pages"),
        ),
        **_NO_ROWID,
    )
    op.create_table(
        "request_country_actors",
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("project_id", sa.SmallInteger(), nullable=False),
        sa.Column("title_id", sa.BigInteger(), nullable=False),
        sa.Column("access", sa.SmallInteger(), nullable=False),
        sa.Column("actor", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint(
            "day",
            "country",
            "project_id",
            "title_id",
            "access",
            "actor",
            name=op.f("pk_request_country_actors"),
        ),
        **_NO_ROWID,
    )
    op.create_table(
        "country_article_days",
        sa.Column("project_id", sa.SmallInteger(), nullable=False),
        sa.Column("title_id", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("access", sa.SmallInteger(), nullable=False),
        sa.Column("views_ceil", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "project_id",
            "title_id",
            "day",
            "country",
            "access",
            name=op.f("pk_country_article_days"),
        ),
        **_NO_ROWID,
    )
    op.create_table(
        "request_sequences",
        sa.Column("hostname", sa.String(length=255), nullable=False),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("first_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("received", sa.BigInteger(), nullable=False),
        sa.Column("duplicates", sa.BigInteger(), nullable=False),
        sa.Column("ranges", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("hostname", "hour", name=op.f("pk_request_sequences")),
    )
    op.create_table(
        "released_hours",
        sa.Column("project_id", sa.SmallInteger(), nullable=False),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("released_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("project_id", "hour", name=op.f("pk_released_hours")),
    )
    op.create_table(
        "purge_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ran_at", sa.DateTime(), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("retention_days", sa.Integer(), nullable=False),
        sa.Column("files_deleted", sa.Integer(), nullable=False),
        sa.Column("rows_deleted", sa.BigInteger(), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purge_runs")),
    )


def downgrade() -> None:
    for table in (
        "purge_runs",
        "released_hours",
        "request_sequences",
        "country_article_days",
        "request_country_actors",
        "request_country_pages",
        "request_actors",
    ):
        op.drop_table(table)
