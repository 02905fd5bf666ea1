"""The class dashboard's summary tables (records/summaries.py): after a realistic mix of writes the dashboard's
figures equal figures computed straight from the records (bench/dashboard.py's hand-written SQL, and the rest by
hand below); migration 0016's backfill yields the same tables as the upkeep; a failed write leaves them as they
were. Runs on SQLite, and on PostgreSQL with PEERSIM_TEST_DATABASE_URL.

The mix: two cohorts (Cal in both), practice in two scenarios (mini and a loop whose laps do not count), an
attempt left half-way, a practice branch, a live class, a member joining after practicing and one leaving, an
account deleted, and version-1 attempts re-scored.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Connection, select, text, update

from bench.dashboard import comparable, hand_written
from records import Store, User, db, summaries, xapi_rows
from records.errors import StaleDecision
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
from scenarios import LoadedScenario, Rubric, load_scenario
from tests.helpers import make_user, play

LOOP = Path(__file__).parent / "fixtures" / "audit" / "loop.yaml"
RP = [("open", "reflect"), ("ready", "pen")]
RE = [("open", "reflect"), ("ready", "explore")]
MJ = [("open", "mixed"), ("ready", "judge")]
PLAN = [("open", "plan")]
LAPS = [("s", "y"), ("s", "y"), ("s", "x")]
TABLES = (
    dashboard_attempts,
    dashboard_activity,
    dashboard_first,
    dashboard_choices,
    dashboard_cohort_hits,
    dashboard_cohort_folded,
)


@pytest.fixture
def loop(rubric: Rubric) -> LoadedScenario:
    return load_scenario(LOOP.read_text(encoding="utf-8"), rubric, str(LOOP))


def to_version_1(store: Store, attempt_id: int) -> None:
    """An attempt as scoring version 1 left it (every decision counted), as tests/test_rescore.py makes one."""
    with store.engine.begin() as connection:
        connection.execute(update(attempts).where(attempts.c.id == attempt_id).values(scoring_version=1, score=100))
        connection.execute(update(decisions).where(decisions.c.attempt_id == attempt_id).values(counted=True))


def live_class(
    store: Store, host: User, cohort_id: int, mini: LoadedScenario, rubric: Rubric, said: dict[User, list[str]]
) -> None:
    session = store.live.start(host, cohort_id, mini)
    for user in said:
        store.live.join(user, session.code)
    for step in (1, 2):
        for user, choices in said.items():
            store.live.answer(user, session.id, step=step, choice_id=choices[step - 1], loaded=mini, rubric=rubric)
        store.live.reveal(host, session.id, step=step)
        store.live.advance(host, session.id, step=step, follow=None, loaded=mini, rubric=rubric)


def build(store: Store, mini: LoadedScenario, loop: LoadedScenario, rubric: Rubric, at_time: Any) -> dict[str, Any]:
    ivan = make_user(store, "Ivan", "instructor")
    first, second = store.cohorts.create(ivan, "Mornings"), store.cohorts.create(ivan, "Evenings")
    people = {name: make_user(store, name) for name in ("Ana", "Ben", "Cal", "Dee", "Eve", "Fay")}
    for name in ("Ana", "Ben", "Cal", "Dee"):
        store.cohorts.join(people[name], first.join_code)
    for name in ("Cal", "Eve"):
        store.cohorts.join(people[name], second.join_code)
    ana, ben, cal, dee, eve, fay = people.values()
    first_try = play(store, ana, mini, rubric, RE)
    play(store, ben, mini, rubric, MJ)
    play(store, cal, mini, rubric, PLAN)
    at_time(timedelta(days=1))
    play(store, ana, mini, rubric, RP)
    play(store, cal, loop, rubric, LAPS)
    play(store, eve, mini, rubric, RP)
    play(store, fay, mini, rubric, MJ)  # before she joins
    half = play(store, dee, mini, rubric, [("open", "reflect")])
    store.practice.leave_attempt(dee, half)
    # Both cohorts are viewed (their members folded in) before the changes of membership below.
    store.analytics.figures(ivan, first.id)
    store.analytics.figures(ivan, second.id)
    at_time(timedelta(days=1))
    branch = store.practice.start_branch(ana, first_try, "ready", loaded=mini)
    store.record_choice(ana, branch.id, step=1, node_id="ready", choice_id="pen", time_taken_ms=900, loaded=mini, rubric=rubric)
    live_class(store, ivan, first.id, mini, rubric, {ana: ["reflect", "pen"], ben: ["mixed", "judge"], cal: ["reflect", "judge"]})
    at_time(timedelta(days=1))
    store.cohorts.join(fay, first.join_code)
    store.cohorts.leave(dee, first.id)
    store.analytics.figures(ivan, first.id)  # Fay folded in, Dee out (from their own decisions)
    store.accounts.delete(ben, ben.id)
    play(store, cal, mini, rubric, RP)
    # Version-1 attempts (every loop lap counted) backfilled by the migration, then re-scored when the store opens.
    old = play(store, eve, loop, rubric, LAPS)
    to_version_1(store, old)
    with store.engine.connect().execution_options(**db.WRITE) as connection, connection.begin():
        summaries.rebuild(connection)
    assert store.rescoring.rescore(rubric).decisions == 3
    return {"ivan": ivan, "cohorts": [first.id, second.id], "people": people}


def by_hand(connection: Connection, cohort_id: int) -> dict[str, object]:
    """What bench/dashboard.py's SQL does not cover, from every raw row: each member's mean score and last active
    time, and each scenario's mean score."""
    members = set(connection.execute(select(cohort_members.c.user_id).where(cohort_members.c.cohort_id == cohort_id)).scalars())
    rows = connection.execute(
        select(
            attempts.c.user_id,
            attempts.c.scenario_id,
            attempts.c.mode,
            attempts.c.status,
            attempts.c.score,
            attempts.c.updated_at,
        )
    ).all()
    moments = connection.execute(
        select(attempts.c.user_id, decisions.c.decided_at).join(decisions, decisions.c.attempt_id == attempts.c.id)
    ).all()
    mean: dict[int, list[int]] = {}
    per_scenario: dict[str, list[int]] = {}
    last: dict[int, datetime] = {}
    for user_id, scenario_id, mode, status, score, updated_at in rows:
        if user_id not in members or mode == "branch":
            continue
        last[user_id] = max(last.get(user_id, updated_at), updated_at)
        if status == "finished" and score is not None:
            mean.setdefault(user_id, []).append(score)
            per_scenario.setdefault(scenario_id, []).append(score)
    for user_id, moment in moments:
        if user_id in members:
            last[user_id] = max(last.get(user_id, moment), moment)
    return {
        "mean": {u: sum(s) / len(s) for u, s in mean.items()},
        "scenario_mean": {k: sum(s) / len(s) for k, s in per_scenario.items()},
        "last": last,
    }


