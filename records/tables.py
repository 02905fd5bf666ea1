"""The database tables (SQLAlchemy Core). Migrations in records/migrations create and change them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    true,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in Python; naive UTC in the database, so SQLite and PostgreSQL agree."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(80), nullable=False),
    Column("name_key", String(80), nullable=False, index=True),
    Column("role", String(16), nullable=False, server_default="trainee"),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("email", String(254), nullable=True, unique=True),
    Column("password_hash", String(255), nullable=True),
    Column("oidc_subject", String(255), nullable=True, unique=True),
    Column("disabled", Boolean, nullable=False, server_default=false()),
    Column("daily_new_items", Integer, nullable=False, server_default="10"),  # spaced review: new items a day
    Column("daily_reviews", Integer, nullable=False, server_default="50"),  # spaced review: reviews a day
)

sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("revoked_at", UTCDateTime(), nullable=True),
)

throttle_events = Table(
    "throttle_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(24), nullable=False),
    Column("key", String(300), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Index("ix_throttle_events_kind_key_at", "kind", "key", "at"),
)

install_markers = Table(
    "install_markers",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("at", UTCDateTime(), nullable=False),
)

cohorts = Table(
    "cohorts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(120), nullable=False),
    Column("join_code", String(16), nullable=False, unique=True),
    Column("owner_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("archived", Boolean, nullable=False, server_default=false()),
)

cohort_members = Table(
    "cohort_members",
    metadata,
    Column("cohort_id", Integer, ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
    Column("joined_at", UTCDateTime(), nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UTCDateTime(), nullable=False, index=True),
    Column("actor_id", Integer, nullable=True),
    Column("actor_name", String(80), nullable=False),
    Column("action", String(40), nullable=False),
    Column("subject_user_id", Integer, nullable=True),
    Column("detail", Text, nullable=False, server_default=""),
)

scenario_versions = Table(
    "scenario_versions",
    metadata,
    Column("content_hash", String(64), primary_key=True),
    Column("scenario_id", String(64), nullable=False, index=True),
    Column("source", Text, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

attempts = Table(
    "attempts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("scenario_id", String(64), nullable=False),
    Column("content_hash", String(64), ForeignKey("scenario_versions.content_hash"), nullable=False),
    Column("mode", String(16), nullable=False),
    Column("status", String(16), nullable=False, server_default="active"),
    Column("current_node", String(64), nullable=False),
    Column("started_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("finished_at", UTCDateTime(), nullable=True),
    Column("ending_id", String(64), nullable=True),
    Column("points", Integer, nullable=True),  # scoring version 1 points (exports); no score uses them
    Column("score", Integer, nullable=True),
    Column("scoring_version", Integer, nullable=False, server_default="1"),  # the rule score and counts follow
    Column("strongest", Integer, nullable=True),  # counted decisions among the strongest (version 2)
    Column("pitfalls", Integer, nullable=True),  # counted decisions that named a pitfall (version 2)
    Column("shuffle_seed", String(32), nullable=True),  # the order responses were shown in; none: file order
    Column("branch_of", Integer, nullable=True),  # mode "branch": the attempt it branched from (no FK: 0011)
    Column("branch_node", String(64), nullable=True),  # the decision point a practice branch starts from
    Index("ix_attempts_user_status", "user_id", "status"),
    Index("ix_attempts_scoring_version", "scoring_version"),
)

decisions = Table(
    "decisions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("attempt_id", Integer, ForeignKey("attempts.id", ondelete="CASCADE"), nullable=False),
    Column("step", Integer, nullable=False),
    Column("node_id", String(64), nullable=False),
    Column("choice_id", String(64), nullable=False),
    Column("points", Integer, nullable=False),  # scoring version 1 points (exports)
    Column("quality", String(16), nullable=True),  # strongest, helpful, mixed or pitfall (version 2)
    Column("counted", Boolean, nullable=False, server_default=true()),  # false at a point decided before (a loop)
    Column("time_taken_ms", Integer, nullable=False),
    Column("decided_at", UTCDateTime(), nullable=False),
    UniqueConstraint("attempt_id", "step"),
)

decision_criteria = Table(
    "decision_criteria",
    metadata,
    Column("decision_id", Integer, ForeignKey("decisions.id", ondelete="CASCADE"), primary_key=True),
    Column("criterion_id", String(64), primary_key=True),
    Index("ix_decision_criteria_criterion", "criterion_id"),
)

exams = Table(
    "exams",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("items", Text, nullable=False),  # the form: question ids in order, comma-separated
    Column("minutes", Integer, nullable=False),
    Column("pass_mark", Integer, nullable=False),
    Column("started_at", UTCDateTime(), nullable=False),
    Column("deadline_at", UTCDateTime(), nullable=False),
    Column("submitted_at", UTCDateTime(), nullable=True),
    Column("ended_by", String(16), nullable=True),  # "submitted" or "time"
    Column("correct", Integer, nullable=True),
    Column("percent", Integer, nullable=True),
    Column("shuffle_seed", String(32), nullable=True),  # the order options were shown in; none: file order
)

exam_answers = Table(
    "exam_answers",
    metadata,
    Column("exam_id", Integer, ForeignKey("exams.id", ondelete="CASCADE"), primary_key=True),
    Column("question_id", String(64), primary_key=True),
    Column("choice", Integer, nullable=True),
    Column("flagged", Boolean, nullable=False, server_default=false()),
    Column("updated_at", UTCDateTime(), nullable=False),
)

review_items = Table(
    "review_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),  # "question" (a missed exam item) or "pitfall" (a scenario choice)
    Column("ref", String(255), nullable=False),
    Column("card", Text, nullable=False),  # the FSRS card as JSON
    Column("due_at", UTCDateTime(), nullable=False),
    Column("state", String(16), nullable=False),
    Column("reviews", Integer, nullable=False, server_default="0"),
    Column("lapses", Integer, nullable=False, server_default="0"),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("first_reviewed_at", UTCDateTime(), nullable=True),  # none: still new (never studied)
    UniqueConstraint("user_id", "kind", "ref"),
    Index("ix_review_items_user_due", "user_id", "due_at"),
)

authored_scenarios = Table(
    "authored_scenarios",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("author_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("name", String(200), nullable=False),  # the scenario's title, or a name for a draft that does not parse yet
    Column("scenario_id", String(64), nullable=True),  # the YAML id, once the draft has one
    Column("source", Text, nullable=False),  # the working draft
    Column("checked_hash", String(64), nullable=True),  # the draft's content hash when it passed every check
    Column("published_hash", String(64), ForeignKey("scenario_versions.content_hash"), nullable=True),
    Column("status", String(16), nullable=False, server_default="draft"),  # draft, published, retired
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("published_at", UTCDateTime(), nullable=True),
)

authored_publications = Table(
    "authored_publications",
    metadata,
    Column("authored_id", Integer, ForeignKey("authored_scenarios.id", ondelete="CASCADE"), primary_key=True),
    Column("cohort_id", Integer, ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True, index=True),
)

authored_revisions = Table(
    "authored_revisions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("authored_id", Integer, ForeignKey("authored_scenarios.id", ondelete="CASCADE"), nullable=False),
    Column("number", Integer, nullable=False),  # 1 for the text the draft was created with
    Column("name", String(200), nullable=False),  # the draft's name when this version was saved
    Column("source", Text, nullable=False),
    Column("saved_by", Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Column("saved_at", UTCDateTime(), nullable=False),
    Column("restored_from", Integer, nullable=True),  # the version a restore brought back
    UniqueConstraint("authored_id", "number"),
)

authored_shares = Table(
    "authored_shares",
    metadata,
    Column("authored_id", Integer, ForeignKey("authored_scenarios.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
    Column("shared_by", Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Column("shared_at", UTCDateTime(), nullable=False),
)

live_sessions = Table(
    "live_sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(16), nullable=False, unique=True),  # what trainees type to join
    Column("cohort_id", Integer, ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("host_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("scenario_id", String(64), nullable=False),
    Column("content_hash", String(64), ForeignKey("scenario_versions.content_hash"), nullable=False),
    Column("step", Integer, nullable=False),  # 1 for the first decision point the class is at
    Column("node_id", String(64), nullable=False),  # the decision point the class is at (or was at, once ended)
    Column("phase", String(16), nullable=False, server_default="asking"),  # asking, revealed, ended
    Column("started_at", UTCDateTime(), nullable=False),
    Column("step_started_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("ended_at", UTCDateTime(), nullable=True),
    Column("ending_id", String(64), nullable=True),  # the ending the class reached; none when ended early
    Column("shuffle_seed", String(32), nullable=True),  # the order every screen shows responses in
)

live_participants = Table(
    "live_participants",
    metadata,
    Column("session_id", Integer, ForeignKey("live_sessions.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
    Column("attempt_id", Integer, ForeignKey("attempts.id", ondelete="CASCADE"), nullable=False),
    Column("joined_at", UTCDateTime(), nullable=False),
)

live_answers = Table(
    "live_answers",
    metadata,
    Column("session_id", Integer, ForeignKey("live_sessions.id", ondelete="CASCADE"), primary_key=True),
    Column("step", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("node_id", String(64), nullable=False),
    Column("choice_id", String(64), nullable=False),
    Column("answered_at", UTCDateTime(), nullable=False),
)

live_steps = Table(
    "live_steps",
    metadata,
    Column("session_id", Integer, ForeignKey("live_sessions.id", ondelete="CASCADE"), primary_key=True),
    Column("step", Integer, primary_key=True),
    Column("node_id", String(64), nullable=False),
    Column("choice_id", String(64), nullable=False),  # the response the class followed from this step
    Column("chosen_by", Integer, nullable=False),  # how many answers chose it
    Column("answered", Integer, nullable=False),  # how many answered at this step
    Column("decided_at", UTCDateTime(), nullable=False),
)

assignments = Table(
    "assignments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("cohort_id", Integer, ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),  # "scenario" or "exam" (a mock exam)
    Column("scenario_id", String(64), nullable=True),  # for a scenario
    Column("due_at", UTCDateTime(), nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    Column("created_by", Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
)

password_resets = Table(
    "password_resets",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),  # the SHA-256 of the link's token, never the token
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("issued_by", String(16), nullable=False),  # "admin" (a link an admin passed on) or "email" (self-service)
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("used_at", UTCDateTime(), nullable=True),
)

invitations = Table(
    "invitations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),  # the SHA-256 of the link's token, never the token
    Column("cohort_id", Integer, ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(80), nullable=False),  # as the instructor's list has it
    Column("email", String(254), nullable=False),  # cleaned as accounts' are (records.identity.clean_email)
    Column("invited_by", Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("accepted_at", UTCDateTime(), nullable=True),
    Column("accepted_user_id", Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Column("revoked_at", UTCDateTime(), nullable=True),  # the instructor withdrew it
    Index("ix_invitations_cohort_id_email", "cohort_id", "email"),
)

xapi_outbox = Table(
    "xapi_outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("statement_id", String(36), nullable=False, unique=True),  # the statement's own id, fixed when written
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("statement", Text, nullable=False),  # the xAPI statement as JSON, exactly as it is sent
    Column("created_at", UTCDateTime(), nullable=False),
    Column("next_try_at", UTCDateTime(), nullable=False),  # when a sender may (re)try it: a claim or a back-off
    Column("tries", Integer, nullable=False, server_default="0"),
    Column("tried_at", UTCDateTime(), nullable=True),
    Column("last_error", Text, nullable=True),  # what went wrong the last time it failed, for the admins
    Column("sent_at", UTCDateTime(), nullable=True),  # none: not sent yet
    Index("ix_xapi_outbox_sent_at_next_try_at", "sent_at", "next_try_at"),
)

# LTI 1.3 (records/lti.py): learning platforms (LMSs) an admin registered, the tool's own signing key, and how a
# platform's people, courses and activities map to PeerSim's accounts, cohorts and scenarios or mock exams.
lti_platforms = Table(
    "lti_platforms",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(120), nullable=False),  # what admins and instructors see, e.g. "Moodle at Riverside"
    Column("issuer", String(255), nullable=False),
    Column("client_id", String(255), nullable=False),
    Column("auth_login_url", String(1000), nullable=False),
    Column("auth_token_url", String(1000), nullable=False),
    Column("keyset_url", String(1000), nullable=False),
    Column("deployment_ids", Text, nullable=False, server_default="[]"),  # a JSON list of strings
    Column("created_by", Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    UniqueConstraint("issuer", "client_id"),
)

lti_tool_keys = Table(
    "lti_tool_keys",
    metadata,
    Column("kid", String(64), primary_key=True),  # the key's RFC 7638 thumbprint, named in every JWT it signs
    Column("private_pem", Text, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

lti_users = Table(
    "lti_users",
    metadata,
    Column("platform_id", Integer, ForeignKey("lti_platforms.id", ondelete="CASCADE"), primary_key=True),
    Column("sub", String(255), primary_key=True),  # the platform's id for the person (the launch's "sub")
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("created_at", UTCDateTime(), nullable=False),
)

lti_contexts = Table(
    "lti_contexts",
    metadata,
    Column("platform_id", Integer, ForeignKey("lti_platforms.id", ondelete="CASCADE"), primary_key=True),
    Column("context_id", String(255), primary_key=True),  # the platform's course id
    Column("cohort_id", Integer, ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("title", String(255), nullable=False, server_default=""),
    Column("memberships_url", String(1000), nullable=True),  # the course's roster (Names and Role Provisioning)
    Column("created_at", UTCDateTime(), nullable=False),
)

lti_resource_links = Table(
    "lti_resource_links",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("platform_id", Integer, ForeignKey("lti_platforms.id", ondelete="CASCADE"), nullable=False),
    Column("deployment_id", String(255), nullable=False),
    Column("link_id", String(255), nullable=False),  # the platform's resource link id
    Column("context_id", String(255), nullable=True),
    Column("title", String(255), nullable=False, server_default=""),
    Column("target_kind", String(16), nullable=True),  # "scenario" or "exam"; none: not chosen yet
    Column("scenario_id", String(64), nullable=True),
    Column("lineitem_url", String(1000), nullable=True),  # Assignment and Grade Services: the gradebook column
    Column("lineitems_url", String(1000), nullable=True),
    Column("ags_scopes", Text, nullable=False, server_default=""),  # space-separated scopes the platform granted
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    UniqueConstraint("platform_id", "deployment_id", "link_id"),
)

lti_link_users = Table(
    "lti_link_users",
    metadata,
    Column("resource_link_id", Integer, ForeignKey("lti_resource_links.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
    Column("role", String(16), nullable=False),  # the course role at the last launch: "trainee" or "instructor"
    Column("first_launched_at", UTCDateTime(), nullable=False),  # attempts started since count for its gradebook
    Column("last_launched_at", UTCDateTime(), nullable=False),
)

lti_launch_state = Table(
    "lti_launch_state",
    metadata,
    Column("key", String(255), primary_key=True),  # nonces, launch data: shared by every server process
    Column("value", Text, nullable=False),  # JSON
    Column("expires_at", UTCDateTime(), nullable=False, index=True),
)

lti_grade_outbox = Table(
    "lti_grade_outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("resource_link_id", Integer, ForeignKey("lti_resource_links.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),  # "attempt" or "exam": what completed
    Column("ref", Integer, nullable=False),  # its id
    Column("score_given", Integer, nullable=False),
    Column("score_maximum", Integer, nullable=False),
    Column("completed_at", UTCDateTime(), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("next_try_at", UTCDateTime(), nullable=False),  # when a sender may (re)try it: a claim or a back-off
    Column("tries", Integer, nullable=False, server_default="0"),
    Column("last_error", Text, nullable=False, server_default=""),  # the last failure, for the admins
    Column("sent_at", UTCDateTime(), nullable=True),
    Column("gave_up_at", UTCDateTime(), nullable=True),  # failing for too long: an admin may send it again
    UniqueConstraint("resource_link_id", "kind", "ref"),
    Index("ix_lti_grade_outbox_sent_at_next_try_at", "sent_at", "next_try_at"),
)

# The class dashboard's summary tables (records.summaries keeps them up to date with every write; migration 0016).
dashboard_attempts = Table(
    "dashboard_attempts",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("scenario_id", String(64), primary_key=True),
    Column("content_hash", String(64), primary_key=True),
    Column("started", Integer, nullable=False),
    Column("finished", Integer, nullable=False),  # finished with a score
    Column("score_total", Integer, nullable=False),  # of the finished ones
    Column("best_score", Integer, nullable=True),
)

dashboard_activity = Table(
    "dashboard_activity",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("last_active", UTCDateTime(), nullable=False),
)

dashboard_first = Table(
    "dashboard_first",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("scenario_id", String(64), primary_key=True),
    Column("attempt_id", Integer, nullable=False),  # the first attempt with a decision (no FK: summary only)
)

dashboard_choices = Table(
    "dashboard_choices",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("scenario_id", String(64), primary_key=True),
    Column("node_id", String(64), primary_key=True),
    Column("choice_id", String(64), primary_key=True),
    Column("times", Integer, nullable=False),
)

dashboard_cohort_hits = Table(
    "dashboard_cohort_hits",
    metadata,
    Column("cohort_id", Integer, ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True),
    Column("criterion_id", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("hits", Integer, nullable=False),
)

dashboard_cohort_folded = Table(
    "dashboard_cohort_folded",
    metadata,
    Column("cohort_id", Integer, ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", Integer, primary_key=True),  # no FK: a deleted member stays listed until the next fold
    Column("joined_at", UTCDateTime(), nullable=False),
)
