"""Spaced review's day: how many new and learned items a trainee meets today, within their daily limits.

Anki's rules, which trainees who used it will expect: a day introduces at most the trainee's number of new items
("new cards/day") and at most their number of reviews of items already learned ("maximum reviews/day"). Items
in learning steps (seen today or lately, coming back minutes later) are always shown, or a new item would be left
half-learned. Due items beyond the limits wait for the next day; nothing is dropped.

A day is a UTC day: the app keeps no time zone per trainee (records.clock is UTC), so the messages name the hour
in UTC and how long until then. Pure: the counts come from records, the sentences go to the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

NEW_RANGE = (0, 200)
"""Whole numbers a trainee may choose for new items a day (0 pauses new items)."""
REVIEW_RANGE = (1, 500)
"""Whole numbers a trainee may choose for reviews a day (at least one: a review never stops for good)."""


@dataclass(frozen=True)
class Limits:
    new: int = 10
    reviews: int = 50


@dataclass(frozen=True)
class Tallies:
    """What the records counted for one trainee at one moment."""

    new_due: int  # never studied, ready to start
    new_studied_today: int  # first studied today
    reviews_due: int  # learned items (the review state) due now
    reviews_done_today: int  # items first studied before today and reviewed again today
    learning_due: int  # items in learning or relearning steps, studied before, due now: always shown
    later_today: int = 0  # items already studied that come back later today


@dataclass(frozen=True)
class Today:
    new: int  # new items to study now
    reviews: int  # learned items to review now
    learning: int  # items in learning steps due now
    waiting_new: int  # new items held back by the daily limit
    waiting_reviews: int  # due reviews held back by the daily limit
    later_today: int
    new_left: int  # new items the day still allows
    reviews_left: int  # reviews the day still allows

    @property
    def to_review(self) -> int:
        return self.reviews + self.learning

    @property
    def shown(self) -> int:
        return self.new + self.reviews + self.learning

    @property
    def waiting(self) -> int:
        return self.waiting_new + self.waiting_reviews


def day_start(moment: datetime) -> datetime:
    """The start of the UTC day ``moment`` falls in."""
    return datetime.combine(moment.astimezone(UTC).date(), time.min, tzinfo=UTC)


def next_day(moment: datetime) -> datetime:
    return day_start(moment) + timedelta(days=1)


def limit_problems(new: object, reviews: object) -> list[str]:
    """What is wrong with the daily limits a trainee asked for, in words for them (empty: both are fine)."""
    problems = []
    for value, (low, high), what in ((new, NEW_RANGE, "New items a day"), (reviews, REVIEW_RANGE, "Reviews a day")):
        whole = isinstance(value, int) and not isinstance(value, bool)
        if not whole or not low <= value <= high:  # type: ignore[operator]  # an int here
            problems.append(f"{what} must be a whole number from {low} to {high}.")
    return problems


def plan(limits: Limits, tallies: Tallies) -> Today:
    """Today's share of the queue under the limits: learning items always, then reviews and new items up to
    what the day still allows."""
    new_left = max(0, limits.new - tallies.new_studied_today)
    reviews_left = max(0, limits.reviews - tallies.reviews_done_today)
    new = min(tallies.new_due, new_left)
    reviews = min(tallies.reviews_due, reviews_left)
    return Today(
        new=new,
        reviews=reviews,
        learning=tallies.learning_due,
        waiting_new=tallies.new_due - new,
        waiting_reviews=tallies.reviews_due - reviews,
        later_today=tallies.later_today,
        new_left=new_left,
        reviews_left=reviews_left,
    )


def limits_words(limits: Limits) -> str:
    """ "10 new items and 50 reviews a day", "1 new item and 1 review a day"."""
    new = "1 new item" if limits.new == 1 else f"{limits.new} new items"
    reviews = "1 review" if limits.reviews == 1 else f"{limits.reviews} reviews"
    return f"{new} and {reviews} a day"


def span_words(span: timedelta) -> str:
    """A wait in plain words: "8 minutes", "about 5 hours", "2 days"."""
    minutes = max(1, round(span.total_seconds() / 60))
    if minutes < 60:
        return "1 minute" if minutes == 1 else f"{minutes} minutes"
    hours = round(minutes / 60)
    if hours < 24:
        return "about 1 hour" if hours == 1 else f"about {hours} hours"
    days = round(hours / 24)
    return "1 day" if days == 1 else f"{days} days"


def headline(today: Today) -> str:
    """The line at the top of the page: "Today: 3 new · 12 to review · 40 more waiting"; nothing hidden."""
    parts = [f"Today: {today.new} new", f"{today.to_review} to review"]
    if today.later_today:
        parts.append(f"{today.later_today} back later today")
    if today.waiting:
        parts.append(f"{today.waiting} more waiting")
    return " · ".join(parts)


def _more(n: int) -> str:
    """ "1 more item waits and starts", "6 more items wait and start"."""
    return "1 more item waits and starts" if n == 1 else f"{n} more items wait and start"


def _unstudied(n: int) -> str:
    return "1 item not yet studied waits" if n == 1 else f"{n} items not yet studied wait"


def _new_day(moment: datetime) -> str:
    return f"at midnight UTC, in {span_words(next_day(moment) - moment)}"


def _paused(today: Today, limits: Limits) -> bool:
    """Only new items wait, and only because the trainee chose 0 new items a day."""
    return bool(today.waiting_new) and limits.new == 0 and not today.waiting_reviews


def waiting_note(today: Today, limits: Limits, moment: datetime) -> str | None:
    """While items are shown: why some wait and when they come (None when nothing waits)."""
    if not today.waiting:
        return None
    if _paused(today, limits):
        return f"{_unstudied(today.waiting_new)}: new items are paused (your daily limit for new items is 0)."
    return f"Beyond today's limits, {_more(today.waiting)} coming {_new_day(moment)}."


def rest_message(today: Today, limits: Limits, moment: datetime, next_due: datetime | None) -> str | None:
    """When nothing is shown: say so kindly, and when more will come (None while items are shown)."""
    if today.shown:
        return None
    if not today.waiting:
        later = f"The next item comes back in {span_words(next_due - moment)}." if next_due is not None else ""
        return " ".join(filter(None, ["Nothing is due right now. Well done; come back later.", later]))
    sooner = ""
    if next_due is not None and next_due < next_day(moment):
        sooner = f"An item you are learning comes back sooner, in {span_words(next_due - moment)}."
    if _paused(today, limits):
        sentences = [
            f"Well done: you are up to date. {_unstudied(today.waiting_new)}, and new items are paused "
            "(your daily limit for new items is 0).",
            sooner,
            "To start them, raise that limit under Daily limits.",
        ]
    else:
        done = "today's new items and reviews"
        if not today.waiting_reviews:
            done = "today's new items"
        elif not today.waiting_new:
            done = "today's reviews"
        sentences = [
            f"Well done: you have done {done}. {_more(today.waiting)} coming {_new_day(moment)}.",
            sooner,
            "To do more today, raise your limits under Daily limits.",
        ]
    return " ".join(filter(None, sentences))
