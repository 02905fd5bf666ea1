"""History and co-authoring for studio drafts.

* ``authored_revisions``: every save of a draft that changed its text is a numbered version: the text, the draft's
  name at the time, who saved it and when. ``restored_from`` names the version a restore brought back. Drafts
  written before this migration get their current text as version 1, saved by their author when last changed.
* ``authored_shares``: the instructors a draft is shared with (its co-authors).

Both are new tables: nothing existing is rebuilt (on SQLite a rebuild's drop would cascade to what refers to it).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "authored_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("authored_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("saved_by", sa.Integer(), nullable=True),
        sa.Column("saved_at", sa.DateTime(), nullable=False),
        sa.Column("restored_from", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_authored_revisions"),
        sa.ForeignKeyConstraint(
            ["authored_id"],
            ["authored_scenarios.id"],
            name="fk_authored_revisions_authored_id_authored_scenarios",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["saved_by"], ["users.id"], name="fk_authored_revisions_saved_by_users", ondelete="SET NULL"),
        sa.UniqueConstraint("authored_id", "number", name="uq_authored_revisions_authored_id_number"),
    )
    op.execute(
        "INSERT INTO authored_revisions (authored_id, number, name, source, saved_by, saved_at) "
        "SELECT id, 1, name, source, author_id, updated_at FROM authored_scenarios"
    )
    op.create_table(
        "authored_shares",
        sa.Column("authored_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("shared_by", sa.Integer(), nullable=True),
        sa.Column("shared_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("authored_id", "user_id", name="pk_authored_shares"),
        sa.ForeignKeyConstraint(
            ["authored_id"],
            ["authored_scenarios.id"],
            name="fk_authored_shares_authored_id_authored_scenarios",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_authored_shares_user_id_users", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["shared_by"], ["users.id"], name="fk_authored_shares_shared_by_users", ondelete="SET NULL"),
    )
    op.create_index("ix_authored_shares_user_id", "authored_shares", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_authored_shares_user_id", table_name="authored_shares")
    op.drop_table("authored_shares")
    op.drop_table("authored_revisions")
