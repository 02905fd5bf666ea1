"""The store: every read or write of trainee data, with access checked here against the acting user.

Rules (the accounts issue widens them with instructors and cohorts):

* a trainee reads and changes only their own attempts and decisions;
* an admin may read everyone's.

Every decision is committed when it is made; recording the same step twice (a double click, a rerun, a second
browser tab) keeps the first and records nothing more.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, RowMapping, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from records import audit, clock, db, personal_data
from records.access import AccessDenied, User, require_see, require_self
from records.base import Repository
from records.csv_safety import write_csv
from records.tables import attempts, decision_criteria, decisions, scenario_versions, users

__all__ = ["MODES", "AccessDenied", "Attempt", "Decision", "Finish", "NotFound", "StaleDecision", "Store", "User"]

MODES = ("coached", "debrief")
"""coached: feedback after each choice; debrief: all feedback at the end."""


class NotFound(LookupError):
    """No such record (or none the acting user may see)."""


class StaleDecision(ValueError):
    """A decision that does not fit the attempt's current state (an old page, another tab)."""


@dataclass(frozen=True)
class Attempt:
    id: int
    user_id: int
    scenario_id: str
    content_hash: str
    mode: str
    status: str
    current_node: str
    started_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    ending_id: str | None
    points: int | None
    score: int | None


@dataclass(frozen=True)
class Decision:
    id: int
    attempt_id: int
    step: int
    node_id: str
    choice_id: str
    points: int
    time_taken_ms: int
    decided_at: datetime
    criteria: tuple[str, ...]


@dataclass(frozen=True)
class Finish:
    """Passed with the last decision of an attempt, so finishing is committed with it."""

    ending_id: str
    points: int
    score: int


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
            (
                csv_row(attempt, d.step, d.node_id, d.choice_id, d.criteria, d.points, d.time_taken_ms, d.decided_at)
                for attempt, decisions_ in self.attempts
                for d in decisions_
            ),
        )


CSV_COLUMNS = [
    "attempt_id",
    "scenario_id",
    "scenario_version",
    "mode",
    "status",
    "started_at",
    "finished_at",
    "score",
    "step",
    "node_id",
    "choice_id",
    "criteria",
    "points",
    "time_taken_ms",
    "decided_at",
]


def csv_row(
    attempt: Any,
    step: int,
    node_id: str,
    choice_id: str,
    criteria: Sequence[str],
    points: int,
    time_taken_ms: int,
    decided_at: datetime,
) -> list[object]:
    """One decision as a row under CSV_COLUMNS; ``attempt`` is an Attempt or a row with the same attribute names
    (``id``, ``scenario_id``, ``content_hash``, ``mode``, ``status``, ``started_at``, ``finished_at``, ``score``)."""
    return [
        attempt.id,
        attempt.scenario_id,
        attempt.content_hash,
        attempt.mode,
        attempt.status,
        attempt.started_at.isoformat(),
        attempt.finished_at.isoformat() if attempt.finished_at else "",
        "" if attempt.score is None else attempt.score,
        step,
        node_id,
        choice_id,
        ";".join(criteria),
        points,
        time_taken_ms,
        decided_at.isoformat(),
    ]


def _attempt(row: RowMapping) -> Attempt:
    return Attempt(**{name: row[name] for name in Attempt.__dataclass_fields__})


