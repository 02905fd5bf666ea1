"""Cohort analytics for the class dashboard: compact frames from SQL aggregates, never every decision.

Who may read: the cohort's instructor or an admin (the rules of records/cohorts.py). Every read of the
trainees' data writes one entry to the audit log ("view cohort dashboard", "view item analysis",
"export cohort").

What comes back is small whatever the class has done: one row per trainee and scenario (attempts), one per
criterion and day (criteria hit), one per decision point and choice, one per trainee and decision point (first
attempts). Scenario titles, rubric titles and every figure built on these are computed in scoring/cohort.py.

**Staying fast over a million decisions.** Aggregating every decision of a large class costs seconds (SQLite
sorts to GROUP BY; both databases must join the decisions to their criteria and attempts). Decisions are never
changed once written, so the aggregates over decisions are kept per cohort in this process and brought up to
date on each read with only the decisions added since (an id range on the primary key). The first read counts
criteria hit; a scenario's choices and first attempts are counted in full the first time its item analysis is
opened, and kept up to date the same way after. Per-trainee attempt figures are re-read only for the trainees
whose attempts changed (a covering-index scan of attempts per trainee and status says which). The tallies are
thrown away and rebuilt from scratch whenever they could be wrong:

* the cohort's members changed (a trainee joined, left, was removed or deleted their account);
* the number of decisions at or below the folded id changed, or the last ``WINDOW`` folded ids no longer hold
  the same decisions: rows were deleted, ids were reused (SQLite gives a new row the highest id plus one), or
  (PostgreSQL) a transaction committed a lower id after a higher one was read. Late commits within the last
  ``WINDOW`` ids are folded in instead of rebuilding.

Each read runs in one consistent snapshot (REPEATABLE READ on PostgreSQL; a read transaction in WAL mode on
SQLite), so the tallies, the check and the new rows agree with each other.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Connection, Engine, Select, and_, case, func, literal_column, select

from records import audit
from records.access import User, require_role
from records.base import Repository
from records.cohorts import Cohort, Cohorts
from records.csv_safety import write_csv
from records.store import CSV_COLUMNS, csv_row
from records.tables import attempts, cohort_members, decision_criteria, decisions, scenario_versions, users

WINDOW = 5000
"""How many of the most recently folded decision ids are remembered, to recognise late commits and reused ids."""

RECHECK_SECONDS = 300.0
"""How often (at most) a read counts every decision at or below the folded id again, to catch a late commit
older than the window; between those counts only the window is checked."""

KEEP_COHORTS = 16
"""How many cohorts' tallies one process keeps (least recently read are dropped)."""

TRAINEE_COLUMNS = ["user_id", "name", "started", "finished", "mean_score", "best_score", "last_active"]
SCENARIO_COLUMNS = ["scenario_id", "content_hash", "tried", "finished", "mean_score"]
HIT_COLUMNS = ["criterion_id", "day", "hits"]
COUNT_COLUMNS = ["node_id", "choice_id", "first_attempts", "all_attempts"]
EXPORT_COLUMNS = ["trainee_id", "trainee_name", *CSV_COLUMNS]
"""A trainee's own export (records.store.CSV_COLUMNS), with who made each decision in front."""


@dataclass(frozen=True)
class CohortFigures:
    """The dashboard's figures for one cohort (every frame is small: see the module docstring).

    * ``trainees``: every member, by name: attempts started and finished, mean and best score of their finished
      attempts (None without one; the mean is their *overall score*), last active (their latest attempt start or
      decision; None if they have not played).
    * ``scenarios``: every scenario a member tried: trainees who tried it, trainees who finished it, mean score
      of its finished attempts, and ``content_hash``, the newest version the cohort played (for its title).
    * ``hits``: criteria hit by the cohort's decisions, per criterion and UTC day.
    """

    cohort: Cohort
    trainees: pd.DataFrame
    scenarios: pd.DataFrame
    hits: pd.DataFrame

    @property
    def attempts(self) -> int:
        return int(self.trainees["started"].sum()) if not self.trainees.empty else 0


@dataclass(frozen=True)
class ItemData:
    """What item analysis of one scenario needs, for one cohort.

    * ``versions``: the versions of the scenario the cohort played (``content_hash``, ``created_at``), newest first.
    * ``counts``: per decision point and choice, ``first_attempts`` (trainees who chose it the first time they
      reached that point in their first attempt) and ``all_attempts`` (every time it was chosen).
    * ``first_choices``: per trainee and decision point they reached in their first attempt, their choice there
      (the first visit, if a scenario loops back).
    * ``scores``: each member's overall score (mean of their finished attempts, any scenario); members without a
      finished attempt are left out.

    A trainee's *first attempt* of a scenario is the earliest started one in which they made a decision.
    """

    scenario_id: str
    versions: pd.DataFrame
    counts: pd.DataFrame
    first_choices: pd.DataFrame
    scores: pd.DataFrame


