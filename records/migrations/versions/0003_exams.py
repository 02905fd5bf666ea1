"""Mock exams and their answers.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("items", sa.Text(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("pass_mark", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("deadline_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("ended_by", sa.String(16), nullable=True),
        sa.Column("correct", sa.Integer(), nullable=True),
        sa.Column("percent", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_exams"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_exams_user_id_users", ondelete="CASCADE"),
    )
    op.create_index("ix_exams_user_id", "exams", ["user_id"])
    op.create_table(
        "exam_answers",
        sa.Column("exam_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(64), nullable=False),
        sa.Column("choice", sa.Integer(), nullable=True),
        sa.Column("flagged", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("exam_id", "question_id", name="pk_exam_answers"),
        sa.ForeignKeyConstraint(["exam_id"], ["exams.id"], name="fk_exam_answers_exam_id_exams", ondelete="CASCADE"),
    )


def downgrade() -> None:
    op.drop_table("exam_answers")
    op.drop_index("ix_exams_user_id", table_name="exams")
    op.drop_table("exams")
