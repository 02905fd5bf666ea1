"""AppTest: the Cohorts page opens on a class in session (the newest open cohort with members), not on a newer
cohort no one has joined yet."""

from __future__ import annotations

import pytest

from tests.helpers import app_for, make_user

pytestmark = pytest.mark.apptest


def test_cohorts_opens_on_the_newest_open_cohort_with_members(store):
    ida = make_user(store, "Ida Instructor", "instructor")
    tuesday = store.cohorts.create(ida, "Tuesday evenings")
    store.cohorts.join(make_user(store, "Tia"), tuesday.join_code)
    store.cohorts.create(ida, "Next spring")  # newer, still empty
    at = app_for(store.accounts.start_session(ida))
    at.switch_page("pages/cohorts.py").run()
    assert not at.exception
    picker = at.selectbox(key="cohort_pick")
    assert picker.options == ["Next spring (0 trainees)", "Tuesday evenings (1 trainee)"]
    assert picker.value == tuesday.id
    store.cohorts.archive(ida, tuesday.id)
    at = app_for(store.accounts.start_session(ida))
    at.switch_page("pages/cohorts.py").run()
    assert at.selectbox(key="cohort_pick").format_func(at.selectbox(key="cohort_pick").value) == "Next spring (0 trainees)"
