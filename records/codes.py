"""Row-level helpers for join codes, shared by cohorts and live classes: making and normalising codes, and
throttling codes that do not work (one budget per user, and per network address, for both kinds of code)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Connection

from records import audit, throttle
from records.access import User

# No 0/O, 1/I/L: codes are read aloud in class and typed on phones.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6

WRONG_CODES = 10
"""Codes that do not work (cohort and live-class codes together) one user may try within JOIN_MINUTES."""
JOIN_MINUTES = 15
JOIN_TRIES = throttle.Limit("join-code", WRONG_CODES, timedelta(minutes=JOIN_MINUTES))
"""Per user. With 31**6 codes, 10 guesses in 15 minutes find an open code about once in 90 million tries."""
JOIN_ADDRESS = throttle.Limit("join-code-address", 50, timedelta(minutes=JOIN_MINUTES))
"""Per network address, when the caller knows one: generous, since a classroom shares one address and people
mistype codes read aloud."""


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


# ------------------------------------------------------------- join throttling (cohort and live-class codes)
def join_checks(actor: User, address: str | None = None) -> list[tuple[throttle.Limit, str]]:
    """The throttle keys for one try of a join code: the user, and the network address when known."""
    checks = [(JOIN_TRIES, f"user {actor.id}")]
    if address:
        checks.append((JOIN_ADDRESS, address[:64]))
    return checks


def paused_message(blocked: throttle.Blocked) -> str:
    wait = f"{blocked.minutes} minute{'s' if blocked.minutes != 1 else ''}"
    return (
        f"Too many codes did not work, so joining is paused for {wait}. Please check the code with your instructor, "
        "then try again."
    )


def note_wrong_code(connection: Connection, actor: User, checks: Sequence[tuple[throttle.Limit, str]], moment: datetime) -> None:
    """After a code that did not work (its try already taken): if this try reached a limit, the burst goes in the
    audit log, once (the tries after it are refused before they are counted)."""
    reached = throttle.blocked(connection, checks, moment)
    if reached is not None:
        where = "from one network address" if reached.limit is JOIN_ADDRESS else "by this account"
        audit.write(
            connection,
            actor,
            "join codes paused",
            actor.id,
            f"{reached.limit.most} codes that did not work {where} within {JOIN_MINUTES} minutes",
        )
