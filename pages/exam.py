"""Mock exam: timed multiple-choice practice by an exam blueprint, with flags, navigation and a full review."""

from __future__ import annotations

import streamlit as st

from records import Exam, ExamClosed, User
from scenarios.questions import EXAM_DOMAINS, Question
from scoring.exam import Blueprint, ExamError
from ui import exam as runner
from ui import identity, services, state
from ui.render import esc, text_table

user = identity.require_user()
st.title("Mock exam")


def item_key(exam: Exam) -> str:
    return f"{state.EXAM_ITEM}.{exam.id}"


def current_index(exam: Exam, questions: list[Question]) -> int:
    """The question on screen: this session's, else the one in the address (a reload keeps it), else the first
    without an answer."""
    if item_key(exam) in st.session_state:
        return int(st.session_state[item_key(exam)])
    asked = st.query_params.get("question", "")
    if asked.isdigit() and 1 <= int(asked) <= len(questions):
        return int(asked) - 1
    return next((i for i, q in enumerate(questions) if exam.answers.get(q.id) is None), 0)


def show_start(user: User) -> None:
    bank = services.bank()
    st.markdown(
        "Practice under exam conditions. The default is modeled on the Pennsylvania Certification Board CPS exam: "
        "**50 multiple-choice questions in 90 minutes**, spread over the four IC&RC Peer Recovery domains. "
        "Your answers are saved as you go, so a refresh or a lost connection loses nothing; the clock keeps running."
    )
    with st.expander("Exam settings", icon=":material/tune:"):
        items = st.number_input(
            "Questions", min_value=4, max_value=min(200, len(bank)), value=min(50, len(bank)), key="exam_items"
        )
        minutes = st.number_input("Minutes", min_value=5, max_value=300, value=90, key="exam_minutes")
        pass_mark = st.number_input("Pass mark (%)", min_value=1, max_value=100, value=70, key="exam_pass_mark")
    if st.button("Start the exam", type="primary", key="exam_start", icon=":material/timer:"):
        try:
            exam = runner.start(user, Blueprint(int(items), int(minutes), int(pass_mark)))
        except ExamError as exc:
            st.error(esc(str(exc)))
        else:
            st.session_state[item_key(exam)] = 0
            st.rerun()
    history = services.store().exams.history(user, user.id)
    done = [e for e in history if not e.open]
    if done:
        st.subheader("Your past exams")
        for past in reversed(done[-10:]):
            outcome = "passed" if (past.percent or 0) >= past.pass_mark else "not yet passed"
            cols = st.columns([3, 1])
            cols[0].markdown(
                f"{past.started_at:%d %b %Y %H:%M} · {len(past.items)} questions · **{past.percent}%** ({outcome}, "
                f"pass mark {past.pass_mark}%)" + (" · time ran out" if past.ended_by == "time" else "")
            )
            if cols[1].button("Review", key=f"exam_review_{past.id}"):
                st.session_state[state.EXAM_REVIEW] = past.id
                st.rerun()


@st.fragment(run_every=1)
def clock(exam: Exam) -> None:
    left = runner.seconds_left(exam)
    minutes, seconds = divmod(left, 60)
    st.markdown(f":material/timer: **Time left: {minutes:02d}:{seconds:02d}**")
    if left == 0:
        st.rerun(scope="app")  # the page closes and scores the exam


