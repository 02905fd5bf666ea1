"""The one place records turns a choice into what it stores: its points, its criteria, where it leads, and (at an
ending) the attempt's points and score. Practice and live classes both record through these functions, so a new
scoring model is swapped in here, once. They call scoring/'s public functions and never touch the database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scenarios import Rubric, Scenario
from scoring.scorer import PlayError, feedback, score, strongest_path, summarize, weakest_path


@dataclass(frozen=True)
class ScoredChoice:
    node_id: str
    choice_id: str
    next_id: str
    points: int
    criteria: tuple[str, ...]
    """Each criterion once, sorted: what goes in decision_criteria."""
    pitfall: bool
    """Whether the choice names a pitfall (it then enters the trainee's spaced review)."""


@dataclass(frozen=True)
class Outcome:
    """An attempt that reached an ending: which, its points and its score."""

    ending_id: str
    points: int
    score: int


class NotAChoice(ValueError):
    """The choice does not belong at that point of the scenario (a stale page, another version)."""


def score_choice(scenario: Scenario, node_id: str, choice_id: str, rubric: Rubric) -> ScoredChoice:
    """Points and criteria of one choice (scoring.scorer.feedback); NotAChoice when it is not offered there."""
    try:
        result = feedback(scenario, node_id, choice_id, rubric)
    except PlayError as exc:
        raise NotAChoice(str(exc)) from exc
    return ScoredChoice(
        node_id=node_id,
        choice_id=choice_id,
        next_id=result.next_id,
        points=result.points,
        criteria=tuple(sorted(set(scenario.choice(node_id, choice_id).criteria))),
        pitfall=bool(result.pitfalls),
    )


def outcome(scenario: Scenario, path: Sequence[tuple[str, str]], rubric: Rubric) -> Outcome | None:
    """The outcome of a practice attempt whose (node, choice) path is ``path``; None before an ending."""
    summary = summarize(scenario, path, rubric)
    if summary.ending_id is None:
        return None
    return Outcome(summary.ending_id, summary.points, summary.score)


def bounds(scenario: Scenario, rubric: Rubric) -> tuple[int, int]:
    """The points of the strongest and the weakest path: what a score is measured against."""
    return strongest_path(scenario, rubric).points, weakest_path(scenario, rubric).points


def attempt_score(points: int, between: tuple[int, int]) -> int:
    """A score from an attempt's points and :func:`bounds` (a live class sums each trainee's own answers)."""
    return score(points, *between)
