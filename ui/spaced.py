"""Spaced review in the app (spaced repetition; transcripts are the Review page's): today's items within the
trainee's daily limits, rating them, undoing a rating, and the limits themselves. Items enter the queue in records,
with the action that missed them (an exam closing, a practice choice, a live class's feedback coming out)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import streamlit as st

from records import User, clock
from records.spaced import LimitRefused, Limits, QueueCounts, ReviewItem, TodayQueue
from scenarios import Choice, LoadedScenario
from scenarios.questions import Question
from scoring import review, spaced_queue
from scoring.review import RatingName, rate
from scoring.scorer import Feedback, feedback
from ui import services

LIMITS_SAVED = "peersim.spaced_limits_saved"  # the message after saving the daily limits: (ok, text)
LIMIT_NEW = "spaced_limit_new"  # the widgets' keys
LIMIT_REVIEWS = "spaced_limit_reviews"


def save_limits(user: User) -> None:
    """The Daily limits form's callback: save both limits, or neither, and leave a message for the page."""
    new, reviews = st.session_state.get(LIMIT_NEW), st.session_state.get(LIMIT_REVIEWS)
    try:
        saved = set_limits(user, new, reviews)
    except LimitRefused as exc:
        before = services.store().reviews.limits(user, user.id)
        st.session_state[LIMITS_SAVED] = (
            False,
            f"{exc} Nothing was changed: your limits are still {spaced_queue.limits_words(before)}.",
        )
    else:
        st.session_state[LIMITS_SAVED] = (True, f"Saved: up to {spaced_queue.limits_words(saved)}.")


def counts(user: User) -> QueueCounts:
    return services.store().reviews.counts(user, user.id, clock.now())


def today(user: User) -> TodayQueue:
    """Today's items within the user's daily limits, and the counts the page shows."""
    return services.store().reviews.today(user, clock.now())


def headline(queue: TodayQueue) -> str:
    return spaced_queue.headline(queue.today)


def waiting_note(queue: TodayQueue) -> str | None:
    return spaced_queue.waiting_note(queue.today, queue.limits, clock.now())


def rest_message(queue: TodayQueue) -> str | None:
    return spaced_queue.rest_message(queue.today, queue.limits, clock.now(), queue.next_due)


def new_day_in() -> str:
    """How long until the next day's items (a day is a UTC day), in words."""
    moment = clock.now()
    return spaced_queue.span_words(spaced_queue.next_day(moment) - moment)


def set_limits(user: User, new: object, reviews: object) -> Limits:
    """Change the user's daily limits; records.spaced.LimitRefused says what would work."""
    return services.store().reviews.set_limits(user, user.id, new, reviews)


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
    moment = clock.now()
    after = rate(item.card, rating, moment)
    services.store().reviews.record(user, item.id, after.card, after.due, after.state, after.lapsed, moment)


@dataclass(frozen=True)
class PitfallCard:
    loaded: LoadedScenario
    node_id: str
    chosen: Choice
    stronger: Choice | None


STAGE_BADGES = {
    "new": ("New", ":material/fiber_new:", "blue"),
    "learning": ("Learning", ":material/school:", "orange"),
    "review": ("Review", ":material/event_repeat:", "green"),
}
"""How an item's stage shows on its card: label, icon, colour."""


def stage(item: ReviewItem) -> str:
    """New (never studied), learning (in learning or relearning steps) or review (learned)."""
    if item.first_reviewed_at is None:
        return "new"
    return "review" if item.state == "review" else "learning"


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
