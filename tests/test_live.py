"""Live classroom mode: the records layer (records/live.py), the pure distribution and prompts (scoring/live.py),
and the page with one instructor and three trainees in separate AppTest sessions.

The scenario is tests/fixtures/good/mini.yaml. Its points, by hand: at 'open', reflect +2, plan -1, mixed 0
(+1 listening, -1 dictating); at 'ready', pen +2, explore -1, judge -2. Strongest path reflect+pen = +4; weakest
mixed+judge = -2, so score = round(100 * (points + 2) / 6).
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from streamlit.testing.v1 import AppTest

from records import AccessDenied, Store, User, clock
from records.live import ARCHIVED, ENDED, NO_CLASS, NOT_IN_COHORT, REMOVED, SWITCHED_OFF, LiveError, StepOutcome
from scenarios import LoadedScenario, Rubric
from scoring.live import (
    NO_ANSWERS,
    discussion_prompts,
    distribution,
    distribution_chart,
    most_chosen,
    shorten,
    tie_sentence,
    top_choices,
)
from tests.helpers import app_for, make_user, refused, session_for, show_in_file_order, texts
from ui.render import esc

A_REFLECT = "You keep coming back to it, and you're not sure yet."


@pytest.fixture
def school(store: Store) -> dict[str, object]:
    """An instructor, their cohort, and four trainees in it; plus an outsider who is in no cohort."""
    ivan = make_user(store, "Ivan", "instructor")
    cohort = store.cohorts.create(ivan, "Tuesday evenings")
    people: dict[str, object] = {"ivan": ivan, "cohort": cohort, "out": make_user(store, "Otto")}
    for name in ("Tia", "Uma", "Vic", "Wes"):
        user = make_user(store, name)
        store.cohorts.join(user, cohort.join_code)
        people[name.lower()] = user
    return people


def answer(store: Store, user: User, session_id: int, step: int, choice: str, mini: LoadedScenario, rubric: Rubric):  # type: ignore[no-untyped-def]
    return store.live.answer(user, session_id, step=step, choice_id=choice, loaded=mini, rubric=rubric)


# ------------------------------------------------------------------ records
def test_start_gives_a_code_and_keeps_the_version(store, school, mini):
    ivan = school["ivan"]
    session = store.live.start(ivan, school["cohort"].id, mini)
    assert len(session.code) == 6 and set(session.code) <= set("ABCDEFGHJKMNPQRSTUVWXYZ23456789")
    assert (session.step, session.node_id, session.phase, session.cohort_name, session.host_name) == (
        1,
        "open",
        "asking",
        "Tuesday evenings",
        "Ivan",
    )
    assert store.version_source(mini.content_hash) == mini.text
    assert store.live.hosting(ivan) == session
    with refused(LiveError, f"You already have a live class running (code {session.code}). End it first."):
        store.live.start(ivan, school["cohort"].id, mini)


def test_only_instructors_start_and_only_with_their_own_open_cohorts(store, school, mini):
    with refused(AccessDenied, "This needs the instructor or admin role."):
        store.live.start(school["tia"], school["cohort"].id, mini)
    other = make_user(store, "Olga", "instructor")
    with refused(AccessDenied, "You can run a live class only with your own cohorts."):
        store.live.start(other, school["cohort"].id, mini)
    store.cohorts.archive(school["ivan"], school["cohort"].id)
    with refused(LiveError, "This cohort is archived. Unarchive it on the Cohorts page to run a live class."):
        store.live.start(school["ivan"], school["cohort"].id, mini)


def test_joining(store, school, mini):
    session = store.live.start(school["ivan"], school["cohort"].id, mini)
    tia = school["tia"]
    with refused(LiveError, "A live class code has 6 letters and numbers, like K7M2QX. Please check it."):
        store.live.join(tia, "ABC")
    wrong = "ABCDEF" if session.code != "ABCDEF" else "ABCDEG"
    with refused(LiveError, "No live class is running with that code. Please check it with your instructor."):
        store.live.join(tia, wrong)
    spaced = f" {session.code[:3].lower()}-{session.code[3:]} "  # typed on a phone: lower case, a dash, spaces
    seat = store.live.join(tia, spaced)
    assert (seat.session.id, seat.answer) == (session.id, None)
    attempt = store.attempt(tia, seat.attempt_id)
    assert (attempt.mode, attempt.status, attempt.current_node, attempt.content_hash) == (
        "live",
        "live",
        "open",
        mini.content_hash,
    )
    assert store.live.join(tia, session.code).attempt_id == seat.attempt_id  # joining again keeps the seat
    assert store.active_attempts(tia) == []  # Home and Practice never offer to resume a live attempt
    assert store.live.seat(tia) == seat

    store.cohorts.archive(school["ivan"], school["cohort"].id)
    with refused(LiveError, "This class's cohort is archived, so its live class cannot be joined. Please ask your instructor."):
        store.live.join(school["uma"], session.code)
    assert store.live.join(tia, session.code).attempt_id == seat.attempt_id  # already in: keeps their seat
    store.cohorts.archive(school["ivan"], school["cohort"].id, False)
    store.live.end(school["ivan"], session.id)
    with refused(
        LiveError,
        "That live class has ended, so it cannot be joined now. Please ask your instructor for the code of the next one.",
    ):
        store.live.join(school["uma"], session.code)


def test_a_whole_class_answers_reveals_advances_and_is_scored(store, school, mini, rubric, monkeypatch):
    show_in_file_order(monkeypatch, mini.scenario)  # the tie below is named by the letters the class sees
    ivan, tia, uma, vic, wes = (school[k] for k in ("ivan", "tia", "uma", "vic", "wes"))
    session = store.live.start(ivan, school["cohort"].id, mini)
    seats = {u.name: store.live.join(u, session.code) for u in (tia, uma, vic, wes)}

    # Step 1 ('open'): two reflect, one mixed; Wes never answers in this class.
    assert answer(store, tia, session.id, 1, "reflect", mini, rubric).answer == "reflect"
    assert answer(store, tia, session.id, 1, "plan", mini, rubric).answer == "reflect"  # the first answer stands
    answer(store, uma, session.id, 1, "reflect", mini, rubric)
    answer(store, vic, session.id, 1, "mixed", mini, rubric)
    with refused(LiveError, "'nope' is not a response at this point."):
        answer(store, wes, session.id, 1, "nope", mini, rubric)
    with refused(AccessDenied, "Join this live class with its code first."):
        answer(store, school["out"], session.id, 1, "reflect", mini, rubric)
    tally = store.live.tally(ivan, session.id)
    assert (tally.joined, tally.answered, tally.counts) == (4, 3, {"reflect": 2, "mixed": 1})
    with pytest.raises(AccessDenied):
        store.live.tally(tia, session.id)  # counts are for the host

    with refused(LiveError, "Reveal the feedback before moving on, so everyone sees it."):
        store.live.advance(ivan, session.id, step=1, follow=None, loaded=mini, rubric=rubric)
    with pytest.raises(AccessDenied):
        store.live.reveal(tia, session.id, step=1)
    assert store.live.reveal(ivan, session.id, step=1).phase == "revealed"
    assert store.live.reveal(ivan, session.id, step=1).phase == "revealed"  # twice: nothing more
    with refused(LiveError, "The feedback for this point is already showing, so answers are closed."):
        answer(store, wes, session.id, 1, "plan", mini, rubric)

    moved = store.live.advance(ivan, session.id, step=1, follow=None, loaded=mini, rubric=rubric)  # most chose reflect
    assert (moved.step, moved.node_id, moved.phase) == (2, "ready", "asking")
    again = store.live.advance(ivan, session.id, step=1, follow="plan", loaded=mini, rubric=rubric)  # a double click
    assert (again.step, again.node_id) == (2, "ready")
    assert store.attempt(tia, seats["Tia"].attempt_id).current_node == "ready"
    with refused(LiveError, "The class has moved on. Here is where it is now."):
        answer(store, wes, session.id, 1, "plan", mini, rubric)

    # Step 2 ('ready'): one pen, one judge, Vic explores. A three-way tie: the host picks, never a rule.
    answer(store, tia, session.id, 2, "pen", mini, rubric)
    answer(store, uma, session.id, 2, "judge", mini, rubric)
    answer(store, vic, session.id, 2, "explore", mini, rubric)
    assert store.live.tally(ivan, session.id).counts == {"pen": 1, "judge": 1, "explore": 1}
    store.live.reveal(ivan, session.id, step=2)
    with refused(LiveError, "A tie: 1 chose A, 1 chose B, 1 chose C. Pick the response the class follows."):
        store.live.advance(ivan, session.id, step=2, follow=None, loaded=mini, rubric=rubric)
    ended = store.live.advance(ivan, session.id, step=2, follow="pen", loaded=mini, rubric=rubric)
    assert (ended.phase, ended.ending_id, ended.ended) == ("ended", "good", True)
    assert store.live.hosting(ivan) is None and store.live.seat(tia) is None
    assert store.live.recent(tia, clock.now() - timedelta(minutes=1)) == ended

    def result(user: User) -> tuple[object, ...]:
        attempt = store.attempt(user, seats[user.name].attempt_id)
        return attempt.status, attempt.ending_id, attempt.points, attempt.score

    # Scoring version 2 (points are version 1, stored for exports): credit / (decisions + pitfalls).
    assert result(tia) == ("finished", "good", 4, 100)  # strongest twice
    assert result(uma) == ("finished", "good", 0, 33)  # strongest, pitfall: 1 / (2 + 1)
    assert result(vic) == ("finished", "good", -1, 8)  # mixed, pitfall: (1/3) / (2 + 2)
    assert result(wes) == ("left", None, None, None)  # joined, never answered: nothing to score

    # The class's path: the response followed at each step and how many chose it, for every phone and for Review.
    assert store.live.path(tia, session.id) == [
        StepOutcome(1, "open", "reflect", 2, 3, "most"),
        StepOutcome(2, "ready", "pen", 1, 3, "tie"),
    ]
    assert store.live.path_of_attempt(uma, seats["Uma"].attempt_id) == store.live.path(ivan, session.id)
    with refused(AccessDenied, "Join this live class with its code first."):
        store.live.path(make_user(store, "Out Sider"), session.id)

    recorded = store.decisions(uma, seats["Uma"].attempt_id)
    assert [(d.step, d.node_id, d.choice_id, d.points, d.criteria) for d in recorded] == [
        (1, "open", "reflect", 2, ("po.exploration-is-valid", "po.reflective-listening")),
        (2, "ready", "judge", -2, ("pf.dictating", "pf.judging-goal")),
    ]
    assert store.decisions(wes, seats["Wes"].attempt_id) == []
    # The instructor sees their trainees' live attempts like any other (their cohort), with the scores.
    assert store.attempts_frame(ivan, tia.id)[["mode", "status", "score"]].to_dict("records") == [
        {"mode": "live", "status": "finished", "score": 100}
    ]


def test_following_a_chosen_response_and_ending_early(store, school, mini, rubric):
    ivan, tia, uma = school["ivan"], school["tia"], school["uma"]
    session = store.live.start(ivan, school["cohort"].id, mini)
    tia_seat, uma_seat = store.live.join(tia, session.code), store.live.join(uma, session.code)
    store.live.reveal(ivan, session.id, step=1)
    with refused(LiveError, "No one answered at this point. Pick the response the class follows."):
        store.live.advance(ivan, session.id, step=1, follow=None, loaded=mini, rubric=rubric)
    assert store.live.get(ivan, session.id).step == 1 and store.live.path(ivan, session.id) == []  # nothing moved
    moved = store.live.advance(ivan, session.id, step=1, follow="mixed", loaded=mini, rubric=rubric)
    assert moved.node_id == "ready"
    assert store.live.path(tia, session.id) == [StepOutcome(1, "open", "mixed", 0, 0, "none")]  # the host's pick, recorded
    answer(store, tia, session.id, 2, "explore", mini, rubric)
    ended = store.live.end(ivan, session.id)
    assert (ended.phase, ended.ending_id) == ("ended", None)
    assert store.live.end(ivan, session.id) == ended  # ending twice changes nothing
    tia_attempt = store.attempt(tia, tia_seat.attempt_id)
    assert (tia_attempt.status, tia_attempt.points, tia_attempt.score, tia_attempt.ending_id) == ("left", -1, None, None)
    uma_attempt = store.attempt(uma, uma_seat.attempt_id)
    assert (uma_attempt.status, uma_attempt.points, uma_attempt.score) == ("left", None, None)
    with refused(LiveError, "This live class has ended."):
        answer(store, uma, session.id, 2, "pen", mini, rubric)


def test_a_tie_waits_for_the_hosts_pick_among_the_tied_responses(store, school, mini, rubric, monkeypatch):
    """A tie never goes to file order, the stronger response or any rule: the host picks one of the tied responses,
    and the pick is recorded like any step. A majority still moves on by itself, and the host may still override
    it with any response."""
    show_in_file_order(monkeypatch, mini.scenario)  # A reflect, B plan, C mixed; A pen, B explore, C judge
    ivan, tia, uma, vic, wes = (school[k] for k in ("ivan", "tia", "uma", "vic", "wes"))
    session = store.live.start(ivan, school["cohort"].id, mini)
    for trainee in (tia, uma, vic, wes):
        store.live.join(trainee, session.code)
    for trainee, choice in ((tia, "reflect"), (uma, "mixed"), (vic, "mixed"), (wes, "reflect")):
        answer(store, trainee, session.id, 1, choice, mini, rubric)
    store.live.reveal(ivan, session.id, step=1)
    tie = "A tie: 2 chose A, 2 chose C. Pick the response the class follows."
    with refused(LiveError, tie):
        store.live.advance(ivan, session.id, step=1, follow=None, loaded=mini, rubric=rubric)
    with refused(LiveError, f"Please pick one of the tied responses. {tie}"):
        store.live.advance(ivan, session.id, step=1, follow="plan", loaded=mini, rubric=rubric)
    with refused(LiveError, "'nope' is not a response at this point."):
        store.live.advance(ivan, session.id, step=1, follow="nope", loaded=mini, rubric=rubric)
    unmoved = store.live.get(ivan, session.id)  # nothing moved, nothing recorded
    assert (unmoved.step, unmoved.node_id, unmoved.phase) == (1, "open", "revealed")
    assert store.live.path(ivan, session.id) == []

    moved = store.live.advance(ivan, session.id, step=1, follow="mixed", loaded=mini, rubric=rubric)  # the host's pick
    assert (moved.step, moved.node_id) == (2, "ready")
    assert store.live.path(tia, session.id) == [StepOutcome(1, "open", "mixed", 2, 4, "tie")]

    # A majority (even for a pitfall) moves on by itself; the host may still follow another response.
    for trainee, choice in ((tia, "judge"), (uma, "judge"), (vic, "pen")):
        answer(store, trainee, session.id, 2, choice, mini, rubric)
    store.live.reveal(ivan, session.id, step=2)
    ended = store.live.advance(ivan, session.id, step=2, follow="pen", loaded=mini, rubric=rubric)
    assert ended.ending_id == "good"
    assert store.live.path(wes, session.id)[1] == StepOutcome(2, "ready", "pen", 1, 3, "host")


def test_a_majority_moves_the_class_on_by_itself(store, school, mini, rubric):
    ivan, tia, uma, vic = (school[k] for k in ("ivan", "tia", "uma", "vic"))
    session = store.live.start(ivan, school["cohort"].id, mini)
    for trainee, choice in ((tia, "plan"), (uma, "plan"), (vic, "reflect")):
        store.live.join(trainee, session.code)
        answer(store, trainee, session.id, 1, choice, mini, rubric)
    store.live.reveal(ivan, session.id, step=1)
    ended = store.live.advance(ivan, session.id, step=1, follow=None, loaded=mini, rubric=rubric)
    assert ended.ending_id == "pull"  # the class chose the pitfall: the conversation shows where it leads
    assert store.live.path(ivan, session.id) == [StepOutcome(1, "open", "plan", 2, 3, "most")]


# ------------------------------------------------------ joining with one code
def audit_of(store: Store, name: str) -> list[tuple[str, str]]:
    """(action, detail) of the audit entries ``name`` made, oldest first."""
    from tests.helpers import root_admin

    return [(e.action, e.detail) for e in reversed(store.audit.entries(root_admin(store))) if e.actor_name == name]


def test_one_code_adds_a_trainee_to_the_cohort_and_seats_them(store, school, mini, rubric):
    """Otto is in no cohort: the live class's code alone adds him to its cohort (audited like any join) and seats
    him. His instructor now sees his practice, as after joining with the cohort's code."""
    ivan, otto, cohort = school["ivan"], school["out"], school["cohort"]
    session = store.live.start(ivan, cohort.id, mini)
    seat = store.live.join(otto, session.code)
    assert (seat.session.id, seat.answer, seat.new_member) == (session.id, None, True)
    assert [c.id for c in store.cohorts.mine(otto)] == [cohort.id]
    assert [m.user.name for m in store.cohorts.members(ivan, cohort.id)] == ["Otto", "Tia", "Uma", "Vic", "Wes"]
    assert audit_of(store, "Otto") == [
        ("join cohort", f"cohort {cohort.id}, with a live class code"),
        ("join live class", f"live class {session.id}, cohort {cohort.id}"),
    ]
    again = store.live.join(otto, session.code)  # a second click, another tab: the same seat, nothing more
    assert (again.attempt_id, again.new_member) == (seat.attempt_id, False)
    assert len(audit_of(store, "Otto")) == 2
    answer(store, otto, session.id, 1, "reflect", mini, rubric)
    assert store.live.tally(ivan, session.id).counts == {"reflect": 1}
    assert store.attempts_frame(ivan, otto.id)["mode"].tolist() == ["live"]


