"""Spaced review (spaced repetition, not the Review page's transcripts): a trainee's queue of items, their FSRS
cards as JSON, when each is due. Only the trainee changes it. Items also enter it inside other features'
transactions through records.cards (an exam's missed items, a practice pitfall)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from records import cards
from records.access import User, require_see, require_self
from records.base import Repository
from records.tables import review_items


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


@dataclass(frozen=True)
class QueueCounts:
    due: int
    learned: int  # in the review state: remembered over growing intervals
    lapsed: int  # forgotten at least once after being learned
    total: int


def _item(row: Any) -> ReviewItem:
    return ReviewItem(row.id, row.kind, row.ref, json.loads(row.card), row.due_at, row.state, row.reviews, row.lapses)


class SpacedReview(Repository):
    def add(self, actor: User, kind: str, ref: str, card: dict[str, Any], due_at: datetime, state: str, moment: datetime) -> bool:
        """Put an item in the actor's queue; an item already there stays as it is. True when it was added."""
        with self._write() as connection:
            return cards.add(connection, actor.id, kind, ref, moment, card=card, due_at=due_at, state=state)

    def due(self, actor: User, moment: datetime, limit: int = 50) -> list[ReviewItem]:
        with self._read() as connection:
            rows = connection.execute(
                select(review_items)
                .where(review_items.c.user_id == actor.id, review_items.c.due_at <= moment)
                .order_by(review_items.c.due_at, review_items.c.id)
                .limit(limit)
            ).all()
        return [_item(r) for r in rows]

    def record(self, actor: User, item_id: int, card: dict[str, Any], due_at: datetime, state: str, lapsed: bool) -> None:
        with self._write() as connection:
            owner = connection.execute(select(review_items.c.user_id).where(review_items.c.id == item_id)).scalar()
            require_self(actor, owner if owner is not None else -1)
            connection.execute(
                update(review_items)
                .where(review_items.c.id == item_id)
                .values(
                    card=json.dumps(card),
                    due_at=due_at,
                    state=state,
                    reviews=review_items.c.reviews + 1,
                    lapses=review_items.c.lapses + (1 if lapsed else 0),
                )
            )

    def restore(self, actor: User, before: ReviewItem) -> None:
        """Undo a rating: the item exactly as it was before it (its card, due time, state and counts)."""
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
                )
            )

    def counts(self, actor: User, user_id: int, moment: datetime) -> QueueCounts:
        with self._read() as connection:
            require_see(connection, actor, user_id)
            mine = review_items.c.user_id == user_id
            due = connection.execute(select(func.count()).where(mine, review_items.c.due_at <= moment)).scalar_one()
            learned = connection.execute(select(func.count()).where(mine, review_items.c.state == "review")).scalar_one()
            lapsed = connection.execute(select(func.count()).where(mine, review_items.c.lapses > 0)).scalar_one()
            total = connection.execute(select(func.count()).where(mine)).scalar_one()
        return QueueCounts(int(due), int(learned), int(lapsed), int(total))
