"""Throttling: count recent events of a kind per key (an email, a network address, a user) and refuse once a
limit is reached, atomically, so that a burst of parallel requests cannot slip past the count.

Use it inside a write transaction: :func:`take` locks the keys (on PostgreSQL with transaction-scoped advisory
locks; SQLite's ``BEGIN IMMEDIATE`` already serialises writers), counts the events in the window and, when
under every limit, records one event per limit before anything expensive (a password check) happens. A caller
whose attempt turns out fine calls :func:`give_back` to forget those events again.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, func, insert, select, text

from records.tables import throttle_events


@dataclass(frozen=True)
class Limit:
    """At most ``most`` events of ``kind`` for one key within ``window``."""

    kind: str
    most: int
    window: timedelta


@dataclass(frozen=True)
class Blocked:
    """A limit that has been reached: which one, and how long until the oldest counted event leaves the window."""

    limit: Limit
    key: str
    retry_after: timedelta

    @property
    def minutes(self) -> int:
        """Whole minutes to wait, at least one (for messages)."""
        return max(1, math.ceil(self.retry_after.total_seconds() / 60))


def _lock(connection: Connection, kind: str, key: str) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:name, 0))"), {"name": f"throttle:{kind}:{key}"})


def blocked(connection: Connection, checks: Sequence[tuple[Limit, str]], moment: datetime) -> Blocked | None:
    """The first limit among ``checks`` (limit, key) already reached at ``moment``, or None. Locks the keys."""
    for limit, key in sorted(checks, key=lambda check: (check[0].kind, check[1])):  # one lock order: no deadlocks
        _lock(connection, limit.kind, key)
    for limit, key in checks:
        since = moment - limit.window
        count, oldest = connection.execute(
            select(func.count(), func.min(throttle_events.c.at)).where(
                throttle_events.c.kind == limit.kind, throttle_events.c.key == key, throttle_events.c.at > since
            )
        ).one()
        if count >= limit.most:
            # A parallel try may have stamped its event a moment after ``moment`` was read: never more than the window.
            return Blocked(limit, key, min(limit.window, max(timedelta(0), oldest + limit.window - moment)))
    return None


def take(connection: Connection, checks: Sequence[tuple[Limit, str]], moment: datetime) -> Blocked | list[int]:
    """Within a write transaction: a :class:`Blocked` when any limit is reached, else record one event for each
    check and return their ids (for :func:`give_back`). Old events of these keys are pruned on the way."""
    refused = blocked(connection, checks, moment)
    if refused is not None:
        return refused
    ids: list[int] = []
    for limit, key in checks:
        connection.execute(
            delete(throttle_events).where(
                throttle_events.c.kind == limit.kind, throttle_events.c.key == key, throttle_events.c.at <= moment - limit.window
            )
        )
        new_id = connection.execute(insert(throttle_events).values(kind=limit.kind, key=key, at=moment)).inserted_primary_key
        assert new_id is not None
        ids.append(int(new_id[0]))
    return ids


def give_back(connection: Connection, ids: Sequence[int]) -> None:
    """Forget events recorded by :func:`take` (the attempt was fine)."""
    if ids:
        connection.execute(delete(throttle_events).where(throttle_events.c.id.in_(list(ids))))


def clear(connection: Connection, kind: str, key: str) -> None:
    """Forget every event of ``kind`` for ``key`` (for example, failures after a successful sign-in)."""
    connection.execute(delete(throttle_events).where(throttle_events.c.kind == kind, throttle_events.c.key == key))
