"""Row-level helpers for cohorts: the row type and reading one cohort, with the owner check, for the cohorts, the
dashboard and the live classes alike. They take a connection and own no transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, Select, func, select

from records.access import User
from records.errors import AccessDenied, CohortError
from records.tables import cohort_members, cohorts, users


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
