"""Accounts: creating users, signing in with throttling, server-side sessions, roles, and deleting an account.

Sessions are random tokens kept in an HttpOnly cookie; the database stores only their SHA-256, so a copy of the
database cannot be used to sign in, and signing out revokes the token on the server for every server.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from records import audit, clock, passwords, throttle
from records.access import ROLES, AccessDenied, User, require_role
from records.base import Repository
from records.tables import install_markers, sessions, users

SESSION_DAYS = 14
MAX_FAILURES = 5
LOCK_MINUTES = 15
EMAIL_MAX = 254

_WINDOW = timedelta(minutes=LOCK_MINUTES)
SIGN_IN_TRIES = throttle.Limit("sign-in", MAX_FAILURES, _WINDOW)
"""Wrong passwords for one email from one network address. A burst of parallel guesses is counted before any
password is checked, so at most MAX_FAILURES are ever checked; the owner elsewhere is not locked out."""
SIGN_IN_ACCOUNT = throttle.Limit("sign-in-account", 50, _WINDOW)
"""Wrong passwords for one email from every address together: a ceiling on guessing spread over many machines."""
SIGN_IN_ADDRESS = throttle.Limit("sign-in-address", 50, _WINDOW)
"""Wrong passwords from one network address for any emails: a flood is refused before it costs a password check.
Generous, since a classroom behind one network address signs in together and people mistype."""
SIGN_UP_TAKEN = throttle.Limit("sign-up-taken", 5, _WINDOW)
"""Sign-ups refused because the email already has an account, per network address: bounds how fast anyone can
learn which emails have accounts."""
UNKNOWN_ADDRESS = "unknown"


def _too_many_sign_ups(blocked: throttle.Blocked) -> str:
    wait = f"{blocked.minutes} minute{'s' if blocked.minutes != 1 else ''}"
    return f"Too many sign-ups from this network. Please wait {wait} and try again, or sign in if you have an account."


class AccountError(ValueError):
    """A request about an account that cannot be done; the message is safe to show."""


class SignInRefused(AccountError):
    """Wrong email or password, or too many tries; the message never says which account exists."""


def clean_email(email: str) -> str:
    cleaned = email.strip().lower()
    if not cleaned or "@" not in cleaned or cleaned.startswith("@") or cleaned.endswith("@") or " " in cleaned:
        raise AccountError("Please enter an email address, like name@example.org.")
    if len(cleaned) > EMAIL_MAX:
        raise AccountError(f"That email address is longer than {EMAIL_MAX} characters.")
    return cleaned


def clean_name(name: str) -> str:
    """A display name as typed, trimmed and with runs of spaces folded; raises AccountError when unusable."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise AccountError("Please type a name (it can be a first name or a nickname).")
    if len(cleaned) > 80:
        raise AccountError(f"That name is {len(cleaned)} characters long; please keep it to 80.")
    if any(ord(ch) < 32 for ch in cleaned):
        raise AccountError("The name contains control characters; please type it again.")
    return cleaned


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _user(row: Any) -> User:
    return User(row.id, row.name, row.role, row.email)


@dataclass(frozen=True)
class Account:
    user: User
    created_at: datetime
    disabled: bool
    has_password: bool
    single_sign_on: bool