def test_one_code_refusals_each_say_why_and_change_nothing(store, school, mini):
    ivan, cohort = school["ivan"], school["cohort"]
    session = store.live.start(ivan, cohort.id, mini)
    members = [m.user.id for m in store.cohorts.members(ivan, cohort.id)]

    def refuses(user: User, code: str, message: str) -> None:
        with refused(LiveError, message):
            store.live.join(user, code)
        assert [m.user.id for m in store.cohorts.members(ivan, cohort.id)] == members  # no one added
        assert store.live.tally(ivan, session.id).joined == 0  # no seat taken

    newcomer = make_user(store, "Nia")
    assert NO_CLASS == "No live class is running with that code. Please check it with your instructor."
    refuses(newcomer, "ZZZZZZ" if session.code != "ZZZZZZ" else "ZZZZZY", NO_CLASS)
    refuses(newcomer, "ZZ", "A live class code has 6 letters and numbers, like K7M2QX. Please check it.")

    admin = make_user(store, "Ada", "admin")
    switched = make_user(store, "Sol")
    store.accounts.deactivate(admin, switched.id)
    assert SWITCHED_OFF == (
        "This account has been switched off, so it cannot join a live class. Please contact your program's admin."
    )
    refuses(switched, session.code, SWITCHED_OFF)

    olga = make_user(store, "Olga", "instructor")  # an instructor who does not run this class learns nothing
    refuses(olga, session.code, NO_CLASS)

    tia = school["tia"]
    store.cohorts.remove_member(ivan, cohort.id, tia.id)
    members.remove(tia.id)
    assert REMOVED == (
        "You were taken out of this class's cohort, so its live class code cannot add you back. If that is a "
        "mistake, please talk with your instructor."
    )
    refuses(tia, session.code, REMOVED)

    store.cohorts.archive(ivan, cohort.id)
    assert ARCHIVED == "This class's cohort is archived, so its live class cannot be joined. Please ask your instructor."
    refuses(newcomer, session.code, ARCHIVED)
    store.cohorts.archive(ivan, cohort.id, False)

    store.live.end(ivan, session.id)
    assert ENDED == (
        "That live class has ended, so it cannot be joined now. Please ask your instructor for the code of the next one."
    )
    refuses(newcomer, session.code, ENDED)
    refuses(school["uma"], session.code, ENDED)  # a member too

    # Taken out, then given the cohort's code again by the instructor: the next live code works.
    store.cohorts.join(tia, cohort.join_code)
    second = store.live.start(ivan, cohort.id, mini)
    assert store.live.join(tia, second.code).new_member is False
    store.cohorts.leave(tia, cohort.id)  # leaving on her own is not being taken out: the live code brings her back
    assert store.live.join(tia, second.code).new_member is True


