"""Assignments (records/assignments.py, scoring/assignments.py): an instructor sets a scenario or a mock exam for a
cohort with a due date; trainees see theirs; the instructor sees who has done each.

The scenario is tests/fixtures/good/mini.yaml: reflect then pen is the strongest path (100%), mixed then judge the
weakest (scoring version 2: 0 of 2 among the strongest, one pitfall).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from records import AccessDenied, Store, User
from records.errors import CohortError
from scenarios import LoadedScenario, Rubric
from scoring.assignments import due_phrase, state
from tests.helpers import MovingClock, make_user, play, refused

START = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
FRIDAY = datetime(2027, 3, 5, 23, 59, tzinfo=UTC)


@pytest.fixture
def clock_start() -> datetime:
    return START


@pytest.fixture
def school(store: Store, at_time: MovingClock) -> dict[str, User]:
    ivan = make_user(store, "Ivan", "instructor")
    cohort = store.cohorts.create(ivan, "Tuesday evenings")
    people = {"ivan": ivan, "ines": make_user(store, "Ines", "instructor"), "out": make_user(store, "Otto")}
    for name in ("Tia", "Uma"):
        people[name.lower()] = make_user(store, name)
        store.cohorts.join(people[name.lower()], cohort.join_code)
    people["cohort_id"] = cohort.id  # type: ignore[assignment]
    return people


def test_setting_and_reading_an_assignment(store: Store, school: dict[str, User]) -> None:
    ivan, cohort_id = school["ivan"], int(school["cohort_id"])  # type: ignore[call-overload]
    made = store.assignments.create(ivan, cohort_id, kind="scenario", scenario_id="mini", due_at=FRIDAY, note=" Before class ")
    assert (made.kind, made.scenario_id, made.due_at, made.note, made.cohort_name) == (
        "scenario",
        "mini",
        FRIDAY,
        "Before class",
        "Tuesday evenings",
    )
    exam = store.assignments.create(ivan, cohort_id, kind="exam", scenario_id="ignored", due_at=FRIDAY + timedelta(days=7))
    assert exam.scenario_id is None
    assert [a.id for a in store.assignments.of_cohort(ivan, cohort_id)] == [made.id, exam.id]
    mine = store.assignments.mine(school["tia"], school["tia"].id)
    assert [(m.assignment.id, m.progress.done_at, m.progress.best) for m in mine] == [
        (made.id, None, None),
        (exam.id, None, None),
    ]
    assert store.assignments.mine(school["out"], school["out"].id) == []
    admin = make_user(store, "Ada", "admin")
    assert [(e.action, e.detail) for e in store.audit.entries(admin) if e.action == "assign"] == [
        ("assign", f"cohort {cohort_id}: exam"),
        ("assign", f"cohort {cohort_id}: scenario mini"),
    ]


def test_done_means_finished_after_it_was_set(
    store: Store, school: dict[str, User], mini: LoadedScenario, rubric: Rubric, at_time: MovingClock
) -> None:
    """Work from before the assignment does not count; a finished practice after it does, on time or late; the best
    score is kept; a live class or an unfinished attempt does not count."""
    ivan, tia, uma, cohort_id = school["ivan"], school["tia"], school["uma"], int(school["cohort_id"])  # type: ignore[call-overload]
    play(store, tia, mini, rubric, [("open", "reflect"), ("ready", "pen")])  # before: does not count
    at_time(timedelta(hours=1))
    made = store.assignments.create(ivan, cohort_id, kind="scenario", scenario_id="mini", due_at=FRIDAY)
    assert store.assignments.completion(ivan, cohort_id)[made.id][0].done_at is None
    at_time(timedelta(days=1))
    play(store, tia, mini, rubric, [("open", "mixed"), ("ready", "judge")])
    done_at = START + timedelta(days=1, hours=1)
    at_time(timedelta(hours=2))
    play(store, tia, mini, rubric, [("open", "reflect"), ("ready", "pen")])
    play(store, uma, mini, rubric, [("open", "reflect")])  # unfinished
    progress = {p.name: (p.done_at, p.best) for p in store.assignments.completion(ivan, cohort_id)[made.id]}
    assert progress == {"Tia": (done_at, 100), "Uma": (None, None)}
    at_time(datetime(2027, 3, 8, 10, 0, tzinfo=UTC))
    play(store, uma, mini, rubric, [("open", "reflect"), ("ready", "pen")])
    uma_done = store.assignments.mine(uma, uma.id)[0].progress
    assert uma_done.done_at == datetime(2027, 3, 8, 10, 0, tzinfo=UTC)
    assert state(made.due_at, uma_done.done_at, datetime(2027, 3, 8, 11, tzinfo=UTC)) == "done late"


def test_a_mock_exam_is_done_when_one_is_submitted(store: Store, school: dict[str, User], at_time: MovingClock) -> None:
    ivan, tia, cohort_id = school["ivan"], school["tia"], int(school["cohort_id"])  # type: ignore[call-overload]
    made = store.assignments.create(ivan, cohort_id, kind="exam", scenario_id=None, due_at=FRIDAY)
    at_time(timedelta(minutes=5))
    exam = store.exams.start(tia, ["q1", "q2"], 10, 70)
    assert store.assignments.mine(tia, tia.id)[0].progress.done_at is None  # started, not submitted
    at_time(timedelta(minutes=3))
    store.exams.close(tia, exam.id, bank={}, ended_by="submitted")
    mine = store.assignments.mine(tia, tia.id)[0].progress
    assert mine.done_at == START + timedelta(minutes=8)
    assert [p.done_at is not None for p in store.assignments.completion(ivan, cohort_id)[made.id]] == [True, False]


def test_changing_and_removing(store: Store, school: dict[str, User]) -> None:
    ivan, cohort_id = school["ivan"], int(school["cohort_id"])  # type: ignore[call-overload]
    made = store.assignments.create(ivan, cohort_id, kind="scenario", scenario_id="mini", due_at=FRIDAY)
    later = FRIDAY + timedelta(days=3)
    changed = store.assignments.change(ivan, made.id, due_at=later, note="Take your time")
    assert (changed.due_at, changed.note) == (later, "Take your time")
    store.assignments.remove(ivan, made.id)
    assert store.assignments.of_cohort(ivan, cohort_id) == []
    with refused(CohortError, "That assignment has been removed."):
        store.assignments.change(ivan, made.id, due_at=later, note="")


@pytest.mark.parametrize(
    ("kind", "scenario_id", "due", "note", "message"),
    [
        ("essay", "mini", FRIDAY, "", "An assignment is a scenario to practice or a mock exam."),
        ("scenario", "", FRIDAY, "", "Please choose the scenario to assign."),
        ("scenario", None, FRIDAY, "", "Please choose the scenario to assign."),
        ("scenario", "mini", START, "", "The due date has already passed. Please choose a later date or time."),
        (
            "scenario",
            "mini",
            START - timedelta(days=1),
            "",
            "The due date has already passed. Please choose a later date or time.",
        ),
        ("scenario", "mini", FRIDAY, "x" * 501, "Please keep the note to 500 characters; it has 501."),
    ],
)
def test_bad_assignments_are_refused_and_change_nothing(
    store: Store, school: dict[str, User], kind: str, scenario_id: str | None, due: datetime, note: str, message: str
) -> None:
    ivan, cohort_id = school["ivan"], int(school["cohort_id"])  # type: ignore[call-overload]
    with refused(CohortError, message):
        store.assignments.create(ivan, cohort_id, kind=kind, scenario_id=scenario_id, due_at=due, note=note)
    assert store.assignments.of_cohort(ivan, cohort_id) == []


def test_one_open_assignment_per_scenario_and_archived_cohorts(
    store: Store, school: dict[str, User], at_time: MovingClock
) -> None:
    ivan, cohort_id = school["ivan"], int(school["cohort_id"])  # type: ignore[call-overload]
    store.assignments.create(ivan, cohort_id, kind="scenario", scenario_id="mini", due_at=FRIDAY)
    with refused(
        CohortError,
        "This scenario is already assigned to Tuesday evenings and not yet due. Change that assignment's due date "
        "instead of adding another.",
    ):
        store.assignments.create(ivan, cohort_id, kind="scenario", scenario_id="mini", due_at=FRIDAY + timedelta(days=1))
    store.assignments.create(ivan, cohort_id, kind="exam", scenario_id=None, due_at=FRIDAY)
    with refused(
        CohortError,
        "A mock exam is already assigned to Tuesday evenings and not yet due. Change that assignment's due date "
        "instead of adding another.",
    ):
        store.assignments.create(ivan, cohort_id, kind="exam", scenario_id=None, due_at=FRIDAY + timedelta(days=1))
    at_time(FRIDAY + timedelta(minutes=1))  # once the first is past due, the scenario can be set again
    store.assignments.create(ivan, cohort_id, kind="scenario", scenario_id="mini", due_at=FRIDAY + timedelta(days=7))
    assert len(store.assignments.of_cohort(ivan, cohort_id)) == 3
    store.cohorts.archive(ivan, cohort_id)
    with refused(CohortError, "This cohort is archived. Restore it on the Cohorts page before assigning work to it."):
        store.assignments.create(ivan, cohort_id, kind="scenario", scenario_id="other", due_at=FRIDAY + timedelta(days=7))
    assert store.assignments.mine(school["tia"], school["tia"].id) == []  # an archived cohort's work is not shown


def test_only_the_cohort_s_instructor_or_an_admin(store: Store, school: dict[str, User]) -> None:
    ivan, ines, tia, cohort_id = school["ivan"], school["ines"], school["tia"], int(school["cohort_id"])  # type: ignore[call-overload]
    made = store.assignments.create(ivan, cohort_id, kind="scenario", scenario_id="mini", due_at=FRIDAY)
    owner_only = "Only the cohort's instructor (or an admin) can do that."
    for attempt in (
        lambda who: store.assignments.create(who, cohort_id, kind="exam", scenario_id=None, due_at=FRIDAY),
        lambda who: store.assignments.change(who, made.id, due_at=FRIDAY, note="mine now"),
        lambda who: store.assignments.remove(who, made.id),
        lambda who: store.assignments.of_cohort(who, cohort_id),
        lambda who: store.assignments.completion(who, cohort_id),
    ):
        for who in (ines, tia):
            with refused(AccessDenied, owner_only):
                attempt(who)
    with pytest.raises(AccessDenied):
        store.assignments.mine(tia, school["uma"].id)
    admin = make_user(store, "Ada", "admin")
    assert [a.id for a in store.assignments.of_cohort(admin, cohort_id)] == [made.id]
    assert store.assignments.of_cohort(ivan, cohort_id)[0].note == ""


def test_states_and_due_phrases() -> None:
    now = datetime(2027, 3, 3, 12, 0, tzinfo=UTC)
    due = datetime(2027, 3, 5, 23, 59, tzinfo=UTC)
    assert state(due, None, now) == "to do"
    assert state(due, None, due + timedelta(seconds=1)) == "overdue"
    assert state(due, due, now) == "done"
    assert state(due, due + timedelta(minutes=1), now) == "done late"
    assert due_phrase(due, now) == "due in 2 days"
    assert due_phrase(due, datetime(2027, 3, 4, 23, 0, tzinfo=UTC)) == "due tomorrow"
    assert due_phrase(due, datetime(2027, 3, 5, 8, 0, tzinfo=UTC)) == "due today"
    assert due_phrase(due, datetime(2027, 3, 6, 0, 30, tzinfo=UTC)) == "was due yesterday"
    assert due_phrase(due, datetime(2027, 3, 9, 0, 30, tzinfo=UTC)) == "was due 4 days ago"
    assert due_phrase(datetime(2027, 3, 5, 9, 0, tzinfo=UTC), datetime(2027, 3, 5, 10, 0, tzinfo=UTC)) == "was due today"
