"""Spaced review: exact FSRS schedules, the queue in the records, and misses and pitfalls entering it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from records import AccessDenied, Store, clock
from scoring.review import new_card, rate
from tests.helpers import app_for, make_user, session_for, texts
from ui.render import esc

T0 = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def test_fsrs_schedule_with_default_parameters_and_no_fuzz():
    card = new_card(T0)
    assert (card.due, card.state) == (T0, "learning")
    good = rate(card.card, "good", T0, fuzz=False)  # learning steps: 1 minute, 10 minutes
    assert (good.due, good.state, good.lapsed) == (T0 + timedelta(minutes=10), "learning", False)
    graduated = rate(good.card, "good", good.due, fuzz=False)
    assert (graduated.due, graduated.state) == (good.due + timedelta(days=2), "review")
    forgot = rate(graduated.card, "again", graduated.due, fuzz=False)  # relearning step: 10 minutes
    assert (forgot.due, forgot.state, forgot.lapsed) == (graduated.due + timedelta(minutes=10), "relearning", True)
    again = rate(card.card, "again", T0, fuzz=False)
    assert again.due == T0 + timedelta(minutes=1)
    easy = rate(card.card, "easy", T0, fuzz=False)
    assert (easy.state, easy.due) == ("review", T0 + timedelta(days=8))


def test_the_queue_keeps_one_card_per_item_orders_by_due_and_counts(store):
    tia = make_user(store, "Tia")
    card = new_card(T0)
    assert store.reviews.add(tia, "question", "x-01", card.card, T0, card.state, T0)
    assert not store.reviews.add(tia, "question", "x-01", card.card, T0, card.state, T0)  # already queued
    store.reviews.add(tia, "question", "x-02", card.card, T0 - timedelta(hours=1), card.state, T0)
    assert [i.ref for i in store.reviews.due(tia, T0)] == ["x-02", "x-01"]
    first = store.reviews.due(tia, T0)[0]
    after = rate(first.card, "easy", T0, fuzz=False)
    store.reviews.record(tia, first.id, after.card, after.due, after.state, after.lapsed)
    assert [i.ref for i in store.reviews.due(tia, T0)] == ["x-01"]
    counts = store.reviews.counts(tia, tia.id, T0)
    assert (counts.due, counts.learned, counts.lapsed, counts.total) == (1, 1, 0, 2)
    uma = make_user(store, "Uma")
    with pytest.raises(AccessDenied):
        store.reviews.record(uma, first.id, after.card, after.due, after.state, after.lapsed)
    with pytest.raises(AccessDenied):
        store.reviews.counts(uma, tia.id, T0)
    assert store.reviews.due(uma, T0) == []


@pytest.mark.usefixtures("exam_bank")
def test_missed_exam_items_come_due_and_a_rating_sends_them_away(isolated_data, monkeypatch):
    store = Store.open(isolated_data)
    tia = make_user(store, "Tia")
    token = store.accounts.start_session(tia)
    exam = store.exams.start(tia, ["x-01", "x-02", "x-03", "x-04"], minutes=30, pass_mark=70)
    store.exams.answer(tia, exam.id, "x-01", 1)  # right (key 1); x-02 wrong; x-03 and x-04 unanswered
    store.exams.answer(tia, exam.id, "x-02", 4)
    store.close()

    at = app_for(token)
    at.switch_page("pages/exam.py").run()
    at.button(key="exam_submit").click().run()
    at.button(key="exam_submit_confirm").click().run()
    assert at.subheader[0].value == "Not yet a pass: 25% (pass mark 70%)"

    at.switch_page("pages/home.py").run()
    # Only the wrong answer: the two left blank count as wrong in the score but were not forgotten.
    assert [p.label for p in at.get("page_link") if "due" in p.label] == ["1 item(s) due for review today"]
    at.switch_page("pages/spaced.py").run()
    assert at.markdown[0].value == "**Today: 1 new · 0 to review**"
    assert at.caption[0].value == "0 learned · 0 forgotten once and relearning · 1 in your queue"
    assert [m.value for m in at.markdown if "-badge[" in m.value] == [":blue-badge[:material/fiber_new: New]"]
    assert any(m.value.startswith("**Exam question.** Test question 2") for m in at.markdown)
    # Recall first: choose, then check. The options come in a fresh order; answers keep their numbers.
    assert at.button(key="review_check").disabled
    radio = at.radio(key=next(r.key for r in at.radio))
    assert [o.split(". ", 1)[0] for o in radio.options] == ["A", "B", "C", "D"]
    assert sorted(o.split(". ", 1)[1] for o in radio.options) == [f"Option {n} of question 2\\." for n in (1, 2, 3, 4)]
    radio.set_value(2).run()  # x-02's key
    at.button(key="review_check").click().run()
    assert "**You chose the correct answer.**" in [m.value for m in at.markdown]
    assert [i.value for i in at.info] == ["**Why:** Right\\: reason 2\\."]
    # Each rating says when the item comes back (FSRS, a new card: easy is about 8 days).
    assert [b.label for b in at.button if (b.key or "").startswith("rate_")] == [
        "Again · 1 min",
        "Hard · 6 min",
        "Good · 10 min",
        "Easy · 8 d",
    ]
    at.button(key="rate_easy").click().run()
    assert at.markdown[0].value == "**Today: 0 new · 0 to review**"
    assert at.caption[0].value.startswith("1 learned")
    # A rating can be undone: the item comes back exactly as it was, with its answer showing, to rate again.
    assert "Rated Easy: it comes back in 8 d." in [c.value for c in at.caption]
    at.button(key="review_undo").click().run()
    assert at.markdown[0].value == "**Today: 1 new · 0 to review**"  # new again: its first rating was undone
    assert at.caption[0].value.startswith("0 learned")
    assert [b.label for b in at.button if (b.key or "").startswith("rate_")][-1] == "Easy · 8 d"
    at.button(key="rate_easy").click().run()
    assert at.caption[0].value.startswith("1 learned")

    # Twelve days on (within the 14-day sign-in), the easy card (about 8 days, spread by FSRS fuzzing) is due again.
    later = clock.now() + timedelta(days=12)
    monkeypatch.setattr(clock, "now", lambda: later)
    at.run()
    assert at.markdown[0].value == "**Today: 0 new · 1 to review**"
    assert [m.value for m in at.markdown if "-badge[" in m.value] == [":green-badge[:material/event_repeat: Review]"]


@pytest.mark.usefixtures("fixture_library")
def test_a_pitfall_choice_enters_the_queue_with_its_stronger_response(isolated_data):
    at = app_for(session_for(isolated_data, "Tia"))
    at.switch_page("pages/practice.py").run()
    at.button(key="choose_mini").click().run()
    at.radio(key="start_mode").set_value("debrief")
    at.button(key="start").click().run()
    at.button(key="choice_open_plan").click().run()  # a pitfall, which ends the conversation
    at.switch_page("pages/spaced.py").run()
    assert "**From “A short check\\-in”.** What would you say this time?" in [m.value for m in at.markdown]
    at.button(key="review_show").click().run()  # looked without choosing: the stronger response is shown
    assert any(
        i.value
        == "**A stronger response:** “You keep coming back to it, and you're not sure yet\\.”  \nReflects both sides and keeps exploring\\."
        for i in at.info
    )


@pytest.mark.usefixtures("fixture_library")
def test_a_pitfall_comes_back_as_the_same_moment_to_answer_again(isolated_data):
    at = app_for(session_for(isolated_data, "Tia"))
    at.switch_page("pages/practice.py").run()
    at.button(key="choose_mini").click().run()
    at.radio(key="start_mode").set_value("debrief")
    at.button(key="start").click().run()
    at.button(key="choice_open_plan").click().run()
    at.switch_page("pages/spaced.py").run()
    radio = at.radio(key=next(r.key for r in at.radio))
    assert sorted(radio.options) == sorted(
        esc(s)
        for s in (
            "You keep coming back to it, and you're not sure yet.",
            "Let's sign you up for classes this week.",
            "I hear you. You should start with the math test.",
        )
    )  # the point's responses, shuffled
    radio.set_value("reflect").run()
    at.button(key="review_check").click().run()
    shown = texts(at)
    assert "**You:** " + esc("You keep coming back to it, and you're not sure yet.") in shown
    assert "**Strong response:** among the strongest responses at this point." in [s.value for s in at.success]
    assert (
        "**The first time you said:** “"
        + esc("Let's sign you up for classes this week.")
        + "”  \n"
        + esc("Sam has not said he is ready to plan.")
        in shown
    )
    assert not any(i.value.startswith("**A stronger response:**") for i in at.info)  # this time it was the strongest