def test_an_admin_and_the_cohort_owner_may_run_it_others_may_not_see_it(store, school, mini):
    admin = make_user(store, "Ada", "admin")
    session = store.live.start(admin, school["cohort"].id, mini)  # an admin, with someone else's cohort
    assert store.live.get(school["ivan"], session.id).host_name == "Ada"  # the cohort's owner
    assert store.live.reveal(school["ivan"], session.id, step=1).phase == "revealed"
    from records import NotFound

    with pytest.raises(NotFound):
        store.live.get(school["tia"], session.id)  # not joined yet
    store.live.join(school["tia"], session.code)
    assert store.live.get(school["tia"], session.id).id == session.id


def test_two_servers_share_one_class(isolated_data, school, mini, rubric):
    first, second = Store.open(isolated_data), Store.open(isolated_data)
    try:
        ivan, tia, uma = school["ivan"], school["tia"], school["uma"]
        session = first.live.start(ivan, school["cohort"].id, mini)
        second.live.join(tia, session.code)
        first.live.join(uma, session.code)
        answer(second, tia, session.id, 1, "plan", mini, rubric)
        answer(first, tia, session.id, 1, "reflect", mini, rubric)  # the same trainee on the other server
        answer(first, uma, session.id, 1, "plan", mini, rubric)
        assert second.live.tally(ivan, session.id).counts == {"plan": 2}
        second.live.reveal(ivan, session.id, step=1)
        assert first.live.seat(tia).session.phase == "revealed"
        first.live.advance(ivan, session.id, step=1, follow=None, loaded=mini, rubric=rubric)  # plan -> an ending
        assert second.live.recent(ivan, clock.now() - timedelta(minutes=1)).ending_id == "pull"
        attempt = second.attempt(tia, second.live.seat(tia, session.id).attempt_id)
        assert (attempt.status, attempt.points, attempt.score) == ("finished", -1, 0)
        assert [d.choice_id for d in first.decisions(tia, attempt.id)] == ["plan"]
    finally:
        first.close()
        second.close()


