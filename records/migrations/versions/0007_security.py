"""Security: one table of throttled events (sign-in failures per email, address and pair; join-code guesses;
current-password checks) replaces sign_in_failures, and a marker that makes creating the first admin atomic.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "throttle_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_throttle_events"),
    )
    op.create_index("ix_throttle_events_kind_key_at", "throttle_events", ["kind", "key", "at"])
    op.drop_index("ix_sign_in_failures_email_at", table_name="sign_in_failures")
    op.drop_table("sign_in_failures")  # transient counts: nothing to carry over
    op.create_table(
        "install_markers",
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_install_markers"),
    )
    # An installation that already has an admin has had its first one.
    op.execute(
        "INSERT INTO install_markers (name, at) SELECT 'first-admin', "
        "(SELECT MIN(created_at) FROM users WHERE role = 'admin') "
        "WHERE EXISTS (SELECT 1 FROM users WHERE role = 'admin')"
    )


def downgrade() -> None:
    op.drop_table("install_markers")
    op.create_table(
        "sign_in_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sign_in_failures"),
    )
    op.create_index("ix_sign_in_failures_email_at", "sign_in_failures", ["email", "at"])
    op.drop_index("ix_throttle_events_kind_key_at", table_name="throttle_events")
    op.drop_table("throttle_events")
