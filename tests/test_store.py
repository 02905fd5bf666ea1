"""The store on SQLite (default) and PostgreSQL (PEERSIM_TEST_DATABASE_URL): records, resume, no duplicates, access."""

from __future__ import annotations

import threading

import pytest

from records import AccessDenied, Finish, NotFound, StaleDecision, Store, User
from tests.helpers import make_user


def start(store: Store, user: User, mini, mode: str = "coached"):
    return store.start_attempt(
        user, scenario_id=mini.id, content_hash=mini.content_hash, source=mini.text, start=mini.scenario.start, mode=mode
    )


def decide(store: Store, user: User, attempt_id: int, step: int, node: str, choice: str, nxt: str, **kw):
    return store.record_decision(
        user,
        attempt_id,
        step=step,
        node_id=node,
        choice_id=choice,
        criteria=kw.pop("criteria", ["po.reflective-listening"]),
        points=kw.pop("points", 1),
        next_node=nxt,
        time_taken_ms=kw.pop("time_taken_ms", 1500),
        **kw,
    )


def test_a_new_session_resumes_with_every_decision_and_nothing_twice(store, isolated_data, mini):
    ana = make_user(store, "Ana")
    attempt = start(store, ana, mini)
    decide(
        store,
        ana,
        attempt.id,
        1,
        "open",
        "reflect",
        "ready",
        criteria=["po.reflective-listening", "po.exploration-is-valid"],
        points=2,
    )
    store.close()

    # A new server process (or a refresh that lost the session) opens the same database.
    again = Store.open(isolated_data)
    same = again.accounts.sign_in("ana@example.org", "quiet river lantern 42")
    [active] = again.active_attempts(same)
    assert active.id == attempt.id
    assert active.current_node == "ready"
    [decision] = again.decisions(same, attempt.id)
    assert (decision.step, decision.node_id, decision.choice_id, decision.points) == (1, "open", "reflect", 2)
    assert decision.criteria == ("po.exploration-is-valid", "po.reflective-listening")
    assert decision.time_taken_ms == 1500

    # The old tab sends step 1 again (double click, rerun): the first is kept, nothing new is written.
    repeat = decide(again, same, attempt.id, 1, "open", "plan", "pull")
    assert repeat == decision
    finished = decide(again, same, attempt.id, 2, "ready", "pen", "good", finish=Finish("good", 4, 100))
    assert finished.step == 2
    assert [d.step for d in again.decisions(same, attempt.id)] == [1, 2]
    done = again.attempt(same, attempt.id)
    assert (done.status, done.ending_id, done.points, done.score) == ("finished", "good", 4, 100)
    assert done.finished_at is not None
    assert again.active_attempts(same) == []
    again.close()


def test_out_of_order_decisions_are_refused_and_change_nothing(store, mini):
    ana = make_user(store, "Ana")
    attempt = start(store, ana, mini)
    with pytest.raises(StaleDecision) as caught:
        decide(store, ana, attempt.id, 2, "ready", "pen", "good")
    assert str(caught.value) == "This page was out of date (step 2 at 'ready', but the attempt is at step 1, 'open')."
    with pytest.raises(StaleDecision):
        decide(store, ana, attempt.id, 1, "ready", "pen", "good")
    assert store.decisions(ana, attempt.id) == []
    assert store.attempt(ana, attempt.id).current_node == "open"


def test_no_decisions_after_an_attempt_ends(store, mini):
    ana = make_user(store, "Ana")
    attempt = start(store, ana, mini)
    left = store.leave_attempt(ana, attempt.id)
    assert left.status == "left"
    with pytest.raises(StaleDecision) as caught:
        decide(store, ana, attempt.id, 1, "open", "reflect", "ready")
    assert str(caught.value) == "This attempt has already ended."


def test_starting_again_closes_the_older_unfinished_attempt_of_that_scenario(store, mini):
    ana = make_user(store, "Ana")
    first = start(store, ana, mini)
    second = start(store, ana, mini, mode="debrief")
    assert [a.id for a in store.active_attempts(ana)] == [second.id]
    assert store.attempt(ana, first.id).status == "left"
    assert second.mode == "debrief"


def test_unknown_mode_is_refused(store, mini):
    with pytest.raises(ValueError) as caught:
        start(store, make_user(store, "Ana"), mini, mode="exam")
    assert str(caught.value) == "mode must be one of coached, debrief"


def test_scenario_versions_are_kept_once(store, mini):
    ana = make_user(store, "Ana")
    start(store, ana, mini)
    start(store, ana, mini)
    assert store.version_source(mini.content_hash) == mini.text
    with pytest.raises(NotFound):
        store.version_source("0" * 64)


