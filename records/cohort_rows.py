"""Row-level helpers for cohorts: the row type and reading one cohort, with the owner check, adding a member and
asking whether someone was taken out of a cohort, for the cohorts, the dashboard and the live classes alike. They
take a connection and own no transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, Select, func, insert, or_, select

from records import audit
from records.access import User
from records.errors import AccessDenied, CohortError
from records.tables import audit_log, cohort_members, cohorts, users


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


def cohort_query() -> Select[Any]:
    """Cohorts with their owner's name and their number of members."""
    owner = users.alias("owner")
    count = select(func.count()).where(cohort_members.c.cohort_id == cohorts.c.id).correlate(cohorts).scalar_subquery()
    return select(cohorts, owner.c.name.label("owner_name"), count.label("members")).join(owner, owner.c.id == cohorts.c.owner_id)


def cohort_from(row: Row[Any]) -> Cohort:
    return Cohort(
        row.id, row.name, row.join_code, row.owner_id, row.owner_name, row.created_at, bool(row.archived), int(row.members)
    )


def get_cohort(connection: Connection, cohort_id: int) -> Cohort:
    row = connection.execute(cohort_query().where(cohorts.c.id == cohort_id)).first()
    if row is None:
        raise CohortError("There is no such cohort.")
    return cohort_from(row)


def owned_cohort(connection: Connection, actor: User, cohort_id: int) -> Cohort:
    """The cohort, when the actor owns it or is an admin."""
    cohort = get_cohort(connection, cohort_id)
    if actor.role != "admin" and cohort.owner_id != actor.id:
        raise AccessDenied("Only the cohort's instructor (or an admin) can do that.")
    return cohort


def add_member(connection: Connection, actor: User, cohort_id: int, moment: datetime, *, how: str = "") -> None:
    """The actor joins the cohort, with a "join cohort" entry in the audit log (``how``: a note after the cohort,
    such as "with a live class code"). The caller checks first that they are not a member yet."""
    connection.execute(insert(cohort_members).values(cohort_id=cohort_id, user_id=actor.id, joined_at=moment))
    audit.write(connection, actor, "join cohort", actor.id, f"cohort {cohort_id}" + (f", {how}" if how else ""))


def removed_from(connection: Connection, user_id: int, cohort_id: int) -> bool:
    """Whether the last change to this person's place in the cohort was its instructor (or an admin) taking them
    out, from the audit log (the one record of it): "join cohort" and "leave cohort" name the cohort as "cohort N"
    (a join may add ", how"), "remove from cohort" as "cohort N: name"."""
    named = f"cohort {cohort_id}"
    last = connection.execute(
        select(audit_log.c.action)
        .where(
            audit_log.c.subject_user_id == user_id,
            audit_log.c.action.in_(("join cohort", "leave cohort", "remove from cohort")),
            or_(
                audit_log.c.detail == named,
                audit_log.c.detail.startswith(f"{named}:", autoescape=True),
                audit_log.c.detail.startswith(f"{named},", autoescape=True),
            ),
        )
        .order_by(audit_log.c.id.desc())
        .limit(1)
    ).scalar()
    return last == "remove from cohort"
