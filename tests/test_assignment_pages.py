"""AppTest: assignments on the class dashboard (set, see who has done it, change, remove, bad input) and on a
trainee's Home and library (due date, state, a way in). The library is tests/fixtures/good ('mini', titled
"A short check-in"); the clock is held at Monday 1 March 2027, 09:00 UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from records import Store
from tests.helpers import MovingClock, app_for, make_user, play, texts
from tests.shown import shown, shown_rows

pytestmark = [pytest.mark.apptest, pytest.mark.usefixtures("fixture_library")]
MONDAY = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
SUBMIT = "FormSubmitter:new_assignment-Assign"


@pytest.fixture
def clock_start() -> datetime:
    return MONDAY


@pytest.fixture
def cls(store: Store, at_time: MovingClock) -> dict[str, object]:
    ivan = make_user(store, "Ida Instructor", "instructor")
    cohort = store.cohorts.create(ivan, "Spring 2027")
    tia, uma = make_user(store, "Tia"), make_user(store, "Uma")
    for trainee in (tia, uma):
        store.cohorts.join(trainee, cohort.join_code)
    return {"ivan": ivan, "cohort": cohort, "tia": tia, "uma": uma}


def said(at: AppTest) -> list[str]:
    """Everything the page says, as a reader sees it."""
    return [shown(t) for t in texts(at)]


def alerts(at: AppTest, kind: str) -> list[str]:
    return [shown(a.value) for a in at.get(kind)]


def dashboard(store: Store, cls: dict[str, object]) -> AppTest:
    at = app_for(store.accounts.start_session(cls["ivan"]))  # type: ignore[arg-type]
    at.switch_page("pages/dashboard.py").run()
    at.selectbox(key="dashboard_cohort").set_value(cls["cohort"].id).run()  # type: ignore[attr-defined]
    assert not at.exception
    return at


def assign(at: AppTest, *, kind: str = "scenario", scenario: str | None = "mini", day: date, note: str = "") -> AppTest:
    at.radio(key="assign_kind").set_value(kind)
    if scenario is not None:
        at.selectbox(key="assign_scenario").set_value(scenario)
    at.date_input(key="assign_day").set_value(day)
    at.time_input(key="assign_time").set_value(time(17, 0))
    at.text_area(key="assign_note").input(note)
    at.button(key=SUBMIT).click().run()
    assert not at.exception
    return at


def test_the_dashboard_is_in_tabs_and_assignments_work_before_anyone_plays(store, cls):
    at = dashboard(store, cls)
    assert [t.label for t in at.tabs] == [
        "Overview",
        "Assignments",
        "Pitfalls and domains",
        "Item analysis",
        "Mock exam items",
        "One trainee",
        "Export",
    ]
    assert "Nothing is assigned to Spring 2027 yet." in said(at)
    assign(at, day=date(2027, 3, 5), note="Before Friday's class")
    assert alerts(at, "success") == ["Assigned A short check-in to Spring 2027, due Fri, Mar 5, 5:00 PM UTC (due in 4 days)."]
    assert "**A short check-in** · due Fri, Mar 5, 5:00 PM UTC (due in 4 days)" in said(at)
    assert "Done by 0 of 2 trainees" in said(at)
    assert shown_rows(at.table[-1].value) == [
        {"trainee": "Tia", "state": "To do", "done": "–", "best": "–"},
        {"trainee": "Uma", "state": "To do", "done": "–", "best": "–"},
    ]
    assert "*Note to the class:* Before Friday's class" in said(at)
    [made] = store.assignments.of_cohort(cls["ivan"], cls["cohort"].id)
    assert (made.scenario_id, made.due_at, made.note) == (
        "mini",
        datetime(2027, 3, 5, 17, 0, tzinfo=UTC),
        "Before Friday's class",
    )


def test_completion_per_trainee(store, cls, mini, rubric, at_time):
    store.assignments.create(
        cls["ivan"], cls["cohort"].id, kind="scenario", scenario_id="mini", due_at=datetime(2027, 3, 5, 17, 0, tzinfo=UTC)
    )
    at_time(timedelta(days=1))
    play(store, cls["tia"], mini, rubric, [("open", "reflect"), ("ready", "pen")])
    at_time(timedelta(days=5))  # Sunday 7 March: past due
    at = dashboard(store, cls)
    assert "Done by 1 of 2 trainees" in said(at)
    assignment_table = next(t for t in at.table if "state" in shown_rows(t.value)[0])
    assert shown_rows(assignment_table.value) == [
        {"trainee": "Tia", "state": "Done", "done": "Tue, Mar 2, 9:00 AM UTC", "best": "100%"},
        {"trainee": "Uma", "state": "Overdue", "done": "–", "best": "–"},
    ]


@pytest.mark.parametrize(
    ("kind", "scenario", "day", "message"),
    [
        ("scenario", None, date(2027, 3, 5), "Please choose the scenario to assign."),
        ("scenario", "mini", date(2027, 3, 1), None),  # 5 pm today: still ahead, accepted
    ],
)
def test_bad_input_on_the_form_says_what_to_fix_and_sets_nothing(store, cls, kind, scenario, day, message):
    at = assign(dashboard(store, cls), kind=kind, scenario=scenario, day=day)
    if message is None:
        assert len(store.assignments.of_cohort(cls["ivan"], cls["cohort"].id)) == 1
    else:
        assert alerts(at, "error") == [message]
        assert store.assignments.of_cohort(cls["ivan"], cls["cohort"].id) == []


def test_a_due_time_already_past_is_refused(store, cls, at_time):
    at_time(datetime(2027, 3, 1, 18, 0, tzinfo=UTC))  # 6 pm: the form's 5 pm today has passed
    at = assign(dashboard(store, cls), day=date(2027, 3, 1))
    assert alerts(at, "error") == ["The due date has already passed. Please choose a later date or time."]
    assert store.assignments.of_cohort(cls["ivan"], cls["cohort"].id) == []


def test_changing_the_due_date_and_removing(store, cls):
    made = store.assignments.create(
        cls["ivan"], cls["cohort"].id, kind="exam", scenario_id=None, due_at=datetime(2027, 3, 5, 17, 0, tzinfo=UTC)
    )
    at = dashboard(store, cls)
    at.date_input(key=f"due_day_{made.id}").set_value(date(2027, 3, 12))
    at.text_area(key=f"due_note_{made.id}").input("One more week")
    at.button(key=f"FormSubmitter:change_assignment_{made.id}-Save the change").click().run()
    assert alerts(at, "success") == ["Saved: A mock exam is now due Fri, Mar 12, 5:00 PM UTC (due in 11 days)."]
    [changed] = store.assignments.of_cohort(cls["ivan"], cls["cohort"].id)
    assert (changed.due_at, changed.note) == (datetime(2027, 3, 12, 17, 0, tzinfo=UTC), "One more week")
    at.button(key=f"remove_assignment_{made.id}").click().run()
    assert alerts(at, "success") == ["Removed the assignment of A mock exam. The trainees' practice stays theirs."]
    assert store.assignments.of_cohort(cls["ivan"], cls["cohort"].id) == []


def test_a_trainee_sees_assignments_on_home_and_in_the_library_and_starts_one(store, cls, mini, rubric, at_time):
    ivan, cohort = cls["ivan"], cls["cohort"]
    store.assignments.create(
        ivan,
        cohort.id,
        kind="scenario",
        scenario_id="mini",
        due_at=datetime(2027, 3, 5, 17, 0, tzinfo=UTC),
        note="Notice the pauses",
    )
    store.assignments.create(ivan, cohort.id, kind="exam", scenario_id=None, due_at=datetime(2027, 3, 12, 17, 0, tzinfo=UTC))
    at = app_for(store.accounts.start_session(cls["tia"]))
    assert "#### Assigned to you" in said(at)
    assert "○ To do · due Fri, Mar 5, 5:00 PM UTC (due in 4 days)" in said(at)
    assert "○ To do · due Fri, Mar 12, 5:00 PM UTC (due in 11 days)" in said(at)
    assert "*From your instructor:* Notice the pauses" in said(at)
    assert [link.label for link in at.get("page_link") if "mock exam" in link.label] == ["Start: open the mock exam"]
    at.button(key=next(b.key for b in at.button if b.key and b.key.startswith("assigned_home_"))).click().run()
    assert not at.exception
    assert "A short check-in" in [shown(h.value) for h in at.title]  # the scenario's start screen (content note, mode)
    play(store, cls["tia"], mini, rubric, [("open", "reflect"), ("ready", "pen")])
    at_time(timedelta(hours=1))
    at = app_for(store.accounts.start_session(cls["tia"]))
    done = [t for t in said(at) if t.startswith("✓")]
    assert done == ["✓ Done Mon, Mar 1, 9:00 AM UTC · best 100% · was due Fri, Mar 5, 5:00 PM UTC"]
    at.switch_page("pages/practice.py").run()
    assert "#### Assigned to you" in said(at)
    assert any(b.key and b.key.startswith("assigned_library_") for b in at.button)


def test_other_cohorts_and_instructors_see_nothing_of_it(store, cls):
    store.assignments.create(
        cls["ivan"], cls["cohort"].id, kind="exam", scenario_id=None, due_at=datetime(2027, 3, 5, 17, 0, tzinfo=UTC)
    )
    outsider = make_user(store, "Otto")
    at = app_for(store.accounts.start_session(outsider))
    assert "#### Assigned to you" not in said(at)


def test_the_time_zone_setting(monkeypatch, store, cls):
    from ui import assignments

    monkeypatch.setenv("PEERSIM_TIME_ZONE", "America/Chicago")
    assignments.zone.cache_clear()
    try:
        at = assign(dashboard(store, cls), day=date(2027, 3, 5))
        [made] = store.assignments.of_cohort(cls["ivan"], cls["cohort"].id)
        assert made.due_at == datetime(2027, 3, 5, 23, 0, tzinfo=UTC)  # 5 pm CST
        assert alerts(at, "success") == ["Assigned A short check-in to Spring 2027, due Fri, Mar 5, 5:00 PM CST (due in 4 days)."]
        monkeypatch.setenv("PEERSIM_TIME_ZONE", "Mars/Olympus")
        assignments.zone.cache_clear()
        assert assignments.zone().key == "UTC"
    finally:
        assignments.zone.cache_clear()
