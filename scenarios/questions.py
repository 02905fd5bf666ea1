"""The exam question bank: multiple-choice items for self-study before the certification exam.

A bank file is YAML read through the same gateway as scenarios (``scenarios.gateway``); ``python -m scenarios
check`` recognises it by its top-level ``questions:`` list. Each item has four options, one key, a rationale for
every option, the rubric criteria and curriculum domain it tests, and an exam domain (IC&RC Peer Recovery).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import Field

from scenarios.checks import Finding, _hint
from scenarios.gateway import Problem, YamlDocument
from scenarios.model import CriterionId, DomainId, Slug, Text, _Strict
from scenarios.rubric import Rubric
from scenarios.similarity import NEAR_DUPLICATE, near_duplicates

ExamDomain = Literal["advocacy", "mentoring-education", "recovery-wellness", "ethical-responsibility"]
EXAM_DOMAINS: dict[str, str] = {
    "advocacy": "Advocacy",
    "mentoring-education": "Mentoring and Education",
    "recovery-wellness": "Recovery/Wellness Support",
    "ethical-responsibility": "Ethical Responsibility",
}
Style = Literal["scenario", "knowledge", "not"]


class Option(_Strict):
    text: Text = Field(description="The answer option as the trainee reads it.")
    why: Text = Field(description="Why this option is right or wrong, shown in the review.")


class Question(_Strict):
    id: Slug = Field(description="Stable id, unique across the bank (e.g. 'adv-014').")
    exam_domain: ExamDomain = Field(description="The IC&RC Peer Recovery exam domain.")
    domain: DomainId = Field(description="The curriculum domain it tests.")
    criteria: list[CriterionId] = Field(min_length=1, max_length=3, description="Rubric criteria the item tests.")
    style: Style = Field(description="scenario: 'A peer says...'; knowledge: a fact or principle; not: 'which is NOT'.")
    stem: Text = Field(description="The question.")
    options: list[Option] = Field(min_length=4, max_length=4, description="Exactly four options.")
    key: int = Field(ge=1, le=4, description="The number (1-4) of the correct option.")


class QuestionBank(_Strict):
    questions: list[Question] = Field(min_length=1)


def check_bank(bank: QuestionBank, rubric: Rubric) -> list[Finding]:
    """Problems beyond the schema: unknown criteria, repeated ids or options, 'NOT' items that do not say so."""
    findings: list[Finding] = []
    seen: dict[str, int] = {}
    for index, question in enumerate(bank.questions):
        here = ("questions", index)
        if question.id in seen:
            findings.append(
                Finding((*here, "id"), f"question id '{question.id}' is already used by question {seen[question.id] + 1}")
            )
        seen.setdefault(question.id, index)
        for position, criterion in enumerate(question.criteria):
            if criterion not in rubric:
                hint = _hint(criterion, sorted(rubric.by_id))
                findings.append(Finding((*here, "criteria", position), f"unknown criterion '{criterion}'{hint}"))
        texts = [o.text.casefold() for o in question.options]
        for position, text in enumerate(texts):
            if texts.index(text) != position:
                findings.append(Finding((*here, "options", position, "text"), "this option repeats an earlier one"))
        if question.style == "not" and " NOT " not in f" {question.stem} ":
            findings.append(Finding((*here, "stem"), "a 'not' item must say NOT, in capitals, in its stem"))
        if question.style != "not" and " NOT " in f" {question.stem} ":
            findings.append(Finding((*here, "style"), "the stem says NOT: set style: not"))
    return findings


def check_near_duplicates(banks: Sequence[tuple[YamlDocument, QuestionBank]], threshold: float = NEAR_DUPLICATE) -> list[Problem]:
    """Items across all the bank files given whose stem + key are too alike (:mod:`scenarios.similarity`).

    An error at the later item's id, naming the earlier item and where it stands: on one exam form either item
    would give the other away. Two items with one id are left to the check on ids.
    """
    where: list[tuple[YamlDocument, int, Question]] = [
        (doc, index, question) for doc, bank in banks for index, question in enumerate(bank.questions)
    ]
    pairs = near_duplicates([(q.stem, q.options[q.key - 1].text) for _, _, q in where], threshold)
    problems = []
    for pair in sorted(pairs, key=lambda p: (p.second, p.first)):
        first_doc, first_index, first = where[pair.first]
        doc, index, question = where[pair.second]
        if question.id == first.id:
            continue  # one item given twice: its id, used twice, is the error to fix
        line = first_doc.locate(("questions", first_index, "id")).line
        problems.append(
            doc.problem(
                ("questions", index, "id"),
                f"'{question.id}' is a near-duplicate of '{first.id}' ({first_doc.source}:{line}): their stems and keys "
                f"are {pair.score:.2f} alike (the limit is {threshold:.2f}), so on one exam form either gives the other "
                "away; rewrite one to test something different, or remove it",
            )
        )
    return problems


def duplicate_ids(banks: Sequence[QuestionBank]) -> list[str]:
    """Question ids used in more than one bank file."""
    counts: dict[str, int] = {}
    for bank in banks:
        for question in bank.questions:
            counts[question.id] = counts.get(question.id, 0) + 1
    return sorted(i for i, n in counts.items() if n > 1)


@dataclass(frozen=True)
class BankCoverage:
    total: int
    by_exam_domain: dict[str, int]
    by_domain: dict[str, int]
    by_criterion: dict[str, int]
    by_style: dict[str, int]
    min_total: int

    @property
    def missing(self) -> list[str]:
        gaps = [f"exam domain {d}" for d, n in self.by_exam_domain.items() if n == 0]
        gaps += [f"domain {d}" for d, n in self.by_domain.items() if n == 0]
        gaps += [c for c, n in self.by_criterion.items() if n == 0]
        if self.total < self.min_total:
            gaps.append(f"{self.min_total - self.total} more question(s) to reach {self.min_total}")
        return gaps


def bank_coverage(banks: Sequence[QuestionBank], rubric: Rubric, *, min_total: int = 150) -> BankCoverage:
    questions = [q for bank in banks for q in bank.questions]
    return BankCoverage(
        total=len(questions),
        by_exam_domain={d: sum(q.exam_domain == d for q in questions) for d in EXAM_DOMAINS},
        by_domain={d.id: sum(q.domain == d.id for q in questions) for d in rubric.domains},
        by_criterion={c.id: sum(c.id in q.criteria for q in questions) for c in rubric.criteria},
        by_style={s: sum(q.style == s for q in questions) for s in ("scenario", "knowledge", "not")},
        min_total=min_total,
    )
