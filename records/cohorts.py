"""Cohorts (classes): instructors own them, trainees join with a short code, admins see them all."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, Select, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from records import audit, clock, throttle
from records.access import AccessDenied, User, require_role
from records.base import Repository
from records.tables import cohort_members, cohorts, users

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


class CohortError(ValueError):
    """A cohort request that cannot be done; the message is safe to show."""


@dataclass(frozen=True)
class Cohort:
    id: int
    name: str
    join_code: str
    owner_id: int
    owner_name: str
    created_at: datetime
    archived: bool
    members: int


@dataclass(frozen=True)
class Member:
    user: User
    joined_at: datetime


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


class Cohorts(Repository):
    def _select(self) -> Select[Any]:
        owner = users.alias("owner")
        count = select(func.count()).where(cohort_members.c.cohort_id == cohorts.c.id).correlate(cohorts).scalar_subquery()
        return select(cohorts, owner.c.name.label("owner_name"), count.label("members")).join(
            owner, owner.c.id == cohorts.c.owner_id
        )

    @staticmethod
    def _cohort(row: Row[Any]) -> Cohort:
        return Cohort(
            row.id, row.name, row.join_code, row.owner_id, row.owner_name, row.created_at, bool(row.archived), int(row.members)
        )

    def create(self, actor: User, name: str) -> Cohort:
        require_role(actor, "instructor", "admin")
        cleaned = " ".join(name.split())
        if not cleaned:
            raise CohortError("Please give the cohort a name, like 'Spring 2027, Tuesday evenings'.")
        if len(cleaned) > 120:
            raise CohortError("Please keep the cohort name to 120 characters.")
        for _ in range(10):
            try:
                with self._write() as connection:
                    new_id = connection.execute(
                        insert(cohorts).values(name=cleaned, join_code=new_code(), owner_id=actor.id, created_at=clock.now())
                    ).inserted_primary_key
                    assert new_id is not None
                    return self._get(connection, int(new_id[0]))
            except IntegrityError:  # pragma: no cover - a code collision: 31**6 codes, so rare
                continue
        raise CohortError("Could not make a unique join code; please try again.")  # pragma: no cover

    def _get(self, connection: Connection, cohort_id: int) -> Cohort:
        row = connection.execute(self._select().where(cohorts.c.id == cohort_id)).first()
        if row is None:
            raise CohortError("There is no such cohort.")
        return self._cohort(row)

    def _owned(self, connection: Connection, actor: User, cohort_id: int) -> Cohort:
        cohort = self._get(connection, cohort_id)
        if actor.role != "admin" and cohort.owner_id != actor.id:
            raise AccessDenied("Only the cohort's instructor (or an admin) can do that.")
        return cohort

    def mine(self, actor: User) -> list[Cohort]:
        """Instructors: the cohorts they own. Admins: every cohort. Trainees: the cohorts they belong to."""
        query = self._select()
        if actor.role == "instructor":
            query = query.where(cohorts.c.owner_id == actor.id)
        elif actor.role == "trainee":
            query = query.where(cohorts.c.id.in_(select(cohort_members.c.cohort_id).where(cohort_members.c.user_id == actor.id)))
        with self._read() as connection:
            rows = connection.execute(query.order_by(cohorts.c.archived, cohorts.c.created_at.desc())).all()
        return [self._cohort(r) for r in rows]

    def join(self, actor: User, code: str, *, address: str | None = None) -> Cohort:
        """A trainee joins with the code their instructor gave them.

        Codes that do not work are throttled per user (and per network ``address`` when the caller has one): each
        try is counted before the code is looked up, in the same write transaction (records.throttle), so parallel
        guesses cannot slip past; after WRONG_CODES within JOIN_MINUTES every code is refused unchecked until the
        window passes. A code that works gives its try back. Joins and the bursts that pause joining are audited."""
        wanted = normalise_code(code)
        if len(wanted) != CODE_LENGTH:
            raise CohortError(f"A join code has {CODE_LENGTH} letters and numbers, like K7M2QX. Please check it.")
        checks = join_checks(actor, address)
        moment = clock.now()
        with self._write() as connection:  # refusals are raised after the commit, so the counted try stays
            taken = throttle.take(connection, checks, moment)
            if isinstance(taken, throttle.Blocked):
                refusal = CohortError(paused_message(taken))
            else:
                row = connection.execute(self._select().where(cohorts.c.join_code == wanted)).first()
                if row is None or row.archived:
                    note_wrong_code(connection, actor, checks, moment)
                    refusal = CohortError("No open cohort has that code. Please check it with your instructor.")
                else:
                    throttle.give_back(connection, taken)
                    exists = connection.execute(
                        select(cohort_members.c.user_id).where(
                            cohort_members.c.cohort_id == row.id, cohort_members.c.user_id == actor.id
                        )
                    ).first()
                    if exists is None:
                        connection.execute(insert(cohort_members).values(cohort_id=row.id, user_id=actor.id, joined_at=moment))
                        audit.write(connection, actor, "join cohort", actor.id, f"cohort {row.id}")
                    return self._get(connection, row.id)
        raise refusal

    def leave(self, actor: User, cohort_id: int) -> None:
        """The actor leaves a cohort: its instructor no longer sees their records, and its live classes close to
        them. Their own records stay theirs."""
        with self._write() as connection:
            gone = connection.execute(
                delete(cohort_members).where(cohort_members.c.cohort_id == cohort_id, cohort_members.c.user_id == actor.id)
            ).rowcount
            if gone:
                audit.write(connection, actor, "leave cohort", actor.id, f"cohort {cohort_id}")

    def members(self, actor: User, cohort_id: int) -> list[Member]:
        with self._write() as connection:
            cohort = self._owned(connection, actor, cohort_id)
            rows = connection.execute(
                select(users, cohort_members.c.joined_at)
                .join(cohort_members, cohort_members.c.user_id == users.c.id)
                .where(cohort_members.c.cohort_id == cohort_id)
                .order_by(users.c.name_key, users.c.id)
            ).all()
            audit.write_view(connection, actor, "view cohort", None, f"cohort {cohort.id}: {cohort.name}")
        return [Member(User(r.id, r.name, r.role, r.email), r.joined_at) for r in rows]

    def remove_member(self, actor: User, cohort_id: int, user_id: int) -> User:
        """The cohort's instructor (or an admin) removes a member; returns who was removed. The member's practice
        records stay theirs: only the membership goes, and with it the instructor's view of them and the cohort's
        live classes (records/live.py checks membership on every answer and read)."""
        with self._write() as connection:
            cohort = self._owned(connection, actor, cohort_id)
            row = connection.execute(
                select(users)
                .join(cohort_members, cohort_members.c.user_id == users.c.id)
                .where(cohort_members.c.cohort_id == cohort_id, cohort_members.c.user_id == user_id)
            ).first()
            if row is None:
                raise CohortError("That person is not in this cohort any more.")
            connection.execute(
                delete(cohort_members).where(cohort_members.c.cohort_id == cohort_id, cohort_members.c.user_id == user_id)
            )
            audit.write(connection, actor, "remove from cohort", user_id, f"cohort {cohort.id}: {cohort.name}")
        return User(row.id, row.name, row.role, row.email)

    def archive(self, actor: User, cohort_id: int, archived: bool = True) -> None:
        with self._write() as connection:
            self._owned(connection, actor, cohort_id)
            connection.execute(update(cohorts).where(cohorts.c.id == cohort_id).values(archived=archived))

    def new_join_code(self, actor: User, cohort_id: int) -> Cohort:
        with self._write() as connection:
            self._owned(connection, actor, cohort_id)
            connection.execute(update(cohorts).where(cohorts.c.id == cohort_id).values(join_code=new_code()))
            return self._get(connection, cohort_id)