def show_exam(user: User, exam: Exam) -> None:
    questions = runner.questions_of(exam)
    store = services.store()
    index = min(current_index(exam, questions), len(questions) - 1)
    st.query_params["question"] = str(index + 1)  # a reload (a new browser session) comes back to this question
    question = questions[index]
    clock(exam)
    counts = st.empty()  # filled after this run's answer and flag are saved, so it is never one click behind
    st.markdown(f"**{index + 1}.** {esc(question.stem)}")

    current = exam.answers.get(question.id)
    shown = exam.option_order(question.id, len(question.options))  # this form's order; answers keep their numbers
    choice = st.radio(
        "Your answer",
        shown,
        index=None if current is None else shown.index(current),
        format_func=lambda n: f"{'ABCD'[shown.index(n)]}. {esc(question.options[n - 1].text)}",  # radio options are Markdown
        key=f"exam_{exam.id}_{question.id}",
    )
    flagged = st.checkbox(
        "Flag this question to come back to", value=question.id in exam.flagged, key=f"flag_{exam.id}_{question.id}"
    )
    try:
        if choice != current:
            store.exams.answer(user, exam.id, question.id, choice)
        if flagged != (question.id in exam.flagged):
            store.exams.flag(user, exam.id, question.id, flagged)
    except ExamClosed as exc:
        st.warning(esc(str(exc)))
        st.rerun()
    exam = store.exams.get(user, exam.id)
    answered = sum(1 for q in questions if exam.answers.get(q.id) is not None)
    counts.caption(f"Question {index + 1} of {len(questions)} · {answered} answered · {len(exam.flagged)} flagged")

    cols = st.columns(3)
    if cols[0].button("Previous", key="exam_prev", disabled=index == 0, icon=":material/arrow_back:"):
        st.session_state[item_key(exam)] = index - 1
        st.rerun()
    if cols[1].button("Next", key="exam_next", disabled=index == len(questions) - 1, icon=":material/arrow_forward:"):
        st.session_state[item_key(exam)] = index + 1
        st.rerun()
    if cols[2].button("Submit the exam", key="exam_submit", type="primary"):
        st.session_state[state.EXAM_CONFIRM] = True
        st.rerun()

    if st.session_state.get(state.EXAM_CONFIRM):
        fresh = store.exams.get(user, exam.id)
        missing = sum(1 for q in questions if fresh.answers.get(q.id) is None)
        with st.container(border=True):
            if missing:
                st.warning(f"{missing} question(s) have no answer; they will count as wrong.")
            st.markdown("Submit now? You cannot change answers afterwards.")
            confirm = st.columns(2)
            if confirm[0].button("Yes, submit", key="exam_submit_confirm", type="primary"):
                st.session_state.pop(state.EXAM_CONFIRM, None)
                closed = runner.close(user, fresh, ended_by="submitted")
                st.session_state[state.EXAM_REVIEW] = closed.id
                st.rerun()
            if confirm[1].button("Keep working", key="exam_submit_cancel"):
                st.session_state.pop(state.EXAM_CONFIRM, None)
                st.rerun()

    with st.expander("All questions", expanded=False, icon=":material/apps:"):
        st.caption("✓ answered · ⚑ flagged · the question on screen is highlighted")
        per_row = 10
        for start in range(0, len(questions), per_row):
            row = st.columns(per_row)
            for offset, q in enumerate(questions[start : start + per_row]):
                number = start + offset + 1
                marks = ("✓" if exam.answers.get(q.id) is not None else "") + ("⚑" if q.id in exam.flagged else "")
                here = number - 1 == index
                if row[offset].button(
                    f"{number}{marks}",
                    key=f"exam_go_{q.id}",
                    help=f"Question {number}, on screen now" if here else f"Go to question {number}",
                    type="primary" if here else "secondary",
                ):
                    st.session_state[item_key(exam)] = number - 1
                    st.rerun()


REVIEW_FILTERS = {"all": "Every question", "missed": "Missed or unanswered", "flagged": "Flagged"}


def show_review(user: User, exam_id: int) -> None:
    exam = services.store().exams.get(user, exam_id)
    result = runner.result_of(exam)
    verdict = "You passed" if result.passed else "Not yet a pass"
    ended = "Time ran out; your saved answers were scored." if exam.ended_by == "time" else "You submitted the exam."
    st.subheader(f"{verdict}: {result.percent}% (pass mark {result.pass_mark}%)")
    st.caption(f"{ended} {result.correct} of {result.total} right; {result.answered} answered.")
    text_table(
        [{"exam domain": d.title, "right": d.correct, "questions": d.total, "score": f"{d.percent}%"} for d in result.by_domain]
    )
    st.markdown("#### Every question, with why")
    which = st.radio(
        "Show",
        list(REVIEW_FILTERS),
        format_func=REVIEW_FILTERS.__getitem__,
        horizontal=True,
        key=f"exam_review_filter_{exam.id}",
    )
    listed = 0
    for number, question in enumerate(runner.questions_of(exam), start=1):
        chosen = exam.answers.get(question.id)
        mark = "right" if chosen == question.key else ("no answer" if chosen is None else "missed")
        if (which == "missed" and mark == "right") or (which == "flagged" and question.id not in exam.flagged):
            continue
        listed += 1
        with st.expander(f"{number}. ({mark}) {esc(question.stem[:90])}{'…' if len(question.stem) > 90 else ''}"):
            st.markdown(esc(question.stem))
            st.caption(EXAM_DOMAINS[question.exam_domain])
            for letter, n in zip("ABCD", exam.option_order(question.id, len(question.options)), strict=False):
                option = question.options[n - 1]
                tags = []
                if n == question.key:
                    tags.append("correct answer")
                if n == chosen:
                    tags.append("your answer")
                label = f" ({', '.join(tags)})" if tags else ""
                st.markdown(f"**{letter}.** {esc(option.text)}{label}  \n{esc(option.why)}")
    if not listed:
        st.caption("No question fits this choice." if which != "missed" else "You missed none: every answer was right.")
    if st.button("Back to mock exams", key="exam_review_done"):
        st.session_state.pop(state.EXAM_REVIEW, None)
        st.rerun()


current = runner.current(user)
if current is None or not current.open:
    st.query_params.pop("question", None)
if current is not None and current.open:
    show_exam(user, current)
elif current is not None:  # its time ran out just now: it was scored with the answers saved so far
    st.info("Time is up. Your exam was submitted with the answers you had saved.")
    st.session_state[state.EXAM_REVIEW] = current.id
    show_review(user, current.id)
elif st.session_state.get(state.EXAM_REVIEW):
    show_review(user, int(st.session_state[state.EXAM_REVIEW]))
else:
    show_start(user)
