"""xAPI: a durable outbox of statements for a learning record store.

* ``xapi_outbox``: every xAPI statement PeerSim will send, written in the same transaction as the decision, attempt
  or exam it describes (records/xapi_rows.py), so nothing is lost when the learning record store is down. Its
  ``statement_id`` (a UUID, the statement's own id) is fixed when it is written: a resend after a crash carries the
  same id, and the store keeps one copy. ``next_try_at`` is when a sender may (re)try it; ``tries``, ``tried_at``
  and ``last_error`` say how it went; ``sent_at`` marks it sent. ``user_id`` is whose statement it is: deleting an
  account deletes its statements not yet sent.

A new table: nothing existing is rebuilt.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "xapi_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.String(36), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("next_try_at", sa.DateTime(), nullable=False),
        sa.Column("tries", sa.Integer(), server_default="0", nullable=False),
        sa.Column("tried_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_xapi_outbox"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_xapi_outbox_user_id_users", ondelete="CASCADE"),
        sa.UniqueConstraint("statement_id", name="uq_xapi_outbox_statement_id"),
    )
    op.create_index("ix_xapi_outbox_user_id", "xapi_outbox", ["user_id"])
    op.create_index("ix_xapi_outbox_sent_at_next_try_at", "xapi_outbox", ["sent_at", "next_try_at"])


def downgrade() -> None:
    op.drop_index("ix_xapi_outbox_sent_at_next_try_at", table_name="xapi_outbox")
    op.drop_index("ix_xapi_outbox_user_id", table_name="xapi_outbox")
    op.drop_table("xapi_outbox")
