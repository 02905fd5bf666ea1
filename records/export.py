"""Download all my data: everything PeerSim holds about a person, for them (or an admin), every read logged.
One repository (``store.exports``; ``store.export`` on the Store)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from records import audit, clock, personal_data
from records.access import User
from records.base import Repository
from records.csv_safety import write_csv
from records.decisions import Attempt, Decision, attempt_from, decisions_of
from records.errors import NotFound
from records.export_rows import CSV_COLUMNS, DecisionRow
from records.tables import attempts, users


@dataclass(frozen=True)
class UserExport:
    """A user's data for download (JSON with everything; CSV with one row per decision)."""

    account: dict[str, object]
    cohorts: list[dict[str, object]]
    attempts: list[tuple[Attempt, list[Decision]]]
    more: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Exams with their answers, spaced-review cards, live-class answers, studio scenarios, cohorts run
    (records.personal_data)."""

    def as_json(self) -> str:
        def plain(value: object) -> object:
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items()}
            if isinstance(value, list | tuple):
                return [plain(v) for v in value]
            return value.isoformat() if isinstance(value, datetime) else value

        document = {
            "exported_at": clock.now().isoformat(),
            "account": {k: plain(v) for k, v in self.account.items()},
            "cohorts": [{k: plain(v) for k, v in c.items()} for c in self.cohorts],
            "attempts": [
                {
                    **{k: plain(v) for k, v in asdict(attempt).items() if k != "user_id"},
                    "decisions": [
                        {k: plain(v) if k != "criteria" else list(v) for k, v in asdict(d).items() if k != "attempt_id"}
                        for d in decisions_
                    ],
                }
                for attempt, decisions_ in self.attempts
            ],
            **{name: plain(rows) for name, rows in self.more.items()},
        }
        return json.dumps(document, indent=2, ensure_ascii=False)

    def decisions_csv(self) -> str:
        """Every decision as CSV (records.csv_safety: formula-safe text cells, numbers as numbers, UTF-8 BOM)."""
        return write_csv(
            CSV_COLUMNS,
            (DecisionRow.of(attempt, d).cells() for attempt, decisions_ in self.attempts for d in decisions_),
        )


class Exports(Repository):
    def user(self, actor: User, user_id: int) -> UserExport:
        """Everything PeerSim holds about a user: account, cohorts, attempts and every decision, mock exams and
        their answers, spaced-review cards, live-class answers, studio scenarios and the cohorts they run."""
        with audit.seeing(self, actor, user_id, "export records", every_time=True) as connection:
            account = (
                connection.execute(
                    select(users.c.id, users.c.name, users.c.email, users.c.role, users.c.created_at).where(users.c.id == user_id)
                )
                .mappings()
                .first()
            )
            if account is None:
                raise NotFound(f"There is no user {user_id}.")
            memberships = personal_data.memberships(connection, user_id)
            rows = (
                connection.execute(
                    select(attempts).where(attempts.c.user_id == user_id).order_by(attempts.c.started_at, attempts.c.id)
                )
                .mappings()
                .all()
            )
            found = [attempt_from(row) for row in rows]
            by_attempt = decisions_of(connection, [a.id for a in found])
            more = personal_data.sections(connection, user_id)
        return UserExport(dict(account), memberships, [(a, by_attempt[a.id]) for a in found], more)
