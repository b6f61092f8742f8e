"""pending counts: hourly files' per-page counts of days not yet complete

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pending_counts",
        sa.Column("project_id", sa.SmallInteger(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("source", sa.SmallInteger(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("part", sa.Integer(), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column(
            "data",
            sa.LargeBinary()
            .with_variant(mysql.MEDIUMBLOB(), "mysql")
            .with_variant(mysql.MEDIUMBLOB(), "mariadb"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint(
            "project_id", "day", "source", "file_name", "part", name=op.f("pk_pending_counts")
        ),
    )


def downgrade() -> None:
    # Before 0004 every hourly file added into day_counts at once: move the pending counts
    # there (incomplete days are unpublished either way), then drop their table.
    from backend.ingest.dialect import dialect_for
    from backend.ingest.loader import fold_pending
    from backend.ingest.pending import all_groups
    from backend.partitions import ensure_partitions

    connection = op.get_bind()
    groups = all_groups(connection)
    ensure_partitions(connection, sorted({group.day for group in groups}))
    fold_pending(connection, dialect_for(connection), groups)
    op.drop_table("pending_counts")
