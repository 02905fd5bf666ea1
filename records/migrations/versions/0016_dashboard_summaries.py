"""The class dashboard's summary tables (issue 18), filled from the records so an upgraded installation's dashboard
is right at once. records.summaries keeps them up to date with every write from then on.

* ``dashboard_attempts``: per trainee, scenario and version: attempts started, finished, sum and best score.
* ``dashboard_activity``: per trainee: when last active.
* ``dashboard_first``: per trainee and scenario: the first attempt with a decision.
* ``dashboard_choices``: per trainee, scenario, decision point and choice: times chosen (counted decisions).
* ``dashboard_cohort_hits`` and ``dashboard_cohort_folded``: per cohort, criterion and UTC day: criteria hit by
  the members listed in the second table.

All are new tables: nothing existing is changed. The backfill below is written out in SQL both databases run, so
this migration does the same whatever records.summaries becomes later; tests/test_summaries.py checks that it
yields the tables the upkeep keeps (and records.summaries.rebuild, the same statements for tests and benchmarks).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def _user() -> sa.Column[int]:
    return sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)


def _cohort() -> sa.Column[int]:
    return sa.Column("cohort_id", sa.Integer(), sa.ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "dashboard_attempts",
        _user(),
        sa.Column("scenario_id", sa.String(64), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("started", sa.Integer(), nullable=False),
        sa.Column("finished", sa.Integer(), nullable=False),
        sa.Column("score_total", sa.Integer(), nullable=False),
        sa.Column("best_score", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("user_id", "scenario_id", "content_hash"),
    )
    op.create_table(
        "dashboard_activity",
        _user(),
        sa.Column("last_active", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "dashboard_first",
        _user(),
        sa.Column("scenario_id", sa.String(64), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "scenario_id"),
    )
    op.create_table(
        "dashboard_choices",
        _user(),
        sa.Column("scenario_id", sa.String(64), nullable=False),
        sa.Column("node_id", sa.String(64), nullable=False),
        sa.Column("choice_id", sa.String(64), nullable=False),
        sa.Column("times", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "scenario_id", "node_id", "choice_id"),
    )
    op.create_table(
        "dashboard_cohort_hits",
        _cohort(),
        sa.Column("criterion_id", sa.String(64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("cohort_id", "criterion_id", "day"),
    )
    op.create_table(
        "dashboard_cohort_folded",
        _cohort(),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("joined_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("cohort_id", "user_id"),
    )
    for statement in BACKFILL:
        op.execute(statement)


# Practice branches count only as activity; only counted decisions (the first at each point) count as choices
# and criteria hit; criteria hit are per UTC day (the database keeps UTC).
BACKFILL = (
    """INSERT INTO dashboard_attempts (user_id, scenario_id, content_hash, started, finished, score_total, best_score)
    SELECT user_id, scenario_id, content_hash, count(*),
           count(CASE WHEN status = 'finished' THEN score END),
           coalesce(sum(CASE WHEN status = 'finished' THEN score END), 0),
           max(CASE WHEN status = 'finished' THEN score END)
    FROM attempts WHERE mode <> 'branch'
    GROUP BY user_id, scenario_id, content_hash""",
    """INSERT INTO dashboard_activity (user_id, last_active)
    SELECT user_id, max(moment) FROM (
        SELECT user_id, updated_at AS moment FROM attempts WHERE mode <> 'branch'
        UNION ALL
        SELECT a.user_id, d.decided_at FROM attempts a JOIN decisions d ON d.attempt_id = a.id
    ) AS moments
    GROUP BY user_id""",
    """INSERT INTO dashboard_first (user_id, scenario_id, attempt_id)
    SELECT a.user_id, a.scenario_id, min(a.id) FROM attempts a
    WHERE a.mode <> 'branch' AND EXISTS (SELECT 1 FROM decisions d WHERE d.attempt_id = a.id)
    GROUP BY a.user_id, a.scenario_id""",
    """INSERT INTO dashboard_choices (user_id, scenario_id, node_id, choice_id, times)
    SELECT a.user_id, a.scenario_id, d.node_id, d.choice_id, count(*)
    FROM decisions d JOIN attempts a ON a.id = d.attempt_id
    WHERE d.counted = TRUE AND a.mode <> 'branch'
    GROUP BY a.user_id, a.scenario_id, d.node_id, d.choice_id""",
    """INSERT INTO dashboard_cohort_hits (cohort_id, criterion_id, day, hits)
    SELECT m.cohort_id, dc.criterion_id, date(d.decided_at), count(*)
    FROM decision_criteria dc
    JOIN decisions d ON d.id = dc.decision_id
    JOIN attempts a ON a.id = d.attempt_id
    JOIN cohort_members m ON m.user_id = a.user_id
    WHERE d.counted = TRUE AND a.mode <> 'branch'
    GROUP BY m.cohort_id, dc.criterion_id, date(d.decided_at)""",
    """INSERT INTO dashboard_cohort_folded (cohort_id, user_id, joined_at)
    SELECT cohort_id, user_id, joined_at FROM cohort_members""",
)


def downgrade() -> None:
    for table in (
        "dashboard_cohort_folded",
        "dashboard_cohort_hits",
        "dashboard_choices",
        "dashboard_first",
        "dashboard_activity",
        "dashboard_attempts",
    ):
        op.drop_table(table)
