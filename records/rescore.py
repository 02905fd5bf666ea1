"""Re-scoring stored attempts when the scoring rule changes: one repository, run when the store opens.

Every attempt records the scoring version its score follows (``attempts.scoring_version``). An attempt scored
under an older version is scored again from what was stored: its decisions' (node, choice) ids, read against the
exact scenario version it was played on (``scenario_versions``), through records.scored, the same functions that
score a new choice. Each decision gets its quality and whether it counts; a finished attempt gets its score and
counts; an unfinished one its counts so far. Progress, the dashboard, item analysis, live class and the PDF
report then agree for old and new attempts.

Each batch of attempts is re-scored in one write transaction, and only attempts still on an older version are
touched, so servers starting at once, or a crash half-way, leave nothing wrong: the next start finishes the job.
A stored version that no longer loads (a check added since refuses it) keeps its attempts on their version and
is named in the log; nothing is guessed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, bindparam, select, update

from records import summaries, versions
from records.base import Repository
from records.decisions import decisions_of
from records.scored import SCORING_VERSION, NotAChoice, score_choice, tally_of
from records.tables import attempts, decisions
from scenarios import LoadedScenario, Rubric, ScenarioError, load_scenario

log = logging.getLogger(__name__)

BATCH = 200
"""Attempts re-scored per transaction."""


@dataclass
class Rescored:
    attempts: int = 0
    decisions: int = 0
    unreadable: set[str] = field(default_factory=set)
    """Content hashes of stored versions that no longer load (their attempts keep their version)."""


class Rescoring(Repository):
    def outdated(self) -> int:
        """How many attempts are scored under an older version than :data:`SCORING_VERSION`."""
        with self._read() as connection:
            return len(self._outdated_ids(connection, after=0, limit=None))

    def rescore(self, rubric: Rubric) -> Rescored:
        """Re-score every attempt on an older scoring version; returns what was done."""
        done = Rescored()
        loaded: dict[str, LoadedScenario | None] = {}
        after = 0
        while True:
            with self._write() as connection:
                ids = self._outdated_ids(connection, after=after, limit=BATCH)
                if not ids:
                    break
                after = ids[-1]
                self._batch(connection, ids, rubric, loaded, done)
        if done.unreadable:
            log.warning(
                "Kept %d stored scenario version(s) on their scoring version: they no longer load (%s).",
                len(done.unreadable),
                ", ".join(sorted(h[:12] for h in done.unreadable)),
            )
        return done

    @staticmethod
    def _outdated_ids(connection: Connection, *, after: int, limit: int | None) -> list[int]:
        query = (
            select(attempts.c.id)
            .where(attempts.c.scoring_version < SCORING_VERSION, attempts.c.id > after)
            .order_by(attempts.c.id)
        )
        if limit is not None:
            query = query.limit(limit)
        return [int(i) for i in connection.execute(query).scalars()]

    @staticmethod
    def _batch(
        connection: Connection, ids: list[int], rubric: Rubric, loaded: dict[str, LoadedScenario | None], done: Rescored
    ) -> None:
        rows = connection.execute(
            select(
                attempts.c.id,
                attempts.c.content_hash,
                attempts.c.status,
                attempts.c.user_id,
                attempts.c.scenario_id,
                attempts.c.mode,
            )
            .where(attempts.c.id.in_(ids))
            .with_for_update()
        ).all()
        stored = decisions_of(connection, ids)
        decision_values: list[dict[str, object]] = []
        changes: list[tuple[int, str, str, str, str, bool, tuple[str, ...], datetime]] = []  # counted flipped
        flipped: list[tuple[int, str, str, str, str, bool, tuple[str, ...], datetime]] = []
        recount: list[tuple[int, str]] = []
        for attempt_id, content_hash, status, user_id, scenario_id, mode in rows:
            if content_hash not in loaded:
                source = versions.source(connection, content_hash)
                try:
                    loaded[content_hash] = (
                        None if source is None else load_scenario(source, rubric, f"stored {content_hash[:12]}")
                    )
                except ScenarioError:
                    loaded[content_hash] = None
            scenario = loaded[content_hash]
            if scenario is None:
                done.unreadable.add(content_hash)  # the attempt stays on its version; the batch moves past it
                continue
            decided: list[str] = []
            pairs: list[tuple[str, bool]] = []
            mine: list[dict[str, object]] = []
            flipped.clear()
            try:
                for decision in stored[attempt_id]:
                    scored = score_choice(scenario.scenario, decision.node_id, decision.choice_id, rubric, decided=decided)
                    decided.append(decision.node_id)
                    pairs.append((scored.quality, scored.counted))
                    mine.append({"target": decision.id, "new_quality": scored.quality, "new_counted": scored.counted})
                    if scored.counted != decision.counted:
                        flipped.append(
                            (
                                user_id,
                                scenario_id,
                                mode,
                                decision.node_id,
                                decision.choice_id,
                                scored.counted,
                                decision.criteria,
                                decision.decided_at,
                            )
                        )
            except NotAChoice:
                done.unreadable.add(content_hash)
                continue
            decision_values.extend(mine)
            changes.extend(flipped)
            tally = tally_of(pairs)
            values: dict[str, object] = {"scoring_version": SCORING_VERSION}
            if stored[attempt_id]:
                values |= {"strongest": tally.strongest, "pitfalls": tally.pitfalls}
            if status == "finished":
                values["score"] = tally.percent or 0
            connection.execute(update(attempts).where(attempts.c.id == attempt_id).values(**values))
            recount.append((user_id, scenario_id))
            done.attempts += 1
        if decision_values:
            connection.execute(
                update(decisions)
                .where(decisions.c.id == bindparam("target"))
                .values(quality=bindparam("new_quality"), counted=bindparam("new_counted")),
                decision_values,
            )
            done.decisions += len(decision_values)
        summaries.rescored(connection, changes)  # the class dashboard's summaries, in the same transaction
        summaries.recount(connection, recount)
