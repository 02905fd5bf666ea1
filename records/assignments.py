"""Assignments: an instructor asks a cohort to practice a scenario, or to take a mock exam, by a due date.

Only the cohort's instructor (or an admin) sets, changes and removes them and sees who has done them; a trainee
sees the assignments of the open cohorts they belong to, with their own progress on each. An assignment is done
by a finished practice conversation of that scenario (coached or debrief; live classes and practice branches are
other things), or a submitted mock exam, started after the assignment was set: work from before it does not
count, as in an LMS.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, Select, delete, false, func, insert, select, update

from records import audit, clock
from records.access import User, require_self
from records.base import Repository
from records.cohort_rows import owned_cohort
from records.decisions import MODES
from records.errors import CohortError
from records.tables import assignments, attempts, cohort_members, cohorts, exams, users

KINDS = ("scenario", "exam")
NOTE_LIMIT = 500


@dataclass(frozen=True)
class Assignment:
    id: int
    cohort_id: int
    cohort_name: str
    kind: str  # "scenario" or "exam"
    scenario_id: str | None
    due_at: datetime
    note: str
    created_at: datetime


@dataclass(frozen=True)
class Progress:
    """One trainee's work on one assignment: when they first did it (None: not yet) and their best result."""

    user_id: int
    name: str
    done_at: datetime | None
    best: int | None  # the best score (scenario) or percent (exam) of the work that counts


@dataclass(frozen=True)
class Mine:
    """An assignment as its trainee sees it."""

    assignment: Assignment
    progress: Progress


def _assignment(row: Row[Any]) -> Assignment:
    return Assignment(row.id, row.cohort_id, row.cohort_name, row.kind, row.scenario_id, row.due_at, row.note, row.created_at)


def _query() -> Select[Any]:
    return select(assignments, cohorts.c.name.label("cohort_name")).join(cohorts, cohorts.c.id == assignments.c.cohort_id)


def _progress(
    connection: Connection, assignment: Assignment, user_ids: list[int]
) -> dict[int, tuple[datetime | None, int | None]]:
    """Per trainee: (when the work that counts was first done, its best result)."""
    if not user_ids:
        return {}
    if assignment.kind == "scenario":
        rows = connection.execute(
            select(attempts.c.user_id, func.min(attempts.c.finished_at), func.max(attempts.c.score))
            .where(
                attempts.c.user_id.in_(user_ids),
                attempts.c.scenario_id == assignment.scenario_id,
                attempts.c.mode.in_(MODES),
                attempts.c.status == "finished",
                attempts.c.started_at >= assignment.created_at,
            )
            .group_by(attempts.c.user_id)
        ).all()
    else:
        rows = connection.execute(
            select(exams.c.user_id, func.min(exams.c.submitted_at), func.max(exams.c.percent))
            .where(
                exams.c.user_id.in_(user_ids),
                exams.c.submitted_at.is_not(None),
                exams.c.started_at >= assignment.created_at,
            )
            .group_by(exams.c.user_id)
        ).all()
    return {int(r[0]): (r[1], None if r[2] is None else int(r[2])) for r in rows}