# ----------------------------------------------------------------------------------------- the tallies
@dataclass
class _Part:
    """Aggregates over some of a cohort's decisions."""

    hits: Counter[tuple[str, str]] = field(default_factory=Counter)  # (criterion, ISO day) -> times
    choices: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # (scenario, node, choice) -> times
    first: dict[tuple[int, str], int] = field(default_factory=dict)  # (user, scenario) -> first attempt with a decision
    last: dict[int, datetime] = field(default_factory=dict)  # user -> latest decision

    def merge(self, other: _Part) -> None:
        self.hits.update(other.hits)
        self.choices.update(other.choices)
        for key, attempt_id in other.first.items():
            if key not in self.first or attempt_id < self.first[key]:
                self.first[key] = attempt_id
        for user_id, moment in other.last.items():
            if user_id not in self.last or moment > self.last[user_id]:
                self.last[user_id] = moment


@dataclass
class _Grid:
    """Per trainee, scenario and version: attempts started and finished, sum and best of finished scores, when
    one was last touched. Kept per trainee with the trainee's attempt signature (their count per status); later
    decisions' times are in ``_Part.last``."""

    rows: dict[int, list[tuple[str, str, int, int, int, int | None, datetime]]] = field(default_factory=dict)
    signature: dict[int, tuple[tuple[str, int], ...]] = field(default_factory=dict)


@dataclass
class _Tally:
    members: tuple[int, ...]
    mark: int = 0  # decisions with id <= mark are folded into ``part``
    below: int = 0  # how many decisions (anyone's) had id <= mark when folded
    checked: float = 0.0  # time.monotonic() when ``below`` was last counted again in full
    recent: set[int] = field(default_factory=set)  # the folded ids above mark - WINDOW
    digest: tuple[int, ...] = ()  # _digest of those ids when folded
    part: _Part = field(default_factory=_Part)
    based: set[str] = field(default_factory=set)  # scenarios whose choices and first attempts ``part`` holds in full
    grid: _Grid = field(default_factory=_Grid)


def _members_of(cohort_id: int) -> Select[Any]:
    return select(cohort_members.c.user_id).where(cohort_members.c.cohort_id == cohort_id)


def _is_member(cohort_id: int) -> ColumnElement[bool]:
    # "+ 0" keeps SQLite from driving the join from the members' attempts (its index on user_id) instead of
    # from the range of decision ids; PostgreSQL plans it the same either way.
    return (attempts.c.user_id + literal_column("0")).in_(_members_of(cohort_id))


def _in_range(lo: int, hi: int | None, ids: Sequence[int] | None) -> ColumnElement[bool]:
    if ids is not None:
        return decisions.c.id.in_(list(ids))
    condition = decisions.c.id > lo
    return condition if hi is None else and_(condition, decisions.c.id <= hi)


def _collect(
    connection: Connection, cohort_id: int, lo: int, hi: int | None, ids: Sequence[int] | None = None, *, hits_only: bool = False
) -> _Part:
    """The cohort's decisions with ``lo < id <= hi`` (or exactly ``ids``), aggregated with GROUP BY: criteria hit
    per day, and (unless ``hits_only``) choices per scenario and decision point, and each trainee's first
    attempt with a decision and latest decision per scenario."""
    part = _Part()
    in_range = _in_range(lo, hi, ids)
    member = _is_member(cohort_id)
    day = func.date(decisions.c.decided_at)
    hits_query = (
        select(decision_criteria.c.criterion_id, day, func.count())
        .select_from(decision_criteria)
        .join(decisions, decisions.c.id == decision_criteria.c.decision_id)
        .join(attempts, attempts.c.id == decisions.c.attempt_id)
        .where(in_range, member)
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
        .where(in_range, member)
        .group_by(attempts.c.scenario_id, decisions.c.node_id, decisions.c.choice_id)
    )
    for scenario_id, node_id, choice_id, times in connection.execute(choices_query):
        part.choices[(scenario_id, node_id, choice_id)] += int(times)
    first_query = (
        select(attempts.c.user_id, attempts.c.scenario_id, func.min(decisions.c.attempt_id), func.max(decisions.c.decided_at))
        .select_from(decisions)
        .join(attempts, attempts.c.id == decisions.c.attempt_id)
        .where(in_range, member)
        .group_by(attempts.c.user_id, attempts.c.scenario_id)
    )
    for user_id, scenario_id, attempt_id, moment in connection.execute(first_query):
        part.first[(user_id, scenario_id)] = int(attempt_id)
        if user_id not in part.last or moment > part.last[user_id]:
            part.last[user_id] = moment
    return part


