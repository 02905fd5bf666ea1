"""The parts of "Download all my data" beyond the account, cohorts and conversations (records.export):
mock exams with every answer, spaced-review cards, live-class answers, the scenarios a person wrote in the studio
(drafts and what was published to which cohorts) and the cohorts they run. Each section is a list of plain
dicts, read in the export's transaction (access has been checked by then)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, select

from records.tables import (
    authored_publications,
    authored_scenarios,
    cohort_members,
    cohorts,
    exam_answers,
    exams,
    live_answers,
    live_participants,
    live_sessions,
    review_items,
    scenario_versions,
    users,
)


def sections(connection: Connection, user_id: int) -> dict[str, list[dict[str, Any]]]:
    return {
        "exams": _exams(connection, user_id),
        "review_cards": _review_cards(connection, user_id),
        "live_class_answers": _live_answers(connection, user_id),
        "authored_scenarios": _authored(connection, user_id),
        "cohorts_run": _cohorts_run(connection, user_id),
    }


def memberships(connection: Connection, user_id: int) -> list[dict[str, Any]]:
    """The cohorts the user belongs to: which, whose, and since when."""
    owner = users.alias("owner")
    rows = connection.execute(
        select(
            cohorts.c.id.label("cohort_id"),
            cohorts.c.name,
            owner.c.name.label("instructor"),
            cohort_members.c.joined_at,
        )
        .join(cohort_members, cohort_members.c.cohort_id == cohorts.c.id)
        .join(owner, owner.c.id == cohorts.c.owner_id)
        .where(cohort_members.c.user_id == user_id)
        .order_by(cohort_members.c.joined_at, cohorts.c.id)
    ).mappings()
    return [dict(r) for r in rows]


def _exams(connection: Connection, user_id: int) -> list[dict[str, Any]]:
    found = []
    for exam in connection.execute(select(exams).where(exams.c.user_id == user_id).order_by(exams.c.started_at, exams.c.id)):
        answers = connection.execute(
            select(exam_answers.c.question_id, exam_answers.c.choice, exam_answers.c.flagged, exam_answers.c.updated_at)
            .where(exam_answers.c.exam_id == exam.id)
            .order_by(exam_answers.c.updated_at, exam_answers.c.question_id)
        ).mappings()
        found.append(
            {
                "id": exam.id,
                "questions": exam.items.split(","),
                "minutes": exam.minutes,
                "pass_mark": exam.pass_mark,
                "started_at": exam.started_at,
                "deadline_at": exam.deadline_at,
                "submitted_at": exam.submitted_at,
                "ended_by": exam.ended_by,
                "correct": exam.correct,
                "percent": exam.percent,
                "answers": [{**dict(a), "flagged": bool(a["flagged"])} for a in answers],
            }
        )
    return found


def _review_cards(connection: Connection, user_id: int) -> list[dict[str, Any]]:
    rows = connection.execute(
        select(review_items).where(review_items.c.user_id == user_id).order_by(review_items.c.created_at, review_items.c.id)
    ).mappings()
    return [
        {
            "kind": r["kind"],
            "ref": r["ref"],
            "due_at": r["due_at"],
            "state": r["state"],
            "reviews": r["reviews"],
            "lapses": r["lapses"],
            "created_at": r["created_at"],
            "card": json.loads(r["card"]),
        }
        for r in rows
    ]


def _live_answers(connection: Connection, user_id: int) -> list[dict[str, Any]]:
    rows = connection.execute(
        select(
            live_answers.c.session_id,
            cohorts.c.name.label("cohort"),
            live_sessions.c.scenario_id,
            live_sessions.c.content_hash.label("scenario_version"),
            live_participants.c.attempt_id,
            live_answers.c.step,
            live_answers.c.node_id,
            live_answers.c.choice_id,
            live_answers.c.answered_at,
        )
        .join(live_sessions, live_sessions.c.id == live_answers.c.session_id)
        .join(cohorts, cohorts.c.id == live_sessions.c.cohort_id)
        .outerjoin(
            live_participants,
            (live_participants.c.session_id == live_answers.c.session_id) & (live_participants.c.user_id == user_id),
        )
        .where(live_answers.c.user_id == user_id)
        .order_by(live_answers.c.answered_at, live_answers.c.session_id, live_answers.c.step)
    ).mappings()
    return [dict(r) for r in rows]


def _authored(connection: Connection, user_id: int) -> list[dict[str, Any]]:
    found = []
    rows = connection.execute(
        select(authored_scenarios, scenario_versions.c.source.label("published_source"))
        .outerjoin(scenario_versions, scenario_versions.c.content_hash == authored_scenarios.c.published_hash)
        .where(authored_scenarios.c.author_id == user_id)
        .order_by(authored_scenarios.c.created_at, authored_scenarios.c.id)
    ).mappings()
    for r in rows:
        published_to = connection.execute(
            select(cohorts.c.name)
            .join(authored_publications, authored_publications.c.cohort_id == cohorts.c.id)
            .where(authored_publications.c.authored_id == r["id"])
            .order_by(cohorts.c.name, cohorts.c.id)
        ).scalars()
        found.append(
            {
                "id": r["id"],
                "name": r["name"],
                "scenario_id": r["scenario_id"],
                "status": r["status"],
                "created_at": r["created_at"],
                "updated_at": r["updated_at"],
                "published_at": r["published_at"],
                "draft": r["source"],
                "published_version": r["published_hash"],
                "published_text": r["published_source"],
                "published_to_cohorts": list(published_to),
            }
        )
    return found


def _cohorts_run(connection: Connection, user_id: int) -> list[dict[str, Any]]:
    rows = connection.execute(
        select(cohorts.c.id.label("cohort_id"), cohorts.c.name, cohorts.c.created_at, cohorts.c.archived)
        .where(cohorts.c.owner_id == user_id)
        .order_by(cohorts.c.created_at, cohorts.c.id)
    ).mappings()
    return [{**dict(r), "archived": bool(r["archived"])} for r in rows]
