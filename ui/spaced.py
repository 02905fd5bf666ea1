"""Spaced review in the app (spaced repetition; transcripts are the Review page's): the due items and rating them.
Items enter the queue in records, with the action that missed them (an exam closing, a practice choice, a live
class's feedback coming out)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from records import User, clock
from records.spaced import QueueCounts, ReviewItem
from scenarios import Choice, LoadedScenario
from scenarios.questions import Question
from scoring import review
from scoring.review import RatingName, rate
from scoring.scorer import Feedback, feedback
from ui import services


def due(user: User) -> list[ReviewItem]:
    return services.store().reviews.due(user, clock.now())


def counts(user: User) -> QueueCounts:
    return services.store().reviews.counts(user, user.id, clock.now())


def next_intervals(item: ReviewItem) -> dict[str, timedelta]:
    """How long until the item comes back after each rating now (scoring.review.next_intervals)."""
    return review.next_intervals(item.card, clock.now())


def feedback_for(card: PitfallCard, choice_id: str) -> Feedback:
    """The feedback on a response picked again at a pitfall's decision point."""
    return feedback(card.loaded.scenario, card.node_id, choice_id, services.rubric())


def undo(user: User, before: ReviewItem) -> None:
    """Put an item back as it was before its last rating."""
    services.store().reviews.restore(user, before)


def record(user: User, item: ReviewItem, rating: RatingName) -> None:
    after = rate(item.card, rating, clock.now())
    services.store().reviews.record(user, item.id, after.card, after.due, after.state, after.lapsed)


@dataclass(frozen=True)
class PitfallCard:
    loaded: LoadedScenario
    node_id: str
    chosen: Choice
    stronger: Choice | None


def question_for(item: ReviewItem) -> Question | None:
    return services.bank().get(item.ref)


def pitfall_for(item: ReviewItem) -> PitfallCard | None:
    content_hash, node_id, choice_id = item.ref.split(":")
    try:
        loaded = services.scenario_for(content_hash)
        chosen = loaded.scenario.choice(node_id, choice_id)
    except (KeyError, RuntimeError, LookupError):
        return None
    node = loaded.scenario.nodes[node_id]
    by_id = {c.id: c for c in node.choices}
    stronger = by_id.get(chosen.better) if chosen.better else None
    return PitfallCard(loaded, node_id, chosen, stronger)
