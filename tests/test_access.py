"""The access matrix: every records function that touches a trainee's data, against every kind of actor.

T is a trainee in cohort C, which instructor I owns. U is another trainee. J is an instructor without T in any
cohort. A is an admin. Reads of T's records: T, I and A may; U and J may not. Changes to T's practice record:
only T. Cohort management: I and A. Program administration: A.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from records import AccessDenied, CohortError, Finish, Store, User
from tests.helpers import PASSWORD, make_user, record_first_choice

ACTORS = ("T", "U", "I", "J", "A")


@dataclass
class World:
    store: Store
    people: dict[str, User]
    attempt_id: int
    cohort_id: int


@pytest.fixture
def world(store, mini) -> World:
    admin = make_user(store, "Ada", "admin")
    people = {
        "A": admin,
        "T": make_user(store, "Tia"),
        "U": make_user(store, "Uma"),
        "I": make_user(store, "Ivan", "instructor"),
        "J": make_user(store, "Jo", "instructor"),
    }
    cohort = store.cohorts.create(people["I"], "Tuesday evenings")
    store.cohorts.join(people["T"], cohort.join_code)
    store.cohorts.create(people["J"], "Another class")
    attempt_id = record_first_choice(store, people["T"], mini)
    return World(store, people, attempt_id, cohort.id)


READS = {
    "attempt": lambda w, a: w.store.attempt(a, w.attempt_id),
    "decisions": lambda w, a: w.store.decisions(a, w.attempt_id),
    "attempts_of": lambda w, a: w.store.attempts_of(a, w.people["T"].id),
    "attempts_frame": lambda w, a: w.store.attempts_frame(a, w.people["T"].id),
    "hits_frame": lambda w, a: w.store.hits_frame(a, w.people["T"].id),
    "export": lambda w, a: w.store.export(a, w.people["T"].id),
}
CHANGES = {
    "record_decision": lambda w, a: w.store.record_decision(
        a,
        w.attempt_id,
        step=2,
        node_id="ready",
        choice_id="pen",
        criteria=["po.hand-the-pen"],
        points=1,
        next_node="good",
        time_taken_ms=1,
        finish=Finish("good", 2, 83),
    ),
    "leave_attempt": lambda w, a: w.store.leave_attempt(a, w.attempt_id),
    "finish_attempt": lambda w, a: w.store.finish_attempt(a, w.attempt_id, Finish("good", 1, 50)),
}
COHORT = {
    "members": lambda w, a: w.store.cohorts.members(a, w.cohort_id),
    "remove_member": lambda w, a: w.store.cohorts.remove_member(a, w.cohort_id, w.people["T"].id),
    "archive": lambda w, a: w.store.cohorts.archive(a, w.cohort_id),
    "new_join_code": lambda w, a: w.store.cohorts.new_join_code(a, w.cohort_id),
}
ADMIN = {
    "list_accounts": lambda w, a: w.store.accounts.list(a),
    "set_role": lambda w, a: w.store.accounts.set_role(a, w.people["U"].id, "instructor"),
    "create_user": lambda w, a: w.store.accounts.create_user(a, "New Person", "new@example.org", PASSWORD, "instructor"),
    "audit_log": lambda w, a: w.store.audit.entries(a),
}
DELETE = {"delete_trainee": lambda w, a: w.store.accounts.delete(a, w.people["T"].id)}

MATRIX = (
    [(name, call, {"T", "I", "A"}) for name, call in READS.items()]
    + [(name, call, {"T"}) for name, call in CHANGES.items()]
    + [(name, call, {"I", "A"}) for name, call in COHORT.items()]
    + [(name, call, {"A"}) for name, call in ADMIN.items()]
    + [(name, call, {"T", "A"}) for name, call in DELETE.items()]
)


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(("name", "call", "allowed"), MATRIX, ids=[m[0] for m in MATRIX])
def test_access(world, actor, name, call, allowed):
    user = world.people[actor]
    if actor in allowed:
        call(world, user)
    else:
        with pytest.raises(AccessDenied):
            call(world, user)
        # and nothing changed: T's record is as it was
        t = world.people["T"]
        assert world.store.attempt(t, world.attempt_id).status == "active"
        assert len(world.store.decisions(t, world.attempt_id)) == 1


def test_instructor_views_of_a_trainee_are_in_the_audit_log(world):
    store, p = world.store, world.people
    store.hits_frame(p["I"], p["T"].id)
    store.export(p["I"], p["T"].id)
    store.hits_frame(p["T"], p["T"].id)  # a trainee's own views are not logged
    log = [(e.actor_name, e.action, e.subject_name) for e in store.audit.entries(p["A"])]
    assert log[:2] == [("Ivan", "export records", "Tia"), ("Ivan", "view progress", "Tia")]
    assert all(actor != "Tia" for actor, action, _ in log if action not in ("join cohort", "sign in"))  # her views aren't logged


def test_leaving_a_cohort_ends_the_instructors_access(world):
    store, p = world.store, world.people
    store.cohorts.leave(p["T"], world.cohort_id)
    with pytest.raises(AccessDenied):
        store.hits_frame(p["I"], p["T"].id)


def test_join_codes(world):
    store, p = world.store, world.people
    with pytest.raises(CohortError) as caught:
        store.cohorts.join(p["U"], "nope")
    assert str(caught.value) == "A join code has 6 letters and numbers, like K7M2QX. Please check it."
    with pytest.raises(CohortError) as caught:
        store.cohorts.join(p["U"], "ZZZZZZ")
    assert str(caught.value) == "No open cohort has that code. Please check it with your instructor."
    cohort = store.cohorts.mine(p["I"])[0]
    joined = store.cohorts.join(p["U"], f" {cohort.join_code[:3].lower()}-{cohort.join_code[3:]} ")
    assert joined.members == 2
    assert store.cohorts.join(p["U"], cohort.join_code).members == 2  # joining twice changes nothing
    store.cohorts.archive(p["I"], cohort.id)
    with pytest.raises(CohortError):
        store.cohorts.join(make_user(store, "Vic"), cohort.join_code)
