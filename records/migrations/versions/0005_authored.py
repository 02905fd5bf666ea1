"""Scenarios that instructors write in the studio, and the cohorts each is published to.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "authored_scenarios",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("scenario_id", sa.String(64), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("checked_hash", sa.String(64), nullable=True),
        sa.Column("published_hash", sa.String(64), nullable=True),
        sa.Column("status", sa.String(16), nullable=False, server_default="draft"),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_authored_scenarios"),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name="fk_authored_scenarios_author_id_users", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["published_hash"],
            ["scenario_versions.content_hash"],
            name="fk_authored_scenarios_published_hash_scenario_versions",
        ),
    )
    op.create_index("ix_authored_scenarios_author_id", "authored_scenarios", ["author_id"])
    op.create_table(
        "authored_publications",
        sa.Column("authored_id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("authored_id", "cohort_id", name="pk_authored_publications"),
        sa.ForeignKeyConstraint(
            ["authored_id"],
            ["authored_scenarios.id"],
            name="fk_authored_publications_authored_id_authored_scenarios",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohorts.id"], name="fk_authored_publications_cohort_id_cohorts", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_authored_publications_cohort_id", "authored_publications", ["cohort_id"])


def downgrade() -> None:
    op.drop_index("ix_authored_publications_cohort_id", table_name="authored_publications")
    op.drop_table("authored_publications")
    op.drop_index("ix_authored_scenarios_author_id", table_name="authored_scenarios")
    op.drop_table("authored_scenarios")
