"""Row-level helpers for the class dashboard's tallies: aggregates over a cohort's decisions kept in the process
and brought up to date with only the decisions added since (records.analytics explains when they are rebuilt).
They take a connection and own no transaction; the dashboard repository holds them per cohort and locks them."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, and_, case, func, literal_column, select, true

from records.decisions import BRANCH
from records.tables import attempts, cohort_members, decision_criteria, decisions

WINDOW = 5000
"""How many of the most recently folded decision ids are remembered, to recognize late commits and reused ids."""

RECHECK_SECONDS = 300.0
"""How often (at most) a read counts every decision at or below the folded id again, to catch a late commit
older than the window; between those counts only the window is checked."""


@dataclass
class Part:
    """Aggregates over some of a cohort's decisions."""

    hits: Counter[tuple[str, str]] = field(default_factory=Counter)  # (criterion, ISO day) -> times
    choices: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # (scenario, node, choice) -> times
    first: dict[tuple[int, str], int] = field(default_factory=dict)  # (user, scenario) -> first attempt with a decision
    last: dict[int, datetime] = field(default_factory=dict)  # user -> latest decision

    def merge(self, other: Part) -> None:
        self.hits.update(other.hits)
        self.choices.update(other.choices)
        for key, attempt_id in other.first.items():
            if key not in self.first or attempt_id < self.first[key]:
                self.first[key] = attempt_id
        for user_id, moment in other.last.items():
            if user_id not in self.last or moment > self.last[user_id]:
                self.last[user_id] = moment


@dataclass
class Grid:
    """Per trainee, scenario and version: attempts started and finished, sum and best of finished scores, when
    one was last touched. Kept per trainee with the trainee's attempt signature (their count per status); later
    decisions' times are in ``Part.last``."""

    rows: dict[int, list[tuple[str, str, int, int, int, int | None, datetime]]] = field(default_factory=dict)
    signature: dict[int, tuple[tuple[str, int], ...]] = field(default_factory=dict)


@dataclass
class Tally:
    members: tuple[int, ...]
    mark: int = 0  # decisions with id <= mark are folded into ``part``
    below: int = 0  # how many decisions (anyone's) had id <= mark when folded
    checked: float = 0.0  # time.monotonic() when ``below`` was last counted again in full
    recent: set[int] = field(default_factory=set)  # the folded ids above mark - WINDOW
    digest: tuple[int, ...] = ()  # _digest of those ids when folded
    part: Part = field(default_factory=Part)
    based: set[str] = field(default_factory=set)  # scenarios whose choices and first attempts ``part`` holds in full
    grid: Grid = field(default_factory=Grid)


def members_of(cohort_id: int) -> Select[Any]:
    return select(cohort_members.c.user_id).where(cohort_members.c.cohort_id == cohort_id)


def _is_member(cohort_id: int) -> ColumnElement[bool]:
    # "+ 0" keeps SQLite from driving the join from the members' attempts (its index on user_id) instead of
    # from the range of decision ids; PostgreSQL plans it the same either way.
    return (attempts.c.user_id + literal_column("0")).in_(members_of(cohort_id))


def _in_range(lo: int, hi: int | None, ids: Sequence[int] | None) -> ColumnElement[bool]:
    if ids is not None:
        return decisions.c.id.in_(list(ids))
    condition = decisions.c.id > lo
    return condition if hi is None else and_(condition, decisions.c.id <= hi)


def _counted() -> ColumnElement[bool]:
    """Only the first decision at each point of an attempt counts (scoring version 2): laps of a loop add nothing."""
    return decisions.c.counted == true()


def _first_try() -> ColumnElement[bool]:
    """Practice branches (trying one moment again) are kept apart from first tries: the dashboard leaves them out."""
    return attempts.c.mode != BRANCH


