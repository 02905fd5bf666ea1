"""The database tables (SQLAlchemy Core). Migrations in records/migrations create and change them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
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
