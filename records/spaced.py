"""Spaced review (spaced repetition, not the Review page's transcripts): a trainee's queue of items, their FSRS
cards as JSON, when each is due, and the trainee's daily limits. Only the trainee changes it. Items also enter it
inside other features' transactions through records.cards (an exam's missed items, a practice pitfall).

Today's queue (``today``) follows scoring.spaced_queue: items in learning steps always, learned items up to the
day's reviews, new items (never studied, oldest first) up to the day's new items. A day is a UTC day. "Reviews
done today" are counted from the cards themselves: items first studied before today whose card's last review is
today (FSRS keeps it in the card), so an undone rating stops counting at once and no log is needed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ColumnElement, Connection, and_, case, cast, func, or_, select, update

from records import cards, clock
from records.access import User, require_see, require_self
from records.base import Repository
from records.errors import UserError
from records.tables import review_items, users
from scoring.spaced_queue import Limits, Tallies, Today, day_start, limit_problems, next_day, plan

__all__ = ["LimitRefused", "Limits", "QueueCounts", "ReviewItem", "SpacedReview", "TodayQueue"]


class LimitRefused(UserError, ValueError):
    """Daily limits that are not whole numbers in range; nothing was changed."""


@dataclass(frozen=True)
class ReviewItem:
    id: int
    kind: str
    ref: str
    card: dict[str, Any]
    due_at: datetime
    state: str
    reviews: int
    lapses: int
    first_reviewed_at: datetime | None = None  # none: still new (never studied)


@dataclass(frozen=True)
class QueueCounts:
    due: int  # to study now, within the daily limits (learning items, reviews and new items)
    learned: int  # in the review state: remembered over growing intervals
    lapsed: int  # forgotten at least once after being learned
    total: int
    new: int = 0  # of ``due``: never studied
    to_review: int = 0  # of ``due``: studied before
    waiting: int = 0  # due, held back by the daily limits until another day


@dataclass(frozen=True)
class TodayQueue:
    items: list[ReviewItem]  # the next items to study, in order: learning, reviews, new (oldest first)
    today: Today
    limits: Limits
    next_due: datetime | None  # when the next item not shown now comes due (for "come back in ...")
    learned: int
    lapsed: int
    total: int


def _item(row: Any) -> ReviewItem:
    return ReviewItem(
        row.id,
        row.kind,
        row.ref,
        json.loads(row.card),
        row.due_at,
        row.state,
        row.reviews,
        row.lapses,
        row.first_reviewed_at,
    )


_NEW = review_items.c.first_reviewed_at.is_(None)
_STUDIED = review_items.c.first_reviewed_at.is_not(None)
_LEARNING = review_items.c.state != "review"  # learning or relearning steps
_LEARNED = review_items.c.state == "review"


def _last_review_day(connection: Connection) -> ColumnElement[Any]:
    """The UTC day (YYYY-MM-DD) of each card's last review, read from the FSRS card's JSON in the database."""
    if connection.dialect.name == "postgresql":
        last = func.json_extract_path_text(cast(review_items.c.card, JSON), "last_review")
    else:
        last = func.json_extract(review_items.c.card, "$.last_review")
    return func.substr(last, 1, 10)


def _count(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _limits(connection: Connection, user_id: int) -> Limits:
    row = connection.execute(select(users.c.daily_new_items, users.c.daily_reviews).where(users.c.id == user_id)).first()
    return Limits() if row is None else Limits(int(row.daily_new_items), int(row.daily_reviews))


def _day(connection: Connection, user_id: int, moment: datetime) -> tuple[Limits, Today, int, int, int]:
    """The user's limits, today's plan, and how many items are learned, lapsed and queued, in two statements."""
    start, end = day_start(moment), next_day(moment)
    due = review_items.c.due_at <= moment
    row = connection.execute(
        select(
            _count(and_(_NEW, due)).label("new_due"),
            _count(and_(review_items.c.first_reviewed_at >= start, review_items.c.first_reviewed_at < end)).label("new_today"),
            _count(and_(_STUDIED, _LEARNED, due)).label("reviews_due"),
            _count(
                and_(review_items.c.first_reviewed_at < start, _last_review_day(connection) == start.date().isoformat())
            ).label("reviews_done"),
            _count(and_(_STUDIED, _LEARNING, due)).label("learning_due"),
            _count(and_(_STUDIED, review_items.c.due_at > moment, review_items.c.due_at < end)).label("later"),
            _count(_LEARNED).label("learned"),
            _count(review_items.c.lapses > 0).label("lapsed"),
            func.count().label("total"),
        ).where(review_items.c.user_id == user_id)
    ).one()
    limits = _limits(connection, user_id)
    tallies = Tallies(
        new_due=int(row.new_due),
        new_studied_today=int(row.new_today),
        reviews_due=int(row.reviews_due),
        reviews_done_today=int(row.reviews_done),
        learning_due=int(row.learning_due),
        later_today=int(row.later),
    )
    return limits, plan(limits, tallies), int(row.learned), int(row.lapsed), int(row.total)


class SpacedReview(Repository):
    def add(self, actor: User, kind: str, ref: str, card: dict[str, Any], due_at: datetime, state: str, moment: datetime) -> bool:
        """Put an item in the actor's queue; an item already there stays as it is. True when it was added."""
        with self._write() as connection:
            return cards.add(connection, actor.id, kind, ref, moment, card=card, due_at=due_at, state=state)

    def due(self, actor: User, moment: datetime, limit: int = 50) -> list[ReviewItem]:
        """Every item of the actor's due at ``moment``, by due time, whatever the daily limits (``today`` keeps them)."""
        with self._read() as connection:
            rows = connection.execute(
                select(review_items)
                .where(review_items.c.user_id == actor.id, review_items.c.due_at <= moment)
                .order_by(review_items.c.due_at, review_items.c.id)
                .limit(limit)
            ).all()
        return [_item(r) for r in rows]

    def today(self, actor: User, moment: datetime, limit: int = 20) -> TodayQueue:
        """The actor's queue today: the next items to study (at most ``limit``) within the daily limits, and the
        counts the page shows. Items in learning steps first, by due time; then learned items due, by due time;
        then new items, oldest first (a stable order: the pitfalls of one conversation come in the order met)."""
        with self._read() as connection:
            limits, today, learned, lapsed, total = _day(connection, actor.id, moment)
            mine = review_items.c.user_id == actor.id
            due = review_items.c.due_at <= moment
            by_due = (review_items.c.due_at, review_items.c.created_at, review_items.c.id)
            parts = (
                (and_(_STUDIED, _LEARNING, due), by_due, today.learning),
                (and_(_STUDIED, _LEARNED, due), by_due, today.reviews),
                (and_(_NEW, due), (review_items.c.created_at, review_items.c.id), today.new),
            )
            items: list[ReviewItem] = []
            for condition, order, count in parts:
                room = min(count, limit - len(items))
                if room > 0:
                    rows = connection.execute(select(review_items).where(mine, condition).order_by(*order).limit(room)).all()
                    items.extend(_item(r) for r in rows)
            # What comes next once these are done: items in learning steps always; reviews and new items only
            # while the day still allows them.
            comes = [and_(_STUDIED, _LEARNING)]
            if today.reviews_left > today.reviews:
                comes.append(and_(_STUDIED, _LEARNED))
            if today.new_left > today.new:
                comes.append(_NEW)
            next_due = connection.execute(
                select(func.min(review_items.c.due_at)).where(mine, review_items.c.due_at > moment, or_(*comes))
            ).scalar()
        return TodayQueue(items, today, limits, next_due, learned, lapsed, total)

    def limits(self, actor: User, user_id: int) -> Limits:
        """A trainee's daily limits (new items, reviews)."""
        with self._read() as connection:
            require_see(connection, actor, user_id)
            return _limits(connection, user_id)

    def set_limits(self, actor: User, user_id: int, new: object, reviews: object) -> Limits:
        """Change a trainee's daily limits (only the trainee may). Whole numbers, 0 to 200 new items and 1 to 500
        reviews a day; anything else changes nothing and raises LimitRefused saying what would work."""
        require_self(actor, user_id)
        problems = limit_problems(new, reviews)
        if problems:
            raise LimitRefused(" ".join(problems))
        assert isinstance(new, int) and isinstance(reviews, int)  # limit_problems checked them
        with self._write() as connection:
            connection.execute(update(users).where(users.c.id == user_id).values(daily_new_items=new, daily_reviews=reviews))
        return Limits(new, reviews)

    def record(
        self,
        actor: User,
        item_id: int,
        card: dict[str, Any],
        due_at: datetime,
        state: str,
        lapsed: bool,
        moment: datetime | None = None,
    ) -> None:
        """Store a rating's result. The first rating of an item marks it studied (``moment``: when it was rated,
        by default the card's last review), which is what today's count of new items reads."""
        if moment is None:
            last = card.get("last_review")
            moment = datetime.fromisoformat(last) if isinstance(last, str) else clock.now()
        with self._write() as connection:
            row = connection.execute(
                select(review_items.c.user_id, review_items.c.first_reviewed_at).where(review_items.c.id == item_id)
            ).first()
            require_self(actor, row.user_id if row is not None else -1)
            assert row is not None
            connection.execute(
                update(review_items)
                .where(review_items.c.id == item_id)
                .values(
                    card=json.dumps(card),
                    due_at=due_at,
                    state=state,
                    reviews=review_items.c.reviews + 1,
                    lapses=review_items.c.lapses + (1 if lapsed else 0),
                    first_reviewed_at=row.first_reviewed_at or moment,
                )
            )

    def restore(self, actor: User, before: ReviewItem) -> None:
        """Undo a rating: the item exactly as it was before it (its card, due time, state and counts; new again
        when that rating was its first)."""
        with self._write() as connection:
            owner = connection.execute(select(review_items.c.user_id).where(review_items.c.id == before.id)).scalar()
            require_self(actor, owner if owner is not None else -1)
            connection.execute(
                update(review_items)
                .where(review_items.c.id == before.id)
                .values(
                    card=json.dumps(before.card),
                    due_at=before.due_at,
                    state=before.state,
                    reviews=before.reviews,
                    lapses=before.lapses,
                    first_reviewed_at=before.first_reviewed_at,
                )
            )

    def counts(self, actor: User, user_id: int, moment: datetime) -> QueueCounts:
        """A trainee's queue in numbers; ``due`` is what they may study now within their daily limits."""
        with self._read() as connection:
            require_see(connection, actor, user_id)
            _, today, learned, lapsed, total = _day(connection, user_id, moment)
        return QueueCounts(today.shown, learned, lapsed, total, today.new, today.to_review, today.waiting)