class Store(Repository):
    """Practice records: attempts, decisions and scenario versions. Create with :meth:`open`, which applies
    migrations; ``accounts``, ``cohorts`` and ``audit`` share its engine."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        from records.accounts import Accounts
        from records.analytics import CohortRecords
        from records.authored import Authoring
        from records.cohorts import Cohorts
        from records.exams import Exams
        from records.live import LiveSessions
        from records.recovery import Recovery
        from records.reviews import Reviews

        self.accounts = Accounts(engine)
        self.analytics = CohortRecords(engine)
        self.authored = Authoring(engine)
        self.cohorts = Cohorts(engine)
        self.exams = Exams(engine)
        self.live = LiveSessions(engine)
        self.recovery = Recovery(engine)
        self.reviews = Reviews(engine)
        self.audit = audit.Audit(engine)

    @classmethod
    def open(cls, url: str | None = None) -> Store:
        engine = db.create(url)
        db.migrate(engine)
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------------ access
    def _owned_attempt(self, connection: Connection, actor: User, attempt_id: int, *, lock: bool = False) -> Attempt:
        """The attempt, if the actor may see it. ``lock`` holds its row until commit (PostgreSQL: FOR UPDATE;
        SQLite's BEGIN IMMEDIATE already serialises writers), so concurrent writers to one attempt queue."""
        query = select(attempts).where(attempts.c.id == attempt_id)
        if lock:
            query = query.with_for_update()
        row = connection.execute(query).mappings().first()
        if row is None:
            raise NotFound(f"There is no attempt {attempt_id}.")
        if lock:
            require_self(actor, row["user_id"])
        else:
            require_see(connection, actor, row["user_id"])
        return _attempt(row)

    @contextmanager
    def _seeing(self, actor: User, user_id: int, action: str, detail: str = "", *, every_time: bool = False) -> Iterator[Connection]:
        """A transaction for reading ``user_id``'s records: access checked, and logged when it is not their own.
        A view is logged once per viewer, action, subject and detail within audit.VIEW_WINDOW (a page reads several
        times per run and reruns on every click); ``every_time`` logs each read (an export)."""
        logged = actor.id == user_id
        if not logged and not every_time:
            with self._read() as connection:
                require_see(connection, actor, user_id)
                logged = audit.viewed_recently(connection, actor, action, user_id, detail)
        if logged:
            with self._read() as connection:
                require_see(connection, actor, user_id)
                yield connection
            return
        with self._write() as connection:
            require_see(connection, actor, user_id)
            (audit.write if every_time else audit.write_view)(connection, actor, action, user_id, detail)
            yield connection

    # ------------------------------------------------------- scenario versions
    def remember_version(self, scenario_id: str, content_hash: str, source: str) -> None:
        """Keep the exact text of a scenario version, so old attempts can always be reviewed."""
        with self._write() as connection:
            self._remember(connection, scenario_id, content_hash, source)

    @staticmethod
    def _remember(connection: Connection, scenario_id: str, content_hash: str, source: str) -> None:
        exists = connection.execute(
            select(scenario_versions.c.content_hash).where(scenario_versions.c.content_hash == content_hash)
        ).first()
        if exists is None:
            connection.execute(
                insert(scenario_versions).values(
                    content_hash=content_hash, scenario_id=scenario_id, source=source, created_at=clock.now()
                )
            )

    def version_source(self, content_hash: str) -> str:
        with self._read() as connection:
            source = connection.execute(
                select(scenario_versions.c.source).where(scenario_versions.c.content_hash == content_hash)
            ).scalar()
        if source is None:
            raise NotFound(f"No stored scenario version {content_hash[:12]}.")
        return str(source)

    # --------------------------------------------------------------- attempts
    def start_attempt(self, actor: User, *, scenario_id: str, content_hash: str, source: str, start: str, mode: str) -> Attempt:
        """Begin a new attempt; any other active attempt of the same scenario is closed as left."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}")
        moment = clock.now()
        with self._write() as connection:
            self._remember(connection, scenario_id, content_hash, source)
            connection.execute(
                update(attempts)
                .where(attempts.c.user_id == actor.id, attempts.c.scenario_id == scenario_id, attempts.c.status == "active")
                .values(status="left", updated_at=moment)
            )
            new_id = connection.execute(
                insert(attempts).values(
                    user_id=actor.id,
                    scenario_id=scenario_id,
                    content_hash=content_hash,
                    mode=mode,
                    status="active",
                    current_node=start,
                    started_at=moment,
                    updated_at=moment,
                )
            ).inserted_primary_key
            assert new_id is not None
            return self._owned_attempt(connection, actor, int(new_id[0]))

    def attempt(self, actor: User, attempt_id: int) -> Attempt:
        with self._read() as connection:
            return self._owned_attempt(connection, actor, attempt_id)

    def active_attempts(self, actor: User) -> list[Attempt]:
        """The actor's unfinished attempts, most recently touched first."""
        with self._read() as connection:
            rows = (
                connection.execute(
                    select(attempts)
                    .where(attempts.c.user_id == actor.id, attempts.c.status == "active")
                    .order_by(attempts.c.updated_at.desc(), attempts.c.id.desc())
                )
                .mappings()
                .all()
            )
        return [_attempt(r) for r in rows]

    def attempts_of(self, actor: User, user_id: int, *, status: str | None = None) -> list[Attempt]:
        query = select(attempts).where(attempts.c.user_id == user_id)
        if status is not None:
            query = query.where(attempts.c.status == status)
        with self._seeing(actor, user_id, "view attempts") as connection:
            rows = connection.execute(query.order_by(attempts.c.started_at.desc(), attempts.c.id.desc())).mappings().all()
        return [_attempt(r) for r in rows]

    def decisions(self, actor: User, attempt_id: int) -> list[Decision]:
        """An attempt's decisions in order, each with its criteria."""
        with self._read() as connection:
            attempt = self._owned_attempt(connection, actor, attempt_id)
        with self._seeing(actor, attempt.user_id, "view transcript", f"attempt {attempt_id}") as connection:
            return self._decisions(connection, attempt_id)

    @staticmethod
    def _decisions(connection: Connection, attempt_id: int) -> list[Decision]:
        rows = (
            connection.execute(select(decisions).where(decisions.c.attempt_id == attempt_id).order_by(decisions.c.step))
            .mappings()
            .all()
        )
        criteria: dict[int, list[str]] = {}
        if rows:
            for decision_id, criterion_id in connection.execute(
                select(decision_criteria.c.decision_id, decision_criteria.c.criterion_id)
                .join(decisions, decisions.c.id == decision_criteria.c.decision_id)
                .where(decisions.c.attempt_id == attempt_id)
                .order_by(decision_criteria.c.decision_id, decision_criteria.c.criterion_id)
            ):
                criteria.setdefault(decision_id, []).append(criterion_id)
        return [
            Decision(
                id=r["id"],
                attempt_id=r["attempt_id"],
                step=r["step"],
                node_id=r["node_id"],
                choice_id=r["choice_id"],
                points=r["points"],
                time_taken_ms=r["time_taken_ms"],
                decided_at=r["decided_at"],
                criteria=tuple(criteria.get(r["id"], ())),
            )
            for r in rows
        ]

    def record_decision(
        self,
        actor: User,
        attempt_id: int,
        *,
        step: int,
        node_id: str,
        choice_id: str,
        criteria: Sequence[str],
        points: int,
        next_node: str,
        time_taken_ms: int,
        finish: Finish | None = None,
    ) -> Decision:
        """Commit one decision (and, with ``finish``, the end of the attempt) in one transaction.

        ``step`` is 1 for the first decision. If that step is already recorded, nothing is written and the
        recorded decision is returned, so a rerun or a double click never records twice.
        """
        moment = clock.now()
        try:
            with self._write() as connection:
                attempt = self._owned_attempt(connection, actor, attempt_id, lock=True)
                existing = self._decision_at(connection, attempt_id, step)
                if existing is not None:
                    return existing
                if attempt.status != "active":
                    raise StaleDecision("This attempt has already ended.")
                done = connection.execute(select(func.count()).where(decisions.c.attempt_id == attempt_id)).scalar_one()
                if step != done + 1 or node_id != attempt.current_node:
                    raise StaleDecision(
                        f"This page was out of date (step {step} at '{node_id}', but the attempt is at step {done + 1}, "
                        f"'{attempt.current_node}')."
                    )
                decision_id = connection.execute(
                    insert(decisions).values(
                        attempt_id=attempt_id,
                        step=step,
                        node_id=node_id,
                        choice_id=choice_id,
                        points=points,
                        time_taken_ms=max(0, int(time_taken_ms)),
                        decided_at=moment,
                    )
                ).inserted_primary_key
                assert decision_id is not None
                unique = sorted(set(criteria))
                if unique:
                    connection.execute(
                        insert(decision_criteria),
                        [{"decision_id": int(decision_id[0]), "criterion_id": c} for c in unique],
                    )
                values: dict[str, object] = {"current_node": next_node, "updated_at": moment}
                if finish is not None:
                    values |= {
                        "status": "finished",
                        "finished_at": moment,
                        "ending_id": finish.ending_id,
                        "points": finish.points,
                        "score": finish.score,
                    }
                connection.execute(update(attempts).where(attempts.c.id == attempt_id).values(**values))
                recorded = self._decision_at(connection, attempt_id, step)
                assert recorded is not None
                return recorded
        except IntegrityError:
            # Another server or tab recorded this step between our check and our insert: keep theirs.
            with self._read() as connection:
                existing = self._decision_at(connection, attempt_id, step)
            if existing is None:
                raise
            return existing

    @staticmethod
    def _decision_at(connection: Connection, attempt_id: int, step: int) -> Decision | None:
        row = (
            connection.execute(select(decisions).where(decisions.c.attempt_id == attempt_id, decisions.c.step == step))
            .mappings()
            .first()
        )
        if row is None:
            return None
        criteria = connection.execute(
            select(decision_criteria.c.criterion_id)
            .where(decision_criteria.c.decision_id == row["id"])
            .order_by(decision_criteria.c.criterion_id)
        ).scalars()
        return Decision(**{k: row[k] for k in Decision.__dataclass_fields__ if k != "criteria"}, criteria=tuple(criteria))

    def finish_attempt(self, actor: User, attempt_id: int, finish: Finish) -> Attempt:
        """Mark an attempt finished (used when a crash fell between the last decision and its finish)."""
        with self._write() as connection:
            attempt = self._owned_attempt(connection, actor, attempt_id, lock=True)
            if attempt.status == "finished":
                return attempt
            connection.execute(
                update(attempts)
                .where(attempts.c.id == attempt_id)
                .values(
                    status="finished",
                    finished_at=clock.now(),
                    updated_at=clock.now(),
                    ending_id=finish.ending_id,
                    points=finish.points,
                    score=finish.score,
                )
            )
            return self._owned_attempt(connection, actor, attempt_id)

    def leave_attempt(self, actor: User, attempt_id: int) -> Attempt:
        """End an attempt without finishing it; its decisions stay in the record."""
        with self._write() as connection:
            attempt = self._owned_attempt(connection, actor, attempt_id, lock=True)
            if attempt.status == "active":
                connection.execute(
                    update(attempts).where(attempts.c.id == attempt_id).values(status="left", updated_at=clock.now())
                )
            return self._owned_attempt(connection, actor, attempt_id)

    # ---------------------------------------------------------------- history
    def attempts_frame(self, actor: User, user_id: int) -> pd.DataFrame:
        """All of a user's attempts as a frame (scenario titles are added by the caller)."""
        query = (
            select(
                attempts.c.id.label("attempt_id"),
                attempts.c.scenario_id,
                attempts.c.content_hash,
                attempts.c.mode,
                attempts.c.status,
                attempts.c.started_at,
                attempts.c.finished_at,
                attempts.c.score,
                attempts.c.points,
            )
            .where(attempts.c.user_id == user_id)
            .order_by(attempts.c.started_at, attempts.c.id)
        )
        with self._seeing(actor, user_id, "view progress") as connection:
            rows = connection.execute(query).mappings().all()
        return pd.DataFrame(
            [dict(r) for r in rows],
            columns=[
                "attempt_id",
                "scenario_id",
                "content_hash",
                "mode",
                "status",
                "started_at",
                "finished_at",
                "score",
                "points",
            ],
        )

    def export(self, actor: User, user_id: int) -> UserExport:
        """Everything PeerSim holds about a user: account, cohorts, attempts and every decision, mock exams and
        their answers, spaced-review cards, live-class answers, studio scenarios and the cohorts they run."""
        with self._seeing(actor, user_id, "export records", every_time=True) as connection:
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
            records = []
            for row in rows:
                attempt = _attempt(row)
                records.append((attempt, self._decisions(connection, attempt.id)))
            more = personal_data.sections(connection, user_id)
        return UserExport(dict(account), memberships, records, more)

    def hits_frame(self, actor: User, user_id: int) -> pd.DataFrame:
        """One row per criterion of every decision the user made: the input of scoring.patterns."""
        query = (
            select(
                decisions.c.attempt_id,
                decisions.c.id.label("decision_id"),
                attempts.c.scenario_id,
                decisions.c.decided_at,
                decision_criteria.c.criterion_id,
            )
            .join(attempts, attempts.c.id == decisions.c.attempt_id)
            .join(decision_criteria, decision_criteria.c.decision_id == decisions.c.id)
            # A live class still running has not revealed its feedback: its pitfalls count once it has.
            .where(attempts.c.user_id == user_id, attempts.c.status != "live")
            .order_by(decisions.c.decided_at, decisions.c.id, decision_criteria.c.criterion_id)
        )
        with self._seeing(actor, user_id, "view progress") as connection:
            rows = connection.execute(query).all()
        return pd.DataFrame(
            [tuple(r) for r in rows], columns=["attempt_id", "decision_id", "scenario_id", "decided_at", "criterion_id"]
        )
