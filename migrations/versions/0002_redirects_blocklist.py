"""redirects and the title blocklist

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql, postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _title() -> sa.types.TypeEngine:
    return (
        sa.String(length=512)
        .with_variant(
            mysql.VARCHAR(charset="utf8mb4", collation="utf8mb4_bin", length=512), "mariadb"
        )
        .with_variant(
            mysql.VARCHAR(charset="utf8mb4", collation="utf8mb4_bin", length=512), "mysql"
        )
        .with_variant(postgresql.VARCHAR(length=512, collation="C"), "postgresql")
    )


def upgrade() -> None:
    op.create_table(
        "redirects",
        sa.Column("project_id", sa.SmallInteger(), nullable=False),
        sa.Column("title", _title(), nullable=False),
        sa.Column("target", _title(), nullable=False),
        sa.PrimaryKeyConstraint("project_id", "title", name=op.f("pk_redirects")),
    )
    with op.batch_alter_table("redirects", schema=None) as batch_op:
        batch_op.create_index("ix_redirects_target", ["project_id", "target"], unique=False)
    op.create_table(
        "blocked_titles",
        sa.Column("project", sa.String(length=64), nullable=False),
        sa.Column("folded", _title(), nullable=False),
        sa.Column("title", _title(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("project", "folded", name=op.f("pk_blocked_titles")),
    )


def downgrade() -> None:
    op.drop_table("blocked_titles")
    with op.batch_alter_table("redirects", schema=None) as batch_op:
        batch_op.drop_index("ix_redirects_target")
    op.drop_table("redirects")
