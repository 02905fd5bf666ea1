"""Stored attempts are re-scored under scoring version 2 (records.rescore), from the scenario version each was
played on, so old and new attempts agree everywhere; recording a choice stores its quality and whether it counts.

The mini scenario (tests/fixtures/good/mini.yaml, worked by hand in tests/test_scorer.py): mixed then pen scores
67% under version 1 and (1/3 + 1) / (2 + 1) = 44% under version 2, with 1 among the strongest and 1 pitfall.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import select, update

from records import Store
from records.scored import SCORING_VERSION
from records.tables import attempts, decisions, scenario_versions
from scenarios import load_scenario
from tests.helpers import make_user, play

LOOP = Path(__file__).parent / "fixtures" / "audit" / "loop.yaml"


def to_version_1(store: Store, attempt_id: int, *, score: int) -> None:
    """What an attempt finished before version 2 looks like: no quality, every decision counted, the old score."""
    with store.engine.begin() as connection:
        connection.execute(
            update(attempts)
            .where(attempts.c.id == attempt_id)
            .values(scoring_version=1, score=score, strongest=None, pitfalls=None)
        )
        connection.execute(update(decisions).where(decisions.c.attempt_id == attempt_id).values(quality=None, counted=True))


def stored(store: Store, attempt_id: int) -> tuple[tuple[object, ...], list[tuple[object, ...]]]:
    with store.engine.connect() as connection:
        attempt = connection.execute(
            select(attempts.c.scoring_version, attempts.c.score, attempts.c.strongest, attempts.c.pitfalls).where(
                attempts.c.id == attempt_id
            )
        ).one()
        rows = connection.execute(
            select(decisions.c.node_id, decisions.c.choice_id, decisions.c.quality, decisions.c.counted)
            .where(decisions.c.attempt_id == attempt_id)
            .order_by(decisions.c.step)
        ).all()
    return tuple(attempt), [tuple(r) for r in rows]


def test_a_recorded_choice_stores_its_quality_and_the_attempt_its_counts(store, mini, rubric):
    ana = make_user(store, "Ana")
    attempt_id = play(store, ana, mini, rubric, [("open", "mixed"), ("ready", "pen")])
    assert stored(store, attempt_id) == (
        (SCORING_VERSION, 44, 1, 1),
        [("open", "mixed", "mixed", True), ("ready", "pen", "strongest", True)],
    )
    attempt = store.attempt(ana, attempt_id)
    assert (attempt.score, attempt.strongest, attempt.pitfalls, attempt.points) == (44, 1, 1, 2)


def test_version_1_attempts_are_rescored_once(store, mini, rubric):
    ana = make_user(store, "Ana")
    finished = play(store, ana, mini, rubric, [("open", "mixed"), ("ready", "pen")])
    unfinished = play(store, ana, mini, rubric, [("open", "reflect")])
    to_version_1(store, finished, score=67)
    to_version_1(store, unfinished, score=0)
    with store.engine.begin() as connection:
        connection.execute(update(attempts).where(attempts.c.id == unfinished).values(score=None))
    assert store.rescoring.outdated() == 2

    done = store.rescoring.rescore(rubric)

    assert (done.attempts, done.decisions, done.unreadable) == (2, 3, set())
    assert stored(store, finished) == (
        (2, 44, 1, 1),
        [("open", "mixed", "mixed", True), ("ready", "pen", "strongest", True)],
    )
    assert stored(store, unfinished) == ((2, None, 1, 0), [("open", "reflect", "strongest", True)])
    assert store.rescoring.outdated() == 0
    again = store.rescoring.rescore(rubric)
    assert (again.attempts, again.decisions) == (0, 0)


def test_a_loop_lap_is_kept_but_never_counted(store, rubric):
    loop = load_scenario(LOOP.read_text(encoding="utf-8"), rubric, str(LOOP))
    kim = make_user(store, "Kim")
    attempt_id = play(store, kim, loop, rubric, [("s", "y"), ("s", "y"), ("s", "x")])
    # The first decision at s (a pitfall) is the one that counts: 0 / (1 + 1) = 0%; the laps change nothing.
    assert stored(store, attempt_id) == (
        (2, 0, 0, 1),
        [("s", "y", "pitfall", True), ("s", "y", "pitfall", False), ("s", "x", "strongest", False)],
    )
    to_version_1(store, attempt_id, score=100)
    store.rescoring.rescore(rubric)
    assert stored(store, attempt_id)[0] == (2, 0, 0, 1)
    assert stored(store, attempt_id)[1][1:] == [("s", "y", "pitfall", False), ("s", "x", "strongest", False)]


def test_the_dashboard_and_progress_count_only_first_decisions(store, rubric):
    loop = load_scenario(LOOP.read_text(encoding="utf-8"), rubric, str(LOOP))
    kim = make_user(store, "Kim")
    play(store, kim, loop, rubric, [("s", "y")] * 40 + [("s", "x")])
    hits = store.hits_frame(kim, kim.id)
    assert hits["criterion_id"].tolist() == ["pf.ahead-of-readiness"]  # once, not 40 times


def test_a_stored_version_that_no_longer_loads_keeps_its_version(store, mini, rubric, caplog):
    ana = make_user(store, "Ana")
    attempt_id = play(store, ana, mini, rubric, [("open", "mixed"), ("ready", "pen")])
    to_version_1(store, attempt_id, score=67)
    with store.engine.begin() as connection:
        connection.execute(
            update(scenario_versions).where(scenario_versions.c.content_hash == mini.content_hash).values(source="id: [")
        )
    with caplog.at_level(logging.WARNING, logger="records.rescore"):
        done = store.rescoring.rescore(rubric)
    assert (done.attempts, done.unreadable) == (0, {mini.content_hash})
    assert stored(store, attempt_id)[0] == (1, 67, None, None)
    assert f"they no longer load ({mini.content_hash[:12]})" in caplog.text


@pytest.mark.parametrize("batch", [1, 200])
def test_opening_the_store_rescores_in_batches(store, mini, rubric, isolated_data, monkeypatch, batch):
    monkeypatch.setattr("records.rescore.BATCH", batch)
    ana = make_user(store, "Ana")
    ids = [play(store, ana, mini, rubric, [("open", "plan")]) for _ in range(3)]
    for attempt_id in ids:
        to_version_1(store, attempt_id, score=17)
    reopened = Store.open(isolated_data, rubric=rubric)
    try:
        assert [stored(reopened, i)[0] for i in ids] == [(2, 0, 0, 1)] * 3
    finally:
        reopened.close()


def test_upgrading_a_version_1_database_rescores_its_attempts(tmp_path, mini, rubric):
    """A database at migration 0008 with a finished attempt (mixed, pen: 67% then) upgrades to 0009 and, when the
    store opens, scores 44% with its counts; the migration also goes back down."""
    from alembic import command
    from sqlalchemy import text

    from records import db

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = db.create(url)
    with engine.begin() as connection, db.alembic_on(connection) as config:
        command.upgrade(config, "0008")
        moment = "2026-11-01 10:00:00"
        connection.execute(
            text("INSERT INTO users (id, name, name_key, role, created_at) VALUES (1, 'Ana', 'ana', 'trainee', :m)"),
            {"m": moment},
        )
        connection.execute(
            text("INSERT INTO scenario_versions VALUES (:h, 'mini', :s, :m)"),
            {"h": mini.content_hash, "s": mini.text, "m": moment},
        )
        connection.execute(
            text(
                "INSERT INTO attempts (id, user_id, scenario_id, content_hash, mode, status, current_node, started_at,"
                " updated_at, finished_at, ending_id, points, score)"
                " VALUES (7, 1, 'mini', :h, 'coached', 'finished', 'good', :m, :m, :m, 'good', 2, 67)"
            ),
            {"h": mini.content_hash, "m": moment},
        )
        for step, (node, choice, points) in enumerate([("open", "mixed", 0), ("ready", "pen", 2)], start=1):
            connection.execute(
                text(
                    "INSERT INTO decisions (attempt_id, step, node_id, choice_id, points, time_taken_ms, decided_at)"
                    " VALUES (7, :step, :node, :choice, :points, 1000, :m)"
                ),
                {"step": step, "node": node, "choice": choice, "points": points, "m": moment},
            )
    engine.dispose()

    opened = Store.open(url, rubric=rubric)
    try:
        assert stored(opened, 7) == (
            (2, 44, 1, 1),
            [("open", "mixed", "mixed", True), ("ready", "pen", "strongest", True)],
        )
        with opened.engine.begin() as connection, db.alembic_on(connection) as config:
            command.downgrade(config, "0008")
            assert connection.execute(text("SELECT score FROM attempts WHERE id = 7")).scalar_one() == 44
    finally:
        opened.close()