def shown(store: Store, ivan: User, cohort_id: int, scenario_id: str) -> tuple[dict[str, object], dict[str, object]]:
    figures = store.analytics.figures(ivan, cohort_id)
    data = store.analytics.item_data(ivan, cohort_id, scenario_id)
    trainees = figures.trainees
    extra = {
        "mean": {int(r.user_id): r.mean_score for r in trainees.itertuples() if r.mean_score == r.mean_score},
        "scenario_mean": {r.scenario_id: r.mean_score for r in figures.scenarios.itertuples() if r.mean_score == r.mean_score},
        "last": {int(r.user_id): r.last_active for r in trainees.itertuples() if r.last_active is not None},
    }
    return comparable(figures, data), extra


def test_the_figures_equal_the_records_after_a_mix_of_writes(store, mini, loop, rubric, at_time):
    made = build(store, mini, loop, rubric, at_time)
    for cohort_id in made["cohorts"]:
        for scenario_id in ("mini", "loop"):
            figures, extra = shown(store, made["ivan"], cohort_id, scenario_id)
            assert figures == hand_written(store.engine, cohort_id, scenario_id)
            with store.engine.connect() as connection:
                assert extra == by_hand(connection, cohort_id)
    # The counts hold what happened: Fay's practice came with her, Dee's and Ben's left with them.
    figures, _ = shown(store, made["ivan"], made["cohorts"][0], "mini")
    assert [t[0] for t in figures["trainees"]] == sorted(made["people"][n].id for n in ("Ana", "Cal", "Fay"))
    assert sum(n for _, _, n in figures["choices"]) == 2 + 1 + 2 + 2 + 2 + 2 + 2  # Ana 2+2 and live 2, Cal 1+2+2, Fay 2


def snapshot(connection: Connection) -> dict[str, list[tuple[object, ...]]]:
    found = {}
    for table in TABLES:
        query = select(table).order_by(*table.primary_key.columns)
        if table is dashboard_cohort_hits:
            query = query.where(table.c.hits != 0)
        found[table.name] = [tuple(row) for row in connection.execute(query)]
    return found


