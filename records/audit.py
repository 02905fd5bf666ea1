"""The audit log: who looked at or exported whose records, who signed in, and what admins changed. Admins read it.

The log is append-only for the application: this module only inserts and reads, and database triggers
(migration 0008) refuse any UPDATE or DELETE of audit_log on SQLite and PostgreSQL. Entries keep the actor's
name and the subject's id without a foreign key, so deleting an account leaves the entries about it as they were.

Reads of someone else's records are logged once per viewer, action, subject and detail within VIEW_WINDOW
(:func:`write_view`): a page that reads a trainee's records several times per run, and reruns on every click,
makes one entry, not one per read.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Connection, RowMapping, Select, func, insert, or_, select

from records import clock
from records.access import User, require_role, require_see
from records.base import Repository
from records.tables import audit_log, users

PAGE_SIZE = 50
VIEW_WINDOW = timedelta(hours=1)
"""A read of someone's records is logged again only after this long (or with a different action or detail)."""


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor_name: str
    action: str
    subject_name: str | None
    detail: str
    subject_user_id: int | None = None

    @property
    def subject(self) -> str:
        """Whose records: the account's current name, or a note when the account has been deleted since."""
        if self.subject_name is not None:
            return self.subject_name
        return f"deleted account #{self.subject_user_id}" if self.subject_user_id is not None else ""


@dataclass(frozen=True)
class AuditFilter:
    """Which entries to show: one action, a name the actor's or subject's name contains, and UTC days (inclusive)."""

    action: str | None = None
    name: str | None = None
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    total: int
    offset: int

    @property
    def first(self) -> int:
        """The 1-based number of the first entry shown (0 when there is none)."""
        return self.offset + 1 if self.entries else 0

    @property
    def last(self) -> int:
        return self.offset + len(self.entries)


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


def viewed_recently(connection: Connection, actor: User, action: str, subject_user_id: int | None, detail: str = "") -> bool:
    """Whether this read is already in the log within VIEW_WINDOW."""
    subject = audit_log.c.subject_user_id.is_(None) if subject_user_id is None else audit_log.c.subject_user_id == subject_user_id
    query = (
        select(audit_log.c.id)
        .where(
            audit_log.c.actor_id == actor.id,
            audit_log.c.action == action,
            subject,
            audit_log.c.detail == detail,
            audit_log.c.at > clock.now() - VIEW_WINDOW,
        )
        .limit(1)
    )
    return connection.execute(query).first() is not None


def write_view(connection: Connection, actor: User, action: str, subject_user_id: int | None = None, detail: str = "") -> None:
    """Log a read of someone else's records, unless the same read is already logged within VIEW_WINDOW."""
    if not viewed_recently(connection, actor, action, subject_user_id, detail):
        write(connection, actor, action, subject_user_id, detail)


@contextmanager
def seeing(
    repository: Repository, actor: User, user_id: int, action: str, detail: str = "", *, every_time: bool = False
) -> Iterator[Connection]:
    """A transaction of ``repository`` for reading ``user_id``'s records: access checked, and logged when they are
    not the actor's own. A view is logged once per viewer, action, subject and detail within VIEW_WINDOW (a page
    reads several times per run and reruns on every click); ``every_time`` logs each read (an export)."""
    logged = actor.id == user_id
    if not logged and not every_time:
        with repository._read() as connection:
            require_see(connection, actor, user_id)
            logged = viewed_recently(connection, actor, action, user_id, detail)
    if logged:
        with repository._read() as connection:
            require_see(connection, actor, user_id)
            yield connection
        return
    with repository._write() as connection:
        require_see(connection, actor, user_id)
        (write if every_time else write_view)(connection, actor, action, user_id, detail)
        yield connection


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


class Audit(Repository):
    """Reading the log (admins only). There is deliberately no method that changes or removes an entry."""

    @staticmethod
    def _query(filters: AuditFilter) -> Select[tuple[object, ...]]:
        subject = users.alias("subject")
        query = select(audit_log, subject.c.name.label("subject_name")).outerjoin(
            subject, subject.c.id == audit_log.c.subject_user_id
        )
        if filters.action:
            query = query.where(audit_log.c.action == filters.action)
        needle = " ".join((filters.name or "").split())
        if needle:
            query = query.where(
                or_(
                    func.lower(audit_log.c.actor_name).contains(needle.lower(), autoescape=True),
                    subject.c.name_key.contains(needle.casefold(), autoescape=True),
                )
            )
        if filters.since is not None:
            query = query.where(audit_log.c.at >= _day_start(filters.since))
        if filters.until is not None:
            query = query.where(audit_log.c.at < _day_start(filters.until + timedelta(days=1)))
        return query

    @staticmethod
    def _entry(r: RowMapping) -> AuditEntry:
        return AuditEntry(r["id"], r["at"], r["actor_name"], r["action"], r["subject_name"], r["detail"], r["subject_user_id"])

    def entries(self, actor: User, *, limit: int = 500) -> list[AuditEntry]:
        """The newest ``limit`` entries, newest first."""
        return self.page(actor, offset=0, limit=limit).entries

    def page(self, actor: User, filters: AuditFilter | None = None, *, offset: int = 0, limit: int = PAGE_SIZE) -> AuditPage:
        """One page of the entries that match ``filters``, newest first, with how many match in all."""
        require_role(actor, "admin")
        query = self._query(filters or AuditFilter())
        with self._read() as connection:
            total = int(connection.execute(select(func.count()).select_from(query.subquery())).scalar_one())
            offset = max(0, min(offset, (max(total, 1) - 1) // limit * limit))
            rows = (
                connection.execute(query.order_by(audit_log.c.at.desc(), audit_log.c.id.desc()).offset(offset).limit(limit))
                .mappings()
                .all()
            )
        return AuditPage([self._entry(r) for r in rows], total, offset)

    def actions(self, actor: User) -> list[str]:
        """Every action that appears in the log, in alphabetical order (for a filter)."""
        require_role(actor, "admin")
        with self._read() as connection:
            return list(connection.execute(select(audit_log.c.action).distinct().order_by(audit_log.c.action)).scalars())
