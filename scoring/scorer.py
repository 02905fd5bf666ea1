"""The pure scorer: feedback for one choice, and a summary of a whole attempt.

Scoring version 2 (:data:`SCORING_VERSION`; the rule itself is defined once, in :mod:`scenarios.quality`):

* Each response has a **quality** set by its author and checked against its criteria: strongest, helpful,
  mixed (helps in part, names a pitfall) or pitfall.
* A counted decision earns **credit**: strongest 1, helpful 2/3, mixed 1/3, pitfall 0. Only the first decision
  at a point counts; a point the conversation loops back to is never scored again.
* ``score = credit / (decisions + pitfalls)`` over the counted decisions, where ``pitfalls`` counts those that
  name a pitfall (mixed or pitfall): a pitfall costs its own decision and one more.
* The strongest path shown is made of strongest responses only (no pitfall), the fewest decisions first.

:func:`score_decision` scores one choice (quality, credit, version), :func:`assess` a whole attempt (score, how
many responses were among the strongest, how many named a pitfall), :func:`summarize` an attempt as the pages show
it (the assessment with the criteria its decisions named), and :func:`feedback` one choice as a trainee reads it.

Scoring version 1 (until 2026-12) summed criteria points along the path and placed the total between the
scenario's weakest and strongest paths. A choice's version 1 **points** (possibilities add their weight, pitfalls
subtract theirs) are still computed and stored with each decision for exports and for re-scoring old records;
no score uses them. :func:`strongest_path` and :func:`weakest_path` are the version 1 extremes by points.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from scenarios import Choice, Rubric, Scenario
from scenarios.checks import extreme_path
from scenarios.quality import CREDIT, Tally, counted, names_pitfall, node_qualities, strongest_route

SCORING_VERSION = 2
"""The scoring rule in force: record it with every scored decision and attempt, so a stored decision can be
re-scored (from its node and choice ids) when the rule changes. Version 1 summed criteria points along the path
and placed the total between the scenario's weakest and strongest paths; version 2 is described above."""


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
    """Scoring version 1: the choice's criteria points (possibilities add, pitfalls subtract)."""
    best_points: int
    """Scoring version 1: the most points of any choice at this node."""
    hits: tuple[CriterionHit, ...]
    stronger: Choice | None
    next_id: str
    quality: str = "strongest"
    """Scoring version 2: strongest, helpful, mixed or pitfall (the author's label, checked against the criteria)."""
    credit: Fraction = Fraction(1)
    """Scoring version 2: what this decision earns the first time it is made at this point (0 to 1)."""

    @property
    def pitfalls(self) -> tuple[CriterionHit, ...]:
        return tuple(h for h in self.hits if h.kind == "pitfall")

    @property
    def possibilities(self) -> tuple[CriterionHit, ...]:
        return tuple(h for h in self.hits if h.kind == "possibility")

    @property
    def verdict(self) -> str:
        """'strongest', 'helpful', 'mixed' or 'pitfall' (words, so nothing depends on colour): the quality."""
        return self.quality


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
    """An attempt as the pages show it: the version 2 score and its counts, the strongest path to compare with,
    and the criteria the decisions named (every decision, loops included: they are what the trainee said)."""

    assessment: Assessment
    points: int
    """Scoring version 1: the sum of the choices' criteria points (kept for exports; no page shows it)."""
    steps: tuple[PathStep, ...]
    ending_id: str | None
    possibilities: Counter[str] = field(default_factory=Counter)
    pitfalls: Counter[str] = field(default_factory=Counter)
    domains: dict[str, DomainTally] = field(default_factory=dict)

    @property
    def score(self) -> int:
        """The score in percent (0 before the first decision)."""
        return self.assessment.score or 0

    @property
    def strongest(self) -> Path:
        """The strongest path to show: strongest responses only, no pitfall, the fewest decisions."""
        return self.assessment.strongest_path

    @property
    def decisions(self) -> int:
        """Counted decisions: the first at each point."""
        return self.assessment.decisions

    @property
    def among_strongest(self) -> int:
        """Counted decisions that chose a response among the strongest."""
        return self.assessment.strongest

    @property
    def pitfall_count(self) -> int:
        """Counted decisions that named a pitfall (mixed or pitfall)."""
        return self.assessment.pitfalls

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
    qualities = node_qualities(node, rubric)
    quality = qualities[node.choices.index(choice)]
    stronger = by_id.get(choice.better) if choice.better else None
    if stronger is None and quality != "strongest":
        stronger = node.choices[qualities.index("strongest")] if "strongest" in qualities else None
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
        quality=quality,
        credit=CREDIT[quality],
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
    """Summarize an attempt given its (node, choice) decisions in order; checks that they form a path."""
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
    return Summary(
        assessment=assess(scenario, decisions, rubric),
        points=sum(step.points for step in steps),
        steps=tuple(steps),
        ending_id=current if current in scenario.endings else None,
        possibilities=possibilities,
        pitfalls=pitfalls,
        domains={d: DomainTally(*counts) for d, counts in sorted(domains.items())},
    )


