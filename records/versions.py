"""Row-level helpers for scenario versions: the exact text of every version anyone played, kept so an old attempt
can always be reviewed. They take a connection and own no transaction (the caller's repository does)."""

from __future__ import annotations

from sqlalchemy import Connection, select

from records import clock
from records.db import upsert_insert
from records.tables import scenario_versions


def remember(connection: Connection, scenario_id: str, content_hash: str, source: str) -> None:
    """Keep this version's text, once. Two trainees starting a new version at the same moment on PostgreSQL both
    find it missing; the second insert then waits for the first and does nothing (it once failed the page)."""
    exists = connection.execute(
        select(scenario_versions.c.content_hash).where(scenario_versions.c.content_hash == content_hash)
    ).first()
    if exists is None:
        connection.execute(
            upsert_insert(connection.dialect.name, scenario_versions)
            .values(content_hash=content_hash, scenario_id=scenario_id, source=source, created_at=clock.now())
            .on_conflict_do_nothing(index_elements=[scenario_versions.c.content_hash])
        )


def source(connection: Connection, content_hash: str) -> str | None:
    """The text of a stored version, or None."""
    found = connection.execute(
        select(scenario_versions.c.source).where(scenario_versions.c.content_hash == content_hash)
    ).scalar()
    return None if found is None else str(found)
