"""Accounts: creating users, signing in with throttling, server-side sessions, roles, and deleting an account.

Sessions are random tokens kept in an HttpOnly cookie; the database stores only their SHA-256, so a copy of the
database cannot be used to sign in, and signing out revokes the token on the server for every server.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from records import audit, clock, passwords, throttle
from records.access import ROLES, AccessDenied, User, require_role
from records.base import Repository
from records.errors import AccountError, SignInRefused
from records.identity import UNKNOWN_ADDRESS, clean_email, end_sessions, token_hash
from records.tables import install_markers, sessions, users

SESSION_DAYS = 14
MAX_FAILURES = 5
LOCK_MINUTES = 15

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


def _too_many_sign_ups(blocked: throttle.Blocked) -> str:
    wait = f"{blocked.minutes} minute{'s' if blocked.minutes != 1 else ''}"
    return f"Too many sign-ups from this network. Please wait {wait} and try again, or sign in if you have an account."


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

    # ------------------------------------------------------------ single sign-on
    # An identity from the program's OIDC provider is "issuer|subject" (users.oidc_subject). Only what the provider
    # has proved counts: its subject, and an email address only when it says email_verified. Linking never
    # overwrites a link, and a password account is never taken over by an identity with the same email address
    # (nor the reverse): its signed-in owner links the two on "Account and privacy".
    SSO_SWITCHED_OFF = "This account has been switched off. Please contact your program's admin."
    SSO_EMAIL_NOT_VERIFIED = (
        "Your program's sign-in has not confirmed your email address, so PeerSim cannot tell which account is "
        "yours. Please confirm your email address with your program's sign-in (your program's admin can help), "
        "then try again. If you have a PeerSim password, you can sign in with your email and password instead."
    )
    SSO_EMAIL_HAS_PASSWORD = (
        "PeerSim already has an account with the email address {email}, and it signs in with a password. Please "
        'sign in with your email and password, then link single sign-on under "Account and privacy". After that, '
        "either way signs you in."
    )
    SSO_EMAIL_LINKED_ELSEWHERE = (
        "PeerSim already has an account with the email address {email}, linked to a different single sign-on "
        "identity. Please contact your program's admin."
    )
    SSO_IDENTITY_TAKEN = (
        "That single sign-on identity is already linked to another PeerSim account, so it was not linked to yours. "
        "If that account is yours too, please ask your program's admin for help."
    )
    SSO_ALREADY_LINKED = (
        "Your account is already linked to a different single sign-on identity. Unlink it first, then link the new one."
    )
    SSO_ONLY_WAY_IN = "Your account has no password, so single sign-on is the only way to sign in to it. It stays linked."

    def single_sign_on(
        self,
        subject: str,
        email: str | None,
        name: str | None,
        *,
        email_verified: bool = False,
        address: str | None = None,
    ) -> User:
        """The user for an identity from the program's OIDC provider, or SignInRefused with a message to show.

        * An identity linked before signs in to its account, unless the account is switched off.
        * Otherwise the email address counts only when the provider verified it (``email_verified``). It links the
          identity to the account with that address only when that account has neither a password nor a linked
          identity (one an admin made for single sign-on).
        * An account with a password stays apart: its owner signs in with the password and links single sign-on
          on "Account and privacy" (:meth:`link_single_sign_on`).
        * A verified address no account has becomes a new trainee, named from the provider's claims.
        """
        try:
            found = clean_email(email) if email else None
        except AccountError:
            found = None  # an address PeerSim could not use is no address
        where = (address or UNKNOWN_ADDRESS)[:64]
        try:
            with self._write() as connection:
                outcome = self._single_sign_on(connection, subject, found, email_verified, name, where)
        except IntegrityError:  # the same new identity signing in twice at once: the other request created it
            with self._write() as connection:
                outcome = self._single_sign_on(connection, subject, found, email_verified, name, where)
        if isinstance(outcome, SignInRefused):
            raise outcome
        return outcome

    def _single_sign_on(
        self, connection: Connection, subject: str, email: str | None, verified: bool, name: str | None, where: str
    ) -> User | SignInRefused:
        """One decision in one write transaction; refusals are returned (not raised) so their audit entries stay."""
        someone = f"someone at {where}"
        row = connection.execute(select(users).where(users.c.oidc_subject == subject)).first()
        if row is None and email is not None and verified:
            row = connection.execute(select(users).where(users.c.email == email)).first()
            if row is not None and row.oidc_subject != subject:
                return self._single_sign_on_by_email(connection, row, subject, email, someone, where)
        if row is not None:  # linked before (or a moment ago, by the same identity signing in alongside)
            if row.disabled:
                audit.record(connection, someone, "refused sign-in", row.id, "single sign-on: account switched off")
                return SignInRefused(self.SSO_SWITCHED_OFF)
            user = _user(row)
            audit.write(connection, user, "sign in", user.id, f"single sign-on, from {where}")
            return user
        if email is None or not verified:
            return SignInRefused(self.SSO_EMAIL_NOT_VERIFIED)
        display = self._name_from_provider(name, email)
        new_id = connection.execute(
            insert(users).values(
                name=display,
                name_key=display.casefold(),
                email=email,
                role="trainee",
                created_at=clock.now(),
                oidc_subject=subject,
            )
        ).inserted_primary_key
        assert new_id is not None
        user = User(int(new_id[0]), display, "trainee", email)
        audit.write(connection, user, "create account", user.id, "single sign-on")
        audit.write(connection, user, "sign in", user.id, f"single sign-on, from {where}")
        return user

    def _single_sign_on_by_email(
        self, connection: Connection, row: Any, subject: str, email: str, someone: str, where: str
    ) -> User | SignInRefused:
        """A verified address that an account has, not yet linked to this identity: link it only to an account with
        neither a password nor another identity."""
        if row.disabled:
            audit.record(connection, someone, "refused sign-in", row.id, "single sign-on: account switched off")
            return SignInRefused(self.SSO_SWITCHED_OFF)
        if row.password_hash:
            audit.record(connection, someone, "refused sign-in", row.id, "single sign-on: the account has a password")
            return SignInRefused(self.SSO_EMAIL_HAS_PASSWORD.format(email=email))
        if row.oidc_subject is not None:
            audit.record(connection, someone, "refused sign-in", row.id, "single sign-on: linked to another identity")
            return SignInRefused(self.SSO_EMAIL_LINKED_ELSEWHERE.format(email=email))
        linked = connection.execute(
            update(users)
            .where(users.c.id == row.id, users.c.oidc_subject.is_(None), users.c.password_hash.is_(None))
            .values(oidc_subject=subject)
        ).rowcount
        if linked != 1:  # a password or another link arrived at this very moment (PostgreSQL re-checks the row)
            return SignInRefused("Your account changed while you were signing in. Please try again.")
        user = _user(row)
        audit.write(connection, user, "link single sign-on", user.id, f"{self._issuer(subject)}, by verified email")
        audit.write(connection, user, "sign in", user.id, f"single sign-on, from {where}")
        return user

    def own_account(self, actor: User) -> Account:
        """The signed-in user's own account: how they can sign in (a password, single sign-on or both)."""
        with self._read() as connection:
            row = connection.execute(select(users).where(users.c.id == actor.id)).first()
        if row is None:
            raise AccountError("This account no longer exists.")
        return Account(
            user=_user(row),
            created_at=row.created_at,
            disabled=bool(row.disabled),
            has_password=bool(row.password_hash),
            single_sign_on=bool(row.oidc_subject),
        )

    def link_single_sign_on(self, actor: User, subject: str) -> None:
        """Link a provider identity to the signed-in owner's account (they proved both: a PeerSim session and a
        sign-in at the provider). Refused when the identity is linked to someone else or the account to another
        identity: a link is never overwritten."""
        taken = AccountError(self.SSO_IDENTITY_TAKEN)
        try:
            with self._write() as connection:
                owner = connection.execute(select(users.c.id).where(users.c.oidc_subject == subject)).first()
                if owner is not None:
                    if owner.id == actor.id:
                        return  # linked already
                    raise taken
                row = connection.execute(select(users).where(users.c.id == actor.id)).first()
                if row is None or row.disabled:
                    raise AccountError(self.SSO_SWITCHED_OFF)
                if row.oidc_subject is not None:
                    raise AccountError(self.SSO_ALREADY_LINKED)
                connection.execute(update(users).where(users.c.id == actor.id).values(oidc_subject=subject))
                audit.write(connection, actor, "link single sign-on", actor.id, self._issuer(subject))
        except IntegrityError:  # linked to another account at the same moment
            raise taken from None

    def unlink_single_sign_on(self, actor: User) -> None:
        """Unlink the owner's provider identity; refused when the account has no password (no way in left)."""
        with self._write() as connection:
            row = connection.execute(select(users).where(users.c.id == actor.id)).first()
            if row is None or row.oidc_subject is None:
                return
            if not row.password_hash:
                raise AccountError(self.SSO_ONLY_WAY_IN)
            connection.execute(update(users).where(users.c.id == actor.id).values(oidc_subject=None))
            audit.write(connection, actor, "unlink single sign-on", actor.id, self._issuer(row.oidc_subject))

    @staticmethod
    def _issuer(subject: str) -> str:
        return subject.split("|", 1)[0]

    @staticmethod
    def _name_from_provider(name: str | None, email: str) -> str:
        """A display name from the provider's claims, made to fit (PeerSim never refuses a sign-in over a name)."""
        cleaned = " ".join("".join(ch if ord(ch) >= 32 else " " for ch in name or "").split())[:80].strip()
        return cleaned or email.split("@")[0][:80]

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
                    token_hash=token_hash(token), user_id=user.id, created_at=moment, expires_at=moment + timedelta(days=days)
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
                sessions.c.token_hash == token_hash(token),
                sessions.c.revoked_at.is_(None),
                sessions.c.expires_at > clock.now(),
                users.c.disabled.is_(False),
            )
        )
        with self._read() as connection:
            row = connection.execute(query).first()
        return _user(row) if row is not None else None

    def end_session(self, token: str | None) -> None:
        if not token:
            return
        with self._write() as connection:
            connection.execute(
                update(sessions)
                .where(sessions.c.token_hash == token_hash(token), sessions.c.revoked_at.is_(None))
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
    # Admin actions on an account: each needs the admin role (checked here, whatever page asks), refuses what would
    # lock the program out (an admin switching off or deleting themselves, deleting the last active admin), and is
    # written to the audit log. Password-reset links are in records.recovery.
    CURRENT_PASSWORD = throttle.Limit("current-password", 5, timedelta(minutes=15))
    """Wrong current passwords when changing one's password, per user: at most 5 in 15 minutes."""

    def list(self, actor: User) -> list[Account]:
        require_role(actor, "admin")
        with self._read() as connection:
            rows = connection.execute(select(users).order_by(users.c.role, users.c.name_key, users.c.id)).all()
        return [Account(_user(r), r.created_at, bool(r.disabled), bool(r.password_hash), bool(r.oidc_subject)) for r in rows]

    @staticmethod
    def _target(connection: Connection, user_id: int) -> Any:
        row = connection.execute(select(users).where(users.c.id == user_id)).first()
        if row is None:
            raise AccountError("That account no longer exists. It may have been deleted a moment ago.")
        return row

    def set_role(self, actor: User, user_id: int, role: str) -> None:
        require_role(actor, "admin")
        if role not in ROLES:
            raise AccountError(f"Role must be one of: {', '.join(ROLES)}.")
        if user_id == actor.id and role != "admin":
            raise AccountError("You cannot remove your own admin role; ask another admin.")
        with self._write() as connection:
            self._target(connection, user_id)
            connection.execute(update(users).where(users.c.id == user_id).values(role=role))
            audit.write(connection, actor, "change role", user_id, f"role {role}")

    def deactivate(self, actor: User, user_id: int) -> int:
        """Switch an account off: it cannot sign in, and every session it has ends now. Its records stay.
        Returns how many sessions were ended."""
        require_role(actor, "admin")
        if user_id == actor.id:
            raise AccountError("You cannot switch off your own account. Ask another admin.")
        with self._write() as connection:
            row = self._target(connection, user_id)
            ended = end_sessions(connection, user_id)
            if row.disabled:
                return ended
            connection.execute(update(users).where(users.c.id == user_id).values(disabled=True))
            audit.write(connection, actor, "deactivate account", user_id, _sessions_ended(ended))
        return ended

    def reactivate(self, actor: User, user_id: int) -> None:
        """Switch an account back on: it can sign in again (its old sessions stay ended)."""
        require_role(actor, "admin")
        with self._write() as connection:
            row = self._target(connection, user_id)
            if row.disabled:
                connection.execute(update(users).where(users.c.id == user_id).values(disabled=False))
                audit.write(connection, actor, "reactivate account", user_id)

    def revoke_sessions(self, actor: User, user_id: int) -> int:
        """Sign an account out everywhere (a lost phone, a shared computer): every session ends now. Returns how
        many were active."""
        require_role(actor, "admin")
        with self._write() as connection:
            self._target(connection, user_id)
            ended = end_sessions(connection, user_id)
            audit.write(connection, actor, "sign out everywhere", user_id, _sessions_ended(ended))
        return ended

    def change_password(self, actor: User, current: str, new: str, *, keep_session: str | None = None) -> int:
        """Change the actor's own password after checking the current one, and sign out every other session of
        the account (the one whose token is ``keep_session`` stays signed in). Returns how many were signed out.

        Wrong current passwords are counted before the check (records.throttle): at most CURRENT_PASSWORD.most
        within its window, then the form waits, so the field cannot be used to guess a password."""
        moment = clock.now()
        key = str(actor.id)
        with self._write() as connection:
            taken = throttle.take(connection, [(self.CURRENT_PASSWORD, key)], moment)
            row = connection.execute(select(users).where(users.c.id == actor.id)).first()
        if isinstance(taken, throttle.Blocked):
            raise AccountError(
                f"Too many wrong current passwords. For your safety, please wait {_minutes(taken.minutes)} and try again."
            )
        if row is None or not row.password_hash or not passwords.verify_password(row.password_hash, current):
            if row is not None:
                with self._write() as connection:
                    audit.write(connection, actor, "wrong current password", actor.id)
                    if throttle.blocked(connection, [(self.CURRENT_PASSWORD, key)], moment) is not None:
                        detail = f"{self.CURRENT_PASSWORD.most} wrong current passwords"
                        audit.write(connection, actor, "password change locked", actor.id, detail)
            raise AccountError("Your current password was not right. Please try again.")
        with self._write() as connection:
            throttle.clear(connection, self.CURRENT_PASSWORD.kind, key)  # the right password: start counting afresh
        passwords.check_password(new, name=row.name, email=row.email or "")
        hashed = passwords.hash_password(new)
        with self._write() as connection:
            connection.execute(update(users).where(users.c.id == actor.id).values(password_hash=hashed))
            ended = end_sessions(connection, actor.id, keep=keep_session)
            audit.write(connection, actor, "change password", actor.id, f"other {_sessions_ended(ended)}")
        return ended

    def delete(self, actor: User, user_id: int) -> None:
        """Delete an account and every record of it (attempts, decisions, memberships, sessions).
        A trainee deletes their own; an admin anyone's, but never the last active admin (so a program is never left
        without one). The audit log keeps its entries about the account, and notes the deletion."""
        if actor.id != user_id and actor.role != "admin":
            raise AccessDenied("You can only delete your own account.")
        with self._write() as connection:
            row = self._target(connection, user_id)
            if row.role == "admin":
                others = connection.execute(
                    select(func.count()).where(users.c.role == "admin", users.c.id != user_id, users.c.disabled.is_(False))
                ).scalar_one()
                if not others:
                    if actor.id == user_id:
                        raise AccountError("You are the only admin. Make someone else an admin before deleting your account.")
                    raise AccountError(f"{row.name} is the only active admin. Make someone else an admin first.")
            action = "delete own account" if actor.id == user_id else "delete account"
            audit.write(connection, actor, action, user_id, f"{row.name}, {row.role}")
            connection.execute(delete(users).where(users.c.id == user_id))


def _minutes(count: int) -> str:
    return f"{count} minute{'s' if count != 1 else ''}"


def _sessions_ended(count: int) -> str:
    return f"{count} session{'s' if count != 1 else ''} signed out"
