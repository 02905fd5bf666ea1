"""Practice records: attempts and their decisions, one repository (``store.practice``; the Store also offers its
methods by their old names, e.g. ``store.start_attempt``).

Who may do what (records.access): a trainee starts, plays and leaves only their own attempts; reading an attempt or
its decisions is for the trainee, the instructors of a cohort they are in, and admins, and a read of someone
else's records is written to the audit log.

Recording a choice computes what is stored from the scenario version the attempt is on (records.scored): its
quality, whether it counts (the first decision at its point), its criteria, and at an ending the attempt's score
and counts. The decision, the attempt's end and a
pitfall's spaced-review card commit in one transaction, at once, so a refresh, a crash or a restart loses
nothing. Recording the same step twice (a double click, a rerun, a second tab) keeps the first and records nothing
more.

Practice branches ("try again from this point", :meth:`Practice.start_branch`): an attempt in mode ``branch`` that
starts at a decision point the trainee met in one of their own practice attempts, on the same scenario version, with
a new shuffle. Its decisions are recorded like any attempt's, and its score covers only its own decisions
(:func:`as_played`). It is kept apart from first tries: :meth:`Practice.hits_frame` leaves branches out (Progress,
readiness), and so do the class dashboard's summaries (records.summaries) and assignments; exports keep them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import Connection, insert, select, true, update
from sqlalchemy.exc import IntegrityError

from records import audit, cards, clock, summaries, versions, xapi_rows
from records.access import User, require_see, require_self
from records.base import Repository
from records.decisions import (
    BRANCH,
    MODES,
    Attempt,
    Decision,
    Finish,
    attempt_from,
    attempt_row,
    decision_at,
    decisions_of,
    insert_decision,
)
from records.errors import AccessDenied, BranchRefused, NotFound, StaleDecision
from records.lti_rows import queue_attempt_score
from records.scored import SCORING_VERSION, NotAChoice, ScoredChoice, outcome, score_choice
from records.tables import attempts, decision_criteria, decisions
from scenarios import LoadedScenario, Rubric, Scenario
from scoring.shuffle import new_seed

BRANCHABLE = (*MODES, BRANCH)
"""The modes of attempts whose moments can be tried again: practice conversations (a branch of a branch too)."""

NOT_BRANCHABLE = {
    "live": (
        "A live class moves on together, so its moments cannot be tried again on your own. To practice them, "
        "play this scenario from the library."
    ),
    "exam": "A mock exam cannot be tried again from a question. The questions you missed come back in spaced review.",
}
NOT_ON_PATH = "That moment is not part of this conversation, so it cannot be tried again from here."
NOT_YOURS = "Only the trainee who had this conversation can try its moments again."
NOT_PRACTICE = "Only practice conversations can be tried again from a point."


def as_played(scenario: Scenario, attempt: Attempt) -> Scenario:
    """The scenario as this attempt plays it: a practice branch starts at its branch point, so its path, its score
    (its own decisions only) and the strongest path to compare with all start there."""
    if attempt.branch_node is None or attempt.branch_node == scenario.start or attempt.branch_node not in scenario.nodes:
        return scenario
    return scenario.model_copy(update={"start": attempt.branch_node})


class Practice(Repository):
    # ------------------------------------------------------------------ access
    @staticmethod
    def _owned_attempt(connection: Connection, actor: User, attempt_id: int, *, lock: bool = False) -> Attempt:
        """The attempt, if the actor may see it (``lock``: and change it, holding its row until commit)."""
        attempt = attempt_row(connection, attempt_id, lock=lock)
        if attempt is None:
            raise NotFound(f"There is no attempt {attempt_id}.")
        if lock:
            require_self(actor, attempt.user_id)
        else:
            require_see(connection, actor, attempt.user_id)
        return attempt

    # ------------------------------------------------------- scenario versions
    def remember_version(self, scenario_id: str, content_hash: str, source: str) -> None:
        """Keep the exact text of a scenario version, so old attempts can always be reviewed."""
        with self._write() as connection:
            versions.remember(connection, scenario_id, content_hash, source)

    def version_source(self, content_hash: str) -> str:
        with self._read() as connection:
            source = versions.source(connection, content_hash)
        if source is None:
            raise NotFound(f"No stored scenario version {content_hash[:12]}.")
        return source

    # --------------------------------------------------------------- attempts
    def start_attempt(self, actor: User, *, scenario_id: str, content_hash: str, source: str, start: str, mode: str) -> Attempt:
        """Begin a new attempt; any other active attempt of the same scenario is closed as left."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}")
        moment = clock.now()
        with self._write() as connection:
            versions.remember(connection, scenario_id, content_hash, source)
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
                    scoring_version=SCORING_VERSION,
                    shuffle_seed=new_seed(),
                    started_at=moment,
                    updated_at=moment,
                )
            ).inserted_primary_key
            assert new_id is not None
            summaries.started(connection, actor.id, scenario_id, content_hash, mode, moment)
            started = self._owned_attempt(connection, actor, int(new_id[0]))
            xapi_rows.launched(connection, started)
            return started

    def start_branch(self, actor: User, attempt_id: int, node_id: str, *, loaded: LoadedScenario) -> Attempt:
        """Start a practice branch: try again from ``node_id``, a decision point the actor met in their attempt
        ``attempt_id`` (a practice conversation, finished, left or still going; a branch too), on that attempt's
        scenario version (``loaded``), with responses in a new order. The attempt it branches from stays exactly
        as it is (an unfinished one stays unfinished, to go back to). A second request for the same point before
        the branch's first decision (a double click, another tab) returns the branch already started.

        Refused: someone else's attempt (only its trainee may branch it), a live class or any other mode that is
        not practice, a point this attempt never reached, and a page showing another scenario version."""
        moment = clock.now()
        with self._write() as connection:
            original = self._owned_attempt(connection, actor, attempt_id)  # others' records stay unseen
            if actor.id != original.user_id:
                raise AccessDenied(NOT_YOURS)
            if original.mode not in BRANCHABLE:
                raise BranchRefused(NOT_BRANCHABLE.get(original.mode, NOT_PRACTICE))
            if loaded.content_hash != original.content_hash:
                raise StaleDecision("This page shows another version of the scenario. Please reload it.")
            met = connection.execute(
                select(decisions.c.id).where(decisions.c.attempt_id == original.id, decisions.c.node_id == node_id).limit(1)
            ).first()
            if met is None or node_id not in loaded.scenario.nodes:
                raise BranchRefused(NOT_ON_PATH)
            decided = select(decisions.c.id).where(decisions.c.attempt_id == attempts.c.id).exists()
            waiting = connection.execute(
                select(attempts.c.id)
                .where(
                    attempts.c.user_id == actor.id,
                    attempts.c.branch_of == original.id,
                    attempts.c.branch_node == node_id,
                    attempts.c.status == "active",
                    ~decided,
                )
                .order_by(attempts.c.id.desc())
                .limit(1)
            ).scalar()
            if waiting is not None:
                return self._owned_attempt(connection, actor, int(waiting))
            new_id = connection.execute(
                insert(attempts).values(
                    user_id=actor.id,
                    scenario_id=original.scenario_id,
                    content_hash=original.content_hash,
                    mode=BRANCH,
                    status="active",
                    current_node=node_id,
                    scoring_version=SCORING_VERSION,
                    shuffle_seed=new_seed(),
                    branch_of=original.id,
                    branch_node=node_id,
                    started_at=moment,
                    updated_at=moment,
                )
            ).inserted_primary_key
            assert new_id is not None
            started = self._owned_attempt(connection, actor, int(new_id[0]))
            xapi_rows.launched(connection, started, title=loaded.scenario.title)
            return started

    def attempt(self, actor: User, attempt_id: int) -> Attempt:
        with self._read() as connection:
            return self._owned_attempt(connection, actor, attempt_id)

    def playing(self, actor: User, attempt_id: int) -> tuple[Attempt, list[Decision], Attempt | None]:
        """The actor's own attempt as the Practice page plays it, in one read: the attempt, its decisions in order
        (each with its criteria), and, for a practice branch, the attempt it came from."""
        with self._read() as connection:
            attempt = attempt_row(connection, attempt_id)
            if attempt is None:
                raise NotFound(f"There is no attempt {attempt_id}.")
            require_self(actor, attempt.user_id)
            came_from = attempt_row(connection, attempt.branch_of) if attempt.branch_of is not None else None
            return attempt, decisions_of(connection, [attempt_id])[attempt_id], came_from

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
        return [attempt_from(r) for r in rows]

    def attempts_of(self, actor: User, user_id: int, *, status: str | None = None) -> list[Attempt]:
        query = select(attempts).where(attempts.c.user_id == user_id)
        if status is not None:
            query = query.where(attempts.c.status == status)
        with audit.seeing(self, actor, user_id, "view attempts") as connection:
            rows = connection.execute(query.order_by(attempts.c.started_at.desc(), attempts.c.id.desc())).mappings().all()
        return [attempt_from(r) for r in rows]

    def decisions(self, actor: User, attempt_id: int) -> list[Decision]:
        """An attempt's decisions in order, each with its criteria."""
        with self._read() as connection:
            attempt = self._owned_attempt(connection, actor, attempt_id)
        with audit.seeing(self, actor, attempt.user_id, "view transcript", f"attempt {attempt_id}") as connection:
            return decisions_of(connection, [attempt_id])[attempt_id]

    def transcripts_of(self, actor: User, user_id: int) -> list[Attempt]:
        """The user's attempts that have a transcript to read (finished, or with at least one decision), newest
        first, in one statement whatever their number. A live class still running is left out: its answers'
        feedback is for the instructor to reveal."""
        decided = select(decisions.c.id).where(decisions.c.attempt_id == attempts.c.id).exists()
        query = (
            select(attempts)
            .where(attempts.c.user_id == user_id, attempts.c.status != "live", (attempts.c.status == "finished") | decided)
            .order_by(attempts.c.started_at.desc(), attempts.c.id.desc())
        )
        with audit.seeing(self, actor, user_id, "view attempts") as connection:
            rows = connection.execute(query).mappings().all()
        return [attempt_from(r) for r in rows]

    def record_choice(
        self,
        actor: User,
        attempt_id: int,
        *,
        step: int,
        node_id: str,
        choice_id: str,
        time_taken_ms: int,
        loaded: LoadedScenario,
        rubric: Rubric,
    ) -> Decision:
        """Commit one choice of the actor's attempt, scored here (records.scored) on ``loaded``, which must be the
        version the attempt is on. At an ending the attempt finishes with its points and score, and a pitfall
        enters the actor's spaced-review queue: all in one transaction.

        ``step`` is 1 for the first decision. If that step is already recorded, nothing is written and the
        recorded decision is returned, so a rerun or a double click never records twice.
        """
        moment = clock.now()
        try:
            with self._write() as connection:
                attempt = self._owned_attempt(connection, actor, attempt_id, lock=True)
                stored = decisions_of(connection, [attempt_id])[attempt_id]
                existing = self._at_step(stored, step)
                if existing is not None:
                    return existing
                if loaded.content_hash != attempt.content_hash:
                    raise StaleDecision("This page shows another version of the scenario. Please reload it.")
                self._check_step(attempt, len(stored), step, node_id)
                path = [(d.node_id, d.choice_id) for d in stored]
                scenario = as_played(loaded.scenario, attempt)  # a branch is scored from its branch point
                try:
                    scored = score_choice(scenario, node_id, choice_id, rubric, decided=(n for n, _ in path))
                except NotAChoice:
                    raise StaleDecision(f"'{choice_id}' is not a response at this point.") from None
                finish = None
                if scored.next_id in scenario.endings:
                    ending = outcome(scenario, [*path, (node_id, choice_id)], rubric)
                    finish = Finish(scored.next_id, ending.points, ending.score or 0, ending.strongest, ending.pitfalls)
                recorded = self._insert(connection, attempt, step, scored, time_taken_ms, moment, finish, title=scenario.title)
                if scored.pitfall:  # it comes back later in spaced review
                    cards.add(
                        connection, actor.id, cards.PITFALL, cards.pitfall_ref(attempt.content_hash, node_id, choice_id), moment
                    )
                return recorded
        except IntegrityError:
            theirs = self._theirs(attempt_id, step)
            if theirs is None:
                raise
            return theirs

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
        quality: str = "helpful",
        counted: bool = True,
        finish: Finish | None = None,
    ) -> Decision:
        """Commit a decision scored by the caller (test fixtures and benchmarks that write history directly; the
        app records choices with :meth:`record_choice`, which computes what it stores). The same step rules."""
        moment = clock.now()
        scored = ScoredChoice(node_id, choice_id, next_node, quality, counted, points, tuple(sorted(set(criteria))))
        try:
            with self._write() as connection:
                attempt = self._owned_attempt(connection, actor, attempt_id, lock=True)
                stored = decisions_of(connection, [attempt_id])[attempt_id]
                existing = self._at_step(stored, step)
                if existing is not None:
                    return existing
                self._check_step(attempt, len(stored), step, node_id)
                return self._insert(connection, attempt, step, scored, time_taken_ms, moment, finish)
        except IntegrityError:
            theirs = self._theirs(attempt_id, step)
            if theirs is None:
                raise
            return theirs

    @staticmethod
    def _at_step(stored: Sequence[Decision], step: int) -> Decision | None:
        """The decision already recorded at ``step`` of an attempt whose decisions are ``stored`` (steps 1, 2, ...)."""
        return stored[step - 1] if 0 < step <= len(stored) else None

    @staticmethod
    def _check_step(attempt: Attempt, done: int, step: int, node_id: str) -> None:
        """StaleDecision unless ``step`` at ``node_id`` comes next in an attempt with ``done`` decisions."""
        if attempt.status != "active":
            raise StaleDecision("This attempt has already ended.")
        if step != done + 1 or node_id != attempt.current_node:
            raise StaleDecision(
                f"This page was out of date (step {step} at '{node_id}', but the attempt is at step {done + 1}, "
                f"'{attempt.current_node}')."
            )

    @staticmethod
    def _insert(
        connection: Connection,
        attempt: Attempt,
        step: int,
        scored: ScoredChoice,
        time_taken_ms: int,
        moment: datetime,
        finish: Finish | None,
        *,
        title: str | None = None,
    ) -> Decision:
        decision_id = insert_decision(connection, attempt.id, step, scored, time_taken_ms, moment)
        values: dict[str, object] = {"current_node": scored.next_id, "updated_at": moment}
        if finish is not None:
            values |= {"status": "finished", "finished_at": moment, **finish.values()}
            queue_attempt_score(connection, attempt, finish.score, moment)  # for its LMS activity's gradebook, if any
        connection.execute(update(attempts).where(attempts.c.id == attempt.id).values(**values))
        summaries.decided(
            connection,
            user_id=attempt.user_id,
            attempt_id=attempt.id,
            scenario_id=attempt.scenario_id,
            mode=attempt.mode,
            node_id=scored.node_id,
            choice_id=scored.choice_id,
            counted=scored.counted,
            criteria=scored.criteria,
            moment=moment,
        )
        if finish is not None:
            summaries.finished(connection, attempt.user_id, attempt.scenario_id, attempt.content_hash, attempt.mode, finish.score)
        recorded = Decision(  # what was just written, as decision_at would read it back
            id=decision_id,
            attempt_id=attempt.id,
            step=step,
            node_id=scored.node_id,
            choice_id=scored.choice_id,
            points=scored.points,
            quality=scored.quality,
            counted=scored.counted,
            time_taken_ms=max(0, int(time_taken_ms)),
            decided_at=moment.astimezone(UTC),
            criteria=tuple(sorted(scored.criteria)),
        )
        xapi_rows.decided(connection, attempt, recorded, finish, moment, title=title)
        return recorded

    def _theirs(self, attempt_id: int, step: int) -> Decision | None:
        """Another server or tab recorded this step between our check and our insert: keep theirs."""
        with self._read() as connection:
            return decision_at(connection, attempt_id, step)

    def finish_attempt(self, actor: User, attempt_id: int, finish: Finish) -> Attempt:
        """Mark an attempt finished (used when a crash fell between the last decision and its finish)."""
        with self._write() as connection:
            attempt = self._owned_attempt(connection, actor, attempt_id, lock=True)
            if attempt.status == "finished":
                return attempt
            moment = clock.now()
            connection.execute(
                update(attempts)
                .where(attempts.c.id == attempt_id)
                .values(status="finished", finished_at=moment, updated_at=moment, **finish.values())
            )
            if attempt.mode != BRANCH:
                summaries.recount(connection, [(attempt.user_id, attempt.scenario_id)])
                summaries.active(connection, attempt.user_id, moment)
            xapi_rows.completed(connection, attempt, finish, moment)
            queue_attempt_score(connection, attempt, finish.score, moment)
            return self._owned_attempt(connection, actor, attempt_id)

    def leave_attempt(self, actor: User, attempt_id: int) -> Attempt:
        """End an attempt without finishing it; its decisions stay in the record."""
        with self._write() as connection:
            attempt = self._owned_attempt(connection, actor, attempt_id, lock=True)
            if attempt.status == "active":
                moment = clock.now()
                connection.execute(update(attempts).where(attempts.c.id == attempt_id).values(status="left", updated_at=moment))
                if attempt.mode != BRANCH:
                    summaries.active(connection, attempt.user_id, moment)
            return self._owned_attempt(connection, actor, attempt_id)

    # ---------------------------------------------------------------- history
    def attempts_frame(self, actor: User, user_id: int) -> pd.DataFrame:
        """All of a user's attempts as a frame (scenario titles are added by the caller); practice branches are in it
        with mode "branch", for the caller to leave out of first tries or show labelled."""
        columns = [
            "attempt_id",
            "scenario_id",
            "content_hash",
            "mode",
            "status",
            "started_at",
            "finished_at",
            "score",
            "strongest",
            "pitfalls",
            "points",
        ]
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
                attempts.c.strongest,
                attempts.c.pitfalls,
                attempts.c.points,
            )
            .where(attempts.c.user_id == user_id)
            .order_by(attempts.c.started_at, attempts.c.id)
        )
        with audit.seeing(self, actor, user_id, "view progress") as connection:
            rows = connection.execute(query).mappings().all()
        return pd.DataFrame([dict(r) for r in rows], columns=columns)

    def hits_frame(self, actor: User, user_id: int) -> pd.DataFrame:
        """One row per criterion of every decision the user made in first tries (practice branches left out): the
        input of scoring.patterns and readiness."""
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
            # Only the first decision at each point counts (scoring version 2): laps of a loop add nothing.
            # Practice branches replay single moments: they are kept apart from first tries.
            .where(
                attempts.c.user_id == user_id,
                attempts.c.status != "live",
                attempts.c.mode != BRANCH,
                decisions.c.counted == true(),
            )
            .order_by(decisions.c.decided_at, decisions.c.id, decision_criteria.c.criterion_id)
        )
        with audit.seeing(self, actor, user_id, "view progress") as connection:
            rows = connection.execute(query).all()
        return pd.DataFrame(
            [tuple(r) for r in rows], columns=["attempt_id", "decision_id", "scenario_id", "decided_at", "criterion_id"]
        )
