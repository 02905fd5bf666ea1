"""Mock exam records: the form, every answer and flag as it is made, the deadline, and the result.

An exam in progress survives a refresh or a restart: it is all in the database. Time is kept by the server
(the deadline), never by the browser.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, insert, select, update

from records import cards, clock, xapi_rows
from records.access import AccessDenied, User, require_see, require_self
from records.base import Repository
from records.errors import ExamClosed
from records.lti_rows import queue_exam_score
from records.tables import exam_answers, exams
from scenarios.questions import Question
from scoring.exam import score
from scoring.shuffle import new_seed, option_order


@dataclass(frozen=True)
class Exam:
    id: int
    user_id: int
    items: tuple[str, ...]
    minutes: int
    pass_mark: int
    started_at: datetime
    deadline_at: datetime
    submitted_at: datetime | None
    ended_by: str | None
    correct: int | None
    percent: int | None
    answers: dict[str, int | None]
    flagged: frozenset[str]
    shuffle_seed: str | None = None
    """The order each question's options are shown in (scoring.shuffle.option_order); None: file order."""

    def option_order(self, question_id: str, count: int) -> list[int]:
        """The option numbers of a question in the order this form shows them (answers keep their numbers)."""
        return option_order(self.shuffle_seed, question_id, count)

    @property
    def open(self) -> bool:
        return self.submitted_at is None

    def seconds_left(self, moment: datetime) -> int:
        return max(0, int((self.deadline_at - moment).total_seconds()))


class Exams(Repository):
    def _load(self, connection: Connection, exam_id: int) -> Exam:
        row = connection.execute(select(exams).where(exams.c.id == exam_id)).first()
        if row is None:
            raise AccessDenied("There is no such exam.")
        answers = connection.execute(select(exam_answers).where(exam_answers.c.exam_id == exam_id)).all()
        return Exam(
            id=row.id,
            user_id=row.user_id,
            items=tuple(row.items.split(",")),
            minutes=row.minutes,
            pass_mark=row.pass_mark,
            started_at=row.started_at,
            deadline_at=row.deadline_at,
            submitted_at=row.submitted_at,
            ended_by=row.ended_by,
            correct=row.correct,
            percent=row.percent,
            answers={a.question_id: a.choice for a in answers},
            flagged=frozenset(a.question_id for a in answers if a.flagged),
            shuffle_seed=row.shuffle_seed,
        )

    def start(self, actor: User, items: list[str], minutes: int, pass_mark: int) -> Exam:
        moment = clock.now()
        with self._write() as connection:
            new_id = connection.execute(
                insert(exams).values(
                    user_id=actor.id,
                    items=",".join(items),
                    minutes=minutes,
                    pass_mark=pass_mark,
                    started_at=moment,
                    deadline_at=moment + timedelta(minutes=minutes),
                    shuffle_seed=new_seed(),
                )
            ).inserted_primary_key
            assert new_id is not None
            xapi_rows.exam_started(connection, int(new_id[0]))
            return self._load(connection, int(new_id[0]))

    def get(self, actor: User, exam_id: int) -> Exam:
        with self._read() as connection:
            exam = self._load(connection, exam_id)
            require_see(connection, actor, exam.user_id)
        return exam

    def open_exam(self, actor: User) -> Exam | None:
        """The actor's newest exam not yet closed (neither submitted nor closed at its time-out), or None. Its
        deadline may have passed: the caller closes it then (ui.exam.current)."""
        with self._read() as connection:
            row = connection.execute(
                select(exams.c.id)
                .where(exams.c.user_id == actor.id, exams.c.submitted_at.is_(None))
                .order_by(exams.c.started_at.desc())
                .limit(1)
            ).first()
            return self._load(connection, row.id) if row is not None else None

    def history(self, actor: User, user_id: int) -> list[Exam]:
        with self._read() as connection:
            require_see(connection, actor, user_id)
            ids = connection.execute(select(exams.c.id).where(exams.c.user_id == user_id).order_by(exams.c.started_at)).scalars()
            return [self._load(connection, i) for i in ids]

    def _writable(self, connection: Connection, actor: User, exam_id: int) -> Exam:
        connection.execute(select(exams.c.id).where(exams.c.id == exam_id).with_for_update())
        exam = self._load(connection, exam_id)
        require_self(actor, exam.user_id)
        if not exam.open or clock.now() >= exam.deadline_at:
            raise ExamClosed("This exam has ended; your answers were saved when it closed.")
        return exam

    def _upsert(self, connection: Connection, exam: Exam, question_id: str, **values: object) -> None:
        if question_id not in exam.items:
            raise ValueError(f"'{question_id}' is not on this exam")
        exists = question_id in exam.answers or question_id in exam.flagged
        if exists:
            connection.execute(
                update(exam_answers)
                .where(exam_answers.c.exam_id == exam.id, exam_answers.c.question_id == question_id)
                .values(updated_at=clock.now(), **values)
            )
        else:
            connection.execute(
                insert(exam_answers).values(exam_id=exam.id, question_id=question_id, updated_at=clock.now(), **values)
            )

    def answer(self, actor: User, exam_id: int, question_id: str, choice: int | None) -> None:
        """Record (or clear) an answer; committed at once."""
        if choice is not None and not 1 <= choice <= 4:
            raise ValueError("an answer is a number from 1 to 4")
        with self._write() as connection:
            exam = self._writable(connection, actor, exam_id)
            self._upsert(connection, exam, question_id, choice=choice)

    def flag(self, actor: User, exam_id: int, question_id: str, flagged: bool) -> None:
        with self._write() as connection:
            exam = self._writable(connection, actor, exam_id)
            self._upsert(connection, exam, question_id, flagged=flagged)

    def close(self, actor: User, exam_id: int, *, bank: Mapping[str, Question], ended_by: str) -> Exam:
        """Score the exam on ``bank`` (question id -> question; items no longer in it are left out) and record the
        result; every item answered wrongly enters the trainee's spaced-review queue (an unanswered one is not a
        memory lapse: it counts as wrong in the score, but time or a skip left it, so it is not queued as forgotten).
        One transaction, whatever the number of items. ``ended_by`` is 'submitted' or 'time'. Closing twice keeps the first result."""
        with self._write() as connection:
            connection.execute(select(exams.c.id).where(exams.c.id == exam_id).with_for_update())
            exam = self._load(connection, exam_id)
            require_self(actor, exam.user_id)
            if exam.open:
                moment = clock.now()
                questions = [bank[i] for i in exam.items if i in bank]
                result = score(questions, exam.answers, exam.pass_mark)
                connection.execute(
                    update(exams)
                    .where(exams.c.id == exam_id)
                    .values(submitted_at=moment, ended_by=ended_by, correct=result.correct, percent=result.percent)
                )
                for question in questions:
                    chosen = exam.answers.get(question.id)
                    if chosen is not None and chosen != question.key:
                        cards.add(connection, exam.user_id, cards.QUESTION, question.id, moment)
                xapi_rows.exam_closed(connection, exam_id, scored_items=result.total)
                queue_exam_score(connection, exam.user_id, exam_id, exam.started_at, result.percent, moment)  # LMS gradebook
                exam = self._load(connection, exam_id)
            return exam
