"""Roster import: one-time invitations to join a cohort.

* ``invitations``: an instructor imports a list of names and email addresses for a cohort; each good row becomes
  an invitation with a one-time link. As with password resets, only the SHA-256 of the link's token is kept.
  The email address is stored cleaned (trimmed, lower case), as accounts store theirs, so an invitation finds the
  account it belongs to. An invitation is open until it is accepted (``accepted_at``, ``accepted_user_id``), revoked
  by the cohort's instructor (``revoked_at``) or past ``expires_at``.

A new table only: nothing existing is rebuilt (on SQLite a rebuild's drop would cascade to what refers to it).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("invited_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("accepted_at", sa.DateTime(), nullable=True),
        sa.Column("accepted_user_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_invitations"),
        sa.UniqueConstraint("token_hash", name="uq_invitations_token_hash"),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohorts.id"], name="fk_invitations_cohort_id_cohorts", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["invited_by"], ["users.id"], name="fk_invitations_invited_by_users", ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["accepted_user_id"], ["users.id"], name="fk_invitations_accepted_user_id_users", ondelete="SET NULL"
        ),
    )
    op.create_index("ix_invitations_cohort_id_email", "invitations", ["cohort_id", "email"])


def downgrade() -> None:
    op.drop_index("ix_invitations_cohort_id_email", table_name="invitations")
    op.drop_table("invitations")
