"""Row-level helpers for LTI 1.3 grade passback: when a trainee completes a scenario or a mock exam that they opened
from an activity in their learning platform (LMS), the score is queued for that activity's gradebook, inside the
caller's transaction, so the completion and its queued score commit together or not at all. They own no
transaction; records.lti sends nothing either: ui/lti_grades.py sends what is queued, and records.lti says what
came of it.

Which completions count: an attempt (coached or debrief; not a practice branch or a live class) of the activity's
scenario, or a mock exam when the activity is a mock exam, that the trainee started at or after their first launch
of that activity, in the course role of a trainee, when the platform offered that activity a gradebook (Assignment
and Grade Services). Each completion is queued once per activity (the unique key on
activity, kind and id), and its score is the percentage PeerSim shows: scoreGiven out of a scoreMaximum of 100.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, insert, select

from records.decisions import MODES, Attempt
from records.tables import lti_grade_outbox, lti_link_users, lti_resource_links

SCORE_MAXIMUM = 100
"""Scores go to the gradebook as percentages, as PeerSim shows them."""


def _queue(connection: Connection, links: list[int], user_id: int, kind: str, ref: int, score: int, moment: datetime) -> int:
    """One outbox row per activity not yet queued for this completion; how many were queued."""
    if not links:
        return 0
    queued = set(
        connection.execute(
            select(lti_grade_outbox.c.resource_link_id).where(
                lti_grade_outbox.c.resource_link_id.in_(links), lti_grade_outbox.c.kind == kind, lti_grade_outbox.c.ref == ref
            )
        ).scalars()
    )
    rows = [
        {
            "resource_link_id": link,
            "user_id": user_id,
            "kind": kind,
            "ref": ref,
            "score_given": max(0, min(SCORE_MAXIMUM, score)),
            "score_maximum": SCORE_MAXIMUM,
            "completed_at": moment,
            "created_at": moment,
            "next_try_at": moment,
        }
        for link in links
        if link not in queued
    ]
    if rows:
        connection.execute(insert(lti_grade_outbox), rows)
    return len(rows)


def _links(connection: Connection, user_id: int, started_at: datetime, *conditions: object) -> list[int]:
    query = (
        select(lti_resource_links.c.id)
        .join(lti_link_users, lti_link_users.c.resource_link_id == lti_resource_links.c.id)
        .where(
            lti_link_users.c.user_id == user_id,
            lti_link_users.c.role == "trainee",
            lti_link_users.c.first_launched_at <= started_at,
            (lti_resource_links.c.lineitem_url.is_not(None)) | (lti_resource_links.c.lineitems_url.is_not(None)),
            *conditions,  # type: ignore[arg-type]
        )
        .order_by(lti_resource_links.c.id)
    )
    return list(connection.execute(query).scalars())


def queue_attempt_score(connection: Connection, attempt: Attempt, score: int, moment: datetime) -> int:
    """Queue a finished attempt's score for the gradebook of every activity it counts for (see the module)."""
    if attempt.mode not in MODES:
        return 0
    links = _links(
        connection,
        attempt.user_id,
        attempt.started_at,
        lti_resource_links.c.target_kind == "scenario",
        lti_resource_links.c.scenario_id == attempt.scenario_id,
    )
    return _queue(connection, links, attempt.user_id, "attempt", attempt.id, score, moment)


def queue_exam_score(
    connection: Connection, user_id: int, exam_id: int, started_at: datetime, percent: int, moment: datetime
) -> int:
    """Queue a closed mock exam's score for the gradebook of every mock-exam activity it counts for."""
    links = _links(connection, user_id, started_at, lti_resource_links.c.target_kind == "exam")
    return _queue(connection, links, user_id, "exam", exam_id, percent, moment)