# Scoring version 2 -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionScore:
    """One decision under scoring version 2."""

    quality: str
    credit: Fraction
    version: int = SCORING_VERSION

    @property
    def names_pitfall(self) -> bool:
        return names_pitfall(self.quality)


def score_decision(scenario: Scenario, node_id: str, choice_id: str, rubric: Rubric) -> DecisionScore:
    """The quality and credit of one choice (the one function to call when a decision is recorded)."""
    if node_id not in scenario.nodes:
        raise PlayError(f"'{node_id}' is not a decision point in '{scenario.id}'")
    node = scenario.nodes[node_id]
    for choice, quality in zip(node.choices, node_qualities(node, rubric), strict=True):
        if choice.id == choice_id:
            return DecisionScore(quality, CREDIT[quality])
    raise PlayError(f"'{choice_id}' is not a choice at '{node_id}' in '{scenario.id}'")


@dataclass(frozen=True)
class ScoredStep:
    node_id: str
    choice_id: str
    quality: str
    credit: Fraction
    counted: bool
    """False for a decision at a point the attempt had already decided (a loop): it earns and counts nothing."""


@dataclass(frozen=True)
class Assessment:
    """An attempt under scoring version 2."""

    steps: tuple[ScoredStep, ...]
    ending_id: str | None
    strongest_path: Path
    """Strongest responses only, no pitfall, the fewest decisions (see :func:`scenarios.quality.strongest_route`)."""
    version: int = SCORING_VERSION

    @property
    def tally(self) -> Tally:
        tally = Tally()
        for step in self.steps:
            if step.counted:
                tally = tally.add(step.quality)
        return tally

    @property
    def exact(self) -> Fraction | None:
        """The score as a fraction between 0 and 1; None before the first decision."""
        return self.tally.score

    @property
    def score(self) -> int | None:
        """The score in percent, rounded half up; None before the first decision."""
        return self.tally.percent

    @property
    def decisions(self) -> int:
        """Counted decisions (the first at each point)."""
        return self.tally.decisions

    @property
    def strongest(self) -> int:
        """Counted decisions that chose a response among the strongest."""
        return self.tally.strongest

    @property
    def pitfalls(self) -> int:
        """Counted decisions that chose a response naming a pitfall (mixed or pitfall)."""
        return self.tally.pitfalls

    @property
    def revisits(self) -> int:
        """Decisions at points already decided in this attempt, which count for nothing."""
        return sum(not step.counted for step in self.steps)

    @property
    def complete(self) -> bool:
        return self.ending_id is not None


def model_path(scenario: Scenario, rubric: Rubric) -> Path:
    """The strongest path to show (version 2): its steps carry the version 1 points for pages that show them."""
    route = strongest_route(scenario, rubric)
    if route is None:  # the checks rule this out; keep the scorer total anyway
        return Path(0, (), "")
    steps = tuple(PathStep(n, c, rubric.points(scenario.choice(n, c).criteria)) for n, c in route[0])
    return Path(sum(step.points for step in steps), steps, route[1])


def assess(scenario: Scenario, decisions: Sequence[tuple[str, str]], rubric: Rubric) -> Assessment:
    """Score an attempt's (node, choice) decisions in order under version 2; checks that they form a path.

    Stored decisions of any age can be passed again to re-score them under the current version.
    """
    current = scenario.start
    nodes: list[str] = []
    picked: list[tuple[str, str, str]] = []
    for node_id, choice_id in decisions:
        if node_id != current:
            raise PlayError(f"decision at '{node_id}' does not follow the path (expected '{current}')")
        result = score_decision(scenario, node_id, choice_id, rubric)
        nodes.append(node_id)
        picked.append((node_id, choice_id, result.quality))
        current = scenario.choice(node_id, choice_id).next
    steps = tuple(
        ScoredStep(node_id, choice_id, quality, CREDIT[quality], first)
        for (node_id, choice_id, quality), first in zip(picked, counted(nodes), strict=True)
    )
    return Assessment(
        steps=steps,
        ending_id=current if current in scenario.endings else None,
        strongest_path=model_path(scenario, rubric),
    )


__all__ = [
    "SCORING_VERSION",
    "Assessment",
    "CriterionHit",
    "DecisionScore",
    "DomainTally",
    "Feedback",
    "Path",
    "PathStep",
    "PlayError",
    "ScoredStep",
    "Summary",
    "advance",
    "assess",
    "counted",
    "feedback",
    "hits_for",
    "model_path",
    "score",
    "score_decision",
    "strongest_path",
    "summarize",
    "weakest_path",
]
