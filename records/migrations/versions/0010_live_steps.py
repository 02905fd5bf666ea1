"""Live classes keep each step's outcome: the response the class followed from it and how many chose it, so every
phone can show what the class said before the next point, and Review can show the class's path beside a trainee's
own answers.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "live_steps",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("node_id", sa.String(64), nullable=False),
        sa.Column("choice_id", sa.String(64), nullable=False),
        sa.Column("chosen_by", sa.Integer(), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("session_id", "step", name="pk_live_steps"),
        sa.ForeignKeyConstraint(
            ["session_id"], ["live_sessions.id"], name="fk_live_steps_session_id_live_sessions", ondelete="CASCADE"
        ),
    )


def downgrade() -> None:
    op.drop_table("live_steps")
