"""What an assignment's state is, in words: pure, so the trainee's Home, the library and the dashboard agree."""

from __future__ import annotations

from datetime import datetime, timedelta

STATES = ("done", "done late", "overdue", "to do")


def state(due_at: datetime, done_at: datetime | None, now: datetime) -> str:
    """ "done" (on time), "done late", "overdue" (not done, past due) or "to do"."""
    if done_at is not None:
        return "done" if done_at <= due_at else "done late"
    return "overdue" if now > due_at else "to do"


def _days(span: timedelta) -> str:
    days = span.days
    return "1 day" if days == 1 else f"{days} days"


def due_phrase(due_at: datetime, now: datetime) -> str:
    """How soon it is due, as a trainee reads it: "due in 3 days", "due today", "due tomorrow", "was due 2 days
    ago". Days are counted between calendar dates in the zone ``due_at`` and ``now`` are given in."""
    days = (due_at.date() - now.date()).days
    if due_at < now:
        return "was due today" if days == 0 else ("was due yesterday" if days == -1 else f"was due {-days} days ago")
    if days == 0:
        return "due today"
    if days == 1:
        return "due tomorrow"
    return f"due in {days} days"