def _base_scenario(connection: Connection, cohort_id: int, tally: _Tally, scenario_id: str) -> None:
    """Count one scenario's choices and find its first attempts over every decision folded so far (the folds
    before only added what came since; a rebuild counts criteria alone, so a view without item analysis
    never pays for it)."""
    for choice_key in [k for k in tally.part.choices if k[0] == scenario_id]:
        del tally.part.choices[choice_key]
    for first_key in [k for k in tally.part.first if k[1] == scenario_id]:
        del tally.part.first[first_key]
    folded = decisions.c.id <= tally.mark
    of_scenario = and_(attempts.c.scenario_id == scenario_id, attempts.c.user_id.in_(_members_of(cohort_id)))
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
    member = case((owner.in_(_members_of(cohort_id)), 1), else_=0)
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


def _bring_decisions_up_to_date(connection: Connection, cohort_id: int, tally: _Tally) -> bool:
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


def _bring_grid_up_to_date(connection: Connection, cohort_id: int, grid: _Grid) -> None:
    """Re-read the attempt figures of the trainees whose attempts changed (new, finished, left...)."""
    # Attempts are only ever added or moved from one status to another (deleting an account leaves the cohort),
    # so a trainee's count per status changes whenever their attempts do.
    signatures: dict[int, list[tuple[str, int]]] = {}
    for user_id, status, count in connection.execute(
        select(attempts.c.user_id, attempts.c.status, func.count())
        .where(attempts.c.user_id.in_(_members_of(cohort_id)))
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
            .where(attempts.c.user_id.in_(chunk))
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


# --------------------------------------------------------------------------------------- the repository
class CohortRecords(Repository):
    """The class dashboard's reads. ``store.analytics`` on the Store."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self._tallies: OrderedDict[int, _Tally] = OrderedDict()
        self._locks: dict[int, threading.Lock] = {}
        self._guard = threading.Lock()

    # -------------------------------------------------------------- access
    def _allowed(self, actor: User, cohort_id: int, action: str, detail: str = "", *, every_time: bool = False) -> Cohort:
        """The cohort, when the actor owns it or is an admin; the read is written to the audit log first (a view
        once per audit.VIEW_WINDOW, since the page reruns on every click; an export ``every_time``)."""
        require_role(actor, "instructor", "admin")
        with self._write() as connection:
            cohort = Cohorts(self.engine)._owned(connection, actor, cohort_id)
            log = audit.write if every_time else audit.write_view
            log(connection, actor, action, None, f"cohort {cohort.id}: {cohort.name}" + (f"; {detail}" if detail else ""))
        return cohort

    @contextmanager
    def _snapshot(self) -> Iterator[Connection]:
        """A read transaction whose statements all see the same data."""
        with self.engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                yield connection

    def _lock(self, cohort_id: int) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(cohort_id, threading.Lock())

    def _tally(self, connection: Connection, cohort_id: int) -> tuple[_Tally, list[tuple[int, str, datetime]]]:
        """The cohort's tallies brought up to date (call with the cohort's lock held), and its members."""
        members = [
            (int(r.id), r.name, r.joined_at)
            for r in connection.execute(
                select(users.c.id, users.c.name, cohort_members.c.joined_at)
                .join(cohort_members, cohort_members.c.user_id == users.c.id)
                .where(cohort_members.c.cohort_id == cohort_id)
                .order_by(users.c.name_key, users.c.id)
            )
        ]
        key = tuple(sorted(m[0] for m in members))
        with self._guard:  # taken out while it changes: if anything fails half-way, it is rebuilt next time
            tally = self._tallies.pop(cohort_id, None)
        if tally is None or tally.members != key:
            tally = _Tally(key)
        if not _bring_decisions_up_to_date(connection, cohort_id, tally):
            tally = _Tally(key)
            _bring_decisions_up_to_date(connection, cohort_id, tally)
        _bring_grid_up_to_date(connection, cohort_id, tally.grid)
        with self._guard:
            self._tallies[cohort_id] = tally
            self._tallies.move_to_end(cohort_id)
            while len(self._tallies) > KEEP_COHORTS:
                self._tallies.popitem(last=False)
        return tally, members

    def forget(self) -> None:
        """Drop every tally (the next read of each cohort aggregates from scratch)."""
        with self._guard:
            self._tallies.clear()

    # ---------------------------------------------------------------- reads
    def figures(self, actor: User, cohort_id: int) -> CohortFigures:
        """Completion per trainee and per scenario, and criteria hit per day, for one cohort."""
        cohort = self._allowed(actor, cohort_id, "view cohort dashboard")
        with self._lock(cohort_id), self._snapshot() as connection:
            tally, members = self._tally(connection, cohort_id)
            versions = self._version_dates(connection, {row[1] for rows in tally.grid.rows.values() for row in rows})
            return CohortFigures(cohort, _trainees(members, tally), _scenarios(tally.grid, versions), _hits(tally.part.hits))

    def item_data(self, actor: User, cohort_id: int, scenario_id: str) -> ItemData:
        """Choice counts, first-attempt choices and overall scores for item analysis of one scenario."""
        self._allowed(actor, cohort_id, "view item analysis", f"scenario {scenario_id}")
        with self._lock(cohort_id), self._snapshot() as connection:
            tally, members = self._tally(connection, cohort_id)
            if scenario_id not in tally.based:
                _base_scenario(connection, cohort_id, tally, scenario_id)
            played = {row[1] for rows in tally.grid.rows.values() for row in rows if row[0] == scenario_id}
            versions = self._version_dates(connection, played)
            first_attempts = {a: u for (u, s), a in tally.part.first.items() if s == scenario_id}
            first_rows = self._first_choices(connection, sorted(first_attempts))
            all_counts = {(n, c): t for (s, n, c), t in tally.part.choices.items() if s == scenario_id}
            trainees = _trainees(members, tally)
        first_choices = pd.DataFrame(
            [(first_attempts[a], node, choice) for a, node, choice in first_rows], columns=["user_id", "node_id", "choice_id"]
        ).sort_values(["user_id", "node_id"], kind="stable", ignore_index=True)
        first_counts = Counter(zip(first_choices["node_id"], first_choices["choice_id"], strict=True))
        keys = sorted(set(first_counts) | set(all_counts))
        counts = pd.DataFrame(
            [(n, c, first_counts.get((n, c), 0), all_counts.get((n, c), 0)) for n, c in keys], columns=COUNT_COLUMNS
        )
        version_frame = (
            pd.DataFrame(
                sorted(versions.items(), key=lambda kv: (kv[1], kv[0]), reverse=True), columns=["content_hash", "created_at"]
            )
            if versions
            else pd.DataFrame(columns=["content_hash", "created_at"])
        )
        scores = trainees.loc[trainees["mean_score"].notna(), ["user_id", "mean_score"]].rename(columns={"mean_score": "score"})
        return ItemData(scenario_id, version_frame, counts, first_choices, scores.reset_index(drop=True))

    @staticmethod
    def _first_choices(connection: Connection, attempt_ids: Sequence[int]) -> list[tuple[int, str, str]]:
        """(attempt, node, choice) at the first visit of each node in these attempts."""
        found: list[tuple[int, str, str]] = []
        for start in range(0, len(attempt_ids), 500):
            chunk = list(attempt_ids[start : start + 500])
            first_visit = (
                select(decisions.c.attempt_id, decisions.c.node_id, func.min(decisions.c.step).label("step"))
                .where(decisions.c.attempt_id.in_(chunk))
                .group_by(decisions.c.attempt_id, decisions.c.node_id)
                .subquery()
            )
            rows = connection.execute(
                select(decisions.c.attempt_id, decisions.c.node_id, decisions.c.choice_id).join(
                    first_visit,
                    and_(decisions.c.attempt_id == first_visit.c.attempt_id, decisions.c.step == first_visit.c.step),
                )
            )
            found.extend((int(a), n, c) for a, n, c in rows)
        return found

    @staticmethod
    def _version_dates(connection: Connection, hashes: set[str]) -> dict[str, datetime]:
        found: dict[str, datetime] = {}
        ordered = sorted(hashes)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            for content_hash, created_at in connection.execute(
                select(scenario_versions.c.content_hash, scenario_versions.c.created_at).where(
                    scenario_versions.c.content_hash.in_(chunk)
                )
            ):
                found[content_hash] = created_at
        return found

    def export_csv(self, actor: User, cohort_id: int) -> str:
        """Every attempt decision of the cohort's members, one row per decision with the trainee's id and name,
        ordered by trainee name, attempt start and step. Written to the audit log as "export cohort"."""
        self._allowed(actor, cohort_id, "export cohort", every_time=True)
        member = attempts.c.user_id.in_(_members_of(cohort_id))
        with self._snapshot() as connection:
            criteria: dict[int, list[str]] = {}
            for decision_id, criterion_id in connection.execute(
                select(decision_criteria.c.decision_id, decision_criteria.c.criterion_id)
                .join(decisions, decisions.c.id == decision_criteria.c.decision_id)
                .join(attempts, attempts.c.id == decisions.c.attempt_id)
                .where(member)
                .order_by(decision_criteria.c.decision_id, decision_criteria.c.criterion_id)
            ):
                criteria.setdefault(decision_id, []).append(criterion_id)
            rows = connection.execute(
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
                    decisions.c.id.label("decision_id"),
                    decisions.c.step,
                    decisions.c.node_id,
                    decisions.c.choice_id,
                    decisions.c.points,
                    decisions.c.time_taken_ms,
                    decisions.c.decided_at,
                )
                .select_from(decisions)
                .join(attempts, attempts.c.id == decisions.c.attempt_id)
                .join(users, users.c.id == attempts.c.user_id)
                .where(member)
                .order_by(users.c.name_key, users.c.id, attempts.c.started_at, attempts.c.id, decisions.c.step)
            )
            lines: list[list[object]] = []
            for r in rows:
                attempt = SimpleNamespace(
                    id=r.attempt_id,
                    scenario_id=r.scenario_id,
                    content_hash=r.content_hash,
                    mode=r.mode,
                    status=r.status,
                    started_at=r.started_at,
                    finished_at=r.finished_at,
                    score=r.score,
                )
                decision = csv_row(
                    attempt,
                    r.step,
                    r.node_id,
                    r.choice_id,
                    criteria.get(r.decision_id, []),
                    r.points,
                    r.time_taken_ms,
                    r.decided_at,
                )
                lines.append([r.trainee_id, r.trainee_name, *decision])
        return write_csv(EXPORT_COLUMNS, lines)


# ------------------------------------------------------------------------------------ frames from tallies
def _trainees(members: list[tuple[int, str, datetime]], tally: _Tally) -> pd.DataFrame:
    rows = []
    for user_id, name, _joined in members:
        grid = tally.grid.rows.get(user_id, [])
        started = sum(r[2] for r in grid)
        finished = sum(r[3] for r in grid)
        total = sum(r[4] for r in grid)
        bests = [r[5] for r in grid if r[5] is not None]
        moments = [r[6] for r in grid]
        if user_id in tally.part.last:
            moments.append(tally.part.last[user_id])
        rows.append(
            (
                user_id,
                name,
                started,
                finished,
                total / finished if finished else None,
                max(bests) if bests else None,
                max(moments) if moments else None,
            )
        )
    frame = pd.DataFrame(rows, columns=TRAINEE_COLUMNS)
    frame["mean_score"] = frame["mean_score"].astype("float64")
    frame["best_score"] = frame["best_score"].astype("Int64")
    return frame


def _scenarios(grid: _Grid, versions: dict[str, datetime]) -> pd.DataFrame:
    tried: dict[str, set[int]] = {}
    done: dict[str, set[int]] = {}
    totals: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    newest: dict[str, tuple[datetime, str]] = {}
    for user_id, rows in grid.rows.items():
        for scenario_id, content_hash, _started, finished, total, _best, latest in rows:
            tried.setdefault(scenario_id, set()).add(user_id)
            if finished:
                done.setdefault(scenario_id, set()).add(user_id)
            totals[scenario_id] += total
            counts[scenario_id] += finished
            stamp = versions.get(content_hash, latest)
            if scenario_id not in newest or (stamp, content_hash) > newest[scenario_id]:
                newest[scenario_id] = (stamp, content_hash)
    frame = pd.DataFrame(
        [
            (
                scenario_id,
                newest[scenario_id][1],
                len(tried[scenario_id]),
                len(done.get(scenario_id, ())),
                totals[scenario_id] / counts[scenario_id] if counts[scenario_id] else None,
            )
            for scenario_id in sorted(tried)
        ],
        columns=SCENARIO_COLUMNS,
    )
    frame["mean_score"] = frame["mean_score"].astype("float64")
    return frame


def _hits(hits: Counter[tuple[str, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(
        [(criterion, day, times) for (criterion, day), times in sorted(hits.items()) if times], columns=HIT_COLUMNS
    )
    frame["day"] = pd.to_datetime(frame["day"]).dt.date
    return frame
