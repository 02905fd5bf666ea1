"""Users, scenario versions, attempts, decisions and the criteria of each decision.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("name_key", sa.String(80), nullable=False),
        sa.Column("role", sa.String(16), nullable=False, server_default="trainee"),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("name_key", name="uq_users_name_key"),
    )
    op.create_table(
        "scenario_versions",
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("scenario_id", sa.String(64), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("content_hash", name="pk_scenario_versions"),
    )
    op.create_index("ix_scenario_versions_scenario_id", "scenario_versions", ["scenario_id"])
    op.create_table(
        "attempts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("scenario_id", sa.String(64), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="active"),
        sa.Column("current_node", sa.String(64), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("ending_id", sa.String(64), nullable=True),
        sa.Column("points", sa.Integer(), nullable=True),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_attempts"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_attempts_user_id_users", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["content_hash"], ["scenario_versions.content_hash"], name="fk_attempts_content_hash_scenario_versions"
        ),
    )
    op.create_index("ix_attempts_user_status", "attempts", ["user_id", "status"])
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("node_id", sa.String(64), nullable=False),
        sa.Column("choice_id", sa.String(64), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("time_taken_ms", sa.Integer(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_decisions"),
        sa.ForeignKeyConstraint(["attempt_id"], ["attempts.id"], name="fk_decisions_attempt_id_attempts", ondelete="CASCADE"),
        sa.UniqueConstraint("attempt_id", "step", name="uq_decisions_attempt_id_step"),
    )
    op.create_table(
        "decision_criteria",
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("decision_id", "criterion_id", name="pk_decision_criteria"),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["decisions.id"], name="fk_decision_criteria_decision_id_decisions", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_decision_criteria_criterion", "decision_criteria", ["criterion_id"])


def downgrade() -> None:
    op.drop_table("decision_criteria")
    op.drop_table("decisions")
    op.drop_index("ix_attempts_user_status", table_name="attempts")
    op.drop_table("attempts")
    op.drop_index("ix_scenario_versions_scenario_id", table_name="scenario_versions")
    op.drop_table("scenario_versions")
    op.drop_table("users")
