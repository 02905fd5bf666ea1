"""Live classroom sessions: the session's state, who joined (with their attempt), and each answer.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "live_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("scenario_id", sa.String(64), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("node_id", sa.String(64), nullable=False),
        sa.Column("phase", sa.String(16), nullable=False, server_default="asking"),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("step_started_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("ending_id", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_live_sessions"),
        sa.UniqueConstraint("code", name="uq_live_sessions_code"),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohorts.id"], name="fk_live_sessions_cohort_id_cohorts", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["host_id"], ["users.id"], name="fk_live_sessions_host_id_users", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["content_hash"], ["scenario_versions.content_hash"], name="fk_live_sessions_content_hash_scenario_versions"
        ),
    )
    op.create_index("ix_live_sessions_cohort_id", "live_sessions", ["cohort_id"])
    op.create_index("ix_live_sessions_host_id", "live_sessions", ["host_id"])
    op.create_table(
        "live_participants",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("joined_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("session_id", "user_id", name="pk_live_participants"),
        sa.ForeignKeyConstraint(
            ["session_id"], ["live_sessions.id"], name="fk_live_participants_session_id_live_sessions", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_live_participants_user_id_users", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["attempt_id"], ["attempts.id"], name="fk_live_participants_attempt_id_attempts", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_live_participants_user_id", "live_participants", ["user_id"])
    op.create_table(
        "live_answers",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("node_id", sa.String(64), nullable=False),
        sa.Column("choice_id", sa.String(64), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("session_id", "step", "user_id", name="pk_live_answers"),
        sa.ForeignKeyConstraint(
            ["session_id"], ["live_sessions.id"], name="fk_live_answers_session_id_live_sessions", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_live_answers_user_id_users", ondelete="CASCADE"),
    )


def downgrade() -> None:
    op.drop_table("live_answers")
    op.drop_index("ix_live_participants_user_id", table_name="live_participants")
    op.drop_table("live_participants")
    op.drop_index("ix_live_sessions_host_id", table_name="live_sessions")
    op.drop_index("ix_live_sessions_cohort_id", table_name="live_sessions")
    op.drop_table("live_sessions")
