"""LTI 1.3: registered platforms, the tool's key, linked accounts, courses, activities and their gradebook.

* ``lti_platforms``: learning platforms (LMSs) an admin registered: issuer, client id, the platform's login, token
  and key set addresses, and its deployment ids (a JSON list). One row per issuer and client id.
* ``lti_tool_keys``: PeerSim's own RSA key pair, made once; its public half is served at /lti/jwks.
* ``lti_users``: a platform's person (its ``sub``) and the PeerSim account they sign in to, which has no password.
* ``lti_contexts``: a platform's course and the cohort it fills, with the course's roster address.
* ``lti_resource_links``: an activity in a course and what it opens (a scenario or a mock exam), with the
  gradebook addresses of Assignment and Grade Services.
* ``lti_link_users``: who launched which activity, in which course role, and since when.
* ``lti_launch_state``: nonces and launch data, shared by every server process behind a load balancer.
* ``lti_grade_outbox``: a score to send to a platform's gradebook, once per completion, retried after a failure.

All are new tables: nothing existing is changed.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lti_platforms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("issuer", sa.String(255), nullable=False),
        sa.Column("client_id", sa.String(255), nullable=False),
        sa.Column("auth_login_url", sa.String(1000), nullable=False),
        sa.Column("auth_token_url", sa.String(1000), nullable=False),
        sa.Column("keyset_url", sa.String(1000), nullable=False),
        sa.Column("deployment_ids", sa.Text(), nullable=False, server_default="[]"),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_lti_platforms"),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name="fk_lti_platforms_created_by_users", ondelete="SET NULL"),
        sa.UniqueConstraint("issuer", "client_id", name="uq_lti_platforms_issuer_client_id"),
    )
    op.create_table(
        "lti_tool_keys",
        sa.Column("kid", sa.String(64), nullable=False),
        sa.Column("private_pem", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("kid", name="pk_lti_tool_keys"),
    )
    op.create_table(
        "lti_users",
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("sub", sa.String(255), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("platform_id", "sub", name="pk_lti_users"),
        sa.ForeignKeyConstraint(
            ["platform_id"], ["lti_platforms.id"], name="fk_lti_users_platform_id_lti_platforms", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_lti_users_user_id_users", ondelete="CASCADE"),
    )
    op.create_index("ix_lti_users_user_id", "lti_users", ["user_id"])
    op.create_table(
        "lti_contexts",
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("context_id", sa.String(255), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(255), nullable=False, server_default=""),
        sa.Column("memberships_url", sa.String(1000), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("platform_id", "context_id", name="pk_lti_contexts"),
        sa.ForeignKeyConstraint(
            ["platform_id"], ["lti_platforms.id"], name="fk_lti_contexts_platform_id_lti_platforms", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohorts.id"], name="fk_lti_contexts_cohort_id_cohorts", ondelete="CASCADE"),
    )
    op.create_index("ix_lti_contexts_cohort_id", "lti_contexts", ["cohort_id"])
    op.create_table(
        "lti_resource_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("deployment_id", sa.String(255), nullable=False),
        sa.Column("link_id", sa.String(255), nullable=False),
        sa.Column("context_id", sa.String(255), nullable=True),
        sa.Column("title", sa.String(255), nullable=False, server_default=""),
        sa.Column("target_kind", sa.String(16), nullable=True),
        sa.Column("scenario_id", sa.String(64), nullable=True),
        sa.Column("lineitem_url", sa.String(1000), nullable=True),
        sa.Column("lineitems_url", sa.String(1000), nullable=True),
        sa.Column("ags_scopes", sa.Text(), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_lti_resource_links"),
        sa.ForeignKeyConstraint(
            ["platform_id"], ["lti_platforms.id"], name="fk_lti_resource_links_platform_id_lti_platforms", ondelete="CASCADE"
        ),
        sa.UniqueConstraint(
            "platform_id", "deployment_id", "link_id", name="uq_lti_resource_links_platform_id_deployment_id_link_id"
        ),
    )
    op.create_table(
        "lti_link_users",
        sa.Column("resource_link_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("first_launched_at", sa.DateTime(), nullable=False),
        sa.Column("last_launched_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("resource_link_id", "user_id", name="pk_lti_link_users"),
        sa.ForeignKeyConstraint(
            ["resource_link_id"],
            ["lti_resource_links.id"],
            name="fk_lti_link_users_resource_link_id_lti_resource_links",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_lti_link_users_user_id_users", ondelete="CASCADE"),
    )
    op.create_index("ix_lti_link_users_user_id", "lti_link_users", ["user_id"])
    op.create_table(
        "lti_launch_state",
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_lti_launch_state"),
    )
    op.create_index("ix_lti_launch_state_expires_at", "lti_launch_state", ["expires_at"])
    op.create_table(
        "lti_grade_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resource_link_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("ref", sa.Integer(), nullable=False),
        sa.Column("score_given", sa.Integer(), nullable=False),
        sa.Column("score_maximum", sa.Integer(), nullable=False),
        sa.Column("completed_at", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("next_try_at", sa.DateTime(), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text(), nullable=False, server_default=""),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("gave_up_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_lti_grade_outbox"),
        sa.ForeignKeyConstraint(
            ["resource_link_id"],
            ["lti_resource_links.id"],
            name="fk_lti_grade_outbox_resource_link_id_lti_resource_links",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_lti_grade_outbox_user_id_users", ondelete="CASCADE"),
        sa.UniqueConstraint("resource_link_id", "kind", "ref", name="uq_lti_grade_outbox_resource_link_id_kind_ref"),
    )
    op.create_index("ix_lti_grade_outbox_user_id", "lti_grade_outbox", ["user_id"])
    op.create_index("ix_lti_grade_outbox_sent_at_next_try_at", "lti_grade_outbox", ["sent_at", "next_try_at"])


def downgrade() -> None:
    op.drop_index("ix_lti_grade_outbox_sent_at_next_try_at", table_name="lti_grade_outbox")
    op.drop_index("ix_lti_grade_outbox_user_id", table_name="lti_grade_outbox")
    op.drop_table("lti_grade_outbox")
    op.drop_index("ix_lti_launch_state_expires_at", table_name="lti_launch_state")
    op.drop_table("lti_launch_state")
    op.drop_index("ix_lti_link_users_user_id", table_name="lti_link_users")
    op.drop_table("lti_link_users")
    op.drop_table("lti_resource_links")
    op.drop_index("ix_lti_contexts_cohort_id", table_name="lti_contexts")
    op.drop_table("lti_contexts")
    op.drop_index("ix_lti_users_user_id", table_name="lti_users")
    op.drop_table("lti_users")
    op.drop_table("lti_tool_keys")
    op.drop_table("lti_platforms")
