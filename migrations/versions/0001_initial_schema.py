"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 12:54:05.284434
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql, postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "country_days",
        sa.Column("project_id", sa.SmallInteger(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("access", sa.SmallInteger(), nullable=False),
        sa.Column("views", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "project_id", "day", "country", "access", name=op.f("pk_country_days")
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "country_top_articles",
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("access", sa.SmallInteger(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("project_id", sa.SmallInteger(), nullable=False),
        sa.Column("title_id", sa.BigInteger(), nullable=False),
        sa.Column("views_ceil", sa.BigInteger(), nullable=False),
        sa.Column("rank", sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "country", "day", "access", "position", name=op.f("pk_country_top_articles")
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "coverage",
        sa.Column("project_id", sa.SmallInteger(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("source", sa.SmallInteger(), nullable=False),
        sa.Column("hours_mask", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("project_id", "day", "source", name=op.f("pk_coverage")),
    )
    op.create_table(
        "day_counts",
        sa.Column("project_id", sa.SmallInteger(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("title_id", sa.BigInteger(), nullable=False),
        sa.Column("series", sa.SmallInteger(), nullable=False),
        sa.Column("views", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "project_id", "day", "title_id", "series", name=op.f("pk_day_counts")
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "held_hours",
        sa.Column("project_id", sa.SmallInteger(), nullable=False),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("held_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("project_id", "hour", name=op.f("pk_held_hours")),
    )
    op.create_table(
        "ingested_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("source", sa.SmallInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("first_hour", sa.Integer(), nullable=False),
        sa.Column("hours", sa.Integer(), nullable=False),
        sa.Column("projects", sa.Text(), nullable=False),
        sa.Column("lines_read", sa.BigInteger(), nullable=False),
        sa.Column("lines_rejected", sa.BigInteger(), nullable=False),
        sa.Column("rejects", sa.Text(), nullable=False),
        sa.Column("views", sa.BigInteger(), nullable=False),
        sa.Column("duration", sa.Float(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingested_files")),
        sa.UniqueConstraint("name", name=op.f("uq_ingested_files_name")),
    )
    with op.batch_alter_table("ingested_files", schema=None) as batch_op:
        batch_op.create_index("ix_ingested_files_first_hour", ["first_hour"], unique=False)

    op.create_table(
        "packed_days",
        sa.Column("project_id", sa.SmallInteger(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("project_id", "day", name=op.f("pk_packed_days")),
    )
    op.create_table(
        "page_hours",
        sa.Column("project_id", sa.SmallInteger(), nullable=False),
        sa.Column("title_id", sa.BigInteger(), nullable=False),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("series", sa.SmallInteger(), nullable=False),
        sa.Column("views", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "project_id", "title_id", "hour", "series", name=op.f("pk_page_hours")
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "page_months",
        sa.Column("project_id", sa.SmallInteger(), nullable=False),
        sa.Column("month", sa.SmallInteger(), nullable=False),
        sa.Column("title_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "packed",
            sa.LargeBinary()
            .with_variant(mysql.MEDIUMBLOB(), "mariadb")
            .with_variant(mysql.MEDIUMBLOB(), "mysql"),
            nullable=False,
        ),
        sa.Column("user_all", sa.BigInteger(), nullable=False),
        sa.Column("user_desktop", sa.BigInteger(), nullable=False),
        sa.Column("user_mobile_web", sa.BigInteger(), nullable=False),
        sa.Column("user_mobile_app", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("project_id", "month", "title_id", name=op.f("pk_page_months")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "project_days",
        sa.Column("project_id", sa.SmallInteger(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("series", sa.SmallInteger(), nullable=False),
        sa.Column("views", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("project_id", "day", "series", name=op.f("pk_project_days")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "project_hours",
        sa.Column("project_id", sa.SmallInteger(), nullable=False),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("series", sa.SmallInteger(), nullable=False),
        sa.Column("views", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("project_id", "hour", "series", name=op.f("pk_project_hours")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "project_months",
        sa.Column("project_id", sa.SmallInteger(), nullable=False),
        sa.Column("month", sa.SmallInteger(), nullable=False),
        sa.Column("series", sa.SmallInteger(), nullable=False),
        sa.Column("views", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("project_id", "month", "series", name=op.f("pk_project_months")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "projects",
        sa.Column("id", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projects")),
        sa.UniqueConstraint("name", name=op.f("uq_projects_name")),
    )
    op.create_table(
        "published_days",
        sa.Column("project_id", sa.SmallInteger(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("source", sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint("project_id", "day", name=op.f("pk_published_days")),
    )
    op.create_table(
        "top_articles",
        sa.Column("project_id", sa.SmallInteger(), nullable=False),
        sa.Column("granularity", sa.String(length=1), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("access", sa.SmallInteger(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("title_id", sa.BigInteger(), nullable=False),
        sa.Column("views", sa.BigInteger(), nullable=False),
        sa.Column("rank", sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "project_id",
            "granularity",
            "period",
            "access",
            "position",
            name=op.f("pk_top_articles"),
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "titles",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("project_id", sa.SmallInteger(), nullable=False),
        sa.Column(
            "title",
            sa.String(length=512)
            .with_variant(
                mysql.VARCHAR(charset="utf8mb4", collation="utf8mb4_bin", length=512), "mariadb"
            )
            .with_variant(
                mysql.VARCHAR(charset="utf8mb4", collation="utf8mb4_bin", length=512), "mysql"
            )
            .with_variant(postgresql.VARCHAR(length=512, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("page_id", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_titles")),
        sa.UniqueConstraint("project_id", "title", name="uq_titles_project_title"),
    )


def downgrade() -> None:
    op.drop_table("titles")
    op.drop_table("top_articles")
    op.drop_table("published_days")
    op.drop_table("projects")
    op.drop_table("project_months")
    op.drop_table("project_hours")
    op.drop_table("project_days")
    op.drop_table("page_months")
    op.drop_table("page_hours")
    op.drop_table("packed_days")
    with op.batch_alter_table("ingested_files", schema=None) as batch_op:
        batch_op.drop_index("ix_ingested_files_first_hour")

    op.drop_table("ingested_files")
    op.drop_table("held_hours")
    op.drop_table("day_counts")
    op.drop_table("coverage")
    op.drop_table("country_top_articles")
    op.drop_table("country_days")
