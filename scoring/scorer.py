"""The pure scorer: feedback for one choice, and a summary of a whole attempt.

Scoring rules (also shown to trainees in the README and on the Practice page):

* A choice's **points** are the sum of its criteria: each possibility adds its weight, each pitfall subtracts
  its weight (weights default to 1; sharing without consent weighs 2).
* An attempt's **points** are the sum of its choices' points.
* The **strongest path** is the path from the start to an ending with the most points; the **weakest path** the
  one with the fewest. Paths never visit a node twice.
* The **score** places the attempt between them: ``100 * (points - weakest) / (strongest - weakest)``, rounded
  and kept within 0..100. 100 means the attempt matched the strongest path; 0 the weakest. When every path
  scores the same, the score is 100.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from scenarios import Choice, Rubric, Scenario
from scenarios.checks import extreme_path


class PlayError(ValueError):
    """A choice that does not belong where it was made (stale page, edited scenario)."""


@dataclass(frozen=True)
class CriterionHit:
    id: str
    kind: str
    title: str
    description: str
    domain: str
    domain_title: str
    points: int


@dataclass(frozen=True)
class Feedback:
    node_id: str
    choice_id: str
    say: str
    why: str
    points: int
    best_points: int
    hits: tuple[CriterionHit, ...]
    stronger: Choice | None
    next_id: str

    @property
    def pitfalls(self) -> tuple[CriterionHit, ...]:
        return tuple(h for h in self.hits if h.kind == "pitfall")

    @property
    def possibilities(self) -> tuple[CriterionHit, ...]:
        return tuple(h for h in self.hits if h.kind == "possibility")

    @property
    def verdict(self) -> str:
        """'strongest', 'helpful', 'mixed' or 'pitfall' (words, so nothing depends on colour)."""
        if self.pitfalls and self.possibilities:
            return "mixed"
        if self.pitfalls:
            return "pitfall"
        return "strongest" if self.points >= self.best_points else "helpful"


@dataclass(frozen=True)
class PathStep:
    node_id: str
    choice_id: str
    points: int


@dataclass(frozen=True)
class Path:
    points: int
    steps: tuple[PathStep, ...]
    ending_id: str


@dataclass(frozen=True)
class DomainTally:
    possibilities: int = 0
    pitfalls: int = 0


@dataclass(frozen=True)
class Summary:
    points: int
    score: int
    strongest: Path
    weakest: Path
    steps: tuple[PathStep, ...]
    ending_id: str | None
    possibilities: Counter[str] = field(default_factory=Counter)
    pitfalls: Counter[str] = field(default_factory=Counter)
    domains: dict[str, DomainTally] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return self.ending_id is not None


def hits_for(criteria: Sequence[str], rubric: Rubric) -> tuple[CriterionHit, ...]:
    hits = []
    for criterion_id in criteria:
        criterion = rubric.by_id.get(criterion_id)
        if criterion is None:
            continue
        hits.append(
            CriterionHit(
                id=criterion.id,
                kind=criterion.kind,
                title=criterion.title,
                description=criterion.description,
                domain=criterion.domain,
                domain_title=rubric.domain(criterion.domain).title,
                points=criterion.signed_weight,
            )
        )
    return tuple(hits)


def feedback(scenario: Scenario, node_id: str, choice_id: str, rubric: Rubric) -> Feedback:
    """What a trainee learns from one choice: criteria, why, and a stronger response where there is one."""
    if node_id not in scenario.nodes:
        raise PlayError(f"'{node_id}' is not a decision point in '{scenario.id}'")
    node = scenario.nodes[node_id]
    by_id = {c.id: c for c in node.choices}
    if choice_id not in by_id:
        raise PlayError(f"'{choice_id}' is not a choice at '{node_id}' in '{scenario.id}'")
    choice = by_id[choice_id]
    points = rubric.points(choice.criteria)
    best = max(rubric.points(c.criteria) for c in node.choices)
    stronger = by_id.get(choice.better) if choice.better else None
    if stronger is None and points < best:
        stronger = max(node.choices, key=lambda c: rubric.points(c.criteria))
    return Feedback(
        node_id=node_id,
        choice_id=choice_id,
        say=choice.say,
        why=choice.why,
        points=points,
        best_points=best,
        hits=hits_for(choice.criteria, rubric),
        stronger=stronger,
        next_id=choice.next,
    )


def _extreme_path(scenario: Scenario, rubric: Rubric, *, best: bool) -> Path:
    found = extreme_path(scenario, lambda choice: rubric.points(choice.criteria), best=best)
    if found is None:  # the checks rule this out; keep the scorer total anyway
        return Path(0, (), "")
    return Path(found.total, tuple(PathStep(*step) for step in found.steps), found.ending_id)


def strongest_path(scenario: Scenario, rubric: Rubric) -> Path:
    return _extreme_path(scenario, rubric, best=True)


def weakest_path(scenario: Scenario, rubric: Rubric) -> Path:
    return _extreme_path(scenario, rubric, best=False)


def score(points: int, strongest: int, weakest: int) -> int:
    if strongest <= weakest:
        return 100
    return max(0, min(100, round(100 * (points - weakest) / (strongest - weakest))))


def advance(scenario: Scenario, node_id: str, choice_id: str) -> str:
    """The node or ending a choice leads to; raises PlayError for a choice that does not belong there."""
    if node_id not in scenario.nodes:
        raise PlayError(f"'{node_id}' is not a decision point in '{scenario.id}'")
    for choice in scenario.nodes[node_id].choices:
        if choice.id == choice_id:
            return choice.next
    raise PlayError(f"'{choice_id}' is not a choice at '{node_id}' in '{scenario.id}'")


def summarize(scenario: Scenario, decisions: Sequence[tuple[str, str]], rubric: Rubric) -> Summary:
    """Summarise an attempt given its (node, choice) decisions in order; checks that they form a path."""
    current = scenario.start
    steps: list[PathStep] = []
    possibilities: Counter[str] = Counter()
    pitfalls: Counter[str] = Counter()
    domains: dict[str, list[int]] = {}
    for node_id, choice_id in decisions:
        if node_id != current:
            raise PlayError(f"decision at '{node_id}' does not follow the path (expected '{current}')")
        if node_id not in scenario.nodes:
            raise PlayError(f"'{node_id}' is not a decision point in '{scenario.id}'")
        try:
            choice = scenario.choice(node_id, choice_id)
        except KeyError:
            raise PlayError(f"'{choice_id}' is not a choice at '{node_id}' in '{scenario.id}'") from None
        steps.append(PathStep(node_id, choice_id, rubric.points(choice.criteria)))
        for hit in hits_for(choice.criteria, rubric):
            tally = domains.setdefault(hit.domain, [0, 0])
            if hit.kind == "possibility":
                possibilities[hit.id] += 1
                tally[0] += 1
            else:
                pitfalls[hit.id] += 1
                tally[1] += 1
        current = choice.next
    strongest = strongest_path(scenario, rubric)
    weakest = weakest_path(scenario, rubric)
    points = sum(step.points for step in steps)
    return Summary(
        points=points,
        score=score(points, strongest.points, weakest.points),
        strongest=strongest,
        weakest=weakest,
        steps=tuple(steps),
        ending_id=current if current in scenario.endings else None,
        possibilities=possibilities,
        pitfalls=pitfalls,
        domains={d: DomainTally(*counts) for d, counts in sorted(domains.items())},
    )
