"""Mock exams: blueprint, assembly, exact scoring, records that survive a refresh, time-out, and the page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from streamlit.testing.v1 import AppTest

from records import AccessDenied, ExamClosed, Store, clock
from scenarios import load_rubric
from scenarios.loader import check_paths
from scoring.exam import Blueprint, ExamError, assemble, score
from tests.helpers import EXAM_BANK, app_for, make_user, session_for
from tests.shown import shown_rows


@pytest.fixture(scope="module")
def bank():
    report = check_paths([EXAM_BANK], load_rubric())
    return [q for b in report.banks for q in b.bank.questions]


def key_of(question_id: str) -> int:
    """The fixture puts the key of x-NN at ((NN - 1) mod 4) + 1."""
    return (int(question_id.split("-")[1]) - 1) % 4 + 1


def test_default_blueprint_is_fifty_items_in_ninety_minutes_spread_over_the_domains():
    blueprint = Blueprint()
    assert (blueprint.items, blueprint.minutes, blueprint.pass_mark) == (50, 90, 70)
    assert blueprint.per_domain() == {
        "advocacy": 13,
        "mentoring-education": 13,
        "recovery-wellness": 12,
        "ethical-responsibility": 12,
    }


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"items": 3}, "A mock exam has between 4 and 200 items."),
        ({"minutes": 1}, "A mock exam lasts between 5 and 300 minutes."),
        ({"pass_mark": 0}, "The pass mark is a percentage from 1 to 100."),
    ],
)
def test_blueprints_out_of_range_are_refused(kwargs, message):
    with pytest.raises(ExamError) as caught:
        Blueprint(**kwargs)
    assert str(caught.value) == message


def test_assembly_draws_per_domain_and_is_repeatable_by_seed(bank):
    form = assemble(bank, Blueprint(items=8), seed=7)
    assert sorted(form) == sorted(q.id for q in bank)
    assert assemble(bank, Blueprint(items=8), seed=7) == form
    small = assemble(bank, Blueprint(items=4), seed=1)
    assert sorted(q.exam_domain for q in bank if q.id in small) == sorted(
        ["advocacy", "mentoring-education", "recovery-wellness", "ethical-responsibility"]
    )
    with pytest.raises(ExamError) as caught:
        assemble(bank, Blueprint(items=12), seed=1)
    assert str(caught.value) == "The bank has 2 Advocacy item(s); the blueprint needs 3."


def test_scoring_is_exact_overall_and_per_domain(bank):
    answers = {"x-01": 1, "x-02": 2, "x-03": 1, "x-05": 1, "x-06": 4, "x-07": None}
    # right: x-01 (key 1), x-02 (key 2), x-05 (key 1); wrong: x-03 (key 3), x-06 (key 2); blank: x-04, x-07, x-08
    result = score(bank, answers, pass_mark=40)
    assert (result.correct, result.total, result.answered, result.percent, result.passed) == (3, 8, 5, 38, False)
    assert [(d.domain, d.correct, d.total, d.percent) for d in result.by_domain] == [
        ("advocacy", 2, 2, 100),
        ("mentoring-education", 0, 2, 0),
        ("recovery-wellness", 1, 2, 50),
        ("ethical-responsibility", 0, 2, 0),
    ]
    assert score(bank, {q.id: q.key for q in bank}, pass_mark=70).passed
    with pytest.raises(ExamError):
        score(bank, {"zz-99": 1}, pass_mark=70)


def test_answers_and_flags_are_saved_at_once_and_survive_a_new_session(store, isolated_data, bank):
    tia = make_user(store, "Tia")
    exam = store.exams.start(tia, ["x-01", "x-02", "x-03", "x-04"], minutes=30, pass_mark=70)
    store.exams.answer(tia, exam.id, "x-01", 1)
    store.exams.answer(tia, exam.id, "x-01", 3)  # changing an answer keeps one row
    store.exams.flag(tia, exam.id, "x-02", True)
    store.close()
    again = Store.open(isolated_data)
    resumed = again.exams.open_exam(tia)
    assert resumed is not None and resumed.id == exam.id
    assert resumed.answers == {"x-01": 3, "x-02": None}
    assert resumed.flagged == frozenset({"x-02"})
    assert 1790 <= resumed.seconds_left(clock.now()) <= 1800
    again.exams.answer(tia, exam.id, "x-02", key_of("x-02"))
    closed = again.exams.close(tia, exam.id, bank={q.id: q for q in bank}, ended_by="submitted")
    assert (closed.open, closed.correct, closed.percent, closed.ended_by) == (False, 1, 25, "submitted")
    assert again.exams.close(tia, exam.id, bank={}, ended_by="time").ended_by == "submitted"  # first result stays
    missed = {item.ref for item in again.reviews.due(tia, clock.now())}
    # Into spaced review with the close: the wrong answer only. x-03 and x-04 were left blank (wrong in the score,
    # but not something forgotten), so they do not flood the queue.
    assert missed == {"x-01"}
    with pytest.raises(ExamClosed):
        again.exams.answer(tia, exam.id, "x-02", 2)
    again.close()


def test_no_answers_after_the_deadline(store, monkeypatch):
    tia = make_user(store, "Tia")
    exam = store.exams.start(tia, ["x-01", "x-02", "x-03", "x-04"], minutes=5, pass_mark=70)
    later = clock.now() + timedelta(minutes=6)
    monkeypatch.setattr(clock, "now", lambda: later)
    with pytest.raises(ExamClosed) as caught:
        store.exams.answer(tia, exam.id, "x-01", 1)
    assert str(caught.value) == "This exam has ended; your answers were saved when it closed."


def test_exams_are_private(store):
    tia, uma = make_user(store, "Tia"), make_user(store, "Uma")
    exam = store.exams.start(tia, ["x-01", "x-02", "x-03", "x-04"], minutes=30, pass_mark=70)
    with pytest.raises(AccessDenied):
        store.exams.answer(uma, exam.id, "x-01", 1)
    with pytest.raises(AccessDenied):
        store.exams.get(uma, exam.id)
    with pytest.raises(AccessDenied):
        store.exams.history(uma, tia.id)
    assert store.exams.open_exam(uma) is None


# ----------------------------------------------------------------------------------------------- the page
def exam_page(token: str) -> AppTest:
    return app_for(token).switch_page("pages/exam.py").run()


def shown_question(at: AppTest) -> str:
    text = next(m.value for m in at.markdown if re.match(r"\*\*\d+\.\*\* Test question", m.value))
    number = int(re.search(r"Test question (\d+)", text).group(1))
    return f"x-{number:02d}"


@pytest.mark.usefixtures("exam_bank")
def test_a_whole_mock_exam_with_a_refresh_in_the_middle(isolated_data):
    token = session_for(isolated_data, "Tia")
    at = exam_page(token)
    at.number_input(key="exam_items").set_value(8)
    at.number_input(key="exam_minutes").set_value(20)
    at.button(key="exam_start").click().run()
    assert not at.exception

    seen = []
    for _ in range(4):  # answer four questions right, flag the last of them
        qid = shown_question(at)
        seen.append(qid)
        at.radio(key=next(r.key for r in at.radio)).set_value(key_of(qid)).run()
        at.button(key="exam_next").click().run()
    at.checkbox(key=next(c.key for c in at.checkbox)).check().run()
    fifth = shown_question(at)
    on_screen = [b for b in at.button if (b.key or "").startswith("exam_go_") and b.proto.type == "primary"]
    assert [b.key for b in on_screen] == [f"exam_go_{fifth}"]  # the grid marks the question on screen
    assert at.query_params["question"] == "5"  # the address keeps the question on screen

    # A reload keeps the address: the same question again, not question 1.
    reloaded = app_for(token)
    reloaded.query_params["question"] = "2"
    reloaded.switch_page("pages/exam.py").run()
    assert shown_question(reloaded) == seen[1]

    # A refresh: a new browser session with the same sign-in finds the exam where it was, at its first question
    # without an answer.
    again = exam_page(token)
    assert shown_question(again) == fifth
    assert any("4 answered · 1 flagged" in c.value for c in again.caption)
    again.button(key="exam_submit").click().run()
    assert any("4 question(s) have no answer" in w.value for w in again.warning)
    again.button(key="exam_submit_confirm").click().run()
    assert again.subheader[0].value == "Not yet a pass: 50% (pass mark 70%)"
    assert again.caption[0].value == "You submitted the exam. 4 of 8 right; 4 answered."
    assert len([e for e in again.expander if e.label[0].isdigit()]) == 8  # every question, with every rationale
    again.radio(key=next(r.key for r in again.radio if r.key.startswith("exam_review_filter_"))).set_value("missed").run()
    assert [e.label.split(" ", 2)[1] for e in again.expander if e.label[0].isdigit()] == ["(no"] * 4  # the four blanks
    again.radio(key=next(r.key for r in again.radio if r.key.startswith("exam_review_filter_"))).set_value("flagged").run()
    assert [e.label.split(". ", 1)[0] for e in again.expander if e.label[0].isdigit()] == [
        "5"
    ]  # the one flagged (the fifth, on screen when flagged)
    assert sorted(seen) == sorted(set(seen))

    # Progress shows the readiness estimate that rests on this exam, and offers the PDF report.
    again.switch_page("pages/progress.py").run()
    assert not again.exception
    readiness = shown_rows(again.table[0].value)  # the cells as a reader sees them
    assert list(readiness[0]) == ["area", "estimate", "based on"]
    assert list(readiness[0].values()) == ["Advocacy", "too few to say", "2 item(s)"]
    assert len(readiness) == 14  # four exam domains and ten curriculum domains
    assert [b.label for b in again.get("download_button")] == ["Download my progress report (PDF)"]
    assert [(m.label, m.value) for m in again.metric] == [("Due now", "0"), ("Learned", "0"), ("Lapsed", "0")]


@pytest.mark.usefixtures("exam_bank")
def test_when_time_runs_out_the_exam_is_scored_with_the_saved_answers(isolated_data, monkeypatch):
    token = session_for(isolated_data, "Tia")
    at = exam_page(token)
    at.number_input(key="exam_items").set_value(4)
    at.number_input(key="exam_minutes").set_value(5)
    at.button(key="exam_start").click().run()
    qid = shown_question(at)
    at.radio(key=next(r.key for r in at.radio)).set_value(key_of(qid)).run()

    later = clock.now() + timedelta(minutes=5, seconds=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    at.run()
    assert [i.value for i in at.info] == ["Time is up. Your exam was submitted with the answers you had saved."]
    assert at.subheader[0].value == "Not yet a pass: 25% (pass mark 70%)"
    assert at.caption[0].value == "Time ran out; your saved answers were scored. 1 of 4 right; 1 answered."
