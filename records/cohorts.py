"""Cohorts (classes): instructors own them, trainees join with a short code, admins see them all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, false, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from records import audit, clock, throttle
from records.access import User, require_role
from records.base import Repository
from records.codes import CODE_LENGTH, join_checks, new_code, normalise_code, note_wrong_code, paused_message
from records.cohort_rows import Cohort, add_member, cohort_from, cohort_query, get_cohort, owned_cohort
from records.errors import CohortError
from records.tables import cohort_members, cohorts, users


@dataclass(frozen=True)
class Member:
    user: User
    joined_at: datetime


class Cohorts(Repository):
    _select = staticmethod(cohort_query)
    _cohort = staticmethod(cohort_from)

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
                    taken = connection.execute(
                        select(cohorts.c.id).where(
                            cohorts.c.owner_id == actor.id,
                            func.lower(cohorts.c.name) == cleaned.lower(),
                            cohorts.c.archived == false(),
                        )
                    ).first()
                    if taken is not None:
                        raise CohortError(
                            f"You already have a cohort called '{cleaned}'. Give this one a name that tells them apart, "
                            "like 'Spring 2027, Tuesday evenings'."
                        )
                    new_id = connection.execute(
                        insert(cohorts).values(name=cleaned, join_code=new_code(), owner_id=actor.id, created_at=clock.now())
                    ).inserted_primary_key
                    assert new_id is not None
                    return self._get(connection, int(new_id[0]))
            except IntegrityError:  # pragma: no cover - a code collision: 31**6 codes, so rare
                continue
        raise CohortError("Could not make a unique join code; please try again.")  # pragma: no cover

    _get = staticmethod(get_cohort)
    _owned = staticmethod(owned_cohort)

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
        guesses cannot slip past; after records.codes.WRONG_CODES within JOIN_MINUTES every code is refused unchecked until the
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
                        add_member(connection, actor, row.id, moment)
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
