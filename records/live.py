"""Live classroom sessions: an instructor runs one scenario with a cohort, node by node.

Everything lives in the database (the session's step, node and phase, who joined, every answer), so any server
of a deployment, and any page load, sees the same class.

* An instructor (or admin) starts a session for a cohort they own, on one exact scenario version, and gets a
  short join code (the cohort codes' alphabet: no 0/O, 1/I/L).
* Members of that cohort join with the code while the session is open. Each gets an attempt (mode "live",
  status "live" while the class runs, so Home and Practice never offer to resume it on their own).
* At each decision point every trainee answers once: the first answer stands, and a second click, a rerun or
  another tab changes nothing (as in practice, where each decision is committed when it is made). The answer
  is written with its decision row (quality, criteria, whether it counts) in one transaction; the decision's step is the
  class's step, so it is recorded once per point however often it is sent.
* The host reveals the feedback (answers close), then moves the class on along the choice most trainees
  picked, or one the host picks. On a tie, and when no one answered, the host must pick (on a tie, one of the
  tied responses): nothing follows file order or an automatic rule. The step, the response followed and how many
  chose it go in live_steps either way. Reveal and advance name the step the host's page showed, so a double
  click or a second tab never skips a point.
* At an ending the session ends and each attempt with answers is finished with a score from the trainee's own
  answers (scoring version 2, records.scored: the first answer at each point counts), with how many were among
  the strongest and how many named a pitfall. Ending early marks the attempts "left", with those counts and no
  score, as leaving a practice conversation does. An attempt with no answers is marked "left" either way.

Who may do what: the host, the cohort's owner and admins run the session and see its tally (counts only,
never who chose what); participants see the session and their own answer.

Joining takes one code. A signed-in trainee who is not yet in the class's cohort is added to it by the live
class's code, as the cohort's own code would add them (a "join cohort" entry in the audit log, then "join live
class"), and the page tells them their instructor now sees their practice. Each refusal says why, kindly:

* a code of the wrong length: how long a code is (not counted); a code no class has: :data:`NO_CLASS` (counted
  as a wrong code, records.codes);
* a class that has ended: :data:`ENDED` (counted too: the code no longer works);
* an archived cohort: :data:`ARCHIVED`;
* an account that is switched off: :data:`SWITCHED_OFF`;
* someone the cohort's instructor (or an admin) took out of the cohort: :data:`REMOVED` (the live code never
  adds them back; their instructor can);
* an instructor who may not run this class: :data:`NO_CLASS`, naming nothing, counted as a wrong code.

Belonging is checked now, not once: only current members of the cohort (and those who may run the class) read
the class or answer. A trainee who leaves the cohort, or is removed from it, mid-class gets a kind message and
their answers are refused; when the class ends their attempt is marked "left" with the counts of their answers.
A trainee who left the cohort themselves may come back with the live code, to the seat they had.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, Select, and_, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from records import audit, cards, clock, summaries, throttle, versions
from records.access import AccessDenied, User, require_role, require_see
from records.base import Repository
from records.codes import CODE_LENGTH, join_checks, new_code, normalise_code, note_wrong_code, paused_message
from records.cohort_rows import add_member, removed_from
from records.decisions import insert_decision
from records.errors import LiveError, NotFound
from records.scored import SCORING_VERSION, live_outcome, score_choice
from records.tables import (
    attempts,
    cohort_members,
    cohorts,
    decisions,
    live_answers,
    live_participants,
    live_sessions,
    live_steps,
    users,
)
from scenarios import LoadedScenario, Rubric
from scoring.live import NO_ANSWERS, most_chosen, tie_sentence, top_choices
from scoring.shuffle import choice_order, new_seed

MODE = "live"
"""The attempts' mode; their status is "live" while the class runs."""


