"""Scoring version 2: each decision keeps its quality and whether it counts (the first at its point), each attempt
the scoring version its score follows and its counts (among the strongest, pitfalls). Attempts, exams and live
sessions keep the seed of the order their responses or options were shown in (scoring.shuffle); rows from before
have none and were shown in file order.

Existing attempts get scoring_version 1; records.rescore re-scores them under the current version when the store
opens (it reads each attempt's stored scenario version), so old and new attempts agree everywhere.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("decisions") as batch:
        batch.add_column(sa.Column("quality", sa.String(16), nullable=True))
        batch.add_column(sa.Column("counted", sa.Boolean(), nullable=False, server_default=sa.true()))
    with op.batch_alter_table("attempts") as batch:
        batch.add_column(sa.Column("scoring_version", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("strongest", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("pitfalls", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("shuffle_seed", sa.String(32), nullable=True))
    for table in ("exams", "live_sessions"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("shuffle_seed", sa.String(32), nullable=True))
    op.create_index("ix_attempts_scoring_version", "attempts", ["scoring_version"])


def downgrade() -> None:
    op.drop_index("ix_attempts_scoring_version", table_name="attempts")
    for table in ("exams", "live_sessions"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("shuffle_seed")
    with op.batch_alter_table("attempts") as batch:
        batch.drop_column("shuffle_seed")
        batch.drop_column("pitfalls")
        batch.drop_column("strongest")
        batch.drop_column("scoring_version")
    with op.batch_alter_table("decisions") as batch:
        batch.drop_column("counted")
        batch.drop_column("quality")
