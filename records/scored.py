"""The one place records turns a choice into what it stores: its quality, whether it counts, its criteria, where it
leads, and (at an ending) the attempt's score and counts. Practice and live classes both record through these
functions, and re-scoring old records (records.rescore) uses them too, so a new scoring model is swapped in here,
once. They call scoring/'s public functions and never touch the database.

Scoring version 2 (scoring.scorer): a decision's quality is the author's label; only the first decision at each
point of an attempt counts; the score is credit / (decisions + pitfalls) over the counted decisions. The version 1
points of each choice are still stored beside it (exports show them; no score uses them).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from scenarios import Rubric, Scenario
from scenarios.quality import Tally, names_pitfall
from scoring.scorer import SCORING_VERSION, PlayError, assess, feedback

__all__ = [
    "SCORING_VERSION",
    "NotAChoice",
    "Outcome",
    "ScoredChoice",
    "live_outcome",
    "outcome",
    "score_choice",
    "tally_of",
]


@dataclass(frozen=True)
class ScoredChoice:
    node_id: str
    choice_id: str
    next_id: str
    quality: str
    """strongest, helpful, mixed or pitfall (scoring version 2)."""
    counted: bool
    """False at a point this attempt had already decided (a loop): the decision is kept but scores and counts
    nothing, in the score and in every tally."""
    points: int
    """Scoring version 1 points, stored for exports."""
    criteria: tuple[str, ...]
    """Each criterion once, sorted: what goes in decision_criteria."""

    @property
    def pitfall(self) -> bool:
        """Whether the choice names a pitfall (it then enters the trainee's spaced review)."""
        return names_pitfall(self.quality)


@dataclass(frozen=True)
class Outcome:
    """An attempt's score under the current version: its counted decisions, how many were among the strongest
    and how many named a pitfall; ``ending_id`` once it reached one."""

    ending_id: str | None
    score: int | None
    decisions: int
    strongest: int
    pitfalls: int
    points: int
    version: int = SCORING_VERSION


class NotAChoice(ValueError):
    """The choice does not belong at that point of the scenario (a stale page, another version)."""


def score_choice(
    scenario: Scenario, node_id: str, choice_id: str, rubric: Rubric, *, decided: Iterable[str] = ()
) -> ScoredChoice:
    """One choice, scored; ``decided`` are the points this attempt has already decided (the choice does not count
    when ``node_id`` is among them). NotAChoice when the choice is not offered there."""
    try:
        result = feedback(scenario, node_id, choice_id, rubric)
    except PlayError as exc:
        raise NotAChoice(str(exc)) from exc
    return ScoredChoice(
        node_id=node_id,
        choice_id=choice_id,
        next_id=result.next_id,
        quality=result.quality,
        counted=node_id not in set(decided),
        points=result.points,
        criteria=tuple(sorted(set(scenario.choice(node_id, choice_id).criteria))),
    )


def tally_of(decisions: Iterable[tuple[str, bool]]) -> Tally:
    """The tally of stored decisions given as (quality, counted) pairs: only counted ones enter it."""
    tally = Tally()
    for quality, counts in decisions:
        if counts:
            tally = tally.add(quality)
    return tally


def outcome(scenario: Scenario, path: Sequence[tuple[str, str]], rubric: Rubric) -> Outcome:
    """The outcome of a practice attempt whose (node, choice) path is ``path`` (PlayError if it is not a path)."""
    assessment = assess(scenario, path, rubric)
    return Outcome(
        ending_id=assessment.ending_id,
        score=assessment.score,
        decisions=assessment.decisions,
        strongest=assessment.strongest,
        pitfalls=assessment.pitfalls,
        points=sum(feedback(scenario, n, c, rubric).points for n, c in path),
    )


def live_outcome(answers: Iterable[tuple[str, bool, int]], ending_id: str | None) -> Outcome:
    """A live-class trainee's outcome from their own stored answers as (quality, counted, points)."""
    listed = list(answers)
    tally = tally_of((quality, counts) for quality, counts, _ in listed)
    return Outcome(
        ending_id=ending_id,
        score=tally.percent,
        decisions=tally.decisions,
        strongest=tally.strongest,
        pitfalls=tally.pitfalls,
        points=sum(points for _, _, points in listed),
    )
