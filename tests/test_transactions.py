"""One user action, one write transaction; reads whose statement count does not grow with the records read.
Counted with SQLAlchemy engine events on the store's own engine."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from sqlalchemy import Engine, event

from records import Store, clock
from scenarios import LoadedScenario
from scenarios.questions import Question
from tests.helpers import app_for, make_user, record_first_choice, session_for


@dataclass
class Counts:
    begins: int = 0
    commits: int = 0
    statements: list[str] = field(default_factory=list)

    @property
    def writes(self) -> list[str]:
        return [s for s in self.statements if s.split(None, 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}]


@contextmanager
def counting(engine: Engine) -> Iterator[Counts]:
    counts = Counts()

    def on_begin(connection):  # type: ignore[no-untyped-def]
        counts.begins += 1

    def on_commit(connection):  # type: ignore[no-untyped-def]
        counts.commits += 1

    def on_statement(connection, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        counts.statements.append(statement.strip())

    listeners = [("begin", on_begin), ("commit", on_commit), ("before_cursor_execute", on_statement)]
    for name, listener in listeners:
        event.listen(engine, name, listener)
    try:
        yield counts
    finally:
        for name, listener in listeners:
            event.remove(engine, name, listener)


def question(number: int) -> Question:
    return Question.model_construct(id=f"q-{number:02d}", key=1 + number % 4, exam_domain="advocacy")


def test_closing_a_fifty_question_exam_answered_wrongly_is_one_write_transaction(store):
    tia = make_user(store, "Tia")
    bank = {q.id: q for q in (question(n) for n in range(1, 51))}
    exam = store.exams.start(tia, list(bank), minutes=90, pass_mark=70)
    for q in bank.values():
        store.exams.answer(tia, exam.id, q.id, q.key % 4 + 1)  # each one wrong (saved as answered, before closing)
    with counting(store.engine) as counts:
        closed = store.exams.close(tia, exam.id, bank=bank, ended_by="submitted")
    assert (counts.begins, counts.commits) == (1, 1)
    assert (closed.correct, closed.percent, closed.ended_by) == (0, 0, "submitted")
    queued = store.reviews.due(tia, clock.now(), limit=100)
    assert sorted(item.ref for item in queued) == sorted(bank)  # every wrong answer, in that one transaction
    assert {item.kind for item in queued} == {"question"}


def test_a_practice_choice_with_a_pitfall_is_one_write_transaction(store, mini: LoadedScenario, rubric):
    tia = make_user(store, "Tia")
    attempt = store.start_attempt(
        tia, scenario_id=mini.id, content_hash=mini.content_hash, source=mini.text, start=mini.scenario.start, mode="coached"
    )
    pitfall = next(c for c in mini.scenario.nodes["open"].choices if any(k.startswith("pf.") for k in c.criteria))
    with counting(store.engine) as counts:
        decision = store.practice.record_choice(
            tia, attempt.id, step=1, node_id="open", choice_id=pitfall.id, time_taken_ms=500, loaded=mini, rubric=rubric
        )
    assert (counts.begins, counts.commits) == (1, 1)
    assert decision.points == rubric.points(pitfall.criteria)  # computed by records, not passed in
    assert decision.criteria == tuple(sorted(set(pitfall.criteria)))
    [card] = store.reviews.due(tia, clock.now())
    assert card.ref == f"{mini.content_hash}:open:{pitfall.id}"


def review_statements(isolated_data: str, name: str, attempts: int, mini: LoadedScenario) -> int:
    """Statements run by one rerun of the Review page for a trainee with ``attempts`` conversations."""
    from ui import services

    token = session_for(isolated_data, name)
    store = Store.open(isolated_data)
    try:
        trainee = store.accounts.user_for_session(token)
        assert trainee is not None
        for _ in range(attempts):
            record_first_choice(store, trainee, mini)
    finally:
        store.close()
    at = app_for(token)
    at.switch_page("pages/review.py").run()
    assert not at.exception, at.exception
    assert len(at.selectbox(key="review_pick").options) == attempts
    with counting(services.store().engine) as counts:
        at.run()
    assert not at.exception, at.exception
    return len(counts.statements)


@pytest.mark.apptest
@pytest.mark.usefixtures("fixture_library")
def test_review_reads_in_the_same_number_of_statements_for_5_and_80_conversations(isolated_data, mini):
    assert review_statements(isolated_data, "Ana", 5, mini) == review_statements(isolated_data, "Bea", 80, mini)
