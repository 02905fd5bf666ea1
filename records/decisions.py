"""Row-level helpers for attempts and decisions, shared by practice and live classes (and read by the export and
the analytics): the row types, reading an attempt's decisions in a fixed number of statements, and writing one
decision with its criteria. They take a connection and own no transaction; access is the caller's."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, RowMapping, insert, select

from records.scored import SCORING_VERSION, ScoredChoice
from records.tables import attempts, decision_criteria, decisions

MODES = ("coached", "debrief")
"""coached: feedback after each choice; debrief: all feedback at the end."""

BRANCH = "branch"
"""The mode of a practice branch ("try again from this point", records.practice.Practice.start_branch): it starts at
a decision point of an earlier attempt and is kept apart from first tries (Progress, the dashboard, readiness and
assignments leave it out; exports keep it). Not among MODES: nobody starts one from the library."""


@dataclass(frozen=True)
class Attempt:
    id: int
    user_id: int
    scenario_id: str
    content_hash: str
    mode: str
    status: str
    current_node: str
    started_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    ending_id: str | None
    points: int | None
    """Scoring version 1 points (exports); no score uses them."""
    score: int | None
    scoring_version: int
    strongest: int | None
    """Counted decisions among the strongest (scoring version 2), once the attempt is scored."""
    pitfalls: int | None
    """Counted decisions that named a pitfall (scoring version 2), once the attempt is scored."""
    shuffle_seed: str | None
    """The order its responses were shown in (scoring.shuffle.choice_order); None: file order (before 2026-12)."""
    branch_of: int | None = None
    """A practice branch (mode BRANCH): the attempt it branched from."""
    branch_node: str | None = None
    """A practice branch: the decision point it starts from."""


@dataclass(frozen=True)
class Decision:
    id: int
    attempt_id: int
    step: int
    node_id: str
    choice_id: str
    points: int
    quality: str | None
    counted: bool
    time_taken_ms: int
    decided_at: datetime
    criteria: tuple[str, ...]


@dataclass(frozen=True)
class Finish:
    """An attempt's end as recorded (records.scored.Outcome computes it; fixtures and benchmarks may pass one)."""

    ending_id: str
    points: int
    score: int
    strongest: int | None = None
    pitfalls: int | None = None

    def values(self) -> dict[str, object]:
        """The attempt columns this end sets (with the scoring version it follows)."""
        return {
            "ending_id": self.ending_id,
            "points": self.points,
            "score": self.score,
            "strongest": self.strongest,
            "pitfalls": self.pitfalls,
            "scoring_version": SCORING_VERSION,
        }


def attempt_from(row: RowMapping) -> Attempt:
    return Attempt(**{name: row[name] for name in Attempt.__dataclass_fields__})


def attempt_row(connection: Connection, attempt_id: int, *, lock: bool = False) -> Attempt | None:
    """The attempt; ``lock`` holds its row until commit (PostgreSQL FOR UPDATE; SQLite's BEGIN IMMEDIATE already
    serialises writers)."""
    query = select(attempts).where(attempts.c.id == attempt_id)
    if lock:
        query = query.with_for_update()
    row = connection.execute(query).mappings().first()
    return None if row is None else attempt_from(row)


def decisions_of(connection: Connection, attempt_ids: Sequence[int]) -> dict[int, list[Decision]]:
    """The decisions of these attempts in step order, each with its criteria: two statements per 500 attempts,
    however many decisions they hold."""
    found: dict[int, list[Decision]] = {attempt_id: [] for attempt_id in attempt_ids}
    ordered = sorted(set(attempt_ids))
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        rows = (
            connection.execute(
                select(decisions).where(decisions.c.attempt_id.in_(chunk)).order_by(decisions.c.attempt_id, decisions.c.step)
            )
            .mappings()
            .all()
        )
        criteria: dict[int, list[str]] = {}
        if rows:
            for decision_id, criterion_id in connection.execute(
                select(decision_criteria.c.decision_id, decision_criteria.c.criterion_id)
                .join(decisions, decisions.c.id == decision_criteria.c.decision_id)
                .where(decisions.c.attempt_id.in_(chunk))
                .order_by(decision_criteria.c.decision_id, decision_criteria.c.criterion_id)
            ):
                criteria.setdefault(decision_id, []).append(criterion_id)
        for r in rows:
            found[r["attempt_id"]].append(_decision(r, criteria.get(r["id"], ())))
    return found


def decision_at(connection: Connection, attempt_id: int, step: int) -> Decision | None:
    row = (
        connection.execute(select(decisions).where(decisions.c.attempt_id == attempt_id, decisions.c.step == step))
        .mappings()
        .first()
    )
    if row is None:
        return None
    criteria = connection.execute(
        select(decision_criteria.c.criterion_id)
        .where(decision_criteria.c.decision_id == row["id"])
        .order_by(decision_criteria.c.criterion_id)
    ).scalars()
    return _decision(row, tuple(criteria))


def insert_decision(
    connection: Connection, attempt_id: int, step: int, scored: ScoredChoice, time_taken_ms: int, moment: datetime
) -> int:
    """Write one decision and its criteria (the caller has checked the step); returns its id."""
    decision_id = connection.execute(
        insert(decisions).values(
            attempt_id=attempt_id,
            step=step,
            node_id=scored.node_id,
            choice_id=scored.choice_id,
            points=scored.points,
            quality=scored.quality,
            counted=scored.counted,
            time_taken_ms=max(0, int(time_taken_ms)),
            decided_at=moment,
        )
    ).inserted_primary_key
    assert decision_id is not None
    if scored.criteria:
        connection.execute(
            insert(decision_criteria), [{"decision_id": int(decision_id[0]), "criterion_id": c} for c in scored.criteria]
        )
    return int(decision_id[0])


def _decision(row: RowMapping, criteria: Sequence[str]) -> Decision:
    return Decision(**{k: row[k] for k in Decision.__dataclass_fields__ if k != "criteria"}, criteria=tuple(criteria))
