"""Roster import: an instructor brings a list of trainees for a cohort, and each becomes a one-time invitation.

The list is a CSV file of names and email addresses (records.roster reads and checks it, row by row). Each good
row becomes an invitation with a link that carries a random token; as with password resets (records.recovery),
the database keeps only the token's SHA-256, so the links are shown once, to the instructor who made them, and
work once, for INVITE_DAYS. Each row that is not invited is reported by its line, with why: a missing name, an
address that is not one, an address twice in the file, someone already in the cohort, or someone whose invitation
is still waiting. So importing the same list twice invites no one twice, and says so on every row.

Nobody gets a second account. The link of an address no account has lets its owner choose a password, and creates
their account, with the name and address on the list, in the cohort. The link of an address an account already has
asks its owner to sign in as themselves; then the account joins the cohort. Either way, accepting is one write
transaction: the invitation is used up, the account joins, and the audit log says so.

Only the cohort's instructor, or an admin, invites to a cohort, sees its waiting invitations and withdraws them
(records.cohort_rows.owned_cohort).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from records import audit, clock, passwords
from records.access import User, require_role
from records.base import Repository
from records.cohort_rows import Cohort, add_member, get_cohort, owned_cohort
from records.errors import AccountError, CohortError
from records.roster import clean_name, name_problem, read_roster
from records.tables import cohort_members, cohorts, invitations, users

INVITE_DAYS = 14
TOKEN_MAX = 200

UNKNOWN = "This invitation link is not valid. It may have been copied only in part. Please ask your instructor for a new link."
USED = (
    "This invitation link has already been used. If you used it, your account is in the cohort: please sign in. "
    "If not, please ask your instructor for a new link."
)
EXPIRED = f"This invitation link has expired: invitations work for {INVITE_DAYS} days. Please ask your instructor for a new link."
REVOKED = "This invitation was withdrawn by your instructor. If you think that is a mistake, please ask them for a new link."
CLOSED = "{cohort} is archived and takes no new members at the moment. Please ask your instructor about it."
HAS_ACCOUNT = "PeerSim already has an account with the email address {email}. Please sign in with it to join {cohort}."
OTHER_ACCOUNT = (
    "This invitation is for {email}, and you are signed in as {other}. Please sign in as {email} to join {cohort}, "
    "or ask your instructor to invite {other} instead."
)
ARCHIVED = "{cohort} is archived, so it takes no new members. Unarchive it first to invite trainees to it."


@dataclass(frozen=True)
class ImportLine:
    """One person of an imported list: their line in the file, what happened, and, when they were invited, their
    link's token (shown once, never stored)."""

    line: int
    name: str
    email: str
    outcome: str
    token: str | None = None

    @property
    def invited(self) -> bool:
        return self.token is not None


@dataclass(frozen=True)
class ImportReport:
    cohort: Cohort
    lines: list[ImportLine]
    expires_at: datetime
    """When this import's new links stop working."""

    @property
    def invited(self) -> list[ImportLine]:
        return [line for line in self.lines if line.invited]

    @property
    def not_invited(self) -> list[ImportLine]:
        return [line for line in self.lines if not line.invited]


@dataclass(frozen=True)
class Pending:
    """An invitation that is waiting to be accepted, as its cohort's instructor sees it."""

    id: int
    cohort_id: int
    name: str
    email: str
    invited_by: str
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class Waiting:
    """A cohort's invitations still waiting, oldest first, and how many ran out unused (a new import renews them)."""

    pending: list[Pending]
    expired: int


@dataclass(frozen=True)
class Invitation:
    """What an invitation's link page says: who is invited, to which cohort, by whom, until when, and whether the
    address already has an account (then its owner signs in rather than choosing a password)."""

    cohort_id: int
    cohort_name: str
    name: str
    email: str
    invited_by: str
    expires_at: datetime
    has_account: bool
    has_password: bool


@dataclass(frozen=True)
class Joined:
    user: User
    cohort: Cohort


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _open(moment: datetime) -> Any:
    """Invitations still waiting at ``moment``: not accepted, not withdrawn, not expired."""
    return and_(invitations.c.accepted_at.is_(None), invitations.c.revoked_at.is_(None), invitations.c.expires_at > moment)


