"""Spaced review with FSRS (the `fsrs` library): what is due, and when an item comes back after a rating.

Items enter a trainee's queue when they miss an exam question or choose a pitfall in a scenario. Each review is
rated Again, Hard, Good or Easy; FSRS schedules the next review for about 90% recall. Cards are kept as the
library's own dictionaries, so records store them as JSON without knowing FSRS.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
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


def next_intervals(card: dict[str, Any], moment: datetime) -> dict[str, timedelta]:
    """For each rating, how long until the card would come back if rated so now (without fuzz): what the rating
    buttons show, as Anki's do ("Good · 3d")."""
    return {name: rate(card, name, moment, fuzz=False).due - moment for name in RATINGS}  # type: ignore[arg-type]


def interval_text(span: timedelta) -> str:
    """A short, plain interval: "1 min", "10 min", "5 h", "3 d", "2 mo", "1 y"."""
    seconds = max(0, int(span.total_seconds()))
    if seconds < 3600:
        return f"{max(1, round(seconds / 60))} min"
    if seconds < 86400:
        return f"{round(seconds / 3600)} h"
    days = round(seconds / 86400)
    if days < 31:
        return f"{days} d"
    if days < 365:
        return f"{round(days / 30)} mo"
    return f"{round(days / 365)} y"


def rate(card: dict[str, Any], rating: RatingName, moment: datetime, *, fuzz: bool = True) -> Scheduled:
    """The card after a review at ``moment``; ``fuzz`` spreads due dates a little, as FSRS recommends."""
    before = Card.from_dict(card)  # type: ignore[arg-type]  # the dict fsrs made, read back from JSON
    after, _log = _scheduler(fuzz).review_card(before, RATINGS[rating], review_datetime=moment)
    lapsed = before.state == State.Review and after.state == State.Relearning
    return Scheduled(dict(after.to_dict()), after.due, STATES[after.state], lapsed)