class Accounts(Repository):
    # ------------------------------------------------------------------ create
    def count(self) -> int:
        with self._read() as connection:
            return int(connection.execute(select(func.count()).select_from(users)).scalar_one())

    def has_admin(self) -> bool:
        with self._read() as connection:
            return connection.execute(select(users.c.id).where(users.c.role == "admin").limit(1)).first() is not None

    # Argon2 costs a fifth of a second of CPU by design: every hash and verification happens outside write
    # transactions, so a class signing in at once never queues on SQLite's one write lock ("database is locked").
    def _insert(self, connection: Connection, name: str, email: str, password_hash: str | None, role: str) -> User:
        if connection.execute(select(users.c.id).where(users.c.email == email)).first() is not None:
            raise AccountError("An account with that email address already exists. Try signing in instead.")
        values: dict[str, object] = {
            "name": name,
            "name_key": name.casefold(),
            "email": email,
            "role": role,
            "created_at": clock.now(),
            "password_hash": password_hash,
        }
        new_id = connection.execute(insert(users).values(**values)).inserted_primary_key
        assert new_id is not None
        return User(int(new_id[0]), name, role, email)

    def register(self, name: str, email: str, password: str, address: str | None = None) -> User:
        """A trainee signs up with a name, an email and a password that meets the policy.

        Saying "that email already has an account" helps a person who forgot they signed up, and also tells a
        stranger which emails have accounts; so those answers are counted per network ``address``
        (SIGN_UP_TAKEN), and after a few of them that address waits before signing anyone up."""
        name, email = clean_name(name), clean_email(email)
        passwords.check_password(password, name=name, email=email)
        where = (address or UNKNOWN_ADDRESS)[:64]
        moment = clock.now()
        with self._read() as connection:
            waiting = throttle.blocked(connection, [(SIGN_UP_TAKEN, where)], moment)
        if waiting is not None:
            raise AccountError(_too_many_sign_ups(waiting))
        hashed = passwords.hash_password(password)
        with self._write() as connection:
            taken = connection.execute(select(users.c.id).where(users.c.email == email)).first() is not None
            if not taken:
                return self._insert(connection, name, email, hashed, "trainee")
            counted = throttle.take(connection, [(SIGN_UP_TAKEN, where)], moment)
        if isinstance(counted, throttle.Blocked):
            raise AccountError(_too_many_sign_ups(counted))
        raise AccountError("An account with that email address already exists. Try signing in instead.")

    def create_first_admin(self, name: str, email: str, password: str) -> User:
        """The first admin of a new installation; refused once any admin exists. Atomic on every database: the
        'first-admin' marker's primary key lets exactly one of several simultaneous requests (threads or servers)
        through."""
        name, email = clean_name(name), clean_email(email)
        passwords.check_password(password, name=name, email=email)
        hashed = passwords.hash_password(password)
        taken = AccountError("PeerSim already has an admin. Ask them to create your account.")
        try:
            with self._write() as connection:
                if connection.execute(select(users.c.id).where(users.c.role == "admin").limit(1)).first() is not None:
                    raise taken
                connection.execute(insert(install_markers).values(name="first-admin", at=clock.now()))
                user = self._insert(connection, name, email, hashed, "admin")
                audit.write(connection, user, "create first admin", user.id)
                return user
        except IntegrityError:
            raise taken from None

    def create_user(self, actor: User, name: str, email: str, password: str, role: str) -> User:
        """An admin creates an account with any role (for example an instructor)."""
        require_role(actor, "admin")
        if role not in ROLES:
            raise AccountError(f"Role must be one of: {', '.join(ROLES)}.")
        name, email = clean_name(name), clean_email(email)
        passwords.check_password(password, name=name, email=email)
        hashed = passwords.hash_password(password)
        with self._write() as connection:
            user = self._insert(connection, name, email, hashed, role)
            audit.write(connection, actor, "create account", user.id, f"role {role}")
            return user

    def single_sign_on(self, subject: str, email: str | None, name: str | None) -> User:
        """The user for an identity from the program's OIDC provider, linked by email or created as a trainee."""
        with self._write() as connection:
            row = connection.execute(select(users).where(users.c.oidc_subject == subject)).first()
            if row is not None:
                if row.disabled:
                    raise SignInRefused("This account has been switched off. Please contact your program's admin.")
                return _user(row)
            cleaned = clean_email(email) if email else None
            if cleaned is not None:
                row = connection.execute(select(users).where(users.c.email == cleaned)).first()
                if row is not None:
                    connection.execute(update(users).where(users.c.id == row.id).values(oidc_subject=subject))
                    return _user(row)
            display = clean_name(name or (cleaned.split("@")[0] if cleaned else "PeerSim user"))
            new_id = connection.execute(
                insert(users).values(
                    name=display,
                    name_key=display.casefold(),
                    email=cleaned,
                    role="trainee",
                    created_at=clock.now(),
                    oidc_subject=subject,
                )
            ).inserted_primary_key
            assert new_id is not None
            return User(int(new_id[0]), display, "trainee", cleaned)

    # ----------------------------------------------------------------- sign in
    def sign_in(self, email: str, password: str, address: str | None = None) -> User:
        """The user for these credentials, or SignInRefused.

        Every try is counted before the password is checked, in one write transaction that locks the counts
        (records.throttle), so parallel guesses cannot slip past: at most MAX_FAILURES passwords are checked per
        email and network ``address`` within LOCK_MINUTES, then that pair waits, even with the right password. A
        flood from one address is refused before it costs a password check (SIGN_IN_ADDRESS), and an owner signing
        in from elsewhere is not locked out by it. A right password gives its count back."""
        refused = SignInRefused("That email and password do not match an account. Please try again.")
        try:
            key = clean_email(email)
        except AccountError:
            raise refused from None
        where = (address or UNKNOWN_ADDRESS)[:64]
        moment = clock.now()
        checks = [(SIGN_IN_ADDRESS, where), (SIGN_IN_TRIES, f"{key} {where}"), (SIGN_IN_ACCOUNT, key)]
        with self._write() as connection:
            taken = throttle.take(connection, checks, moment)
            row = connection.execute(select(users).where(users.c.email == key)).first()
            if isinstance(taken, throttle.Blocked):
                if taken.limit is SIGN_IN_ADDRESS:
                    message = "Too many sign-in tries from this network. Please wait {wait} and try again."
                else:
                    message = "Too many tries for this account. For your safety, please wait {wait} and try again."
                wait = f"{taken.minutes} minute{'s' if taken.minutes != 1 else ''}"
                blocked = SignInRefused(message.format(wait=wait))
        if isinstance(taken, throttle.Blocked):
            raise blocked
        stored = row.password_hash if row is not None and row.password_hash else passwords.DUMMY_HASH
        ok = passwords.verify_password(stored, password) and row is not None and bool(row.password_hash)
        if not ok or row is None:
            if row is not None:  # failures for emails with no account would only flood the log
                with self._write() as connection:
                    audit.record(connection, f"someone at {where}", "failed sign-in", row.id)
                    if throttle.blocked(connection, [(SIGN_IN_TRIES, f"{key} {where}")], moment) is not None:
                        audit.record(
                            connection, f"someone at {where}", "sign-in locked", row.id, f"{MAX_FAILURES} wrong passwords"
                        )
            raise refused
        user = _user(row)
        if row.disabled:
            raise SignInRefused("This account has been switched off. Please contact your program's admin.")
        rehashed = passwords.hash_password(password) if passwords.needs_rehash(row.password_hash) else None
        with self._write() as connection:
            throttle.give_back(connection, taken)
            throttle.clear(connection, SIGN_IN_TRIES.kind, f"{key} {where}")
            if rehashed is not None:
                connection.execute(update(users).where(users.c.id == row.id).values(password_hash=rehashed))
            audit.write(connection, user, "sign in", user.id, f"password, from {where}")
        return user

    # ---------------------------------------------------------------- sessions
    def start_session(self, user: User, *, days: int = SESSION_DAYS, token: str | None = None) -> str:
        """A new session token for the cookie (only its hash is stored). ``token`` adopts a value the caller
        already has (single sign-on: the identity cookie), so that it too can be revoked on the server."""
        token = token or secrets.token_urlsafe(32)
        moment = clock.now()
        with self._write() as connection:
            connection.execute(
                insert(sessions).values(
                    token_hash=_token_hash(token), user_id=user.id, created_at=moment, expires_at=moment + timedelta(days=days)
                )
            )
        return token

    def user_for_session(self, token: str | None) -> User | None:
        """The signed-in user for a cookie's token, or None when it is unknown, expired, revoked or disabled."""
        if not token or len(token) > 8192:
            return None
        query = (
            select(users)
            .join(sessions, sessions.c.user_id == users.c.id)
            .where(
                sessions.c.token_hash == _token_hash(token),
                sessions.c.revoked_at.is_(None),
                sessions.c.expires_at > clock.now(),
                users.c.disabled.is_(False),
            )
        )
        with self._read() as connection:
            row = connection.execute(query).first()
        return _user(row) if row is not None else None

    def session_status(self, token: str | None) -> str:
        """'active', 'ended' (signed out or expired: never to be revived) or 'unknown'."""
        if not token:
            return "unknown"
        with self._read() as connection:
            row = connection.execute(
                select(sessions.c.revoked_at, sessions.c.expires_at).where(sessions.c.token_hash == _token_hash(token))
            ).first()
        if row is None:
            return "unknown"
        return "active" if row.revoked_at is None and row.expires_at > clock.now() else "ended"

    def end_session(self, token: str | None) -> None:
        if not token:
            return
        with self._write() as connection:
            connection.execute(
                update(sessions)
                .where(sessions.c.token_hash == _token_hash(token), sessions.c.revoked_at.is_(None))
                .values(revoked_at=clock.now())
            )

    def end_all_sessions(self, user_id: int) -> None:
        with self._write() as connection:
            connection.execute(
                update(sessions)
                .where(sessions.c.user_id == user_id, sessions.c.revoked_at.is_(None))
                .values(revoked_at=clock.now())
            )

    # ------------------------------------------------------------------ manage
    def list(self, actor: User) -> list[Account]:
        require_role(actor, "admin")
        with self._read() as connection:
            rows = connection.execute(select(users).order_by(users.c.role, users.c.name_key, users.c.id)).all()
        return [Account(_user(r), r.created_at, bool(r.disabled), bool(r.password_hash), bool(r.oidc_subject)) for r in rows]

    def set_role(self, actor: User, user_id: int, role: str) -> None:
        require_role(actor, "admin")
        if role not in ROLES:
            raise AccountError(f"Role must be one of: {', '.join(ROLES)}.")
        if user_id == actor.id and role != "admin":
            raise AccountError("You cannot remove your own admin role; ask another admin.")
        with self._write() as connection:
            connection.execute(update(users).where(users.c.id == user_id).values(role=role))
            audit.write(connection, actor, "change role", user_id, f"role {role}")

    def change_password(self, actor: User, current: str, new: str) -> None:
        with self._read() as connection:
            row = connection.execute(select(users).where(users.c.id == actor.id)).first()
        if row is None or not row.password_hash or not passwords.verify_password(row.password_hash, current):
            raise AccountError("Your current password was not right. Please try again.")
        passwords.check_password(new, name=row.name, email=row.email or "")
        hashed = passwords.hash_password(new)
        with self._write() as connection:
            connection.execute(update(users).where(users.c.id == actor.id).values(password_hash=hashed))

    def delete(self, actor: User, user_id: int) -> None:
        """Delete an account and every record of it (attempts, decisions, memberships, sessions).
        A trainee deletes their own; an admin anyone's but their own (so a program is never left without one)."""
        if actor.id != user_id and actor.role != "admin":
            raise AccessDenied("You can only delete your own account.")
        with self._write() as connection:
            if actor.role == "admin" and actor.id == user_id:
                others = connection.execute(
                    select(func.count()).where(users.c.role == "admin", users.c.id != actor.id)
                ).scalar_one()
                if not others:
                    raise AccountError("You are the only admin. Make someone else an admin before deleting your account.")
            if actor.id != user_id:
                audit.write(connection, actor, "delete account", None, f"user {user_id}")
            connection.execute(delete(users).where(users.c.id == user_id))
