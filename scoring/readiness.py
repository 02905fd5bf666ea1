"""Readiness for the certification exam: an estimate of mastery per exam domain and per curriculum domain,
with the number of items each rests on. Pure.

* Exam domain: the share of mock-exam items answered correctly (unanswered counts as missed).
* Curriculum domain: mock-exam items of that domain answered correctly, plus possibilities shown in scenario
  choices, as a share of all the items and criteria of that domain.
An estimate resting on fewer than MIN_BASIS items is shown as "too few to say".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from scenarios import Rubric
from scenarios.questions import EXAM_DOMAINS, Question

MIN_BASIS = 5


@dataclass(frozen=True)
class Estimate:
    area: str
    title: str
    positive: int
    basis: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.positive / self.basis) if self.basis >= MIN_BASIS else None


@dataclass(frozen=True)
class Readiness:
    exam_domains: tuple[Estimate, ...]
    domains: tuple[Estimate, ...]

    def weakest(self, limit: int = 3) -> list[Estimate]:
        """The lowest estimates that rest on enough items, weakest first."""
        known = [e for e in (*self.exam_domains, *self.domains) if e.percent is not None]
        return sorted(known, key=lambda e: (e.percent, -e.basis, e.title))[:limit]


def readiness(exam_items: Sequence[tuple[Question, bool]], hits: pd.DataFrame, rubric: Rubric) -> Readiness:
    """``exam_items``: every item of every finished mock exam with whether it was answered correctly.
    ``hits``: the criterion hits of the trainee's scenario decisions (records' hits frame)."""
    exam_domains = tuple(
        Estimate(
            domain,
            title,
            sum(1 for q, right in exam_items if q.exam_domain == domain and right),
            sum(1 for q, _ in exam_items if q.exam_domain == domain),
        )
        for domain, title in EXAM_DOMAINS.items()
    )
    kinds = {c.id: (c.kind, c.domain) for c in rubric.criteria}
    scenario_positive: dict[str, int] = {}
    scenario_all: dict[str, int] = {}
    for criterion in hits["criterion_id"] if not hits.empty else []:
        if criterion in kinds:
            kind, domain = kinds[criterion]
            scenario_all[domain] = scenario_all.get(domain, 0) + 1
            if kind == "possibility":
                scenario_positive[domain] = scenario_positive.get(domain, 0) + 1
    domains = tuple(
        Estimate(
            d.id,
            d.title,
            scenario_positive.get(d.id, 0) + sum(1 for q, right in exam_items if q.domain == d.id and right),
            scenario_all.get(d.id, 0) + sum(1 for q, _ in exam_items if q.domain == d.id),
        )
        for d in rubric.domains
    )
    return Readiness(exam_domains, domains)