NO_CLASS = "No live class is running with that code. Please check it with your instructor."
"""For a code that does not exist, has ended, or belongs to a class the trainee is not in: the same words."""
NOT_IN_COHORT = (
    "You are no longer in this class's cohort, so its live class is closed to you. If that is a mistake, please "
    "talk with your instructor."
)
ENDED = "That live class has ended, so it cannot be joined now. Please ask your instructor for the code of the next one."
ARCHIVED = "This class's cohort is archived, so its live class cannot be joined. Please ask your instructor."
SWITCHED_OFF = "This account has been switched off, so it cannot join a live class. Please contact your program's admin."
REMOVED = (
    "You were taken out of this class's cohort, so its live class code cannot add you back. If that is a mistake, "
    "please talk with your instructor."
)


@dataclass(frozen=True)
class LiveSession:
    id: int
    code: str
    cohort_id: int
    cohort_name: str
    host_id: int
    host_name: str
    scenario_id: str
    content_hash: str
    step: int
    node_id: str
    phase: str
    started_at: datetime
    step_started_at: datetime
    ended_at: datetime | None
    ending_id: str | None
    shuffle_seed: str | None
    """The order every screen of the class shows responses in (scoring.shuffle); None: file order."""

    @property
    def ended(self) -> bool:
        return self.phase == "ended"


@dataclass(frozen=True)
class Seat:
    """A participant's place in a session: their attempt and their answer at the class's current step."""

    session: LiveSession
    attempt_id: int
    answer: str | None
    new_member: bool = field(default=False, compare=False)
    """True when this join added the trainee to the class's cohort (joining with one code)."""


@dataclass(frozen=True)
class StepOutcome:
    """What the class did at one step: the point, the response it followed, how many chose it of how many answered,
    and how it was chosen (``picked``): "most" (more chose it than any other), "tie" (the host broke a tie),
    "host" (the host followed it over the response chosen most) or "none" (no one answered; the host picked)."""

    step: int
    node_id: str
    choice_id: str
    chosen_by: int
    answered: int
    picked: str = "most"


@dataclass(frozen=True)
class Tally:
    """The host's view of the current step: how many joined and answered, and the count per choice."""

    session: LiveSession
    joined: int
    answered: int
    counts: dict[str, int]


def _session(row: Row[Any]) -> LiveSession:
    return LiveSession(**{name: getattr(row, name) for name in LiveSession.__dataclass_fields__})


