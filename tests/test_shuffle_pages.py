"""Shuffled responses on the pages (AppTest): Practice shows each attempt's own order, the same after a reload, a
resume in a new browser session and a server restart (a new Store and fresh caches); Review shows the order the
trainee saw; a live class shows every screen the same order; a mock exam form keeps its option order, in its
review too. Answers and analytics keep working by choice id (and option number), whatever the order.

Two seeds with different orders for 'open' in mini (reflect, plan, mixed in the file) are found by search, so the
test does not depend on luck: scoring.shuffle is a pure function of the seed.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from records import Store
from scoring.shuffle import choice_order, option_order
from tests.helpers import app_for, session_for, texts
from ui import services
from ui.render import esc

pytestmark = [pytest.mark.apptest, pytest.mark.usefixtures("fixture_library")]

OPEN = ["reflect", "plan", "mixed"]
SAY = {
    "reflect": "You keep coming back to it, and you're not sure yet.",
    "plan": "Let's sign you up for classes this week.",
    "mixed": "I hear you. You should start with the math test.",
}


def seeds_with_different_orders() -> tuple[str, str]:
    first = "shuffle-a"
    for n in range(1000):
        other = f"shuffle-b-{n}"
        if choice_order(other, "open", OPEN) != choice_order(first, "open", OPEN) and choice_order(other, "open", OPEN) != OPEN:
            return first, other
    raise AssertionError("no second seed")  # pragma: no cover


def response_buttons(at: AppTest) -> list[str]:
    """The response buttons of the point on screen, top to bottom, as choice ids."""
    return [b.key.rsplit("_", 1)[1] for b in at.button if b.key and b.key.startswith("choice_open_")]


def start(at: AppTest) -> AppTest:
    at.switch_page("pages/practice.py").run()
    at.button(key="choose_mini").click().run()
    at.button(key="start").click().run()
    assert not at.exception, at.exception
    return at


def test_each_attempt_keeps_its_own_order_through_reload_resume_restart_and_review(isolated_data, monkeypatch):
    first_seed, second_seed = seeds_with_different_orders()
    seeds = iter([first_seed, second_seed])
    monkeypatch.setattr("records.practice.new_seed", lambda: next(seeds))
    token = session_for(isolated_data, "Ana")

    at = start(app_for(token))
    first_order = choice_order(first_seed, "open", OPEN)
    assert response_buttons(at) == first_order
    at.run()  # a rerun (the browser's reload runs the script again)
    assert response_buttons(at) == first_order

    # Another browser session, after a restart: a new Store and no cached resources. Resume shows the same order.
    import streamlit as st

    st.cache_resource.clear()
    again = app_for(token)
    again.run()
    again.switch_page("pages/practice.py").run()
    again.button(key="resume_latest").click().run()
    assert response_buttons(again) == first_order

    # A second attempt has its own order.
    again.button(key="leave").click().run()
    again.button(key="leave_confirm").click().run()
    second = start(again)
    second_order = choice_order(second_seed, "open", OPEN)
    assert second_order != first_order
    assert response_buttons(second) == second_order
    second.button(key="choice_open_plan").click().run()  # answered by id, whatever its place

    store = Store.open(isolated_data)
    try:
        ana = store.accounts.user_for_session(token)
        newest, oldest = store.attempts_of(ana, ana.id)
        assert (oldest.shuffle_seed, newest.shuffle_seed) == (first_seed, second_seed)
        assert [d.choice_id for d in store.decisions(ana, newest.id)] == ["plan"]
    finally:
        store.close()

    # Review shows the responses in the order this attempt showed them, the chosen one marked.
    second.switch_page("pages/review.py").run()
    assert not second.exception, second.exception
    shown = texts(second)
    assert any(s.startswith("**The responses you saw") for s in shown)
    listed = next(s for s in shown if s.startswith("**The responses you saw"))
    assert [line.split(". ", 1)[1].removesuffix(" **(your choice)**") for line in listed.splitlines()[1:]] == [
        esc(SAY[c]) for c in second_order
    ]
    assert [line.endswith("**(your choice)**") for line in listed.splitlines()[1:]] == [c == "plan" for c in second_order]


def test_a_mock_exam_form_keeps_its_option_order(isolated_data, exam_bank, monkeypatch):
    monkeypatch.setattr("records.exams.new_seed", lambda: "form-seed")
    token = session_for(isolated_data, "Ana")
    at = app_for(token)
    at.switch_page("pages/exam.py").run()
    at.button(key="exam_start").click().run()
    assert not at.exception, at.exception
    store = Store.open(isolated_data)
    try:
        ana = store.accounts.user_for_session(token)
        [exam] = store.exams.history(ana, ana.id)
    finally:
        store.close()
    assert exam.shuffle_seed == "form-seed"
    first = exam.items[0]
    question = services.bank()[first]
    order = option_order("form-seed", first, 4)
    radio = at.radio(key=f"exam_{exam.id}_{first}")
    # The options in this form's order, lettered by the place they are shown in.
    assert list(radio.options) == [f"{'ABCD'[i]}. {esc(question.options[n - 1].text)}" for i, n in enumerate(order)]
    assert any(option_order("form-seed", q, 4) != [1, 2, 3, 4] for q in exam.items)
    at.run()
    assert list(at.radio(key=f"exam_{exam.id}_{first}").options) == list(radio.options)  # a rerun: the same order
    # Choosing the option shown first stores that option's own number.
    at.radio(key=f"exam_{exam.id}_{first}").set_value(order[0]).run()
    store = Store.open(isolated_data)
    try:
        assert store.exams.get(ana, exam.id).answers[first] == order[0]
    finally:
        store.close()


def test_a_live_class_shows_every_screen_the_same_order(isolated_data, monkeypatch):
    _, seed = seeds_with_different_orders()  # an order other than the file's
    monkeypatch.setattr("records.live.new_seed", lambda: seed)
    tokens = {"Ivan": session_for(isolated_data, "Ivan", "instructor")}
    tokens |= {name: session_for(isolated_data, name) for name in ("Tia", "Uma")}
    store = Store.open(isolated_data)
    try:
        ivan = store.accounts.user_for_session(tokens["Ivan"])
        cohort = store.cohorts.create(ivan, "Tuesday evenings")
        for name in ("Tia", "Uma"):
            store.cohorts.join(store.accounts.user_for_session(tokens[name]), cohort.join_code)
        session = store.live.start(ivan, cohort.id, services.playable(ivan)["mini"])
        expected = choice_order(seed, "open", OPEN)
        assert expected != OPEN
        for name in ("Tia", "Uma"):
            at = app_for(tokens[name])
            at.switch_page("pages/live.py").run()
            at.text_input(key="live_code").input(session.code.lower())
            at.button(key="live_join_submit").click().run()
            assert not at.exception, at.exception
            buttons = [b for b in at.button if b.key and b.key.startswith(f"live_choice_{session.id}_1_")]
            assert [b.key.rsplit("_", 1)[1] for b in buttons] == expected
            assert [b.label.split(" ", 1)[0] for b in buttons] == ["A\\.", "B\\.", "C\\."]  # letters by place
            attempt = store.attempt(
                store.accounts.user_for_session(tokens[name]),
                store.live.seat(store.accounts.user_for_session(tokens[name])).attempt_id,
            )
            assert attempt.shuffle_seed == seed  # Review shows the class's order
    finally:
        store.close()
