"""Row-level helpers for the class dashboard's summary tables (records.tables ``dashboard_*``): kept up to date in
the transaction of every write that changes what they summarize, so the dashboard reads small tables instead of
every decision. They take a connection and own no transaction.

What each table holds (practice branches are left out of everything but activity, as the dashboard always did;
only *counted* decisions, the first at each point of an attempt, count as choices and criteria hit):

* ``dashboard_attempts``: per trainee, scenario and version, attempts started and finished, sum and best of the
  finished scores.
* ``dashboard_activity``: per trainee, when they were last active (an attempt started or changed, a decision).
* ``dashboard_first``: per trainee and scenario, their first attempt with a decision.
* ``dashboard_choices``: per trainee, scenario, decision point and choice, how many times it was chosen.
* ``dashboard_cohort_hits``: per cohort, criterion and UTC day, criteria hit by the decisions of the members
  listed in ``dashboard_cohort_folded`` (a per-trainee table would hold about a million rows at a million
  decisions, too many to add up in a page view). A member who joins or leaves is folded in or out from their own
  decisions by :func:`fold_members`, which the dashboard runs in its write transaction before each read; a member
  whose account was deleted cannot be taken out (their decisions are gone), so the cohort's hits are then counted
  again from its members' decisions.

The trainee-keyed tables go with the account (foreign keys with ON DELETE CASCADE). On PostgreSQL a decision and a
fold of the same trainee take a per-trainee advisory lock (shared and exclusive), so a decision committed while
its trainee is folded in is counted exactly once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, Table, and_, bindparam, case, delete, func, literal, select, text, true

from records.db import upsert_insert
from records.decisions import BRANCH
from records.tables import (
    attempts,
    cohort_members,
    dashboard_activity,
    dashboard_attempts,
    dashboard_choices,
    dashboard_cohort_folded,
    dashboard_cohort_hits,
    dashboard_first,
    decision_criteria,
    decisions,
    users,
)

_LOCK = 4_721_018  # advisory lock class: one trainee's decisions against a fold of that trainee


# ------------------------------------------------------------------------------------ portable upserts
def _upsert(connection: Connection, table: Table, values: dict[str, Any] | list[dict[str, Any]], **how: str) -> None:
    """Insert, or on a key conflict change the existing row: ``how`` maps a column to "add", "max" or "min"."""
    connection.execute(_upsert_statement(connection.dialect.name, table, tuple(how.items())), values)


@cache
def _upsert_statement(dialect: str, table: Table, how: tuple[tuple[str, str], ...]) -> Any:
    """Built once per shape: building the statement (its CASE expressions) cost more than running it."""
    statement = upsert_insert(dialect, table)
    return statement.on_conflict_do_update(
        index_elements=[c.name for c in table.primary_key.columns],
        set_={name: _merge(table.c[name], statement.excluded[name], rule) for name, rule in how},
    )


def _merge(old: ColumnElement[Any], new: ColumnElement[Any], rule: str) -> ColumnElement[Any]:
    if rule == "add":
        return old + new
    wins = new > old if rule == "max" else new < old
    return case((old.is_(None), new), (new.is_(None), old), (wins, new), else_=old)


def _guard(connection: Connection, user_id: int, *, exclusive: bool = False) -> None:
    if connection.dialect.name == "postgresql":
        name = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
        connection.execute(text(f"SELECT {name}(:kind, :user)"), {"kind": _LOCK, "user": int(user_id)})


def _day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


# ------------------------------------------------------------------------------------ upkeep on writes
def active(connection: Connection, user_id: int, moment: datetime) -> None:
    """A first-try attempt of the trainee was started or changed at ``moment``."""
    _upsert(connection, dashboard_activity, {"user_id": user_id, "last_active": moment}, last_active="max")


def started(connection: Connection, user_id: int, scenario_id: str, content_hash: str, mode: str, moment: datetime) -> None:
    """A new attempt (its own transaction has inserted it)."""
    if mode == BRANCH:
        return
    row = {"user_id": user_id, "scenario_id": scenario_id, "content_hash": content_hash, "started": 1, "finished": 0}
    _upsert(connection, dashboard_attempts, row | {"score_total": 0, "best_score": None}, started="add")
    active(connection, user_id, moment)


def finished(connection: Connection, user_id: int, scenario_id: str, content_hash: str, mode: str, score: int | None) -> None:
    """An active attempt finished with ``score`` (practice; live classes and re-scoring use :func:`recount`)."""
    if mode == BRANCH or score is None:
        return
    row = {"user_id": user_id, "scenario_id": scenario_id, "content_hash": content_hash, "started": 0, "finished": 1}
    _upsert(
        connection,
        dashboard_attempts,
        row | {"score_total": score, "best_score": score},
        finished="add",
        score_total="add",
        best_score="max",
    )


def decided(
    connection: Connection,
    *,
    user_id: int,
    attempt_id: int,
    scenario_id: str,
    mode: str,
    node_id: str,
    choice_id: str,
    counted: bool,
    criteria: Sequence[str],
    moment: datetime,
) -> None:
    """A decision was written (call after its attempt row is locked or updated in the same transaction)."""
    _upsert(connection, dashboard_activity, {"user_id": user_id, "last_active": moment}, last_active="max")
    if mode == BRANCH:
        return
    _upsert(
        connection,
        dashboard_first,
        {"user_id": user_id, "scenario_id": scenario_id, "attempt_id": attempt_id},
        attempt_id="min",
    )
    if not counted:
        return
    key = {"user_id": user_id, "scenario_id": scenario_id, "node_id": node_id, "choice_id": choice_id}
    _upsert(connection, dashboard_choices, key | {"times": 1}, times="add")
    if criteria:
        _guard(connection, user_id)
        _add_hits(connection, user_id, Counter((c, _day(moment)) for c in criteria))


def _add_hits(connection: Connection, user_id: int, hits: Counter[tuple[str, date]]) -> None:
    """Add ``hits`` (criterion, day) -> times to every cohort the trainee is folded into."""
    rows = [{"u": user_id, "c": c, "d": d, "n": n} for (c, d), n in sorted(hits.items()) if n]
    if rows:
        connection.execute(_hits_statement(connection.dialect.name), rows)


@cache
def _hits_statement(dialect: str) -> Any:
    source = select(
        dashboard_cohort_folded.c.cohort_id,
        literal_param("c", dashboard_cohort_hits.c.criterion_id),
        literal_param("d", dashboard_cohort_hits.c.day),
        literal_param("n", dashboard_cohort_hits.c.hits),
    ).where(dashboard_cohort_folded.c.user_id == literal_param("u", dashboard_cohort_folded.c.user_id))
    statement = upsert_insert(dialect, dashboard_cohort_hits).from_select(["cohort_id", "criterion_id", "day", "hits"], source)
    return statement.on_conflict_do_update(
        index_elements=["cohort_id", "criterion_id", "day"],
        set_={"hits": dashboard_cohort_hits.c.hits + statement.excluded.hits},
    )


def literal_param(name: str, like: ColumnElement[Any]) -> ColumnElement[Any]:
    return bindparam(name, type_=like.type)


def rescored(connection: Connection, changes: Iterable[tuple[int, str, str, str, str, bool, Sequence[str], datetime]]) -> None:
    """Decisions whose ``counted`` flipped when re-scored: (user, scenario, mode, node, choice, now counted,
    criteria, decided at). Their choices and criteria hit move in or out of the summaries."""
    choices: Counter[tuple[int, str, str, str]] = Counter()
    hits: dict[int, Counter[tuple[str, date]]] = {}
    for user_id, scenario_id, mode, node_id, choice_id, counted, criteria, moment in changes:
        if mode == BRANCH:
            continue
        sign = 1 if counted else -1
        choices[(user_id, scenario_id, node_id, choice_id)] += sign
        mine = hits.setdefault(user_id, Counter())
        for criterion in criteria:
            mine[(criterion, _day(moment))] += sign
    rows = [
        {"user_id": u, "scenario_id": s, "node_id": n, "choice_id": c, "times": t} for (u, s, n, c), t in choices.items() if t
    ]
    if rows:
        _upsert(connection, dashboard_choices, rows, times="add")
        touched = sorted({u for u, _, _, _ in choices})
        connection.execute(
            delete(dashboard_choices).where(dashboard_choices.c.user_id.in_(touched), dashboard_choices.c.times == 0)
        )
    for user_id, counts in sorted(hits.items()):
        _guard(connection, user_id)
        _add_hits(connection, user_id, counts)


def recount(connection: Connection, keys: Iterable[tuple[int, str]]) -> None:
    """Count the attempt figures of these (trainee, scenario) again from their attempts (live classes ending,
    re-scoring, an attempt finished after a crash): exact whatever changed."""
    for user_id, scenario_id in sorted(set(keys)):
        connection.execute(
            delete(dashboard_attempts).where(
                dashboard_attempts.c.user_id == user_id, dashboard_attempts.c.scenario_id == scenario_id
            )
        )
        connection.execute(
            dashboard_attempts.insert().from_select(
                ["user_id", "scenario_id", "content_hash", "started", "finished", "score_total", "best_score"],
                _attempt_figures(and_(attempts.c.user_id == user_id, attempts.c.scenario_id == scenario_id)),
            )
        )


# ------------------------------------------------------------------------------------ whole-table backfill
def _first_try() -> ColumnElement[bool]:
    return attempts.c.mode != BRANCH


def _attempt_figures(where: ColumnElement[bool]) -> Select[Any]:
    done = attempts.c.status == "finished"
    return (
        select(
            attempts.c.user_id,
            attempts.c.scenario_id,
            attempts.c.content_hash,
            func.count(),
            func.count(case((done, attempts.c.score))),
            func.coalesce(func.sum(case((done, attempts.c.score))), 0),
            func.max(case((done, attempts.c.score))),
        )
        .where(where, _first_try())
        .group_by(attempts.c.user_id, attempts.c.scenario_id, attempts.c.content_hash)
    )


def _hits_of(cohort_id: int, who: ColumnElement[bool], sign: int) -> Select[Any]:
    """(cohort, criterion, day, sign * hits) of the decisions of the trainees ``who`` picks."""
    day = func.date(decisions.c.decided_at)
    return (
        select(literal(cohort_id), decision_criteria.c.criterion_id, day, sign * func.count())
        .select_from(decision_criteria)
        .join(decisions, decisions.c.id == decision_criteria.c.decision_id)
        .join(attempts, attempts.c.id == decisions.c.attempt_id)
        .where(who, decisions.c.counted == true(), _first_try())
        .group_by(decision_criteria.c.criterion_id, day)
    )


def rebuild(connection: Connection) -> None:
    """Fill every summary table from the records (the migration that adds them; tests compare it with upkeep)."""
    for table in (
        dashboard_cohort_hits,
        dashboard_cohort_folded,
        dashboard_choices,
        dashboard_first,
        dashboard_activity,
        dashboard_attempts,
    ):
        connection.execute(delete(table))
    connection.execute(
        dashboard_attempts.insert().from_select(
            ["user_id", "scenario_id", "content_hash", "started", "finished", "score_total", "best_score"],
            _attempt_figures(true()),
        )
    )
    moments = (
        select(attempts.c.user_id.label("user_id"), attempts.c.updated_at.label("moment"))
        .where(_first_try())
        .union_all(select(attempts.c.user_id, decisions.c.decided_at).join(decisions, decisions.c.attempt_id == attempts.c.id))
        .subquery()
    )
    connection.execute(
        dashboard_activity.insert().from_select(
            ["user_id", "last_active"], select(moments.c.user_id, func.max(moments.c.moment)).group_by(moments.c.user_id)
        )
    )
    decided = select(decisions.c.id).where(decisions.c.attempt_id == attempts.c.id).exists()
    connection.execute(
        dashboard_first.insert().from_select(
            ["user_id", "scenario_id", "attempt_id"],
            select(attempts.c.user_id, attempts.c.scenario_id, func.min(attempts.c.id))
            .where(_first_try(), decided)
            .group_by(attempts.c.user_id, attempts.c.scenario_id),
        )
    )
    connection.execute(
        dashboard_choices.insert().from_select(
            ["user_id", "scenario_id", "node_id", "choice_id", "times"],
            select(attempts.c.user_id, attempts.c.scenario_id, decisions.c.node_id, decisions.c.choice_id, func.count())
            .select_from(decisions)
            .join(attempts, attempts.c.id == decisions.c.attempt_id)
            .where(decisions.c.counted == true(), _first_try())
            .group_by(attempts.c.user_id, attempts.c.scenario_id, decisions.c.node_id, decisions.c.choice_id),
        )
    )
    day = func.date(decisions.c.decided_at)
    connection.execute(
        dashboard_cohort_hits.insert().from_select(
            ["cohort_id", "criterion_id", "day", "hits"],
            select(cohort_members.c.cohort_id, decision_criteria.c.criterion_id, day, func.count())
            .select_from(decision_criteria)
            .join(decisions, decisions.c.id == decision_criteria.c.decision_id)
            .join(attempts, attempts.c.id == decisions.c.attempt_id)
            .join(cohort_members, cohort_members.c.user_id == attempts.c.user_id)
            .where(decisions.c.counted == true(), _first_try())
            .group_by(cohort_members.c.cohort_id, decision_criteria.c.criterion_id, day),
        )
    )
    connection.execute(
        dashboard_cohort_folded.insert().from_select(
            ["cohort_id", "user_id", "joined_at"],
            select(cohort_members.c.cohort_id, cohort_members.c.user_id, cohort_members.c.joined_at),
        )
    )


# ------------------------------------------------------------------------------------ cohort membership
def members_of(cohort_id: int) -> Select[Any]:
    return select(cohort_members.c.user_id).where(cohort_members.c.cohort_id == cohort_id)


def fold_members(connection: Connection, cohort_id: int) -> None:
    """Bring the cohort's criteria hit in line with its members (in a write transaction): fold in those who joined,
    out those who left; count again when a member who left can no longer be taken out (account deleted)."""
    now = {
        (int(u), j)
        for u, j in connection.execute(
            select(cohort_members.c.user_id, cohort_members.c.joined_at).where(cohort_members.c.cohort_id == cohort_id)
        )
    }
    folded = {
        (int(u), j)
        for u, j in connection.execute(
            select(dashboard_cohort_folded.c.user_id, dashboard_cohort_folded.c.joined_at).where(
                dashboard_cohort_folded.c.cohort_id == cohort_id
            )
        )
    }
    joined, left = now - folded, folded - now
    if not joined and not left:
        return
    out = sorted({u for u, _ in left})
    accounts = {
        int(u): created for u, created in connection.execute(select(users.c.id, users.c.created_at).where(users.c.id.in_(out)))
    }
    # The same account (created before it joined) can be taken out; a deleted one, or its id given to a new
    # account (SQLite), cannot: count the cohort again.
    if any(u not in accounts or accounts[u] > j for u, j in left):
        joined, left = now, set()
        connection.execute(delete(dashboard_cohort_hits).where(dashboard_cohort_hits.c.cohort_id == cohort_id))
        connection.execute(delete(dashboard_cohort_folded).where(dashboard_cohort_folded.c.cohort_id == cohort_id))
    for sign, group in ((-1, sorted({u for u, _ in left})), (1, sorted({u for u, _ in joined}))):
        for start in range(0, len(group), 500):
            chunk = group[start : start + 500]
            for user_id in chunk:
                _guard(connection, user_id, exclusive=True)
            _fold(connection, cohort_id, chunk, sign)
    if left:
        connection.execute(
            delete(dashboard_cohort_folded).where(
                dashboard_cohort_folded.c.cohort_id == cohort_id, dashboard_cohort_folded.c.user_id.in_(out)
            )
        )
        connection.execute(
            delete(dashboard_cohort_hits).where(dashboard_cohort_hits.c.cohort_id == cohort_id, dashboard_cohort_hits.c.hits == 0)
        )
    if joined:
        connection.execute(
            dashboard_cohort_folded.insert(),
            [{"cohort_id": cohort_id, "user_id": u, "joined_at": j} for u, j in sorted(joined)],
        )


def _fold(connection: Connection, cohort_id: int, user_ids: list[int], sign: int) -> None:
    statement = upsert_insert(connection.dialect.name, dashboard_cohort_hits).from_select(
        ["cohort_id", "criterion_id", "day", "hits"], _hits_of(cohort_id, attempts.c.user_id.in_(user_ids), sign)
    )
    statement = statement.on_conflict_do_update(
        index_elements=["cohort_id", "criterion_id", "day"],
        set_={"hits": dashboard_cohort_hits.c.hits + statement.excluded.hits},
    )
    connection.execute(statement)