def test_answers_racing_from_two_servers_count_once_each(isolated_data, store, school, mini, rubric):
    """Each of six trainees sends two different answers at once, one to each server: one answer each stands."""
    import threading

    names = [f"Racer {n}" for n in range(6)]
    racers = [make_user(store, name) for name in names]
    for racer in racers:
        store.cohorts.join(racer, school["cohort"].join_code)
    session = store.live.start(school["ivan"], school["cohort"].id, mini)
    servers = [Store.open(isolated_data), Store.open(isolated_data)]
    try:
        for racer in racers:
            store.live.join(racer, session.code)
        failures: list[BaseException] = []

        def send(server: Store, racer: User, choice: str) -> None:
            try:
                answer(server, racer, session.id, 1, choice, mini, rubric)
            except BaseException as exc:  # pragma: no cover - reported below
                failures.append(exc)

        threads = [
            threading.Thread(target=send, args=(server, racer, choice))
            for racer in racers
            for server, choice in zip(servers, ("reflect", "plan"), strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert failures == []
        tally = store.live.tally(school["ivan"], session.id)
        assert (tally.joined, tally.answered) == (6, 6)
        for racer in racers:
            seat = store.live.seat(racer, session.id)
            assert [d.choice_id for d in store.decisions(racer, seat.attempt_id)] == [seat.answer]
    finally:
        for server in servers:
            server.close()


def test_a_version_other_than_the_class_s_is_refused(store, school, mini, rubric):
    from scenarios import load_scenario

    session = store.live.start(school["ivan"], school["cohort"].id, mini)
    store.live.join(school["tia"], session.code)
    edited = load_scenario(mini.text.replace("Not sure, though.", "Not sure, though, honestly."), rubric)
    with refused(LiveError, "This is not the scenario version the live class is using."):
        answer(store, school["tia"], session.id, 1, "reflect", edited, rubric)


def test_a_trainee_who_leaves_or_is_removed_mid_class_is_refused(store, school, mini, rubric):
    ivan, tia, uma, vic = school["ivan"], school["tia"], school["uma"], school["vic"]
    cohort = school["cohort"]
    session = store.live.start(ivan, cohort.id, mini)
    seats = {u.name: store.live.join(u, session.code) for u in (tia, uma, vic)}
    answer(store, tia, session.id, 1, "reflect", mini, rubric)
    answer(store, uma, session.id, 1, "plan", mini, rubric)

    store.cohorts.leave(tia, cohort.id)  # Tia leaves on her Account page
    store.cohorts.remove_member(ivan, cohort.id, uma.id)  # Ivan removes Uma on the Cohorts page
    for gone in (tia, uma):
        with refused(LiveError, NOT_IN_COHORT):
            answer(store, gone, session.id, 1, "mixed", mini, rubric)
        with refused(LiveError, NOT_IN_COHORT):
            store.live.seat(gone)
        with refused(LiveError, NOT_IN_COHORT):
            store.live.seat(gone, session.id)
        with refused(LiveError, NOT_IN_COHORT):
            store.live.get(gone, session.id)
    with refused(LiveError, REMOVED):  # the code on the screen never adds back someone taken out of the cohort
        store.live.join(uma, session.code)
    # The host's screen counts only the class as it is now.
    tally = store.live.tally(ivan, session.id)
    assert (tally.joined, tally.answered, tally.counts) == (1, 0, {})
    answer(store, vic, session.id, 1, "reflect", mini, rubric)
    assert store.live.tally(ivan, session.id).counts == {"reflect": 1}

    back = store.live.join(tia, session.code)  # Tia comes back with the live code alone: her seat, her answer
    assert back.new_member and back == store.live.seat(tia) and back.attempt_id == seats["Tia"].attempt_id
    assert store.live.seat(tia).answer == "reflect"
    assert [c.id for c in store.cohorts.mine(tia)] == [cohort.id]
    assert store.live.tally(ivan, session.id).counts == {"reflect": 2}

    store.live.reveal(ivan, session.id, step=1)
    store.live.advance(ivan, session.id, step=1, follow=None, loaded=mini, rubric=rubric)
    answer(store, tia, session.id, 2, "pen", mini, rubric)
    with refused(LiveError, NOT_IN_COHORT):
        answer(store, uma, session.id, 2, "pen", mini, rubric)
    store.live.reveal(ivan, session.id, step=2)
    store.live.advance(ivan, session.id, step=2, follow="pen", loaded=mini, rubric=rubric)
    assert store.live.recent(uma, clock.now() - timedelta(minutes=1)) is None  # the ended class is not shown to her
    with refused(LiveError, NOT_IN_COHORT):
        store.live.seat(uma, session.id)

    def result(user: User) -> tuple[object, ...]:
        attempt = store.attempt(user, seats[user.name].attempt_id)  # her own records stay hers
        return attempt.status, attempt.points, attempt.score

    assert result(tia) == ("finished", 4, 100)
    assert result(uma) == ("left", -1, None)  # her answer before she was removed, not scored
    assert [d.choice_id for d in store.decisions(uma, seats["Uma"].attempt_id)] == ["plan"]
    assert result(vic) == ("finished", 2, 100)  # his one answer, the strongest (he did not answer at 'ready')


@pytest.mark.apptest
@pytest.mark.usefixtures("fixture_library")
def test_the_page_tells_a_removed_trainee_kindly_and_takes_no_answer(isolated_data, mini):
    tokens = {"Ivan": session_for(isolated_data, "Ivan", "instructor"), "Tia": session_for(isolated_data, "Tia")}
    store = Store.open(isolated_data)
    try:
        ivan, tia = (store.accounts.user_for_session(tokens[name]) for name in ("Ivan", "Tia"))
        cohort = store.cohorts.create(ivan, "Tuesday evenings")
        store.cohorts.join(tia, cohort.join_code)
        session = store.live.start(ivan, cohort.id, mini)
        store.live.join(tia, session.code)
        at = live_page(tokens["Tia"])
        assert at.button(key=f"live_choice_{session.id}_1_reflect")

        store.cohorts.remove_member(ivan, cohort.id, tia.id)
        at.button(key=f"live_choice_{session.id}_1_reflect").click().run()
        assert not at.exception, at.exception
        assert [i.value for i in at.info] == [esc(NOT_IN_COHORT)]  # once, though both the click and the page heard it
        assert not [b for b in at.button if b.key and b.key.startswith("live_choice_")]
        assert at.text_input(key="live_code")  # the join form, for another class
        assert store.live.tally(ivan, session.id).answered == 0
    finally:
        store.close()


# ------------------------------------------------------------------ scoring
def test_distribution_before_and_after_the_reveal(mini, rubric):
    before = distribution(mini.scenario, "open", {"reflect": 2, "mixed": 1}, rubric, revealed=False)
    assert before.to_dict("records") == [
        {"choice": "A", "choice_id": "reflect", "response": A_REFLECT, "trainees": 2, "share": 67},
        {"choice": "B", "choice_id": "plan", "response": "Let's sign you up for classes this week.", "trainees": 0, "share": 0},
        {
            "choice": "C",
            "choice_id": "mixed",
            "response": "I hear you. You should start with the math test.",
            "trainees": 1,
            "share": 33,
        },
    ]
    spec = json.loads(distribution_chart(before).to_json())["data"][0]
    assert spec["y"] == [
        "A. You keep coming back to it, and you're not…",
        "B. Let's sign you up for classes this week.",
        "C. I hear you. You should start with the math…",
    ]
    assert spec["x"] == [2, 0, 1] and spec["text"] == ["2 · 67%", "0 · 0%", "1 · 33%"]
    assert set(spec["marker"]["color"]) == {"#6B6B6B"}  # one colour: nothing gives the strongest away

    after = distribution(mini.scenario, "open", {"reflect": 2, "mixed": 1}, rubric, revealed=True)
    assert after["kind"].tolist() == ["strongest", "pitfall", "helpful in part, with a pitfall"]
    spec = json.loads(distribution_chart(after).to_json())["data"][0]
    assert spec["text"] == ["2 · 67%", "0 · 0%", "1 · 33%"]
    assert spec["y"] == [
        "A. You keep coming back to it, and you're not…<br><i>strongest</i>",
        "B. Let's sign you up for classes this week.<br><i>pitfall</i>",
        "C. I hear you. You should start with the math…<br><i>helpful in part, with a pitfall</i>",
    ]
    assert spec["marker"]["pattern"]["shape"] == ["", "x", "/"]  # not by colour alone

    empty = distribution(mini.scenario, "ready", {}, rubric, revealed=False)
    assert empty["share"].tolist() == [0, 0, 0]


def test_most_chosen_prompts_and_shorten(mini, rubric):
    node = mini.scenario.nodes["ready"]
    assert most_chosen(node, {}) is None  # no answers: the host picks
    assert most_chosen(node, {"judge": 2, "pen": 1}) == "judge"  # a majority, even for a pitfall: the class said so
    assert most_chosen(node, {"judge": 1, "pen": 1}) is None  # a tie: the host picks, never the stronger or the first
    assert most_chosen(node, {"judge": 1, "pen": 1}, ["judge", "pen", "explore"]) is None
    assert top_choices(node, {"judge": 1, "pen": 1, "explore": 0}, ["explore", "judge", "pen"]) == ["judge", "pen"]
    assert top_choices(node, {}, ["explore", "judge", "pen"]) == []
    assert top_choices(node, {"judge": 2, "pen": 1}) == ["judge"]
    # The host's words for a tie name the letters the class sees, in that order.
    assert tie_sentence(node, {"judge": 2, "explore": 2, "pen": 1}, ["explore", "pen", "judge"]) == (
        "A tie: 2 chose A, 2 chose C. Pick the response the class follows."
    )
    assert tie_sentence(node, {"judge": 1, "explore": 1, "pen": 1}) == (
        "A tie: 1 chose A, 1 chose B, 1 chose C. Pick the response the class follows."
    )
    assert tie_sentence(node, {"judge": 2, "pen": 1}) is None
    assert tie_sentence(node, {}) is None
    assert NO_ANSWERS == "No one answered at this point. Pick the response the class follows."
    prompt = "and how would you put the stronger response in your own words?"
    assert discussion_prompts(mini.scenario, "ready", {"judge": 1, "pen": 1}, rubric)[-1] == (
        f"One of the responses chosen most falls into a pitfall. What made it tempting, {prompt}"
    )
    assert discussion_prompts(mini.scenario, "ready", {"judge": 1, "explore": 1}, rubric)[-1] == (
        f"Both of the responses chosen most fall into pitfalls. What made them tempting, {prompt}"
    )
    assert discussion_prompts(mini.scenario, "ready", {"judge": 1, "explore": 1, "pen": 1}, rubric)[-1] == (
        f"Some of the responses chosen most fall into pitfalls. What made them tempting, {prompt}"
    )
    assert discussion_prompts(mini.scenario, "ready", {"pen": 2, "judge": 1}, rubric)[-1] == (
        "The class chose different responses. What does each of them assume about where Sam is?"
    )
    assert discussion_prompts(mini.scenario, "ready", {"judge": 2, "pen": 1}, rubric) == [
        "What in what Sam just said points to where they are right now?",
        "Which of Sam's words signal readiness to plan: resolve, a question about change, a picture of a new future?",
        "How could you check gently that Sam wants to plan now, and then let them name the first small step?",
        "The class chose different responses. What does each of them assume about where Sam is?",
        "The response chosen most falls into a pitfall. What made it tempting, and how would you put the stronger "
        "response in your own words?",
    ]
    assert discussion_prompts(mini.scenario, "open", {"reflect": 3}, rubric) == [
        "What in what Sam just said points to where they are right now?",
        "Sam is thinking about a change and is not sure yet. How could a response hold both sides without pushing toward a plan?",
        "What might happen to the conversation if steps or a plan came now, before Sam has signaled readiness?",
    ]
    # The prompts follow the peer's pronouns (mini gives none: "they").
    he = mini.scenario.model_copy(update={"peer": mini.scenario.peer.model_copy(update={"pronouns": "he/him"})})
    assert discussion_prompts(he, "ready", {}, rubric)[::2] == [
        "What in what Sam just said points to where he is right now?",
        "How could you check gently that Sam wants to plan now, and then let him name the first small step?",
    ]
    she = mini.scenario.model_copy(update={"peer": mini.scenario.peer.model_copy(update={"pronouns": "she/her"})})
    assert discussion_prompts(she, "ready", {}, rubric)[0] == "What in what Sam just said points to where she is right now?"
    assert shorten("one two three", 9) == "one two…"
    assert shorten("short", 9) == "short"


# ------------------------------------------------------------------ the page
def live_page(token: str) -> AppTest:
    at = app_for(token)
    at.switch_page("pages/live.py").run()
    assert not at.exception, at.exception
    return at


def chart_and_table(at: AppTest) -> tuple[dict[str, object], list[dict[str, object]]]:
    charts = at.get("plotly_chart")
    assert len(charts) == 1
    spec = json.loads(charts[0].proto.spec)["data"][0]
    table = at.dataframe[0].value.to_dict("records")
    return spec, table


@pytest.mark.apptest
@pytest.mark.usefixtures("fixture_library")
def test_one_instructor_and_three_trainees_in_separate_sessions(isolated_data, monkeypatch, mini):
    show_in_file_order(monkeypatch, mini.scenario)  # the page is checked letter by letter (tests/test_shuffle.py: the order)
    tokens = {"Ivan": session_for(isolated_data, "Ivan", "instructor")}
    tokens |= {name: session_for(isolated_data, name) for name in ("Tia", "Uma", "Vic")}
    store = Store.open(isolated_data)
    ivan = store.accounts.user_for_session(tokens["Ivan"])
    cohort = store.cohorts.create(ivan, "Tuesday evenings")
    for name in ("Tia", "Uma", "Vic"):
        store.cohorts.join(store.accounts.user_for_session(tokens[name]), cohort.join_code)

    host = live_page(tokens["Ivan"])
    host.selectbox(key="live_scenario").set_value("mini")
    host.button(key="live_start_submit").click().run()
    assert not host.exception, host.exception
    code = store.live.hosting(ivan).code
    assert f"### Join code: `{code}`" in texts(host)

    trainees = {name: live_page(tokens[name]) for name in ("Tia", "Uma", "Vic")}
    trainees["Tia"].text_input(key="live_code").input("abc")  # a mistyped code
    trainees["Tia"].button(key="live_join_submit").click().run()
    assert [i.value for i in trainees["Tia"].info] == [
        esc("A live class code has 6 letters and numbers, like K7M2QX. Please check it.")
    ]
    for at in trainees.values():
        at.text_input(key="live_code").input(code.lower())
        at.button(key="live_join_submit").click().run()
        assert not at.exception, at.exception
        assert f"**Sam:** {esc('I keep thinking about finishing my GED. Not sure, though.')}" in texts(at)

    picks = {"Tia": "reflect", "Uma": "plan", "Vic": "reflect"}
    for name, choice in picks.items():
        at = trainees[name]
        session_id = store.live.seat(store.accounts.user_for_session(tokens[name])).session.id
        at.button(key=f"live_choice_{session_id}_1_{choice}").click().run()
        assert not at.exception, at.exception
        assert "Your answer is in. Waiting for Ivan to reveal the feedback." in texts(at)
        assert not [b for b in at.button if b.key and b.key.startswith("live_choice_")]  # no second answer to give
    peeking = app_for(tokens["Uma"])  # Review in another tab does not show feedback the instructor has not revealed
    peeking.switch_page("pages/review.py").run()
    assert [i.value for i in peeking.info] == [
        "Your conversations will be listed here, with the feedback on every choice, once you have played one."
    ]
    tia = trainees["Tia"]
    tia.run()  # a rerun changes nothing
    assert f"**You:** {esc(A_REFLECT)}" in texts(tia)

    host.run()
    spec, table = chart_and_table(host)
    assert spec["x"] == [2, 1, 0] and spec["text"] == ["2 · 67%", "1 · 33%", "0 · 0%"]
    assert spec["y"][0] == "A. You keep coming back to it, and you're not…"
    assert table == [
        {"Choice": "A", "Response": A_REFLECT, "Trainees": 2, "Share (%)": 67},
        {"Choice": "B", "Response": "Let's sign you up for classes this week.", "Trainees": 1, "Share (%)": 33},
        {"Choice": "C", "Response": "I hear you. You should start with the math test.", "Trainees": 0, "Share (%)": 0},
    ]
    assert [m.value for m in host.metric] == ["3", "3", "0"]

    session_id = store.live.hosting(ivan).id
    host.button(key=f"live_reveal_{session_id}_1").click().run()
    assert not host.exception, host.exception
    spec, table = chart_and_table(host)
    assert [label.split("<br>")[1] for label in spec["y"]] == [
        "<i>strongest</i>",
        "<i>pitfall</i>",
        "<i>helpful in part, with a pitfall</i>",
    ]
    assert [row["Kind"] for row in table] == ["strongest", "pitfall", "helpful in part, with a pitfall"]
    assert f"- {esc('The class chose different responses. What does each of them assume about where Sam is?')}" in "\n".join(
        texts(host)
    )

    uma = trainees["Uma"]
    uma.run()
    said = texts(uma)
    assert "**B\\. " + esc("Let's sign you up for classes this week.") + "** (your response)" in said
    assert f"**Why:** {esc('Sam has not said he is ready to plan.')}" in said
    assert f"**A\\. {esc(A_REFLECT)}**" in said
    assert [w.value.split(":** ")[0] for w in uma.warning] == ["**A pitfall to learn from", "**Mixed: helpful in part"]
    assert uma.caption[-1].value == "Waiting for Ivan to move the class on."
    # Her pitfall comes back in spaced review, as in practice.
    uma_user = store.accounts.user_for_session(tokens["Uma"])
    assert store.reviews.counts(uma_user, uma_user.id, clock.now()).due == 1

    assert host.radio(key=f"live_follow_{session_id}_1").value == ""  # the response chosen most
    host.button(key=f"live_advance_{session_id}_1").click().run()
    uma.run()  # her phone says what the class followed, beside her own answer
    assert [i.value for i in uma.info if "class followed" in i.value] == [
        f"**At the last point the class followed:** “{esc(A_REFLECT)}” (2 of 3 chose it).  \n"
        "**Your answer was:** “" + esc("Let's sign you up for classes this week.") + "”"
    ]
    assert f"**Sam:** {esc('Okay. I think I want to do it. Where would I even start?')}" in texts(host)
    assert [m.value for m in host.metric] == ["3", "0", "3"]
    for at in trainees.values():
        at.run()
        assert f"**Sam:** {esc('Okay. I think I want to do it. Where would I even start?')}" in texts(at)
        assert [b.key for b in at.button if b.key and b.key.startswith("live_choice_")] == [
            f"live_choice_{session_id}_2_pen",
            f"live_choice_{session_id}_2_explore",
            f"live_choice_{session_id}_2_judge",
        ]

    trainees["Tia"].button(key=f"live_choice_{session_id}_2_pen").click().run()
    host.run()
    host.button(key=f"live_reveal_{session_id}_2").click().run()
    host.button(key=f"live_advance_{session_id}_2").click().run()
    assert not host.exception, host.exception
    assert "**Sam:** " + esc("Okay. I'll look up the test dates tonight.") in texts(host)
    assert host.subheader[0].value == f"{esc('A short check-in')}: the live class has ended"
    assert host.subheader[1].value == "Start a live class"

    tia.run()
    said = texts(tia)
    assert "**To reflect on:** " + esc("What helped Sam move from thinking to a first step?") in said
    assert (
        "Your score: **100%** from your own answers (you answered at 2 of the class's 2 decision points: 2 among the "
        "strongest, 0 pitfalls)." in said
    )
    trainees["Vic"].run()
    assert (  # reflect, then no answer
        "Your score: **100%** from your own answers (you answered at 1 of the class's 2 decision points: 1 among the "
        "strongest, 0 pitfalls)." in texts(trainees["Vic"])
    )

    # Review and Progress show a live attempt whose choices are the trainee's own, not a walk of their own.
    tia.button(key=f"live_review_{session_id}").click().run()
    assert not tia.exception, tia.exception
    said = texts(tia)
    assert "**You:** " + esc("What would a first small step look like to you?") in said
    assert any(c.startswith(esc("A short check-in") + " · live mode") and "score 100%" in c for c in said)
    # Review shows the class's path, each step with what the class followed, beside Tia's own answers.
    assert [c for c in said if c.startswith("The class followed")] == [
        f"The class followed: “{esc(A_REFLECT)}” (2 of 3 chose it).",
        "The class followed: “" + esc("What would a first small step look like to you?") + "” (1 of 1 chose it).",
    ]
    tia.switch_page("pages/progress.py").run()
    assert not tia.exception, tia.exception
    assert esc("You have finished one conversation, with a score of 100%.") in texts(tia)
    store.close()


def start_on_the_page(host: AppTest, store: Store, ivan: User) -> tuple[int, str]:
    """The instructor starts 'mini' on the Live class page; returns the session's id and code."""
    host.selectbox(key="live_scenario").set_value("mini")
    host.button(key="live_start_submit").click().run()
    assert not host.exception, host.exception
    hosted = store.live.hosting(ivan)
    assert hosted is not None
    return hosted.id, hosted.code


def join_on_the_page(at: AppTest, code: str) -> None:
    at.text_input(key="live_code").input(code)
    at.button(key="live_join_submit").click().run()
    assert not at.exception, at.exception


@pytest.mark.apptest
@pytest.mark.usefixtures("fixture_library")
def test_one_code_on_the_live_class_page_lets_a_trainee_in(isolated_data, mini):
    """Uma is in no cohort: she types only the live class's code on the Live class page and is in, and the page
    tells her she joined the cohort and what that means. A refusal shows its own words and keeps her out."""
    tokens = {"Ivan": session_for(isolated_data, "Ivan", "instructor"), "Uma": session_for(isolated_data, "Uma")}
    store = Store.open(isolated_data)
    try:
        ivan, uma = (store.accounts.user_for_session(tokens[name]) for name in ("Ivan", "Uma"))
        cohort = store.cohorts.create(ivan, "Tuesday evenings")
        session_id, code = start_on_the_page(live_page(tokens["Ivan"]), store, ivan)
        at = live_page(tokens["Uma"])
        assert (
            "Your instructor starts a live class and shows you its code: type it here and you are in. If you are not in "
            "the class's cohort yet, the code adds you to it, so its instructor can see your practice. Your answers "
            "are saved as your decisions."
        ) in [c.value for c in at.caption]
        wrong = "ZZZZZZ" if code != "ZZZZZZ" else "ZZZZZY"
        join_on_the_page(at, wrong)
        assert [i.value for i in at.info] == [esc(NO_CLASS)]
        assert store.cohorts.mine(uma) == []
        join_on_the_page(at, code.lower())
        assert [i.value for i in at.info] == [
            esc(
                "You joined the cohort Tuesday evenings with this code. Its instructor can now see your practice in "
                "PeerSim; you can leave the cohort on your Account page."
            )
        ]
        assert at.button(key=f"live_choice_{session_id}_1_reflect")
        assert [c.id for c in store.cohorts.mine(uma)] == [cohort.id]
        at.run()  # the screen refreshes by itself: the note stays until her first click
        assert [i.value for i in at.info if "You joined" in i.value]
        at.button(key=f"live_choice_{session_id}_1_reflect").click().run()
        assert not [i.value for i in at.info if "You joined" in i.value]
    finally:
        store.close()


@pytest.mark.apptest
@pytest.mark.usefixtures("fixture_library")
def test_on_a_tie_the_host_picks_and_the_phones_say_so(isolated_data, monkeypatch, mini):
    show_in_file_order(monkeypatch, mini.scenario)  # A reflect, B plan, C mixed
    tokens = {"Ivan": session_for(isolated_data, "Ivan", "instructor")}
    tokens |= {name: session_for(isolated_data, name) for name in ("Tia", "Uma")}
    store = Store.open(isolated_data)
    try:
        ivan = store.accounts.user_for_session(tokens["Ivan"])
        store.cohorts.create(ivan, "Tuesday evenings")
        host = live_page(tokens["Ivan"])
        session_id, code = start_on_the_page(host, store, ivan)
        phones = {name: live_page(tokens[name]) for name in ("Tia", "Uma")}
        for at, choice in zip(phones.values(), ("reflect", "mixed"), strict=True):
            join_on_the_page(at, code)
            at.button(key=f"live_choice_{session_id}_1_{choice}").click().run()
            assert not at.exception, at.exception
        host.run()
        host.button(key=f"live_reveal_{session_id}_1").click().run()
        assert not host.exception, host.exception
        assert [w.value for w in host.warning if "tie" in w.value] == [
            "A tie: 1 chose A, 1 chose C. Pick the response the class follows."
        ]
        follow = host.radio(key=f"live_follow_{session_id}_1")
        assert follow.options == [esc(f"A. {A_REFLECT}"), esc("C. I hear you. You should start with the math test.")]
        assert follow.value is None  # nothing picked for the host
        assert host.button(key=f"live_advance_{session_id}_1").disabled  # waits for the host's pick

        follow.set_value("mixed").run()
        assert not host.button(key=f"live_advance_{session_id}_1").disabled
        host.button(key=f"live_advance_{session_id}_1").click().run()
        assert not host.exception, host.exception
        assert f"**Sam:** {esc('Okay. I think I want to do it. Where would I even start?')}" in texts(host)
        assert store.live.path(ivan, session_id) == [StepOutcome(1, "open", "mixed", 1, 2, "tie")]

        followed = (
            "**It was a tie at the last point, so Ivan picked the response the class followed:** “"
            + esc("I hear you. You should start with the math test.")
            + "” (1 of 2 chose it)."
        )
        phones["Tia"].run()
        assert [i.value for i in phones["Tia"].info if "class followed" in i.value] == [
            f"{followed}  \n**Your answer was:** “{esc(A_REFLECT)}”"
        ]
        phones["Uma"].run()
        assert [i.value for i in phones["Uma"].info if "class followed" in i.value] == [
            f"{followed}  \nThat was your answer too."
        ]

        # No one answers at the next point: the host picks from every response; nothing is picked for them.
        host.button(key=f"live_reveal_{session_id}_2").click().run()
        assert [w.value for w in host.warning if "Pick the response" in w.value] == [NO_ANSWERS]
        follow = host.radio(key=f"live_follow_{session_id}_2")
        assert (len(follow.options), follow.value) == (3, None)
        assert host.button(key=f"live_advance_{session_id}_2").disabled
        follow.set_value("pen").run()
        host.button(key=f"live_advance_{session_id}_2").click().run()
        assert not host.exception, host.exception
        assert host.subheader[0].value == f"{esc('A short check-in')}: the live class has ended"
        assert store.live.path(ivan, session_id)[1] == StepOutcome(2, "ready", "pen", 0, 0, "none")
    finally:
        store.close()


@pytest.mark.apptest
@pytest.mark.usefixtures("fixture_library")
def test_projector_mode_shows_large_full_responses_and_keeps_answers_hidden_until_the_reveal(isolated_data, monkeypatch, mini):
    from ui.live import PROJECTOR

    show_in_file_order(monkeypatch, mini.scenario)
    tokens = {"Ivan": session_for(isolated_data, "Ivan", "instructor")}
    tokens |= {name: session_for(isolated_data, name) for name in ("Tia", "Uma", "Vic")}
    store = Store.open(isolated_data)
    try:
        ivan = store.accounts.user_for_session(tokens["Ivan"])
        store.cohorts.create(ivan, "Tuesday evenings")
        host = live_page(tokens["Ivan"])
        session_id, code = start_on_the_page(host, store, ivan)
        assert host.toggle(key=PROJECTOR).value is False
        assert len(host.get("plotly_chart")) == 1  # the usual screen: chart and table
        for name, choice in (("Tia", "reflect"), ("Uma", "mixed"), ("Vic", None)):
            at = live_page(tokens[name])
            join_on_the_page(at, code)
            if choice:
                at.button(key=f"live_choice_{session_id}_1_{choice}").click().run()

        host.toggle(key=PROJECTOR).set_value(True).run()
        assert not host.exception, host.exception
        said = texts(host)
        assert f"Join on **Live class** with the code  \n`{code}`" in said
        assert "**2 of 3** have answered." in said
        responses = [A_REFLECT, "Let's sign you up for classes this week.", "I hear you. You should start with the math test."]
        for letter_, response in zip("ABC", responses, strict=True):
            assert f"**{letter_}\\.** {esc(response)}" in said  # every response in full, never shortened
        # Before the reveal nothing gives an answer away: no chart, no counts per response, no kinds, no feedback.
        assert host.get("plotly_chart") == [] and host.dataframe == [] and host.get("progress") == []
        assert not [t for t in said if "chose it" in t or "strongest" in t or "pitfall" in t.lower() or "Why:" in t]
        assert "How the class answered shows here once you reveal the feedback." in said
        assert host.button(key=f"live_reveal_{session_id}_1")
        assert host.button(key=f"live_end_{session_id}")  # End is in reach at the top, behind one more click

        host.button(key=f"live_reveal_{session_id}_1").click().run()
        assert not host.exception, host.exception
        assert [(p.value, p.text) for p in host.get("progress")] == [
            (50, "1 chose it · 50% · **strongest**"),
            (0, "0 chose it · 0% · **pitfall**"),
            (50, "1 chose it · 50% · **helpful in part, with a pitfall**"),
        ]
        said = texts(host)
        assert "#### How the class answered (2 of 3)" in said
        assert esc("Pitfall: Getting ahead of the peer. ") + "**Why:** " + esc("Sam has not said he is ready to plan.") in said
        assert host.warning == []  # the bar says it in one bold line
        assert ":material/call_split: **A tie: 1 chose A, 1 chose C. Pick the response the class follows.**" in said
        follow = host.radio(key=f"live_follow_{session_id}_1")
        assert follow.options == ["A (1 chose it)", "C (1 chose it)"] and follow.value is None
        follow.set_value("reflect").run()
        host.button(key=f"live_advance_{session_id}_1").click().run()
        assert not host.exception, host.exception
        assert f"**Sam:** {esc('Okay. I think I want to do it. Where would I even start?')}" in texts(host)
        assert host.toggle(key=PROJECTOR).value is True  # stays on from point to point

        host.button(key=f"live_end_{session_id}").click().run()
        assert not host.exception, host.exception
        assert host.subheader[0].value == f"{esc('A short check-in')}: the live class has ended"
        assert any("st-key-live_projector" in h.proto.body for h in host.get("html"))  # the ending, large too
        start_on_the_page(host, store, ivan)
        assert host.toggle(key=PROJECTOR).value is True  # the next class opens in projector mode
        assert host.get("plotly_chart") == []
    finally:
        store.close()


def test_review_says_how_each_step_of_the_class_path_was_chosen() -> None:
    from ui.live import review_line

    step = StepOutcome(1, "open", "reflect", 1, 2, "most")
    assert review_line(step, "R") == "The class followed: “R” (1 of 2 chose it)."
    assert review_line(StepOutcome(1, "open", "reflect", 1, 2, "tie"), "R") == (
        "A tie here, so the host picked what the class followed: “R” (1 of 2 chose it)."
    )
    assert review_line(StepOutcome(1, "open", "plan", 0, 2, "host"), "P") == (
        "The host picked what the class followed: “P” (0 of 2 chose it)."
    )
    assert review_line(StepOutcome(1, "open", "plan", 0, 0, "none"), "P") == (
        "No one answered here, so the host picked what the class followed: “P”."
    )
