"""Row-level helpers for the CSV exports: one typed row per decision, shared by a trainee's own download
(records.export) and an instructor's cohort export (records.analytics), so both files have the same columns in
the same format. Reading takes a connection and owns no transaction."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, select

from records.decisions import Attempt, Decision
from records.tables import attempts, decision_criteria, decisions, users


@dataclass(frozen=True)
class DecisionRow:
    """One decision with its attempt, as one CSV row (:data:`CSV_COLUMNS`, in this order)."""

    attempt_id: int
    scenario_id: str
    scenario_version: str
    mode: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    score: int | None
    scoring_version: int
    step: int
    node_id: str
    choice_id: str
    criteria: tuple[str, ...]
    quality: str | None
    counted: bool
    points: int
    time_taken_ms: int
    decided_at: datetime
    branch_of: int | None = None
    """A practice branch (mode "branch"): the attempt it branched from; empty for a first try."""
    branch_node: str | None = None
    """A practice branch: the decision point it started from."""

    @classmethod
    def of(cls, attempt: Attempt, decision: Decision) -> DecisionRow:
        return cls(
            attempt_id=attempt.id,
            scenario_id=attempt.scenario_id,
            scenario_version=attempt.content_hash,
            mode=attempt.mode,
            status=attempt.status,
            started_at=attempt.started_at,
            finished_at=attempt.finished_at,
            score=attempt.score,
            scoring_version=attempt.scoring_version,
            step=decision.step,
            node_id=decision.node_id,
            choice_id=decision.choice_id,
            criteria=decision.criteria,
            quality=decision.quality,
            counted=decision.counted,
            points=decision.points,
            time_taken_ms=decision.time_taken_ms,
            decided_at=decision.decided_at,
            branch_of=attempt.branch_of,
            branch_node=attempt.branch_node,
        )

    def cells(self) -> list[object]:
        """The row under CSV_COLUMNS: times in ISO 8601, no finish or score as empty cells, criteria joined by ';',
        counted as 1 (the first decision at its point: it is scored) or 0 (a revisit), points in scoring version 1,
        and for a practice branch the attempt and point it branched from (empty cells for a first try)."""
        return [
            self.attempt_id,
            self.scenario_id,
            self.scenario_version,
            self.mode,
            self.status,
            self.started_at.isoformat(),
            self.finished_at.isoformat() if self.finished_at else "",
            "" if self.score is None else self.score,
            self.scoring_version,
            self.step,
            self.node_id,
            self.choice_id,
            ";".join(self.criteria),
            self.quality or "",
            int(self.counted),
            self.points,
            self.time_taken_ms,
            self.decided_at.isoformat(),
            "" if self.branch_of is None else self.branch_of,
            self.branch_node or "",
        ]


CSV_COLUMNS = [f.name for f in fields(DecisionRow)]


@dataclass(frozen=True)
class TraineeRow:
    """A decision row with who made it (the cohort export)."""

    trainee_id: int
    trainee_name: str
    row: DecisionRow

    def cells(self) -> list[object]:
        return [self.trainee_id, self.trainee_name, *self.row.cells()]


TRAINEE_COLUMNS = ["trainee_id", "trainee_name", *CSV_COLUMNS]


def trainee_rows(connection: Connection, whose: ColumnElement[bool]) -> Iterator[TraineeRow]:
    """Every decision of the attempts matching ``whose`` (a condition on the attempts table), with its trainee, in
    the order of trainee name, attempt start and step: two statements however many decisions."""
    criteria: dict[int, list[str]] = {}
    for decision_id, criterion_id in connection.execute(
        select(decision_criteria.c.decision_id, decision_criteria.c.criterion_id)
        .join(decisions, decisions.c.id == decision_criteria.c.decision_id)
        .join(attempts, attempts.c.id == decisions.c.attempt_id)
        .where(whose)
        .order_by(decision_criteria.c.decision_id, decision_criteria.c.criterion_id)
    ):
        criteria.setdefault(decision_id, []).append(criterion_id)
    rows: Any = connection.execute(
        select(
            users.c.id.label("trainee_id"),
            users.c.name.label("trainee_name"),
            attempts.c.id.label("attempt_id"),
            attempts.c.scenario_id,
            attempts.c.content_hash,
            attempts.c.mode,
            attempts.c.status,
            attempts.c.started_at,
            attempts.c.finished_at,
            attempts.c.score,
            attempts.c.scoring_version,
            attempts.c.branch_of,
            attempts.c.branch_node,
            decisions.c.id.label("decision_id"),
            decisions.c.step,
            decisions.c.node_id,
            decisions.c.choice_id,
            decisions.c.quality,
            decisions.c.counted,
            decisions.c.points,
            decisions.c.time_taken_ms,
            decisions.c.decided_at,
        )
        .select_from(decisions)
        .join(attempts, attempts.c.id == decisions.c.attempt_id)
        .join(users, users.c.id == attempts.c.user_id)
        .where(whose)
        .order_by(users.c.name_key, users.c.id, attempts.c.started_at, attempts.c.id, decisions.c.step)
    )
    for r in rows:
        yield TraineeRow(
            r.trainee_id,
            r.trainee_name,
            DecisionRow(
                attempt_id=r.attempt_id,
                scenario_id=r.scenario_id,
                scenario_version=r.content_hash,
                mode=r.mode,
                status=r.status,
                started_at=r.started_at,
                finished_at=r.finished_at,
                score=r.score,
                scoring_version=r.scoring_version,
                step=r.step,
                node_id=r.node_id,
                choice_id=r.choice_id,
                criteria=tuple(criteria.get(r.decision_id, ())),
                quality=r.quality,
                counted=bool(r.counted),
                points=r.points,
                time_taken_ms=r.time_taken_ms,
                decided_at=r.decided_at,
                branch_of=r.branch_of,
                branch_node=r.branch_node,
            ),
        )