def _collect(
    connection: Connection, cohort_id: int, lo: int, hi: int | None, ids: Sequence[int] | None = None, *, hits_only: bool = False
) -> Part:
    """The cohort's decisions with ``lo < id <= hi`` (or exactly ``ids``), aggregated with GROUP BY: criteria hit
    per day, and (unless ``hits_only``) choices per scenario and decision point, and each trainee's first
    attempt with a decision and latest decision per scenario."""
    part = Part()
    in_range = _in_range(lo, hi, ids)
    member = _is_member(cohort_id)
    day = func.date(decisions.c.decided_at)
    hits_query = (
        select(decision_criteria.c.criterion_id, day, func.count())
        .select_from(decision_criteria)
        .join(decisions, decisions.c.id == decision_criteria.c.decision_id)
        .join(attempts, attempts.c.id == decisions.c.attempt_id)
        .where(in_range, member, _counted(), _first_try())
        .group_by(decision_criteria.c.criterion_id, day)
    )
    if ids is None:  # the same range on the criteria's own key lets both databases scan only that range
        hits_query = hits_query.where(decision_criteria.c.decision_id > lo)
        if hi is not None:
            hits_query = hits_query.where(decision_criteria.c.decision_id <= hi)
    for criterion_id, when, times in connection.execute(hits_query):
        part.hits[(criterion_id, str(when)[:10])] += int(times)
    if hits_only:
        return part
    choices_query = (
        select(attempts.c.scenario_id, decisions.c.node_id, decisions.c.choice_id, func.count())
        .select_from(decisions)
        .join(attempts, attempts.c.id == decisions.c.attempt_id)
        .where(in_range, member, _counted(), _first_try())
        .group_by(attempts.c.scenario_id, decisions.c.node_id, decisions.c.choice_id)
    )
    for scenario_id, node_id, choice_id, times in connection.execute(choices_query):
        part.choices[(scenario_id, node_id, choice_id)] += int(times)
    first_query = (  # a practice branch is never a first attempt, but it is activity (the latest decision)
        select(
            attempts.c.user_id,
            attempts.c.scenario_id,
            func.min(decisions.c.attempt_id).filter(_first_try()),
            func.max(decisions.c.decided_at),
        )
        .select_from(decisions)
        .join(attempts, attempts.c.id == decisions.c.attempt_id)
        .where(in_range, member)
        .group_by(attempts.c.user_id, attempts.c.scenario_id)
    )
    for user_id, scenario_id, attempt_id, moment in connection.execute(first_query):
        if attempt_id is not None:
            part.first[(user_id, scenario_id)] = int(attempt_id)
        if user_id not in part.last or moment > part.last[user_id]:
            part.last[user_id] = moment
    return part


def base_scenario(connection: Connection, cohort_id: int, tally: Tally, scenario_id: str) -> None:
    """Count one scenario's choices and find its first attempts over every decision folded so far (the folds
    before only added what came since; a rebuild counts criteria alone, so a view without item analysis
    never pays for it)."""
    for choice_key in [k for k in tally.part.choices if k[0] == scenario_id]:
        del tally.part.choices[choice_key]
    for first_key in [k for k in tally.part.first if k[1] == scenario_id]:
        del tally.part.first[first_key]
    folded = decisions.c.id <= tally.mark
    of_scenario = and_(attempts.c.scenario_id == scenario_id, attempts.c.user_id.in_(members_of(cohort_id)), _first_try())
    for node_id, choice_id, times in connection.execute(
        select(decisions.c.node_id, decisions.c.choice_id, func.count())
        .select_from(decisions)
        .join(attempts, attempts.c.id == decisions.c.attempt_id)
        .where(of_scenario, folded)
        .group_by(decisions.c.node_id, decisions.c.choice_id)
    ):
        tally.part.choices[(scenario_id, node_id, choice_id)] += int(times)
    answered = select(decisions.c.id).where(decisions.c.attempt_id == attempts.c.id, folded).exists()
    for user_id, attempt_id in connection.execute(
        select(attempts.c.user_id, func.min(attempts.c.id)).where(of_scenario, answered).group_by(attempts.c.user_id)
    ):
        tally.part.first[(int(user_id), scenario_id)] = int(attempt_id)
    tally.based.add(scenario_id)


def _ids(connection: Connection, lo: int, hi: int) -> set[int]:
    return {int(i) for i in connection.execute(select(decisions.c.id).where(decisions.c.id > lo, decisions.c.id <= hi)).scalars()}


def _digest(connection: Connection, cohort_id: int, lo: int, hi: int, ids: Sequence[int] | None = None) -> tuple[int, ...]:
    """For the decisions with ``lo < id <= hi`` (or exactly ``ids``): how many there are and the sum of their
    ids, and the same for the cohort's members' among them. Reused ids (SQLite) change it unless a member's
    decision replaced a member's (then the members changed too) or an outsider's an outsider's (which the
    tallies never counted). The member test is a lookup per decision, so the attempts table is never scanned."""
    owner = select(attempts.c.user_id).where(attempts.c.id == decisions.c.attempt_id).scalar_subquery()
    member = case((owner.in_(members_of(cohort_id)), 1), else_=0)
    row = connection.execute(
        select(
            func.count(),
            func.coalesce(func.sum(decisions.c.id), 0),
            func.coalesce(func.sum(member), 0),
            func.coalesce(func.sum(member * decisions.c.id), 0),
        ).where(_in_range(lo, hi, ids))
    ).one()
    return tuple(int(v) for v in row)


