"""Running a mock exam for the Exam page: assembling a form (scoring.exam) from the bank, and the exam's records
(records.exams, which scores an exam when it closes)."""

from __future__ import annotations

import secrets

from records import Exam, User, clock
from scenarios.questions import Question
from scoring.exam import Blueprint, ExamResult, assemble, score
from ui import services


def start(user: User, blueprint: Blueprint) -> Exam:
    items = assemble(list(services.bank().values()), blueprint, seed=secrets.randbits(32))
    return services.store().exams.start(user, items, blueprint.minutes, blueprint.pass_mark)


def questions_of(exam: Exam) -> list[Question]:
    bank = services.bank()
    return [bank[i] for i in exam.items if i in bank]


def result_of(exam: Exam) -> ExamResult:
    return score(questions_of(exam), exam.answers, exam.pass_mark)


def current(user: User) -> Exam | None:
    """The exam in progress. One whose time has run out is closed and scored now, and returned closed."""
    exam = services.store().exams.open_exam(user)
    if exam is not None and seconds_left(exam) == 0:
        return close(user, exam, ended_by="time")
    return exam


def seconds_left(exam: Exam) -> int:
    return exam.seconds_left(clock.now())


def close(user: User, exam: Exam, *, ended_by: str) -> Exam:
    """Score and close the exam; records puts every missed item in the trainee's spaced-review queue with it."""
    return services.store().exams.close(user, exam.id, bank=services.bank(), ended_by=ended_by)
