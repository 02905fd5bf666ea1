"""Password recovery: one-time reset links, issued by an admin to pass on privately, or asked for by email.

A link carries a random token; the database keeps only its SHA-256, the moment it expires (RESET_HOURS after it
was made) and the moment it was used. Choosing a new password with a link uses up every open link of that
account, signs the account out everywhere and is written to the audit log. Asking by email never says whether
an account has that address (the page answers the same either way), and is throttled per address asked about
and per network address, counted before anything else happens (records.throttle).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert, select, update

from records import audit, clock, passwords, throttle
from records.access import User, require_role
from records.base import Repository
from records.errors import AccountError, ResetRefused
from records.identity import UNKNOWN_ADDRESS, clean_email, end_sessions
from records.tables import password_resets, users

RESET_HOURS = 24
TOKEN_MAX = 200
RESET_EMAIL = throttle.Limit("reset-email", 3, timedelta(hours=1))
"""Reset emails asked for one email address: at most 3 an hour, so nobody can fill someone's inbox."""
RESET_ADDRESS = throttle.Limit("reset-address", 10, timedelta(hours=1))
"""Reset emails asked for from one network address, for any email addresses."""

UNKNOWN = "This reset link is not valid. It may have been copied only in part. Please ask for a new link."
USED = "This reset link has already been used. If you still need a new password, please ask for a new link."
EXPIRED = f"This reset link has expired: links work for {RESET_HOURS} hours. Please ask for a new link."


@dataclass(frozen=True)
class ResetLink:
    """A new link's token (shown or sent once, never stored) and whose account it resets."""

    token: str
    user: User
    expires_at: datetime


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _user(row: Any) -> User:
    return User(row.id, row.name, row.role, row.email)


def _minutes(count: int) -> str:
    return f"{count} minute{'s' if count != 1 else ''}"


class Recovery(Repository):
    """``store.recovery`` on the Store."""

    def _new_link(self, connection: Connection, row: Any, issued_by: str) -> ResetLink:
        token = secrets.token_urlsafe(32)
        moment = clock.now()
        expires = moment + timedelta(hours=RESET_HOURS)
        connection.execute(
            insert(password_resets).values(
                token_hash=_hash(token), user_id=row.id, issued_by=issued_by, created_at=moment, expires_at=expires
            )
        )
        return ResetLink(token, _user(row), expires)

    def issue(self, actor: User, user_id: int) -> ResetLink:
        """An admin makes a one-time link for an account whose owner cannot sign in; the admin passes it on
        privately. It works once, for RESET_HOURS. It does not change the password until it is used."""
        require_role(actor, "admin")
        with self._write() as connection:
            row = connection.execute(select(users).where(users.c.id == user_id)).first()
            if row is None:
                raise AccountError("That account no longer exists. It may have been deleted a moment ago.")
            if not row.email:
                raise AccountError(
                    f"{row.name} signs in only with single sign-on and has no email address, so a password would not "
                    "help them sign in."
                )
            link = self._new_link(connection, row, "admin")
            audit.write(connection, actor, "issue reset link", user_id, f"expires {link.expires_at:%Y-%m-%d %H:%M} UTC")
        return link

    def request(self, email: str, address: str | None = None) -> ResetLink | None:
        """Someone asks for a reset email: a link to send when an active account with a password has this address,
        else None. The caller answers the same either way. Raises ResetRefused when this network address has
        asked too often; asking too often about one email address quietly sends nothing more."""
        key = clean_email(email)
        where = (address or UNKNOWN_ADDRESS)[:64]
        with self._write() as connection:
            taken = throttle.take(connection, [(RESET_ADDRESS, where), (RESET_EMAIL, key)], clock.now())
            if isinstance(taken, throttle.Blocked):
                if taken.limit is RESET_ADDRESS:
                    raise ResetRefused(
                        f"Too many reset requests from this network. Please wait {_minutes(taken.minutes)} and try again."
                    )
                return None
            row = connection.execute(select(users).where(users.c.email == key)).first()
            if row is None or row.disabled or not row.password_hash:
                return None
            link = self._new_link(connection, row, "email")
            audit.record(connection, f"someone at {where}", "reset link emailed", row.id)
        return link

    def _valid(self, connection: Connection, token: str, *, lock: bool = False) -> Any:
        if not token or len(token) > TOKEN_MAX:
            raise ResetRefused(UNKNOWN)
        query = (
            select(password_resets, users.c.name, users.c.role, users.c.email, users.c.disabled)
            .join(users, users.c.id == password_resets.c.user_id)
            .where(password_resets.c.token_hash == _hash(token))
        )
        if lock:
            query = query.with_for_update(of=password_resets)
        row = connection.execute(query).first()
        if row is None:
            raise ResetRefused(UNKNOWN)
        if row.used_at is not None:
            raise ResetRefused(USED)
        if row.expires_at <= clock.now():
            raise ResetRefused(EXPIRED)
        return row

    def check(self, token: str) -> User:
        """Whose account a link resets, or ResetRefused (unknown, used or expired) with a message to show."""
        with self._read() as connection:
            row = self._valid(connection, token)
        return User(row.user_id, row.name, row.role, row.email)

    def reset(self, token: str, new_password: str) -> tuple[User, bool]:
        """Set a new password with a link (the password policy applies): every open link of the account is used up,
        every session of it ends, and the change is in the audit log. Returns the user and whether the account is
        switched off (an admin switches it back on). A weak password or a refused link changes nothing."""
        user = self.check(token)
        passwords.check_password(new_password, name=user.name, email=user.email or "")
        hashed = passwords.hash_password(new_password)
        moment = clock.now()
        with self._write() as connection:
            row = self._valid(connection, token, lock=True)  # again, under the write lock: a link works once
            connection.execute(update(users).where(users.c.id == row.user_id).values(password_hash=hashed))
            connection.execute(
                update(password_resets)
                .where(password_resets.c.user_id == row.user_id, password_resets.c.used_at.is_(None))
                .values(used_at=moment)
            )
            ended = end_sessions(connection, row.user_id)
            who = "an admin" if row.issued_by == "admin" else "email"
            detail = f"with a link from {who}; {ended} session{'s' if ended != 1 else ''} signed out"
            audit.write(connection, user, "reset password", user.id, detail)
        return user, bool(row.disabled)
