"""Spaced review with FSRS (the `fsrs` library): what is due, and when an item comes back after a rating.

Items enter a trainee's queue when they miss an exam question or choose a pitfall in a scenario. Each review is
rated Again, Hard, Good or Easy; FSRS schedules the next review for about 90% recall. Cards are kept as the
library's own dictionaries, so records store them as JSON without knowing FSRS.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from fsrs import Card, Rating, Scheduler, State

RatingName = Literal["again", "hard", "good", "easy"]
RATINGS: dict[str, Rating] = {"again": Rating.Again, "hard": Rating.Hard, "good": Rating.Good, "easy": Rating.Easy}
RATING_HELP = {
    "again": "I did not remember it",
    "hard": "I remembered, with effort",
    "good": "I remembered it",
    "easy": "It was easy",
}
STATES = {State.Learning: "learning", State.Review: "review", State.Relearning: "relearning"}


@dataclass(frozen=True)
class Scheduled:
    card: dict[str, Any]
    due: datetime
    state: str
    lapsed: bool


def _scheduler(fuzz: bool) -> Scheduler:
    return Scheduler(enable_fuzzing=fuzz)


def new_card(moment: datetime) -> Scheduled:
    """A card due now."""
    card = Card(due=moment)
    return Scheduled(dict(card.to_dict()), moment, STATES[card.state], False)


def rate(card: dict[str, Any], rating: RatingName, moment: datetime, *, fuzz: bool = True) -> Scheduled:
    """The card after a review at ``moment``; ``fuzz`` spreads due dates a little, as FSRS recommends."""
    before = Card.from_dict(card)  # type: ignore[arg-type]  # the dict fsrs made, read back from JSON
    after, _log = _scheduler(fuzz).review_card(before, RATINGS[rating], review_datetime=moment)
    lapsed = before.state == State.Review and after.state == State.Relearning
    return Scheduled(dict(after.to_dict()), after.due, STATES[after.state], lapsed)
