"""Row-level helpers for identities, shared by accounts and account recovery: cleaning an email address, hashing
session tokens, ending someone's sessions. They take a connection (where they need one) and own no transaction."""

from __future__ import annotations

import hashlib

from sqlalchemy import Connection, update

from records import clock
from records.errors import AccountError
from records.tables import sessions

EMAIL_MAX = 254
UNKNOWN_ADDRESS = "unknown"
"""The network address throttles count under when the caller does not know one."""


def clean_email(email: str) -> str:
    cleaned = email.strip().lower()
    if not cleaned or "@" not in cleaned or cleaned.startswith("@") or cleaned.endswith("@") or " " in cleaned:
        raise AccountError("Please enter an email address, like name@example.org.")
    if len(cleaned) > EMAIL_MAX:
        raise AccountError(f"That email address is longer than {EMAIL_MAX} characters.")
    return cleaned


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def end_sessions(connection: Connection, user_id: int, *, keep: str | None = None) -> int:
    """End every active session of ``user_id`` now, except the one whose token is ``keep``; how many ended."""
    moment = clock.now()
    query = update(sessions).where(sessions.c.user_id == user_id, sessions.c.revoked_at.is_(None), sessions.c.expires_at > moment)
    if keep:
        query = query.where(sessions.c.token_hash != token_hash(keep))
    return int(connection.execute(query.values(revoked_at=moment)).rowcount or 0)