def test_concurrent_writers_record_each_step_once(store, mini):
    ana = make_user(store, "Ana")
    attempt = start(store, ana, mini)
    results: list[int] = []
    errors: list[BaseException] = []

    def click() -> None:
        try:
            results.append(decide(store, ana, attempt.id, 1, "open", "reflect", "ready").id)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=click) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(results)) == 1
    assert len(store.decisions(ana, attempt.id)) == 1


def test_frames_for_patterns(store, mini):
    ana = make_user(store, "Ana")
    attempt = start(store, ana, mini)
    decide(store, ana, attempt.id, 1, "open", "mixed", "ready", criteria=["po.reflective-listening", "pf.dictating"], points=0)
    decide(
        store,
        ana,
        attempt.id,
        2,
        "ready",
        "pen",
        "good",
        criteria=["po.hand-the-pen", "po.break-down-goals"],
        points=2,
        finish=Finish("good", 2, 67),
    )
    attempts = store.attempts_frame(ana, ana.id)
    assert attempts[["scenario_id", "mode", "status", "score", "points"]].to_dict("records") == [
        {"scenario_id": "mini", "mode": "coached", "status": "finished", "score": 67, "points": 2}
    ]
    hits = store.hits_frame(ana, ana.id)
    assert list(hits.columns) == ["attempt_id", "decision_id", "scenario_id", "decided_at", "criterion_id"]
    assert hits["criterion_id"].tolist() == ["pf.dictating", "po.reflective-listening", "po.break-down-goals", "po.hand-the-pen"]
    assert str(hits["decided_at"].dt.tz) == "UTC"


# ------------------------------------------------------------------------------------------ access rules
def test_a_trainee_cannot_see_or_change_another_trainees_records(store, mini):
    ana = make_user(store, "Ana")
    bo = make_user(store, "Bo")
    attempt = start(store, ana, mini)
    decide(store, ana, attempt.id, 1, "open", "reflect", "ready")
    forbidden = [
        lambda: store.attempt(bo, attempt.id),
        lambda: store.decisions(bo, attempt.id),
        lambda: store.playing(bo, attempt.id),
        lambda: decide(store, bo, attempt.id, 2, "ready", "pen", "good"),
        lambda: store.leave_attempt(bo, attempt.id),
        lambda: store.finish_attempt(bo, attempt.id, Finish("good", 1, 50)),
        lambda: store.attempts_of(bo, ana.id),
        lambda: store.attempts_frame(bo, ana.id),
        lambda: store.hits_frame(bo, ana.id),
        lambda: store.export(bo, ana.id),
    ]
    for call in forbidden:
        with pytest.raises(AccessDenied) as caught:
            call()
        assert str(caught.value) in (
            "You can only see your own practice records.",
            "Only the trainee can change their own practice record.",
        )
    assert store.active_attempts(bo) == []
    assert len(store.decisions(ana, attempt.id)) == 1
    assert store.attempt(ana, attempt.id).status == "active"


def test_an_admin_may_read_everyones_records_and_it_is_logged(store, mini):
    ana = make_user(store, "Ana")
    attempt = start(store, ana, mini)
    admin = make_user(store, "Ada", "admin")
    assert store.attempt(admin, attempt.id).id == attempt.id
    assert len(store.attempts_of(admin, ana.id)) == 1
    views = [(e.actor_name, e.action, e.subject_name) for e in store.audit.entries(admin) if e.action.startswith("view")]
    assert views == [("Ada", "view attempts", "Ana")]


def test_only_the_trainee_plays_their_attempt_even_an_admin_only_reads_it(store, mini):
    """Store.playing reads what the Practice page shows in one transaction, for the player alone: anyone else who
    may see the attempt reads it through the audited reads (attempt, decisions)."""
    ana = make_user(store, "Ana")
    attempt = start(store, ana, mini)
    admin = make_user(store, "Ada", "admin")
    with pytest.raises(AccessDenied) as caught:
        store.playing(admin, attempt.id)
    assert str(caught.value) == "Only the trainee can change their own practice record."
    with pytest.raises(NotFound) as missing:
        store.playing(ana, 12345)
    assert str(missing.value) == "There is no attempt 12345."