class LiveSessions(Repository):
    # ------------------------------------------------------------------ reading
    @staticmethod
    def _select() -> Select[Any]:
        host = users.alias("host")
        return (
            select(live_sessions, cohorts.c.name.label("cohort_name"), host.c.name.label("host_name"))
            .join(cohorts, cohorts.c.id == live_sessions.c.cohort_id)
            .join(host, host.c.id == live_sessions.c.host_id)
        )

    def _get(self, connection: Connection, session_id: int, *, lock: str | None = None) -> LiveSession:
        """The session; ``lock`` "update" holds its row until commit (PostgreSQL FOR UPDATE), "share" keeps it
        from changing meanwhile (FOR SHARE). SQLite's BEGIN IMMEDIATE already serialises writers."""
        if lock is not None:
            locking = select(live_sessions.c.id).where(live_sessions.c.id == session_id)
            connection.execute(locking.with_for_update(read=lock == "share"))
        row = connection.execute(self._select().where(live_sessions.c.id == session_id)).first()
        if row is None:
            raise NotFound(f"There is no live class {session_id}.")
        return _session(row)

    @staticmethod
    def _may_host(connection: Connection, actor: User, session: LiveSession) -> bool:
        if actor.role == "admin" or actor.id == session.host_id:
            return True
        owner = connection.execute(select(cohorts.c.owner_id).where(cohorts.c.id == session.cohort_id)).scalar()
        return actor.role == "instructor" and owner == actor.id

    @classmethod
    def _belongs(cls, connection: Connection, actor: User, session: LiveSession, *, lock: bool = False) -> bool:
        """Whether the actor may take part now: a current member of the session's cohort, or someone who may run
        it. ``lock`` keeps the membership from being removed until this transaction ends (PostgreSQL FOR SHARE)."""
        if cls._may_host(connection, actor, session):
            return True
        query = select(cohort_members.c.user_id).where(
            cohort_members.c.cohort_id == session.cohort_id, cohort_members.c.user_id == actor.id
        )
        if lock:
            query = query.with_for_update(read=True)
        return connection.execute(query).first() is not None

    @staticmethod
    def _in_class(session: LiveSession, user_id: ColumnElement[int]) -> ColumnElement[bool]:
        """The same rule as :meth:`_belongs`, in SQL, for counting: ``user_id`` is a current member of the cohort
        or may run the class (its host, the cohort's instructor, an admin)."""
        members = select(cohort_members.c.user_id).where(cohort_members.c.cohort_id == session.cohort_id)
        owner = select(cohorts.c.owner_id).where(cohorts.c.id == session.cohort_id).scalar_subquery()
        runners = select(users.c.id).where(
            or_(users.c.role == "admin", users.c.id == session.host_id, and_(users.c.role == "instructor", users.c.id == owner))
        )
        return or_(user_id.in_(members), user_id.in_(runners))

    def _hosted(self, connection: Connection, actor: User, session_id: int, *, lock: str | None = None) -> LiveSession:
        session = self._get(connection, session_id, lock=lock)
        if not self._may_host(connection, actor, session):
            raise AccessDenied("Only the instructor running this live class (or an admin) can do that.")
        return session

    @staticmethod
    def _participant(connection: Connection, actor: User, session_id: int, *, lock: bool = False) -> Row[Any] | None:
        query = select(live_participants).where(
            live_participants.c.session_id == session_id, live_participants.c.user_id == actor.id
        )
        if lock:
            query = query.with_for_update()
        return connection.execute(query).first()

    def get(self, actor: User, session_id: int) -> LiveSession:
        """The session, for its host (or the cohort's owner, or an admin) and its participants who are still in the
        cohort."""
        with self._read() as connection:
            session = self._get(connection, session_id)
            if self._may_host(connection, actor, session):
                return session
            if self._participant(connection, actor, session_id) is not None:
                if self._belongs(connection, actor, session):
                    return session
                raise LiveError(NOT_IN_COHORT)
        raise NotFound(f"There is no live class {session_id}.")

    def hosting(self, actor: User) -> LiveSession | None:
        """The open session this actor started most recently, if any."""
        with self._read() as connection:
            row = connection.execute(
                self._select()
                .where(live_sessions.c.host_id == actor.id, live_sessions.c.phase != "ended")
                .order_by(live_sessions.c.started_at.desc(), live_sessions.c.id.desc())
                .limit(1)
            ).first()
        return None if row is None else _session(row)

    def seat(self, actor: User, session_id: int | None = None) -> Seat | None:
        """The actor's seat in ``session_id``, or (without it) in the open session they joined most recently.
        LiveError(NOT_IN_COHORT) when the actor has a seat there but has left the cohort (or was removed)."""
        query = self._select().join(live_participants, live_participants.c.session_id == live_sessions.c.id)
        query = query.add_columns(live_participants.c.attempt_id).where(live_participants.c.user_id == actor.id)
        if session_id is None:
            query = query.where(live_sessions.c.phase != "ended")
        else:
            query = query.where(live_sessions.c.id == session_id)
        with self._read() as connection:
            rows = connection.execute(query.order_by(live_participants.c.joined_at.desc(), live_sessions.c.id.desc())).all()
            for row in rows:  # a handful at most: the open classes this actor joined
                session = _session(row)
                if self._belongs(connection, actor, session):
                    return self._seat(connection, actor, session, int(row.attempt_id))
        if rows:
            raise LiveError(NOT_IN_COHORT)
        return None

    @staticmethod
    def _seat(connection: Connection, actor: User, session: LiveSession, attempt_id: int) -> Seat:
        answer = connection.execute(
            select(live_answers.c.choice_id).where(
                live_answers.c.session_id == session.id,
                live_answers.c.step == session.step,
                live_answers.c.user_id == actor.id,
            )
        ).scalar()
        return Seat(session, attempt_id, None if answer is None else str(answer))

    def recent(self, actor: User, since: datetime) -> LiveSession | None:
        """The latest session the actor hosted, or joined and still belongs to, that ended at or after ``since``."""
        joined = select(live_participants.c.session_id).where(live_participants.c.user_id == actor.id)
        with self._read() as connection:
            rows = connection.execute(
                self._select()
                .where(
                    live_sessions.c.phase == "ended",
                    live_sessions.c.ended_at >= since,
                    (live_sessions.c.host_id == actor.id) | live_sessions.c.id.in_(joined),
                )
                .order_by(live_sessions.c.ended_at.desc(), live_sessions.c.id.desc())
            ).all()
            for row in rows:
                session = _session(row)
                if self._belongs(connection, actor, session):
                    return session
        return None

    def path(self, actor: User, session_id: int) -> list[StepOutcome]:
        """The steps the class has moved on from, in order: for everyone who may see the class (host, owner, admin,
        current participants), as every phone shows them."""
        with self._read() as connection:
            session = self._get(connection, session_id)
            if not self._may_host(connection, actor, session):
                if self._participant(connection, actor, session_id) is None:
                    raise AccessDenied("Join this live class with its code first.")
                if not self._belongs(connection, actor, session):
                    raise LiveError(NOT_IN_COHORT)
            return self._path(connection, session_id)

    @staticmethod
    def _path(connection: Connection, session_id: int) -> list[StepOutcome]:
        """The steps with how each response was chosen, from every answer given at the step (``picked``; the counts
        shown stay those stored when the class moved on)."""
        rows = connection.execute(
            select(live_steps).where(live_steps.c.session_id == session_id).order_by(live_steps.c.step)
        ).mappings()
        answers: dict[int, dict[str, int]] = {}
        for step, choice_id, n in connection.execute(
            select(live_answers.c.step, live_answers.c.choice_id, func.count())
            .where(live_answers.c.session_id == session_id)
            .group_by(live_answers.c.step, live_answers.c.choice_id)
        ):
            answers.setdefault(int(step), {})[str(choice_id)] = int(n)
        path = []
        for r in rows:
            counts = answers.get(r["step"], {})
            own = counts.get(r["choice_id"], 0)
            others = max((n for choice_id, n in counts.items() if choice_id != r["choice_id"]), default=0)
            picked = "none" if not counts else "host" if own < others else "tie" if own == others else "most"
            path.append(StepOutcome(r["step"], r["node_id"], r["choice_id"], r["chosen_by"], r["answered"], picked))
        return path

    def path_of_attempt(self, actor: User, attempt_id: int) -> list[StepOutcome]:
        """The class path of the live class an attempt was made in (empty for a practice attempt), for whoever may
        read that attempt (records.access): Review shows it beside the trainee's own answers."""
        with self._read() as connection:
            owner = connection.execute(select(attempts.c.user_id).where(attempts.c.id == attempt_id)).scalar()
            if owner is None:
                raise NotFound(f"There is no attempt {attempt_id}.")
            require_see(connection, actor, int(owner))
            session_id = connection.execute(
                select(live_participants.c.session_id).where(live_participants.c.attempt_id == attempt_id)
            ).scalar()
            return [] if session_id is None else self._path(connection, int(session_id))

    def tally(self, actor: User, session_id: int) -> Tally:
        """For the host: joined, answered, and how many picked each choice at the current step. Only those still in
        the class count: a trainee who left the cohort, or was removed, drops out of all three."""
        with self._read() as connection:
            session = self._hosted(connection, actor, session_id)
            joined = connection.execute(
                select(func.count())
                .select_from(live_participants)
                .where(live_participants.c.session_id == session_id, self._in_class(session, live_participants.c.user_id))
            ).scalar_one()
            counts = self._counts(connection, session)
        return Tally(session, int(joined), sum(counts.values()), counts)

    @classmethod
    def _counts(cls, connection: Connection, session: LiveSession) -> dict[str, int]:
        rows = connection.execute(
            select(live_answers.c.choice_id, func.count())
            .where(
                live_answers.c.session_id == session.id,
                live_answers.c.step == session.step,
                cls._in_class(session, live_answers.c.user_id),
            )
            .group_by(live_answers.c.choice_id)
        ).all()
        return {str(choice_id): int(n) for choice_id, n in rows}

    # ---------------------------------------------------------------- the host
    def start(self, actor: User, cohort_id: int, loaded: LoadedScenario) -> LiveSession:
        """Open a live class of this exact scenario version for a cohort the actor owns (admins: any cohort)."""
        require_role(actor, "instructor", "admin")
        moment = clock.now()
        for _ in range(10):
            try:
                with self._write() as connection:
                    cohort = connection.execute(select(cohorts).where(cohorts.c.id == cohort_id)).first()
                    if cohort is None:
                        raise LiveError("There is no such cohort.")
                    if actor.role != "admin" and cohort.owner_id != actor.id:
                        raise AccessDenied("You can run a live class only with your own cohorts.")
                    if cohort.archived:
                        raise LiveError("This cohort is archived. Unarchive it on the Cohorts page to run a live class.")
                    running = connection.execute(
                        select(live_sessions.c.code).where(live_sessions.c.host_id == actor.id, live_sessions.c.phase != "ended")
                    ).scalar()
                    if running is not None:
                        raise LiveError(f"You already have a live class running (code {running}). End it first.")
                    versions.remember(connection, loaded.id, loaded.content_hash, loaded.text)
                    new_id = connection.execute(
                        insert(live_sessions).values(
                            code=new_code(),
                            cohort_id=cohort_id,
                            host_id=actor.id,
                            scenario_id=loaded.id,
                            content_hash=loaded.content_hash,
                            step=1,
                            node_id=loaded.scenario.start,
                            phase="asking",
                            shuffle_seed=new_seed(),
                            started_at=moment,
                            step_started_at=moment,
                            updated_at=moment,
                        )
                    ).inserted_primary_key
                    assert new_id is not None
                    return self._get(connection, int(new_id[0]))
            except IntegrityError:  # pragma: no cover - a code collision: 31**6 codes, so rare
                continue
        raise LiveError("Could not make a unique join code; please try again.")  # pragma: no cover

    def reveal(self, actor: User, session_id: int, *, step: int) -> LiveSession:
        """Show the feedback for ``step`` (the step the host's page showed) and close its answers. Revealing a
        step that is no longer current, or twice, changes nothing."""
        with self._write() as connection:
            session = self._hosted(connection, actor, session_id, lock="update")
            if session.phase == "asking" and session.step == step:
                connection.execute(
                    update(live_sessions).where(live_sessions.c.id == session_id).values(phase="revealed", updated_at=clock.now())
                )
                session = self._get(connection, session_id)
            return session

    def advance(
        self, actor: User, session_id: int, *, step: int, follow: str | None, loaded: LoadedScenario, rubric: Rubric
    ) -> LiveSession:
        """Move the class on from ``step`` along ``follow`` (a choice id), or, when None, the choice picked most.
        On a tie ``follow`` must be one of the tied choices, and with no answers any choice: the host picks, never a
        rule. Reaching an ending ends the session and finishes the attempts. A stale ``step`` changes nothing."""
        with self._write() as connection:
            session = self._hosted(connection, actor, session_id, lock="update")
            self._check_version(session, loaded)
            if session.ended or session.step != step:
                return session
            if session.phase != "revealed":
                raise LiveError("Reveal the feedback before moving on, so everyone sees it.")
            node = loaded.scenario.nodes[session.node_id]
            shown = choice_order(session.shuffle_seed, session.node_id, [c.id for c in node.choices])
            counts = self._counts(connection, session)
            by_id = {c.id: c for c in node.choices}
            if follow is not None and follow not in by_id:
                raise LiveError(f"'{follow}' is not a response at this point.")
            tie = tie_sentence(node, counts, shown)
            if tie is not None and follow not in top_choices(node, counts, shown):
                raise LiveError(tie if follow is None else f"Please pick one of the tied responses. {tie}")
            choice_id = follow if follow is not None else most_chosen(node, counts, shown)
            if choice_id is None:
                raise LiveError(NO_ANSWERS)
            target = by_id[choice_id].next
            moment = clock.now()
            connection.execute(
                insert(live_steps).values(
                    session_id=session_id,
                    step=session.step,
                    node_id=session.node_id,
                    choice_id=choice_id,
                    chosen_by=counts.get(choice_id, 0),
                    answered=sum(counts.values()),
                    decided_at=moment,
                )
            )
            if target in loaded.scenario.endings:
                self._close(connection, session, moment, ending_id=target)
            else:
                connection.execute(
                    update(live_sessions)
                    .where(live_sessions.c.id == session_id)
                    .values(step=session.step + 1, node_id=target, phase="asking", step_started_at=moment, updated_at=moment)
                )
                seated = self._seated(connection, session_id)
                connection.execute(
                    update(attempts)
                    .where(attempts.c.id.in_(self._attempt_ids(session_id)), attempts.c.status == MODE)
                    .values(current_node=target, updated_at=moment)
                )
                for user_id, _scenario_id in seated:
                    summaries.active(connection, user_id, moment)
            return self._get(connection, session_id)

    def end(self, actor: User, session_id: int) -> LiveSession:
        """End the class early: attempts are marked "left" with their points so far and no score."""
        with self._write() as connection:
            session = self._hosted(connection, actor, session_id, lock="update")
            if not session.ended:
                self._close(connection, session, clock.now(), ending_id=None)
            return self._get(connection, session_id)

    @staticmethod
    def _seated(connection: Connection, session_id: int) -> list[tuple[int, str]]:
        """(trainee, scenario) of the session's attempts still in the class (status live), for the summaries."""
        return [
            (int(u), str(s))
            for u, s in connection.execute(
                select(attempts.c.user_id, attempts.c.scenario_id).where(
                    attempts.c.id.in_(LiveSessions._attempt_ids(session_id)), attempts.c.status == MODE
                )
            )
        ]

    @staticmethod
    def _attempt_ids(session_id: int) -> Select[Any]:
        return select(live_participants.c.attempt_id).where(live_participants.c.session_id == session_id)

    def _close(
        self,
        connection: Connection,
        session: LiveSession,
        moment: datetime,
        *,
        ending_id: str | None,
    ) -> None:
        connection.execute(
            update(live_sessions)
            .where(live_sessions.c.id == session.id)
            .values(phase="ended", ended_at=moment, updated_at=moment, ending_id=ending_id)
        )
        seated = self._seated(connection, session.id)
        stayed = set(
            connection.execute(
                select(live_participants.c.attempt_id).where(
                    live_participants.c.session_id == session.id, self._in_class(session, live_participants.c.user_id)
                )
            ).scalars()
        )
        answers: dict[int, list[tuple[str, bool, int]]] = {}
        for attempt_id, quality, counts, points in connection.execute(
            select(live_participants.c.attempt_id, decisions.c.quality, decisions.c.counted, decisions.c.points)
            .select_from(live_participants)
            .outerjoin(decisions, decisions.c.attempt_id == live_participants.c.attempt_id)
            .where(live_participants.c.session_id == session.id)
            .order_by(live_participants.c.attempt_id, decisions.c.step)
        ):
            mine = answers.setdefault(attempt_id, [])
            if quality is not None:
                mine.append((quality, bool(counts), int(points)))
        for attempt_id, mine in answers.items():
            values: dict[str, object] = {"updated_at": moment, "scoring_version": SCORING_VERSION}
            result = live_outcome(mine, ending_id)
            # A trainee who left the cohort (or was removed) mid-class is marked "left", with their counts so far.
            if mine and ending_id is not None and attempt_id in stayed:
                values |= {
                    "status": "finished",
                    "finished_at": moment,
                    "ending_id": ending_id,
                    "points": result.points,
                    "score": result.score,
                    "strongest": result.strongest,
                    "pitfalls": result.pitfalls,
                    "current_node": ending_id,
                }
            elif mine:
                values |= {"status": "left", "points": result.points, "strongest": result.strongest, "pitfalls": result.pitfalls}
            else:
                values |= {"status": "left", "points": None}
            connection.execute(update(attempts).where(attempts.c.id == attempt_id, attempts.c.status == MODE).values(**values))
        for user_id, _scenario_id in seated:
            summaries.active(connection, user_id, moment)
        summaries.recount(connection, seated)

    @staticmethod
    def _check_version(session: LiveSession, loaded: LoadedScenario) -> None:
        if loaded.content_hash != session.content_hash:
            raise LiveError("This is not the scenario version the live class is using.")

    # ------------------------------------------------------------ the trainees
    def join(self, actor: User, code: str, *, address: str | None = None) -> Seat:
        """Join the open session with this code. Current members of its cohort (and those who may run it) take a
        seat; a trainee who is not a member yet is added to the cohort first (``Seat.new_member``), unless they were
        taken out of it. Each refusal is a LiveError with its own words (see the module's docstring). Codes that do
        not work are throttled per user, and per network ``address`` when known, with the cohort codes
        (records.codes). Joining again keeps the seat."""
        wanted = normalise_code(code)
        if len(wanted) != CODE_LENGTH:
            raise LiveError(f"A live class code has {CODE_LENGTH} letters and numbers, like K7M2QX. Please check it.")
        checks = join_checks(actor, address)
        moment = clock.now()
        found: int | None = None
        try:
            with self._write() as connection:  # refusals are raised after the commit, so the counted try stays
                switched_off = connection.execute(select(users.c.disabled).where(users.c.id == actor.id)).scalar()
                taken = None if switched_off is None or switched_off else throttle.take(connection, checks, moment)
                if taken is None:
                    refusal = LiveError(SWITCHED_OFF)
                elif isinstance(taken, throttle.Blocked):
                    refusal = LiveError(paused_message(taken))
                else:
                    found = connection.execute(select(live_sessions.c.id).where(live_sessions.c.code == wanted)).scalar()
                    session = None if found is None else self._get(connection, found, lock="share")  # no advance meanwhile
                    member = session is not None and self._belongs(connection, actor, session)
                    if session is None or (not member and actor.role != "trainee"):
                        note_wrong_code(connection, actor, checks, moment)  # another instructor learns nothing
                        refusal = LiveError(NO_CLASS)
                    elif session.ended:
                        note_wrong_code(connection, actor, checks, moment)
                        refusal = LiveError(ENDED)
                    else:
                        throttle.give_back(connection, taken)
                        seat = self._participant(connection, actor, session.id)
                        archived = connection.execute(
                            select(cohorts.c.archived).where(cohorts.c.id == session.cohort_id)
                        ).scalar()
                        if member and seat is not None:  # already in: keeps their seat, archived or not
                            return self._seat(connection, actor, session, int(seat.attempt_id))
                        if not member and removed_from(connection, actor.id, session.cohort_id):
                            refusal = LiveError(REMOVED)
                        elif archived:
                            refusal = LiveError(ARCHIVED)
                        else:
                            if not member:
                                add_member(connection, actor, session.cohort_id, moment, how="with a live class code")
                            if seat is None:
                                seat_id = self._take_seat(connection, actor, session, moment)
                                audit.write(
                                    connection,
                                    actor,
                                    "join live class",
                                    actor.id,
                                    f"live class {session.id}, cohort {session.cohort_id}",
                                )
                            else:  # left the cohort mid-class, and came back with the code: the seat they had
                                seat_id = int(seat.attempt_id)
                            joined = self._seat(connection, actor, session, seat_id)
                            return Seat(joined.session, joined.attempt_id, joined.answer, new_member=not member)
            raise refusal
        except IntegrityError:
            # This trainee joined from another tab or server a moment ago: keep that seat.
            seat_now = None if found is None else self.seat(actor, found)
            if seat_now is None:
                raise
            return seat_now

    @staticmethod
    def _take_seat(connection: Connection, actor: User, session: LiveSession, moment: datetime) -> int:
        """A new attempt and participant row for the actor; returns the attempt id."""
        attempt_id = connection.execute(
            insert(attempts).values(
                user_id=actor.id,
                scenario_id=session.scenario_id,
                content_hash=session.content_hash,
                mode=MODE,
                status=MODE,
                current_node=session.node_id,
                scoring_version=SCORING_VERSION,
                shuffle_seed=session.shuffle_seed,  # the class's order: Review shows what every screen showed
                started_at=moment,
                updated_at=moment,
            )
        ).inserted_primary_key
        assert attempt_id is not None
        summaries.started(connection, actor.id, session.scenario_id, session.content_hash, MODE, moment)
        connection.execute(
            insert(live_participants).values(
                session_id=session.id, user_id=actor.id, attempt_id=int(attempt_id[0]), joined_at=moment
            )
        )
        return int(attempt_id[0])

    def answer(self, actor: User, session_id: int, *, step: int, choice_id: str, loaded: LoadedScenario, rubric: Rubric) -> Seat:
        """Record the actor's answer at ``step`` with its decision (quality, criteria, whether it counts). The first answer at a
        step stands: answering again returns the seat unchanged."""
        moment = clock.now()
        try:
            with self._write() as connection:
                session = self._get(connection, session_id, lock="share")
                participant = self._participant(connection, actor, session_id, lock=True)
                if participant is None:
                    raise AccessDenied("Join this live class with its code first.")
                if not self._belongs(connection, actor, session, lock=True):
                    raise LiveError(NOT_IN_COHORT)
                self._check_version(session, loaded)
                attempt_id = int(participant.attempt_id)
                existing = connection.execute(
                    select(live_answers.c.choice_id).where(
                        live_answers.c.session_id == session_id,
                        live_answers.c.step == step,
                        live_answers.c.user_id == actor.id,
                    )
                ).first()
                if existing is not None:
                    return self._seat(connection, actor, session, attempt_id)
                if session.ended:
                    raise LiveError("This live class has ended.")
                if step != session.step:
                    raise LiveError("The class has moved on. Here is where it is now.")
                if session.phase != "asking":
                    raise LiveError("The feedback for this point is already showing, so answers are closed.")
                if all(c.id != choice_id for c in loaded.scenario.nodes[session.node_id].choices):
                    raise LiveError(f"'{choice_id}' is not a response at this point.")
                connection.execute(
                    insert(live_answers).values(
                        session_id=session_id,
                        step=step,
                        user_id=actor.id,
                        node_id=session.node_id,
                        choice_id=choice_id,
                        answered_at=moment,
                    )
                )
                shown = max(session.step_started_at, participant.joined_at)
                decided = connection.execute(select(decisions.c.node_id).where(decisions.c.attempt_id == attempt_id)).scalars()
                scored = score_choice(loaded.scenario, session.node_id, choice_id, rubric, decided=decided)
                insert_decision(connection, attempt_id, step, scored, int((moment - shown).total_seconds() * 1000), moment)
                connection.execute(update(attempts).where(attempts.c.id == attempt_id).values(updated_at=moment))
                summaries.decided(
                    connection,
                    user_id=actor.id,
                    attempt_id=attempt_id,
                    scenario_id=session.scenario_id,
                    mode=MODE,
                    node_id=scored.node_id,
                    choice_id=scored.choice_id,
                    counted=scored.counted,
                    criteria=scored.criteria,
                    moment=moment,
                )
                return self._seat(connection, actor, session, attempt_id)
        except IntegrityError:
            # The same answer arrived from another tab or server between our check and our insert: keep theirs.
            seat = self.seat(actor, session_id)
            if seat is None:  # pragma: no cover - the seat was there a moment ago
                raise
            return seat

    def queue_pitfall(self, actor: User, session_id: int, *, step: int, loaded: LoadedScenario, rubric: Rubric) -> bool:
        """Once the feedback of ``step`` is out, the actor's answer there enters their spaced review if it names a
        pitfall (scored by records.scored, as in practice). True when a card was added; nothing happens before the
        reveal, without an answer, or when the card is already queued."""
        with self._read() as connection:  # most answers name no pitfall: only those take the write lock
            session = self._get(connection, session_id)
            self._check_version(session, loaded)
            if session.step == step and session.phase == "asking":
                return False  # the feedback is not out yet
            answer = connection.execute(
                select(live_answers.c.node_id, live_answers.c.choice_id).where(
                    live_answers.c.session_id == session_id, live_answers.c.step == step, live_answers.c.user_id == actor.id
                )
            ).first()
        if answer is None or not score_choice(loaded.scenario, answer.node_id, answer.choice_id, rubric).pitfall:
            return False
        with self._write() as connection:
            ref = cards.pitfall_ref(session.content_hash, answer.node_id, answer.choice_id)
            return cards.add(connection, actor.id, cards.PITFALL, ref, clock.now())
