"""The one clock for records and the app: aware UTC. Call it as ``clock.now()`` so tests can move time
everywhere at once (``monkeypatch.setattr(clock, "now", ...)``)."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)