def test_the_migration_backfills_what_the_upkeep_keeps(store, mini, loop, rubric, at_time):
    made = build(store, mini, loop, rubric, at_time)
    for cohort_id in made["cohorts"]:
        store.analytics.figures(made["ivan"], cohort_id)  # folds the members who joined or left
    with store.engine.connect() as connection:
        kept = snapshot(connection)
    assert kept["dashboard_cohort_hits"] and kept["dashboard_choices"] and kept["dashboard_first"]
    try:
        with (
            store.engine.connect().execution_options(**db.WRITE) as connection,
            connection.begin(),
            db.alembic_on(connection) as config,
        ):
            command.downgrade(config, "0015")
            names = set(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())
            assert names == {"0015"}
    finally:
        db.migrate(store.engine)  # 0016 again, filled from the records
    with store.engine.connect() as connection:
        assert snapshot(connection) == kept


def test_a_failed_decision_leaves_the_summaries_as_they_were(store, mini, rubric, monkeypatch):
    ivan = make_user(store, "Ivan", "instructor")
    cohort = store.cohorts.create(ivan, "Mornings")
    ana = make_user(store, "Ana")
    store.cohorts.join(ana, cohort.join_code)
    store.analytics.figures(ivan, cohort.id)
    attempt_id = play(store, ana, mini, rubric, [("open", "reflect")])
    with store.engine.connect() as connection:
        before = snapshot(connection)
    assert before["dashboard_cohort_hits"]
    with pytest.raises(StaleDecision):  # the page was out of date: refused before anything is written
        store.record_choice(
            ana, attempt_id, step=3, node_id="ready", choice_id="pen", time_taken_ms=1, loaded=mini, rubric=rubric
        )

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the xAPI outbox failed")

    monkeypatch.setattr(xapi_rows, "decided", broken)  # fails after the summaries were written: all rolled back
    with pytest.raises(RuntimeError, match="the xAPI outbox failed"):
        store.record_choice(
            ana, attempt_id, step=2, node_id="ready", choice_id="pen", time_taken_ms=1, loaded=mini, rubric=rubric
        )
    with store.engine.connect() as connection:
        assert snapshot(connection) == before
        assert (
            connection.execute(select(decisions.c.id).where(decisions.c.attempt_id == attempt_id, decisions.c.step == 2)).first()
            is None
        )


def test_a_deleted_account_takes_its_summaries_with_it(store, mini, rubric):
    ivan = make_user(store, "Ivan", "instructor")
    cohort = store.cohorts.create(ivan, "Mornings")
    ana, ben = make_user(store, "Ana"), make_user(store, "Ben")
    for user in (ana, ben):
        store.cohorts.join(user, cohort.join_code)
        play(store, user, mini, rubric, RP)
    store.analytics.figures(ivan, cohort.id)
    store.accounts.delete(ben, ben.id)
    with store.engine.connect() as connection:
        for table in TABLES[:4]:
            assert connection.execute(select(table.c.user_id).where(table.c.user_id == ben.id)).first() is None
    hits = store.analytics.figures(ivan, cohort.id).hits
    with store.engine.connect() as connection:
        criteria = Counter(
            connection.execute(
                select(decision_criteria.c.criterion_id)
                .join(decisions, decisions.c.id == decision_criteria.c.decision_id)
                .join(attempts, attempts.c.id == decisions.c.attempt_id)
                .join(users, users.c.id == attempts.c.user_id)
            ).scalars()
        )
        assert not connection.execute(
            select(dashboard_cohort_folded.c.user_id).where(dashboard_cohort_folded.c.user_id == ben.id)
        ).first()
    assert dict(hits.groupby("criterion_id")["hits"].sum()) == dict(criteria)


def test_days_are_utc_days(store, mini, rubric, at_time):
    at_time(datetime(2027, 3, 1, 23, 59, 59, tzinfo=UTC))
    ivan = make_user(store, "Ivan", "instructor")
    cohort = store.cohorts.create(ivan, "Mornings")
    ana = make_user(store, "Ana")
    store.cohorts.join(ana, cohort.join_code)
    store.analytics.figures(ivan, cohort.id)
    play(store, ana, mini, rubric, RP)
    assert {str(d) for d in store.analytics.figures(ivan, cohort.id).hits["day"]} == {"2027-03-01"}
