"""Who may see whose records. Every function in records/ that touches a trainee's data asks here.

* a trainee: only themselves;
* an instructor: themselves and the members of cohorts they own;
* an admin: everyone.
Changing a trainee's practice record (recording a decision, leaving an attempt) is for that trainee alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, and_, exists, select

from records.errors import AccessDenied
from records.tables import cohort_members, cohorts

__all__ = ["ROLES", "AccessDenied", "User", "may_see", "require_role", "require_see", "require_self"]

ROLES = ("trainee", "instructor", "admin")


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str = "trainee"
    email: str | None = None


def may_see(connection: Connection, actor: User, user_id: int) -> bool:
    if actor.id == user_id or actor.role == "admin":
        return True
    if actor.role != "instructor":
        return False
    query = select(
        exists().where(
            and_(
                cohort_members.c.user_id == user_id,
                cohort_members.c.cohort_id == cohorts.c.id,
                cohorts.c.owner_id == actor.id,
            )
        )
    )
    return bool(connection.execute(query).scalar())


def require_see(connection: Connection, actor: User, user_id: int) -> None:
    if not may_see(connection, actor, user_id):
        raise AccessDenied("You can only see your own practice records.")


def require_self(actor: User, user_id: int) -> None:
    if actor.id != user_id:
        raise AccessDenied("Only the trainee can change their own practice record.")


def require_role(actor: User, *roles: str) -> None:
    if actor.role not in roles:
        raise AccessDenied(f"This needs the {' or '.join(roles)} role.")
