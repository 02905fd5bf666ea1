"""The audit log: who looked at or exported whose records, and what admins changed. Admins read it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select

from records import clock
from records.access import User, require_role
from records.base import Repository
from records.tables import audit_log, users


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor_name: str
    action: str
    subject_name: str | None
    detail: str


def write(connection: Connection, actor: User, action: str, subject_user_id: int | None = None, detail: str = "") -> None:
    connection.execute(
        insert(audit_log).values(
            at=clock.now(),
            actor_id=actor.id,
            actor_name=actor.name,
            action=action,
            subject_user_id=subject_user_id,
            detail=detail,
        )
    )


def record(connection: Connection, actor_name: str, action: str, subject_user_id: int | None = None, detail: str = "") -> None:
    """An entry whose actor is not a signed-in user (someone trying to sign in, the server itself)."""
    connection.execute(
        insert(audit_log).values(
            at=clock.now(),
            actor_id=None,
            actor_name=actor_name[:80],
            action=action,
            subject_user_id=subject_user_id,
            detail=detail,
        )
    )


def write_if_other(connection: Connection, actor: User, user_id: int, action: str, detail: str = "") -> None:
    """Log a read of someone else's records (an instructor or admin looking at a trainee)."""
    if actor.id != user_id:
        write(connection, actor, action, user_id, detail)


class Audit(Repository):
    def entries(self, actor: User, *, limit: int = 500) -> list[AuditEntry]:
        require_role(actor, "admin")
        subject = users.alias("subject")
        query = (
            select(audit_log, subject.c.name.label("subject_name"))
            .outerjoin(subject, subject.c.id == audit_log.c.subject_user_id)
            .order_by(audit_log.c.at.desc(), audit_log.c.id.desc())
            .limit(limit)
        )
        with self._read() as connection:
            rows = connection.execute(query).mappings().all()
        return [AuditEntry(r["id"], r["at"], r["actor_name"], r["action"], r["subject_name"], r["detail"]) for r in rows]
