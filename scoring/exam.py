"""Mock exams: assembling a form from the question bank by a blueprint, and scoring it. Pure.

The default blueprint is modeled on the Pennsylvania Certification Board CPS exam: 50 multiple-choice items in
90 minutes. Items are spread evenly over the four IC&RC Peer Recovery domains. Programs can change the number
of items, the minutes and the pass mark.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from scenarios.questions import EXAM_DOMAINS, Question


class ExamError(ValueError):
    """A blueprint the bank cannot fill, or answers that do not fit the form."""


@dataclass(frozen=True)
class Blueprint:
    items: int = 50
    minutes: int = 90
    pass_mark: int = 70  # percent
    domains: tuple[str, ...] = tuple(EXAM_DOMAINS)

    def __post_init__(self) -> None:
        if not 4 <= self.items <= 200:
            raise ExamError("A mock exam has between 4 and 200 items.")
        if not 5 <= self.minutes <= 300:
            raise ExamError("A mock exam lasts between 5 and 300 minutes.")
        if not 1 <= self.pass_mark <= 100:
            raise ExamError("The pass mark is a percentage from 1 to 100.")

    def per_domain(self) -> dict[str, int]:
        """Items per exam domain: an even split, the remainder going to the first domains."""
        base, extra = divmod(self.items, len(self.domains))
        return {d: base + (1 if i < extra else 0) for i, d in enumerate(self.domains)}


def assemble(bank: Sequence[Question], blueprint: Blueprint, seed: int) -> list[str]:
    """The ids of one exam form: the blueprint's count from each domain, drawn and shuffled by ``seed``."""
    rng = random.Random(seed)
    chosen: list[str] = []
    for domain, count in blueprint.per_domain().items():
        pool = sorted(q.id for q in bank if q.exam_domain == domain)
        if len(pool) < count:
            raise ExamError(f"The bank has {len(pool)} {EXAM_DOMAINS[domain]} item(s); the blueprint needs {count}.")
        chosen.extend(rng.sample(pool, count))
    rng.shuffle(chosen)
    return chosen


@dataclass(frozen=True)
class DomainResult:
    domain: str
    title: str
    correct: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.correct / self.total) if self.total else 0


@dataclass(frozen=True)
class ExamResult:
    correct: int
    total: int
    answered: int
    pass_mark: int
    by_domain: tuple[DomainResult, ...] = field(default_factory=tuple)

    @property
    def percent(self) -> int:
        return round(100 * self.correct / self.total) if self.total else 0

    @property
    def passed(self) -> bool:
        return self.percent >= self.pass_mark


def score(questions: Sequence[Question], answers: Mapping[str, int | None], pass_mark: int) -> ExamResult:
    """Score a form: an item is right when its answer is the key; unanswered items count as wrong."""
    ids = {q.id for q in questions}
    stray = sorted(set(answers) - ids)
    if stray:
        raise ExamError(f"answers for items not on this exam: {', '.join(stray)}")
    right = {q.id for q in questions if answers.get(q.id) == q.key}
    by_domain = tuple(
        DomainResult(
            domain,
            title,
            sum(1 for q in questions if q.exam_domain == domain and q.id in right),
            sum(1 for q in questions if q.exam_domain == domain),
        )
        for domain, title in EXAM_DOMAINS.items()
        if any(q.exam_domain == domain for q in questions)
    )
    answered = sum(1 for q in questions if answers.get(q.id) is not None)
    return ExamResult(len(right), len(questions), answered, pass_mark, by_domain)