def _count_between(connection: Connection, lo: int, hi: int) -> int:
    return int(
        connection.execute(
            select(func.count()).select_from(decisions).where(decisions.c.id > lo, decisions.c.id <= hi)
        ).scalar_one()
    )


def bring_decisions_up_to_date(connection: Connection, cohort_id: int, tally: Tally) -> bool:
    """Fold the decisions added since the last read into ``tally``; False when it must be rebuilt instead."""
    top = int(connection.execute(select(func.max(decisions.c.id))).scalar() or 0)
    if tally.mark:
        if top < tally.mark:
            return False  # the newest decisions were deleted
        window = max(0, tally.mark - WINDOW)
        extra: int | None = None
        if time.monotonic() - tally.checked >= RECHECK_SECONDS:
            below = _count_between(connection, 0, tally.mark)
            if below < tally.below:
                return False  # decisions were deleted
            extra, tally.checked = below - tally.below, time.monotonic()
        now = _digest(connection, cohort_id, window, tally.mark)
        if now != tally.digest or extra:
            # Committed late (PostgreSQL hands out ids before commit): fold them in if they are recent ids.
            ids = _ids(connection, window, tally.mark)
            late = sorted(ids - tally.recent)
            if not tally.recent <= ids or (extra is not None and len(late) != extra):
                return False  # rows vanished, or a late commit older than the window
            expected = tally.digest
            if late:
                added = _digest(connection, cohort_id, 0, 0, late)
                expected = tuple(a + b for a, b in zip(tally.digest, added, strict=True))
            if now != expected:
                return False  # the same ids, but not the same rows (SQLite reuses the highest ids)
            if late:
                tally.part.merge(_collect(connection, cohort_id, 0, None, late))
                tally.recent.update(late)
                tally.below += len(late)
            tally.digest = now
    if top > tally.mark:
        if not tally.mark:
            tally.checked = time.monotonic()
        tally.part.merge(_collect(connection, cohort_id, tally.mark, top, hits_only=not tally.mark))
        tally.below += _count_between(connection, tally.mark, top)
        window = max(0, top - WINDOW)
        tally.recent = {i for i in tally.recent if i > window} | _ids(connection, max(window, tally.mark), top)
        tally.mark = top
        tally.digest = _digest(connection, cohort_id, window, top)
    return True


def bring_grid_up_to_date(connection: Connection, cohort_id: int, grid: Grid) -> None:
    """Re-read the attempt figures of the trainees whose attempts changed (new, finished, left...)."""
    # Attempts are only ever added or moved from one status to another (deleting an account leaves the cohort),
    # so a trainee's count per status changes whenever their attempts do.
    signatures: dict[int, list[tuple[str, int]]] = {}
    for user_id, status, count in connection.execute(
        select(attempts.c.user_id, attempts.c.status, func.count())
        .where(attempts.c.user_id.in_(members_of(cohort_id)))
        .group_by(attempts.c.user_id, attempts.c.status)
    ):
        signatures.setdefault(user_id, []).append((status, int(count)))
    current = {user_id: tuple(sorted(parts)) for user_id, parts in signatures.items()}
    for user_id in set(grid.rows) - set(current):
        grid.rows.pop(user_id, None)
        grid.signature.pop(user_id, None)
    changed = sorted(u for u, signature in current.items() if grid.signature.get(u) != signature)
    for start in range(0, len(changed), 500):
        chunk = changed[start : start + 500]
        finished = attempts.c.status == "finished"
        rows = connection.execute(
            select(
                attempts.c.user_id,
                attempts.c.scenario_id,
                attempts.c.content_hash,
                func.count(),
                func.count(attempts.c.score).filter(finished),
                func.coalesce(func.sum(attempts.c.score).filter(finished), 0),
                func.max(attempts.c.score).filter(finished),
                func.max(attempts.c.updated_at),
            )
            .where(attempts.c.user_id.in_(chunk), _first_try())
            .group_by(attempts.c.user_id, attempts.c.scenario_id, attempts.c.content_hash)
        ).all()
        fresh: dict[int, list[tuple[str, str, int, int, int, int | None, datetime]]] = {u: [] for u in chunk}
        for user_id, scenario_id, content_hash, started, done, total, best, latest in rows:
            fresh[user_id].append(
                (scenario_id, content_hash, int(started), int(done), int(total), None if best is None else int(best), latest)
            )
        for user_id in chunk:
            grid.rows[user_id] = fresh[user_id]
            grid.signature[user_id] = current[user_id]
