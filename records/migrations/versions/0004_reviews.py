"""Spaced-review items (FSRS cards) per trainee.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("ref", sa.String(255), nullable=False),
        sa.Column("card", sa.Text(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("reviews", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("lapses", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_review_items"),
        sa.UniqueConstraint("user_id", "kind", "ref", name="uq_review_items_user_id_kind_ref"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_review_items_user_id_users", ondelete="CASCADE"),
    )
    op.create_index("ix_review_items_user_due", "review_items", ["user_id", "due_at"])


def downgrade() -> None:
    op.drop_index("ix_review_items_user_due", table_name="review_items")
    op.drop_table("review_items")