def test_a_recorded_choice_is_returned_as_it_reads_back_and_playing_shows_it(store, mini, rubric):
    """record_choice builds the decision it returns from what it wrote (no second read): the same as reading it."""
    from tests.helpers import play

    ana = make_user(store, "Ana")
    attempt = start(store, ana, mini)
    first = store.record_choice(
        ana, attempt.id, step=1, node_id="open", choice_id="mixed", time_taken_ms=-5, loaded=mini, rubric=rubric
    )
    second = store.record_choice(
        ana, attempt.id, step=2, node_id="ready", choice_id="pen", time_taken_ms=2500, loaded=mini, rubric=rubric
    )
    shown, decided, came_from = store.playing(ana, attempt.id)
    assert decided == store.decisions(ana, attempt.id) == [first, second]
    assert first.time_taken_ms == 0 and first.criteria == tuple(sorted(first.criteria)) and len(first.criteria) >= 1
    assert (shown.status, shown.score, came_from) == ("finished", store.attempt(ana, attempt.id).score, None)
    again = store.record_choice(  # a double click: the recorded decision, nothing written
        ana, attempt.id, step=2, node_id="ready", choice_id="pen", time_taken_ms=9, loaded=mini, rubric=rubric
    )
    assert again == second
    other = play(store, ana, mini, rubric, [("open", "reflect")])
    branched = store.practice.start_branch(ana, other, "open", loaded=mini)
    assert store.playing(ana, branched.id)[2] == store.attempt(ana, other)


def test_missing_attempt_is_not_found(store):
    with pytest.raises(NotFound) as caught:
        store.attempt(make_user(store, "Ana"), 12345)
    assert str(caught.value) == "There is no attempt 12345."


def test_threads_of_one_process_migrate_at_once_without_breaking_each_other(tmp_path):
    """A server's first page run and its xAPI and LTI senders each open the records at start; alembic's
    module-level proxies break when two threads migrate at once ("KeyError: 'script'"), so records.db takes turns."""
    import threading

    from records import db

    engines = [db.create(f"sqlite:///{tmp_path / f'{n}.db'}") for n in range(8)]
    failures: list[BaseException] = []

    def migrate(engine):  # type: ignore[no-untyped-def]
        try:
            db.migrate(engine)
        except BaseException as error:  # collected and asserted below
            failures.append(error)

    threads = [threading.Thread(target=migrate, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    for engine in engines:
        with engine.connect() as connection:
            assert (
                connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == "0016"
            )  # the newest migration
        engine.dispose()


def test_alembic_commands_run_on_their_own_connection_while_another_thread_migrates(tmp_path):
    """A step-by-step migration (the migration tests') holds the process's migration lock through alembic_on, so a
    sender thread that opens the records meanwhile waits its turn instead of taking over alembic's proxies and
    running its migration on the other connection (CI once saw 0015's columns added to the wrong database)."""
    from alembic import command

    from records import db

    stepped = db.create(f"sqlite:///{tmp_path / 'stepped.db'}")
    other = db.create(f"sqlite:///{tmp_path / 'other.db'}")
    failures: list[BaseException] = []

    def migrate_other() -> None:
        try:
            db.migrate(other)
        except BaseException as error:  # collected and asserted below
            failures.append(error)

    sender = threading.Thread(target=migrate_other)
    with stepped.begin() as connection, db.alembic_on(connection) as config:
        command.upgrade(config, "0014")
        sender.start()
        sender.join(0.5)
        assert sender.is_alive()  # waiting for the lock, not migrating
        command.upgrade(config, "0015")
        assert connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == "0015"
    sender.join()
    assert failures == []
    with other.connect() as connection:
        assert connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == "0016"
    with stepped.connect() as connection:
        assert connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == "0015"
    stepped.dispose()
    other.dispose()


def test_two_trainees_starting_a_new_version_at_the_same_moment_both_start(store):
    """Both transactions find the version's text missing and insert it; the second waits for the first to commit
    and then does nothing, instead of failing on the primary key (seen under load on PostgreSQL: "This app has
    encountered an error" on Start)."""
    from records import db, versions

    failures: list[BaseException] = []
    with store.engine.connect().execution_options(**db.WRITE) as first, first.begin():
        versions.remember(first, "mini", "f" * 64, "first text")

        def second_trainee() -> None:
            try:
                with store.engine.connect().execution_options(**db.WRITE) as second, second.begin():
                    versions.remember(second, "mini", "f" * 64, "second text")
            except BaseException as error:  # collected and asserted below
                failures.append(error)

        other = threading.Thread(target=second_trainee)
        other.start()
        other.join(0.5)  # it has found the text missing (PostgreSQL) or waits to begin (SQLite)
    other.join()
    assert failures == []
    with store.engine.connect() as connection:
        assert versions.source(connection, "f" * 64) == "first text"
