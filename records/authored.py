"""Scenarios instructors write in the studio: drafts, checks, and publishing to cohorts.

They live in the database, not in files, so every server of a deployment sees the same drafts and the same
published versions. A draft is the author's working text; publishing stores the checked text as a scenario
version (the same table attempts point at) and names the cohorts whose trainees may play it. Editing a
published scenario changes only the draft until it is published again, so trainees never see half-finished
work. The shipped library is read-only and never stored here.

Every save that changes a draft's text keeps it as a numbered version (who saved it, when); a restore brings an
old version back as a new one, so nothing is lost. A save names the version its editor opened: when someone saved
since, it is refused (:class:`StaleDraft`) rather than overwriting their work silently.

Rules: instructors see and change their own scenarios; admins see and change all. An author (or an admin) may share
a draft with other instructors, its co-authors: they open, edit, see the history of, restore and play-test it, but
only the author or an admin deletes, publishes, retires or shares it. Trainees see only the published versions of
scenarios published to a cohort they belong to.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, Select, and_, delete, func, insert, select, update

from records import audit, clock, versions
from records.access import AccessDenied, User, require_role
from records.base import Repository
from records.errors import AuthoringError
from records.tables import (
    authored_publications,
    authored_revisions,
    authored_scenarios,
    authored_shares,
    cohort_members,
    cohorts,
    scenario_versions,
    users,
)

MAX_SOURCE = 1024 * 1024  # the YAML gateway refuses more than this, so storing more would only store an error


@dataclass(frozen=True)
class Authored:
    id: int
    author_id: int
    author_name: str
    name: str
    scenario_id: str | None
    source: str
    checked_hash: str | None
    published_hash: str | None
    status: str
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    cohort_ids: tuple[int, ...]
    revision: int = 0  # the number of the latest saved version
    saved_by_name: str | None = None  # who saved the latest version (None: an account deleted since)
    shared_with: tuple[int, ...] = ()  # the co-authors' user ids

    @property
    def checks_pass(self) -> bool:
        return self.checked_hash is not None

    @property
    def unpublished_changes(self) -> bool:
        """Published, but the draft has changed since (or no longer passes its checks)."""
        return self.status == "published" and self.checked_hash != self.published_hash


@dataclass(frozen=True)
class Revision:
    """One saved version of a draft (its text is read with :meth:`Authoring.revision_source`)."""

    number: int
    name: str
    saved_by_name: str | None  # None: the account was deleted since
    saved_at: datetime
    restored_from: int | None  # the version this one brought back, for a restore


@dataclass(frozen=True)
class Instructor:
    """Someone a draft may be shared with."""

    id: int
    name: str


class StaleDraft(AuthoringError):
    """A save whose editor opened a version that is no longer the latest: someone saved since. Nothing was saved;
    ``theirs`` is the latest version and ``their_source`` its text, for the page to show the difference."""

    def __init__(self, message: str, theirs: Revision, their_source: str) -> None:
        super().__init__(message)
        self.theirs = theirs
        self.their_source = their_source


def _when(moment: datetime, today: datetime) -> str:
    """'at 3:42 PM' today, 'on 2 Dec at 3:42 PM' another day (times as stored: UTC)."""
    hour = f"{moment:%I:%M %p}".lstrip("0")
    return f"at {hour}" if moment.date() == today.date() else f"on {moment.day} {moment:%b} at {hour}"


@dataclass(frozen=True)
class Published:
    """A published version a user may play: which authored scenario, and the exact version."""

    authored_id: int
    scenario_id: str
    content_hash: str
    source: str
    author_name: str


class Authoring(Repository):
    def _select(self) -> Select[Any]:
        return select(authored_scenarios, users.c.name.label("author_name")).join(
            users, users.c.id == authored_scenarios.c.author_id
        )

    @staticmethod
    def _cohorts_of(connection: Connection, authored_ids: Sequence[int]) -> dict[int, tuple[int, ...]]:
        found: dict[int, list[int]] = {}
        if authored_ids:
            for authored_id, cohort_id in connection.execute(
                select(authored_publications.c.authored_id, authored_publications.c.cohort_id)
                .where(authored_publications.c.authored_id.in_(list(authored_ids)))
                .order_by(authored_publications.c.cohort_id)
            ):
                found.setdefault(authored_id, []).append(cohort_id)
        return {k: tuple(v) for k, v in found.items()}

    @staticmethod
    def _latest_of(connection: Connection, authored_ids: Sequence[int]) -> dict[int, tuple[int, str | None]]:
        """Each draft's latest version number and who saved it."""
        if not authored_ids:
            return {}
        r = authored_revisions.c
        latest = (
            select(r.authored_id, func.max(r.number).label("number"))
            .where(r.authored_id.in_(list(authored_ids)))
            .group_by(r.authored_id)
            .subquery()
        )
        query = (
            select(r.authored_id, r.number, users.c.name)
            .join(latest, and_(latest.c.authored_id == r.authored_id, latest.c.number == r.number))
            .outerjoin(users, users.c.id == r.saved_by)
        )
        return {row.authored_id: (row.number, row.name) for row in connection.execute(query)}

    @staticmethod
    def _shares_of(connection: Connection, authored_ids: Sequence[int]) -> dict[int, tuple[int, ...]]:
        found: dict[int, list[int]] = {}
        if authored_ids:
            for authored_id, user_id in connection.execute(
                select(authored_shares.c.authored_id, authored_shares.c.user_id)
                .where(authored_shares.c.authored_id.in_(list(authored_ids)))
                .order_by(authored_shares.c.user_id)
            ):
                found.setdefault(authored_id, []).append(user_id)
        return {k: tuple(v) for k, v in found.items()}

    def _rows(self, connection: Connection, query: Select[Any]) -> list[Authored]:
        rows: list[Row[Any]] = list(connection.execute(query).all())
        published = self._cohorts_of(connection, [r.id for r in rows])
        latest = self._latest_of(connection, [r.id for r in rows])
        shared = self._shares_of(connection, [r.id for r in rows])
        return [
            Authored(
                id=r.id,
                author_id=r.author_id,
                author_name=r.author_name,
                name=r.name,
                scenario_id=r.scenario_id,
                source=r.source,
                checked_hash=r.checked_hash,
                published_hash=r.published_hash,
                status=r.status,
                created_at=r.created_at,
                updated_at=r.updated_at,
                published_at=r.published_at,
                cohort_ids=published.get(r.id, ()),
                revision=latest.get(r.id, (0, None))[0],
                saved_by_name=latest.get(r.id, (0, None))[1],
                shared_with=shared.get(r.id, ()),
            )
            for r in rows
        ]

    def _owned(self, connection: Connection, actor: User, authored_id: int) -> Authored:
        require_role(actor, "instructor", "admin")
        found = self._rows(connection, self._select().where(authored_scenarios.c.id == authored_id))
        if not found:
            raise AuthoringError("There is no such scenario in the studio.")
        if actor.role != "admin" and found[0].author_id != actor.id:
            raise AccessDenied("Only the scenario's author (or an admin) can do that.")
        return found[0]

    def _coauthored(self, connection: Connection, actor: User, authored_id: int, *, lock: bool = False) -> Authored:
        """The draft, for its author, a co-author it is shared with, or an admin. ``lock``: hold its row until the
        transaction ends (PostgreSQL; SQLite's write transactions are already exclusive), so two saves take turns."""
        require_role(actor, "instructor", "admin")
        if lock:
            connection.execute(select(authored_scenarios.c.id).where(authored_scenarios.c.id == authored_id).with_for_update())
        found = self._rows(connection, self._select().where(authored_scenarios.c.id == authored_id))
        if not found:
            raise AuthoringError("There is no such scenario in the studio.")
        item = found[0]
        if actor.role != "admin" and item.author_id != actor.id and actor.id not in item.shared_with:
            raise AccessDenied("Only the scenario's author, the instructors it is shared with, or an admin can do that.")
        return item

    @staticmethod
    def _clean_name(name: str) -> str:
        cleaned = " ".join(name.split())[:200]
        return cleaned or "Untitled draft"

    @staticmethod
    def _check_size(source: str) -> None:
        if len(source.encode("utf-8")) > MAX_SOURCE:
            raise AuthoringError("This scenario is larger than 1 MiB; nothing was saved. Please split it into smaller ones.")

    # ------------------------------------------------------------------ drafts
    def create(self, actor: User, source: str, *, name: str, scenario_id: str | None, checked_hash: str | None) -> Authored:
        """A new draft. ``checked_hash`` is the content hash when the text passed every check, else None."""
        require_role(actor, "instructor", "admin")
        self._check_size(source)
        moment = clock.now()
        with self._write() as connection:
            new_id = connection.execute(
                insert(authored_scenarios).values(
                    author_id=actor.id,
                    name=self._clean_name(name),
                    scenario_id=scenario_id,
                    source=source,
                    checked_hash=checked_hash,
                    status="draft",
                    created_at=moment,
                    updated_at=moment,
                )
            ).inserted_primary_key
            assert new_id is not None
            connection.execute(
                insert(authored_revisions).values(
                    authored_id=int(new_id[0]),
                    number=1,
                    name=self._clean_name(name),
                    source=source,
                    saved_by=actor.id,
                    saved_at=moment,
                )
            )
            return self._owned(connection, actor, int(new_id[0]))

    def save(
        self,
        actor: User,
        authored_id: int,
        source: str,
        *,
        name: str,
        scenario_id: str | None,
        checked_hash: str | None,
        base_revision: int | None = None,
    ) -> Authored:
        """Save the draft text as a new version (a published version stays as it was until published again).

        ``base_revision`` is the version the editor opened: when someone saved a newer one since, the save is refused
        with :class:`StaleDraft` and nothing changes (None: no such check). Text the same as the latest version makes
        no new version."""
        self._check_size(source)
        with self._write() as connection:
            found = self._coauthored(connection, actor, authored_id, lock=True)
            if source == found.source:  # nothing new to keep; the checks may still have changed (a new rubric)
                connection.execute(
                    update(authored_scenarios)
                    .where(authored_scenarios.c.id == authored_id)
                    .values(name=self._clean_name(name), scenario_id=scenario_id, checked_hash=checked_hash)
                )
                return self._coauthored(connection, actor, authored_id)
            if base_revision is not None and base_revision != found.revision:
                raise self._stale(connection, actor, found)
            self._new_revision(connection, actor, found, source, name, scenario_id, checked_hash)
            return self._coauthored(connection, actor, authored_id)

    def _new_revision(
        self,
        connection: Connection,
        actor: User,
        found: Authored,
        source: str,
        name: str,
        scenario_id: str | None,
        checked_hash: str | None,
        restored_from: int | None = None,
    ) -> int:
        moment = clock.now()
        number = found.revision + 1
        connection.execute(
            update(authored_scenarios)
            .where(authored_scenarios.c.id == found.id)
            .values(
                source=source,
                name=self._clean_name(name),
                scenario_id=scenario_id,
                checked_hash=checked_hash,
                updated_at=moment,
            )
        )
        connection.execute(
            insert(authored_revisions).values(
                authored_id=found.id,
                number=number,
                name=self._clean_name(name),
                source=source,
                saved_by=actor.id,
                saved_at=moment,
                restored_from=restored_from,
            )
        )
        return number

    def _stale(self, connection: Connection, actor: User, found: Authored) -> StaleDraft:
        theirs = self._revisions(connection, found.id, found.revision)[0]
        their_source = self._source_of(connection, found.id, found.revision)
        saver_id = connection.execute(
            select(authored_revisions.c.saved_by).where(
                authored_revisions.c.authored_id == found.id, authored_revisions.c.number == found.revision
            )
        ).scalar()
        when = _when(theirs.saved_at, clock.now())
        if saver_id == actor.id:
            message = (
                f"You saved this draft in another window {when}, after this one was opened. Your text here is kept "
                "below; see the difference, then save again to replace that version, or copy what you need."
            )
        else:
            who = theirs.saved_by_name or "Someone"
            message = (
                f"{who} saved this draft {when} after you opened it. Your text is kept below; see the difference, "
                "then save again to replace theirs, or copy what you need."
            )
        return StaleDraft(message, theirs, their_source)

    def get(self, actor: User, authored_id: int) -> Authored:
        with self._read() as connection:
            return self._coauthored(connection, actor, authored_id)

    def mine(self, actor: User) -> list[Authored]:
        """Instructors: their own scenarios and those shared with them. Admins: everyone's. Newest change first."""
        require_role(actor, "instructor", "admin")
        query = self._select().order_by(authored_scenarios.c.updated_at.desc(), authored_scenarios.c.id.desc())
        if actor.role != "admin":
            shared = select(authored_shares.c.authored_id).where(authored_shares.c.user_id == actor.id)
            query = query.where((authored_scenarios.c.author_id == actor.id) | authored_scenarios.c.id.in_(shared))
        with self._read() as connection:
            return self._rows(connection, query)

    def delete(self, actor: User, authored_id: int) -> None:
        """Remove a scenario from the studio. Attempts already played keep their stored version."""
        with self._write() as connection:
            found = self._owned(connection, actor, authored_id)
            connection.execute(delete(authored_scenarios).where(authored_scenarios.c.id == authored_id))
            audit.write(connection, actor, "delete scenario", None, f"studio #{authored_id}: {found.name}")

    # ----------------------------------------------------------------- history
    @staticmethod
    def _revisions(connection: Connection, authored_id: int, number: int | None = None) -> list[Revision]:
        r = authored_revisions.c
        query = (
            select(r.number, r.name, users.c.name.label("saved_by_name"), r.saved_at, r.restored_from)
            .outerjoin(users, users.c.id == r.saved_by)
            .where(r.authored_id == authored_id, *([] if number is None else [r.number == number]))
            .order_by(r.number.desc())
        )
        return [
            Revision(row.number, row.name, row.saved_by_name, row.saved_at, row.restored_from)
            for row in connection.execute(query)
        ]

    @staticmethod
    def _source_of(connection: Connection, authored_id: int, number: int) -> str:
        source = connection.execute(
            select(authored_revisions.c.source).where(
                authored_revisions.c.authored_id == authored_id, authored_revisions.c.number == number
            )
        ).scalar()
        if source is None:
            raise AuthoringError("There is no such version of this draft.")
        return str(source)

    def history(self, actor: User, authored_id: int) -> list[Revision]:
        """Every saved version of the draft, newest first."""
        with self._read() as connection:
            self._coauthored(connection, actor, authored_id)
            return self._revisions(connection, authored_id)

    def revision_source(self, actor: User, authored_id: int, number: int) -> str:
        """The text of one saved version."""
        with self._read() as connection:
            self._coauthored(connection, actor, authored_id)
            return self._source_of(connection, authored_id, number)

    def restore(
        self, actor: User, authored_id: int, number: int, *, name: str, scenario_id: str | None, checked_hash: str | None
    ) -> Authored:
        """Bring version ``number`` back as a new version (the versions since stay in the history). ``name`` and
        the rest are the restored text's, as checked by the caller."""
        with self._write() as connection:
            found = self._coauthored(connection, actor, authored_id, lock=True)
            source = self._source_of(connection, authored_id, number)
            if source == found.source:
                raise AuthoringError(f"Version {number} is the same as the current draft; there is nothing to restore.")
            made = self._new_revision(connection, actor, found, source, name, scenario_id, checked_hash, restored_from=number)
            audit.write(
                connection,
                actor,
                "restore scenario version",
                None,
                f"studio #{authored_id}: {found.name}, version {number} restored as version {made}",
            )
            return self._coauthored(connection, actor, authored_id)

    # ----------------------------------------------------------------- sharing
    def instructors(self, actor: User, authored_id: int) -> list[Instructor]:
        """Whom the author (or an admin) may share this draft with: every instructor but its author, by name."""
        with self._read() as connection:
            found = self._owned(connection, actor, authored_id)
            rows = connection.execute(
                select(users.c.id, users.c.name)
                .where(
                    users.c.id != found.author_id,
                    (users.c.role == "instructor") & users.c.disabled.is_(False) | users.c.id.in_(list(found.shared_with)),
                )
                .order_by(users.c.name, users.c.id)
            ).all()
        return [Instructor(r.id, r.name) for r in rows]

    def share(self, actor: User, authored_id: int, user_ids: Collection[int]) -> Authored:
        """Share the draft with exactly these instructors (replacing the earlier choice); author or admin only."""
        wanted = set(user_ids)
        with self._write() as connection:
            found = self._owned(connection, actor, authored_id)
            if found.author_id in wanted:
                raise AuthoringError("The author already writes this draft; choose other instructors to share it with.")
            current = set(found.shared_with)
            added, removed = wanted - current, current - wanted
            if added:
                allowed = set(
                    connection.execute(
                        select(users.c.id).where(
                            users.c.id.in_(sorted(added)), users.c.role == "instructor", users.c.disabled.is_(False)
                        )
                    ).scalars()
                )
                if allowed != added:
                    raise AuthoringError("A draft can be shared only with instructors; nothing was changed.")
            names = {
                r.id: r.name
                for r in connection.execute(select(users.c.id, users.c.name).where(users.c.id.in_(sorted(added | removed))))
            }
            if removed:
                connection.execute(
                    delete(authored_shares).where(
                        authored_shares.c.authored_id == authored_id, authored_shares.c.user_id.in_(sorted(removed))
                    )
                )
            if added:
                moment = clock.now()
                connection.execute(
                    insert(authored_shares),
                    [
                        {"authored_id": authored_id, "user_id": u, "shared_by": actor.id, "shared_at": moment}
                        for u in sorted(added)
                    ],
                )
            for action, people in (("share scenario", added), ("unshare scenario", removed)):
                for user_id in sorted(people):
                    audit.write(connection, actor, action, user_id, f"studio #{authored_id}: {found.name} with {names[user_id]}")
            return self._owned(connection, actor, authored_id)

    # -------------------------------------------------------------- publishing
    def publish(
        self,
        actor: User,
        authored_id: int,
        cohort_ids: Collection[int],
        *,
        content_hash: str,
        scenario_id: str,
        reserved_ids: Collection[str] = (),
    ) -> Authored:
        """Publish the saved draft to these cohorts (replacing any earlier choice of cohorts).

        ``content_hash`` must be the hash of the saved draft as checked by the caller; publishing refuses a draft
        that changed since or did not pass. ``reserved_ids`` are the scenario ids of the shipped library, which a
        published scenario may not reuse (nor may it reuse another published scenario's id).
        """
        wanted = sorted(set(cohort_ids))
        if not wanted:
            raise AuthoringError("Choose at least one cohort to publish to.")
        with self._write() as connection:
            found = self._owned(connection, actor, authored_id)
            if found.checked_hash is None:
                raise AuthoringError(
                    "This draft has problems to fix first; only a scenario that passes every check can be published."
                )
            if found.checked_hash != content_hash or found.scenario_id != scenario_id:
                raise AuthoringError("The draft changed since it was checked. Save it again, then publish.")
            if scenario_id in reserved_ids:
                raise AuthoringError(
                    f"The id '{scenario_id}' belongs to a scenario in the shipped library; give yours another id."
                )
            clash = connection.execute(
                select(authored_scenarios.c.name).where(
                    authored_scenarios.c.scenario_id == scenario_id,
                    authored_scenarios.c.status == "published",
                    authored_scenarios.c.id != authored_id,
                )
            ).first()
            if clash is not None:
                raise AuthoringError(f"The id '{scenario_id}' is already used by the published scenario “{clash.name}”.")
            owned = set(
                connection.execute(
                    select(cohorts.c.id).where(
                        cohorts.c.id.in_(wanted), *([] if actor.role == "admin" else [cohorts.c.owner_id == actor.id])
                    )
                ).scalars()
            )
            if owned != set(wanted):
                raise AccessDenied("You can publish only to your own cohorts.")
            versions.remember(connection, scenario_id, content_hash, found.source)
            moment = clock.now()
            connection.execute(
                update(authored_scenarios)
                .where(authored_scenarios.c.id == authored_id)
                .values(published_hash=content_hash, status="published", published_at=moment, updated_at=moment)
            )
            connection.execute(delete(authored_publications).where(authored_publications.c.authored_id == authored_id))
            connection.execute(insert(authored_publications), [{"authored_id": authored_id, "cohort_id": c} for c in wanted])
            audit.write(
                connection,
                actor,
                "publish scenario",
                None,
                f"{scenario_id} ({content_hash[:12]}) to cohort(s) {', '.join(map(str, wanted))}",
            )
            return self._owned(connection, actor, authored_id)

    def retire(self, actor: User, authored_id: int) -> Authored:
        """Stop offering a published scenario; the draft and every attempt played on it stay."""
        with self._write() as connection:
            found = self._owned(connection, actor, authored_id)
            connection.execute(delete(authored_publications).where(authored_publications.c.authored_id == authored_id))
            connection.execute(
                update(authored_scenarios)
                .where(authored_scenarios.c.id == authored_id)
                .values(status="retired", updated_at=clock.now())
            )
            audit.write(connection, actor, "retire scenario", None, f"studio #{authored_id}: {found.name}")
            return self._owned(connection, actor, authored_id)

    def playable(self, actor: User) -> list[Published]:
        """The published versions this user may play: trainees, those published to their cohorts; instructors,
        also their own; admins, all. One entry per authored scenario."""
        query = (
            select(
                authored_scenarios.c.id,
                authored_scenarios.c.scenario_id,
                authored_scenarios.c.published_hash,
                scenario_versions.c.source,
                users.c.name.label("author_name"),
            )
            .join(scenario_versions, scenario_versions.c.content_hash == authored_scenarios.c.published_hash)
            .join(users, users.c.id == authored_scenarios.c.author_id)
            .where(authored_scenarios.c.status == "published")
            .order_by(authored_scenarios.c.name, authored_scenarios.c.id)
        )
        if actor.role != "admin":
            in_my_cohorts = select(authored_publications.c.authored_id).join(
                cohort_members, cohort_members.c.cohort_id == authored_publications.c.cohort_id
            )
            in_my_cohorts = in_my_cohorts.where(cohort_members.c.user_id == actor.id)
            query = query.where(authored_scenarios.c.id.in_(in_my_cohorts) | (authored_scenarios.c.author_id == actor.id))
        with self._read() as connection:
            rows = connection.execute(query).all()
        return [Published(r.id, r.scenario_id, r.published_hash, r.source, r.author_name) for r in rows]