class Assignments(Repository):
    def create(
        self, actor: User, cohort_id: int, *, kind: str, scenario_id: str | None, due_at: datetime, note: str = ""
    ) -> Assignment:
        """Set an assignment for a cohort the actor owns. The page passes only scenarios the cohort can play."""
        with self._write() as connection:
            cohort = owned_cohort(connection, actor, cohort_id)
            if cohort.archived:
                raise CohortError("This cohort is archived. Restore it on the Cohorts page before assigning work to it.")
            scenario_id, cleaned = self._check(kind, scenario_id, due_at, note)
            open_twin = connection.execute(
                select(assignments.c.id).where(
                    assignments.c.cohort_id == cohort_id,
                    assignments.c.kind == kind,
                    assignments.c.scenario_id.is_(None) if scenario_id is None else assignments.c.scenario_id == scenario_id,
                    assignments.c.due_at >= clock.now(),
                )
            ).first()
            if open_twin is not None:
                what = "A mock exam" if kind == "exam" else "This scenario"
                raise CohortError(
                    f"{what} is already assigned to {cohort.name} and not yet due. Change that assignment's due date "
                    "instead of adding another."
                )
            new_id = connection.execute(
                insert(assignments).values(
                    cohort_id=cohort_id,
                    kind=kind,
                    scenario_id=scenario_id,
                    due_at=due_at,
                    note=cleaned,
                    created_by=actor.id,
                    created_at=clock.now(),
                )
            ).inserted_primary_key
            assert new_id is not None
            audit.write(connection, actor, "assign", None, f"cohort {cohort_id}: {kind} {scenario_id or ''}".rstrip())
            return self._get(connection, int(new_id[0]))

    @staticmethod
    def _check(kind: str, scenario_id: str | None, due_at: datetime, note: str) -> tuple[str | None, str]:
        if kind not in KINDS:
            raise CohortError("An assignment is a scenario to practice or a mock exam.")
        if kind == "scenario" and not scenario_id:
            raise CohortError("Please choose the scenario to assign.")
        if due_at.tzinfo is None:
            raise ValueError("naive due date; pass an aware datetime")
        if due_at <= clock.now():
            raise CohortError("The due date has already passed. Please choose a later date or time.")
        cleaned = note.strip()
        if len(cleaned) > NOTE_LIMIT:
            raise CohortError(f"Please keep the note to {NOTE_LIMIT} characters; it has {len(cleaned)}.")
        return (scenario_id if kind == "scenario" else None), cleaned

    @staticmethod
    def _get(connection: Connection, assignment_id: int) -> Assignment:
        row = connection.execute(_query().where(assignments.c.id == assignment_id)).first()
        if row is None:
            raise CohortError("That assignment has been removed.")
        return _assignment(row)

    def _owned(self, connection: Connection, actor: User, assignment_id: int) -> Assignment:
        assignment = self._get(connection, assignment_id)
        owned_cohort(connection, actor, assignment.cohort_id)
        return assignment

    def change(self, actor: User, assignment_id: int, *, due_at: datetime, note: str) -> Assignment:
        """A new due date and note for an assignment (the work done for it so far still counts)."""
        with self._write() as connection:
            assignment = self._owned(connection, actor, assignment_id)
            _, cleaned = self._check(assignment.kind, assignment.scenario_id or "", due_at, note)
            connection.execute(update(assignments).where(assignments.c.id == assignment_id).values(due_at=due_at, note=cleaned))
            audit.write(
                connection, actor, "change assignment", None, f"cohort {assignment.cohort_id}: assignment {assignment_id}"
            )
            return self._get(connection, assignment_id)

    def remove(self, actor: User, assignment_id: int) -> None:
        """Take an assignment back; the trainees' practice stays theirs."""
        with self._write() as connection:
            assignment = self._owned(connection, actor, assignment_id)
            connection.execute(delete(assignments).where(assignments.c.id == assignment_id))
            audit.write(
                connection, actor, "remove assignment", None, f"cohort {assignment.cohort_id}: assignment {assignment_id}"
            )

    def of_cohort(self, actor: User, cohort_id: int) -> list[Assignment]:
        """The cohort's assignments, soonest due first (its instructor or an admin)."""
        with self._read() as connection:
            owned_cohort(connection, actor, cohort_id)
            rows = connection.execute(
                _query().where(assignments.c.cohort_id == cohort_id).order_by(assignments.c.due_at, assignments.c.id)
            ).all()
        return [_assignment(r) for r in rows]

    def completion(self, actor: User, cohort_id: int) -> dict[int, list[Progress]]:
        """Per assignment of the cohort: each current member's progress on it, by name. Noted in the audit log."""
        with self._write() as connection:
            cohort = owned_cohort(connection, actor, cohort_id)
            members = connection.execute(
                select(users.c.id, users.c.name)
                .join(cohort_members, cohort_members.c.user_id == users.c.id)
                .where(cohort_members.c.cohort_id == cohort_id)
                .order_by(users.c.name_key, users.c.id)
            ).all()
            rows = connection.execute(_query().where(assignments.c.cohort_id == cohort_id)).all()
            out: dict[int, list[Progress]] = {}
            ids = [int(m.id) for m in members]
            for row in rows:
                assignment = _assignment(row)
                done = _progress(connection, assignment, ids)
                out[assignment.id] = [Progress(int(m.id), m.name, *done.get(int(m.id), (None, None))) for m in members]
            audit.write_view(connection, actor, "view assignments", None, f"cohort {cohort.id}: {cohort.name}")
        return out

    def mine(self, actor: User, user_id: int) -> list[Mine]:
        """The assignments of the open cohorts the trainee belongs to, soonest due first, with their own progress."""
        require_self(actor, user_id)
        with self._read() as connection:
            rows = connection.execute(
                _query()
                .join(cohort_members, cohort_members.c.cohort_id == assignments.c.cohort_id)
                .where(cohort_members.c.user_id == user_id, cohorts.c.archived == false())
                .order_by(assignments.c.due_at, assignments.c.id)
            ).all()
            out = []
            for row in rows:
                assignment = _assignment(row)
                done, best = _progress(connection, assignment, [user_id]).get(user_id, (None, None))
                out.append(Mine(assignment, Progress(user_id, actor.name, done, best)))
        return out
