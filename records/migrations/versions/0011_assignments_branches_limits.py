"""Assignments, practice branches and spaced-review limits.

* ``assignments``: an instructor asks a cohort to practise a scenario, or to take a mock exam, by a due date.
* ``attempts.branch_of`` and ``attempts.branch_node``: "try again from this point" starts a practice branch, an
  attempt in mode "branch" that begins at a decision point of an earlier attempt. It is kept apart from first
  tries so Progress and the dashboard are not flattered by replays of a single moment. ``branch_of`` is a plain
  column, not a foreign key: adding one would make SQLite rebuild ``attempts``, and the rebuild's drop would
  cascade to every decision. An attempt and its branches belong to one trainee and go together.
* ``review_items.first_reviewed_at``: when a spaced-review item was first studied (none: still new), so a day
  introduces at most the trainee's number of new items.
* ``users.daily_new_items`` and ``users.daily_reviews``: each trainee's daily limits for spaced review.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("scenario_id", sa.String(64), nullable=True),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False, server_default=""),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohorts.id"], name="fk_assignments_cohort_id_cohorts", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name="fk_assignments_created_by_users", ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_assignments"),
    )
    op.create_index("ix_assignments_cohort_id", "assignments", ["cohort_id"])
    with op.batch_alter_table("attempts") as batch:
        batch.add_column(sa.Column("branch_of", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("branch_node", sa.String(64), nullable=True))
    with op.batch_alter_table("review_items") as batch:
        batch.add_column(sa.Column("first_reviewed_at", sa.DateTime(), nullable=True))
    # Items studied before this migration are no longer new: their first review is unknown, so the day they were
    # added stands in for it (they do not count against today's new items either way).
    op.execute("UPDATE review_items SET first_reviewed_at = created_at WHERE reviews > 0")
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("daily_new_items", sa.Integer(), nullable=False, server_default="10"))
        batch.add_column(sa.Column("daily_reviews", sa.Integer(), nullable=False, server_default="50"))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35 and later have it): batch mode would rebuild users and attempts on SQLite,
    # and dropping the old table would cascade to everything that refers to it.
    for table, column in (
        ("users", "daily_reviews"),
        ("users", "daily_new_items"),
        ("review_items", "first_reviewed_at"),
        ("attempts", "branch_node"),
        ("attempts", "branch_of"),
    ):
        op.drop_column(table, column)
    op.drop_index("ix_assignments_cohort_id", table_name="assignments")
    op.drop_table("assignments")
