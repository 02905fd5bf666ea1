"""Scenarios instructors write in the studio: drafts, checks, and publishing to cohorts.

They live in the database, not in files, so every server of a deployment sees the same drafts and the same
published versions. A draft is the author's working text; publishing stores the checked text as a scenario
version (the same table attempts point at) and names the cohorts whose trainees may play it. Editing a
published scenario changes only the draft until it is published again, so trainees never see half-finished
work. The shipped library is read-only and never stored here.

Rules: instructors see and change their own scenarios; admins see and change all. Trainees see only the
published versions of scenarios published to a cohort they belong to.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, Select, delete, insert, select, update

from records import audit, clock, versions
from records.access import AccessDenied, User, require_role
from records.base import Repository
from records.errors import AuthoringError
from records.tables import authored_publications, authored_scenarios, cohort_members, cohorts, scenario_versions, users

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

    @property
    def checks_pass(self) -> bool:
        return self.checked_hash is not None

    @property
    def unpublished_changes(self) -> bool:
        """Published, but the draft has changed since (or no longer passes its checks)."""
        return self.status == "published" and self.checked_hash != self.published_hash


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

    def _rows(self, connection: Connection, query: Select[Any]) -> list[Authored]:
        rows: list[Row[Any]] = list(connection.execute(query).all())
        published = self._cohorts_of(connection, [r.id for r in rows])
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
            return self._owned(connection, actor, int(new_id[0]))

    def save(
        self, actor: User, authored_id: int, source: str, *, name: str, scenario_id: str | None, checked_hash: str | None
    ) -> Authored:
        """Save the draft text (a published version stays as it was until published again)."""
        self._check_size(source)
        with self._write() as connection:
            self._owned(connection, actor, authored_id)
            connection.execute(
                update(authored_scenarios)
                .where(authored_scenarios.c.id == authored_id)
                .values(
                    source=source,
                    name=self._clean_name(name),
                    scenario_id=scenario_id,
                    checked_hash=checked_hash,
                    updated_at=clock.now(),
                )
            )
            return self._owned(connection, actor, authored_id)

    def get(self, actor: User, authored_id: int) -> Authored:
        with self._read() as connection:
            return self._owned(connection, actor, authored_id)

    def mine(self, actor: User) -> list[Authored]:
        """Instructors: their own scenarios. Admins: everyone's. Newest change first."""
        require_role(actor, "instructor", "admin")
        query = self._select().order_by(authored_scenarios.c.updated_at.desc(), authored_scenarios.c.id.desc())
        if actor.role != "admin":
            query = query.where(authored_scenarios.c.author_id == actor.id)
        with self._read() as connection:
            return self._rows(connection, query)

    def delete(self, actor: User, authored_id: int) -> None:
        """Remove a scenario from the studio. Attempts already played keep their stored version."""
        with self._write() as connection:
            found = self._owned(connection, actor, authored_id)
            connection.execute(delete(authored_scenarios).where(authored_scenarios.c.id == authored_id))
            audit.write(connection, actor, "delete scenario", None, f"studio #{authored_id}: {found.name}")

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