class Invitations(Repository):
    """``store.invitations`` on the Store."""

    # ------------------------------------------------------------------ the instructor's side
    def import_roster(self, actor: User, cohort_id: int, data: bytes) -> ImportReport:
        """Invite every good row of a CSV file (``data``, as uploaded) to the cohort, in one write transaction, and
        report every row by its line. Raises CohortError, inviting no one, when the file as a whole cannot be used
        (records.roster says why) or the cohort is archived; AccessDenied unless the actor is the cohort's
        instructor or an admin. The cohort's row is locked first, so two imports of one list at once take turns
        and the second finds the first's invitations waiting."""
        require_role(actor, "instructor", "admin")
        moment = clock.now()
        expires = moment + timedelta(days=INVITE_DAYS)
        with self._write() as connection:
            connection.execute(select(cohorts.c.id).where(cohorts.c.id == cohort_id).with_for_update())
            cohort = owned_cohort(connection, actor, cohort_id)
            if cohort.archived:
                raise CohortError(ARCHIVED.format(cohort=cohort.name))
            rows = read_roster(data)
            emails = {row.email for row in rows if row.ok}
            members = set(
                connection.execute(
                    select(users.c.email)
                    .join(cohort_members, cohort_members.c.user_id == users.c.id)
                    .where(cohort_members.c.cohort_id == cohort_id, users.c.email.in_(emails))
                ).scalars()
            )
            waiting = set(
                connection.execute(
                    select(invitations.c.email).where(
                        invitations.c.cohort_id == cohort_id, invitations.c.email.in_(emails), _open(moment)
                    )
                ).scalars()
            )
            lines, new = [], []
            for row in rows:
                if not row.ok:
                    outcome = f"Not invited: {'; '.join(row.problems)}."
                elif row.email in members:
                    outcome = f"Not invited: {row.email} is already a member of this cohort."
                elif row.email in waiting:
                    outcome = f"Not invited again: {row.email} already has an invitation to this cohort waiting."
                else:
                    token = secrets.token_urlsafe(32)
                    new.append({"token_hash": _hash(token), "name": row.name, "email": row.email})
                    lines.append(ImportLine(row.line, row.name, row.email, "Invited.", token))
                    continue
                lines.append(ImportLine(row.line, row.name, row.email, outcome))
            if new:  # one statement for the whole list
                made = {"cohort_id": cohort_id, "invited_by": actor.id, "created_at": moment, "expires_at": expires}
                connection.execute(insert(invitations), [{**values, **made} for values in new])
            report = ImportReport(cohort, lines, expires)
            detail = f"cohort {cohort.id}: {len(report.invited)} invited, {len(report.not_invited)} not"
            audit.write(connection, actor, "import roster", None, detail)
        return report

    def waiting(self, actor: User, cohort_id: int) -> Waiting:
        """The cohort's invitations still waiting to be accepted, for its instructor or an admin."""
        moment = clock.now()
        inviter = users.alias("inviter")
        with self._read() as connection:
            cohort = owned_cohort(connection, actor, cohort_id)
            rows = connection.execute(
                select(invitations, inviter.c.name.label("inviter_name"))
                .outerjoin(inviter, inviter.c.id == invitations.c.invited_by)
                .where(invitations.c.cohort_id == cohort_id, _open(moment))
                .order_by(invitations.c.created_at, invitations.c.id)
            ).all()
            # Ran out unused, and not invited again since: the ones a new import of the list would renew.
            renewed = select(invitations.c.email).where(invitations.c.cohort_id == cohort_id, _open(moment))
            joined = select(users.c.email).join(cohort_members, cohort_members.c.user_id == users.c.id)
            expired = connection.execute(
                select(func.count(func.distinct(invitations.c.email))).where(
                    invitations.c.cohort_id == cohort_id,
                    invitations.c.accepted_at.is_(None),
                    invitations.c.revoked_at.is_(None),
                    invitations.c.expires_at <= moment,
                    invitations.c.email.not_in(renewed),
                    invitations.c.email.not_in(joined.where(cohort_members.c.cohort_id == cohort_id)),
                )
            ).scalar_one()
        pending = [
            Pending(r.id, r.cohort_id, r.name, r.email, r.inviter_name or cohort.owner_name, r.created_at, r.expires_at)
            for r in rows
        ]
        return Waiting(pending, int(expired))

    def revoke(self, actor: User, invitation_id: int) -> Pending:
        """Withdraw a waiting invitation: its link stops working. An invitation withdrawn already stays so; one
        accepted already cannot be withdrawn (its person is a member: the cohort page removes members)."""
        with self._write() as connection:
            row = connection.execute(select(invitations).where(invitations.c.id == invitation_id).with_for_update()).first()
            if row is None:
                raise CohortError("That invitation no longer exists. Its cohort may have been deleted.")
            cohort = owned_cohort(connection, actor, row.cohort_id)
            if row.accepted_at is not None:
                raise CohortError(
                    f"{row.name} accepted this invitation already, so it cannot be withdrawn. To take them out of the "
                    "cohort, remove them from its members."
                )
            if row.revoked_at is None:
                connection.execute(update(invitations).where(invitations.c.id == invitation_id).values(revoked_at=clock.now()))
                audit.write(connection, actor, "revoke invitation", None, f"cohort {cohort.id}: {row.email}")
        return Pending(row.id, row.cohort_id, row.name, row.email, cohort.owner_name, row.created_at, row.expires_at)

    # ------------------------------------------------------------------ the invited person's side
    def _valid(self, connection: Connection, token: str, *, lock: bool = False) -> Any:
        if not token or len(token) > TOKEN_MAX:
            raise CohortError(UNKNOWN)
        query = select(invitations).where(invitations.c.token_hash == _hash(token))
        if lock:
            query = query.with_for_update()
        row = connection.execute(query).first()
        if row is None:
            raise CohortError(UNKNOWN)
        if row.revoked_at is not None:
            raise CohortError(REVOKED)
        if row.accepted_at is not None:
            raise CohortError(USED)
        if row.expires_at <= clock.now():
            raise CohortError(EXPIRED)
        return row

    def check(self, token: str) -> Invitation:
        """What a link invites to, or CohortError (unknown, withdrawn, used or expired) with a message to show."""
        with self._read() as connection:
            row = self._valid(connection, token)
            cohort = get_cohort(connection, row.cohort_id)
            inviter = connection.execute(select(users.c.name).where(users.c.id == row.invited_by)).scalar()
            account = connection.execute(select(users.c.password_hash).where(users.c.email == row.email)).first()
        return Invitation(
            cohort_id=cohort.id,
            cohort_name=cohort.name,
            name=row.name,
            email=row.email,
            invited_by=inviter or cohort.owner_name,
            expires_at=row.expires_at,
            has_account=account is not None,
            has_password=account is not None and bool(account.password_hash),
        )

    def _joinable(self, connection: Connection, row: Any) -> Cohort:
        cohort = get_cohort(connection, row.cohort_id)
        if cohort.archived:
            raise CohortError(CLOSED.format(cohort=cohort.name))
        return cohort

    def _use(self, connection: Connection, row: Any, user: User, moment: datetime) -> None:
        member = connection.execute(
            select(cohort_members.c.user_id).where(
                cohort_members.c.cohort_id == row.cohort_id, cohort_members.c.user_id == user.id
            )
        ).first()
        if member is None:
            add_member(connection, user, row.cohort_id, moment, how="with an invitation")
        connection.execute(
            update(invitations).where(invitations.c.id == row.id).values(accepted_at=moment, accepted_user_id=user.id)
        )

    def accept_new(self, token: str, password: str, name: str = "") -> Joined:
        """Someone whose address has no account accepts: their account is made with the address on the list, the
        name they confirm (the list's when ``name`` is blank) and a password that meets the policy, in the cohort.
        A weak password or a refused link changes nothing; an address that has an account by now is sent to sign
        in (HAS_ACCOUNT), so there is never a second account for one address."""
        invitation = self.check(token)
        if invitation.has_account:
            raise CohortError(HAS_ACCOUNT.format(email=invitation.email, cohort=invitation.cohort_name))
        chosen = clean_name(name) or invitation.name
        problem = name_problem(chosen)
        if problem is not None:
            raise AccountError(f"{problem[0].upper()}{problem[1:]}.")
        passwords.check_password(password, name=chosen, email=invitation.email)
        hashed = passwords.hash_password(password)  # a fifth of a second: outside the write transaction
        moment = clock.now()
        taken = CohortError(HAS_ACCOUNT.format(email=invitation.email, cohort=invitation.cohort_name))
        try:
            with self._write() as connection:
                row = self._valid(connection, token, lock=True)  # again, under the write lock: a link works once
                cohort = self._joinable(connection, row)
                if connection.execute(select(users.c.id).where(users.c.email == row.email)).first() is not None:
                    raise taken
                new_id = connection.execute(
                    insert(users).values(
                        name=chosen,
                        name_key=chosen.casefold(),
                        email=row.email,
                        role="trainee",
                        created_at=moment,
                        password_hash=hashed,
                    )
                ).inserted_primary_key
                assert new_id is not None
                user = User(int(new_id[0]), chosen, "trainee", row.email)
                audit.write(connection, user, "create account", user.id, f"with an invitation to cohort {cohort.id}")
                self._use(connection, row, user, moment)
                cohort = get_cohort(connection, cohort.id)
        except IntegrityError:  # the address signed up at this very moment (users.email is unique)
            raise taken from None
        return Joined(user, cohort)

    def accept(self, actor: User, token: str) -> Cohort:
        """The signed-in owner of the invited address accepts: their account joins the cohort (already a member:
        nothing changes but the link is used up). Someone signed in with another address is refused."""
        moment = clock.now()
        with self._write() as connection:
            row = self._valid(connection, token, lock=True)
            cohort = self._joinable(connection, row)
            if (actor.email or "") != row.email:
                other = actor.email or actor.name
                raise CohortError(OTHER_ACCOUNT.format(email=row.email, other=other, cohort=cohort.name))
            self._use(connection, row, actor, moment)
            return get_cohort(connection, cohort.id)
