"""Row-level helper for the spaced-review queue: putting an item in a trainee's queue inside the caller's
transaction, so an action's side effects (an exam's missed items, a practice pitfall) commit with it."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from records.tables import review_items
from scoring.review import new_card

PITFALL = "pitfall"
QUESTION = "question"


def pitfall_ref(content_hash: str, node_id: str, choice_id: str) -> str:
    """The reference of a pitfall choice in the queue: the exact scenario version, decision point and choice."""
    return f"{content_hash}:{node_id}:{choice_id}"


def add(
    connection: Connection,
    user_id: int,
    kind: str,
    ref: str,
    moment: datetime,
    *,
    card: dict[str, Any] | None = None,
    due_at: datetime | None = None,
    state: str | None = None,
) -> bool:
    """Put an item in the user's queue (a new FSRS card due now, unless one is given); an item already there stays
    as it is. True when it was added."""
    exists = connection.execute(
        select(review_items.c.id).where(review_items.c.user_id == user_id, review_items.c.kind == kind, review_items.c.ref == ref)
    ).first()
    if exists is not None:
        return False
    if card is None or due_at is None or state is None:
        fresh = new_card(moment)
        card, due_at, state = fresh.card, fresh.due, fresh.state
    connection.execute(
        insert(review_items).values(
            user_id=user_id, kind=kind, ref=ref, card=json.dumps(card), due_at=due_at, state=state, created_at=moment
        )
    )
    return True
