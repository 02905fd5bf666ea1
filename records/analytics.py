"""Cohort analytics for the class dashboard: compact frames from SQL aggregates, never every decision.

Who may read: the cohort's instructor or an admin (the rules of records/cohorts.py). Every read of the
trainees' data writes one entry to the audit log ("view cohort dashboard", "view item analysis",
"export cohort").

What comes back is small whatever the class has done: one row per trainee and scenario (attempts), one per
criterion and day (criteria hit), one per decision point and choice, one per trainee and decision point (first
attempts). Scenario titles, rubric titles and every figure built on these are computed in scoring/cohort.py.

**Staying fast over a million decisions.** Nothing here reads every decision: the figures come from the summary
tables of records.summaries, which every write that changes them keeps up to date in its own transaction, keyed
by trainee (criteria hit per day are kept per cohort, and the cohort's members who joined or left since the last
view are folded in or out first, in the view's write transaction). Each read runs in one consistent snapshot
(REPEATABLE READ on PostgreSQL; a read transaction in WAL mode on SQLite).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, and_, func, select

from records import audit
from records.access import User, require_role
from records.base import Repository
from records.cohort_rows import Cohort, owned_cohort
from records.csv_safety import write_csv
from records.export_rows import TRAINEE_COLUMNS as EXPORT_COLUMNS
from records.export_rows import trainee_rows
from records.summaries import fold_members, members_of
from records.tables import (
    attempts,
    cohort_members,
    dashboard_activity,
    dashboard_attempts,
    dashboard_choices,
    dashboard_cohort_hits,
    dashboard_first,
    decisions,
    exam_answers,
    exams,
    scenario_versions,
    users,
)

EARLIEST = datetime.min.replace(tzinfo=UTC)

TRAINEE_COLUMNS = ["user_id", "name", "started", "finished", "mean_score", "best_score", "last_active"]
SCENARIO_COLUMNS = ["scenario_id", "content_hash", "tried", "finished", "mean_score"]
HIT_COLUMNS = ["criterion_id", "day", "hits"]
COUNT_COLUMNS = ["node_id", "choice_id", "first_attempts", "all_attempts"]


@dataclass(frozen=True)
class CohortFigures:
    """The dashboard's figures for one cohort (every frame is small: see the module docstring).

    * ``trainees``: every member, by name: attempts started and finished, mean and best score of their finished
      attempts (None without one; the mean is their *overall score*), last active (their latest attempt start or
      decision; None if they have not played).
    * ``scenarios``: every scenario a member tried: trainees who tried it, trainees who finished it, mean score
      of its finished attempts, and ``content_hash``, the newest version the cohort played (for its title).
    * ``hits``: criteria hit by the cohort's decisions, per criterion and UTC day.
    """

    cohort: Cohort
    trainees: pd.DataFrame
    scenarios: pd.DataFrame
    hits: pd.DataFrame

    @property
    def attempts(self) -> int:
        return int(self.trainees["started"].sum()) if not self.trainees.empty else 0


@dataclass(frozen=True)
class ItemData:
    """What item analysis of one scenario needs, for one cohort.

    * ``versions``: the versions of the scenario the cohort played (``content_hash``, ``created_at``), newest first.
    * ``counts``: per decision point and choice, ``first_attempts`` (trainees who chose it the first time they
      reached that point in their first attempt) and ``all_attempts`` (every time it was chosen).
    * ``first_choices``: per trainee and decision point they reached in their first attempt, their choice there
      (the first visit, if a scenario loops back).
    * ``scores``: each member's overall score (mean of their finished attempts, any scenario); members without a
      finished attempt are left out.

    A trainee's *first attempt* of a scenario is the earliest started one in which they made a decision.
    """

    scenario_id: str
    versions: pd.DataFrame
    counts: pd.DataFrame
    first_choices: pd.DataFrame
    scores: pd.DataFrame


@dataclass(frozen=True)
class ExamData:
    """What item analysis of mock-exam questions needs, for one cohort: ``exams`` (exam_id, user_id, percent) of
    its members' finished exams, and ``answers`` (exam_id, question_id, choice), one row per question on each of
    those forms, choice None when it was left unanswered."""

    exams: pd.DataFrame
    answers: pd.DataFrame


# --------------------------------------------------------------------------------------- the repository
Member = tuple[int, str]
Row = tuple[str, str, int, int, int, "int | None"]  # scenario, version, started, finished, score total, best


class CohortRecords(Repository):
    """The class dashboard's reads. ``store.analytics`` on the Store."""

    # -------------------------------------------------------------- access
    def _allowed(self, actor: User, cohort_id: int, action: str, detail: str = "", *, every_time: bool = False) -> Cohort:
        """The cohort, when the actor owns it or is an admin; the read is written to the audit log first (a view
        once per audit.VIEW_WINDOW, since the page reruns on every click; an export ``every_time``). Members who
        joined or left since the last view are folded into the cohort's criteria hit in the same transaction."""
        require_role(actor, "instructor", "admin")
        with self._write() as connection:
            cohort = owned_cohort(connection, actor, cohort_id)
            log = audit.write if every_time else audit.write_view
            log(connection, actor, action, None, f"cohort {cohort.id}: {cohort.name}" + (f"; {detail}" if detail else ""))
            if not every_time:
                fold_members(connection, cohort.id)
        return cohort

    @contextmanager
    def _snapshot(self) -> Iterator[Connection]:
        """A read transaction whose statements all see the same data."""
        with self.engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                yield connection

    @staticmethod
    def _members(connection: Connection, cohort_id: int) -> list[Member]:
        return [
            (int(r.id), r.name)
            for r in connection.execute(
                select(users.c.id, users.c.name)
                .join(cohort_members, cohort_members.c.user_id == users.c.id)
                .where(cohort_members.c.cohort_id == cohort_id)
                .order_by(users.c.name_key, users.c.id)
            )
        ]

    @staticmethod
    def _grid(connection: Connection, cohort_id: int) -> tuple[dict[int, list[Row]], dict[int, datetime]]:
        """Each member's attempt figures per scenario and version, and when each member was last active."""
        grid: dict[int, list[Row]] = {}
        for user_id, scenario_id, content_hash, started, done, total, best in connection.execute(
            select(
                dashboard_attempts.c.user_id,
                dashboard_attempts.c.scenario_id,
                dashboard_attempts.c.content_hash,
                dashboard_attempts.c.started,
                dashboard_attempts.c.finished,
                dashboard_attempts.c.score_total,
                dashboard_attempts.c.best_score,
            ).where(dashboard_attempts.c.user_id.in_(members_of(cohort_id)))
        ):
            grid.setdefault(int(user_id), []).append(
                (scenario_id, content_hash, int(started), int(done), int(total), None if best is None else int(best))
            )
        last = {
            int(u): moment
            for u, moment in connection.execute(
                select(dashboard_activity.c.user_id, dashboard_activity.c.last_active).where(
                    dashboard_activity.c.user_id.in_(members_of(cohort_id))
                )
            )
        }
        return grid, last

    # ---------------------------------------------------------------- reads
    def figures(self, actor: User, cohort_id: int) -> CohortFigures:
        """Completion per trainee and per scenario, and criteria hit per day, for one cohort."""
        cohort = self._allowed(actor, cohort_id, "view cohort dashboard")
        with self._snapshot() as connection:
            members = self._members(connection, cohort_id)
            grid, last = self._grid(connection, cohort_id)
            versions = self._version_dates(connection, {row[1] for rows in grid.values() for row in rows})
            hits = connection.execute(
                select(dashboard_cohort_hits.c.criterion_id, dashboard_cohort_hits.c.day, dashboard_cohort_hits.c.hits).where(
                    dashboard_cohort_hits.c.cohort_id == cohort_id, dashboard_cohort_hits.c.hits != 0
                )
            ).all()
        return CohortFigures(cohort, _trainees(members, grid, last), _scenarios(grid, versions), _hits(hits))

    def item_data(self, actor: User, cohort_id: int, scenario_id: str) -> ItemData:
        """Choice counts, first-attempt choices and overall scores for item analysis of one scenario."""
        self._allowed(actor, cohort_id, "view item analysis", f"scenario {scenario_id}")
        with self._snapshot() as connection:
            members = self._members(connection, cohort_id)
            grid, last = self._grid(connection, cohort_id)
            played = {row[1] for rows in grid.values() for row in rows if row[0] == scenario_id}
            versions = self._version_dates(connection, played)
            first_attempts = {
                int(a): int(u)
                for u, a in connection.execute(
                    select(dashboard_first.c.user_id, dashboard_first.c.attempt_id).where(
                        dashboard_first.c.scenario_id == scenario_id, dashboard_first.c.user_id.in_(members_of(cohort_id))
                    )
                )
            }
            first_rows = self._first_choices(connection, sorted(first_attempts))
            all_counts = {
                (n, c): int(t)
                for n, c, t in connection.execute(
                    select(dashboard_choices.c.node_id, dashboard_choices.c.choice_id, func.sum(dashboard_choices.c.times))
                    .where(dashboard_choices.c.scenario_id == scenario_id, dashboard_choices.c.user_id.in_(members_of(cohort_id)))
                    .group_by(dashboard_choices.c.node_id, dashboard_choices.c.choice_id)
                )
                if t
            }
            trainees = _trainees(members, grid, last)
        first_choices = pd.DataFrame(
            [(first_attempts[a], node, choice) for a, node, choice in first_rows], columns=["user_id", "node_id", "choice_id"]
        ).sort_values(["user_id", "node_id"], kind="stable", ignore_index=True)
        first_counts = Counter(zip(first_choices["node_id"], first_choices["choice_id"], strict=True))
        keys = sorted(set(first_counts) | set(all_counts))
        counts = pd.DataFrame(
            [(n, c, first_counts.get((n, c), 0), all_counts.get((n, c), 0)) for n, c in keys], columns=COUNT_COLUMNS
        )
        version_frame = (
            pd.DataFrame(
                sorted(versions.items(), key=lambda kv: (kv[1], kv[0]), reverse=True), columns=["content_hash", "created_at"]
            )
            if versions
            else pd.DataFrame(columns=["content_hash", "created_at"])
        )
        scores = trainees.loc[trainees["mean_score"].notna(), ["user_id", "mean_score"]].rename(columns={"mean_score": "score"})
        return ItemData(scenario_id, version_frame, counts, first_choices, scores.reset_index(drop=True))

    @staticmethod
    def _first_choices(connection: Connection, attempt_ids: Sequence[int]) -> list[tuple[int, str, str]]:
        """(attempt, node, choice) at the first visit of each node in these attempts."""
        found: list[tuple[int, str, str]] = []
        for start in range(0, len(attempt_ids), 500):
            chunk = list(attempt_ids[start : start + 500])
            first_visit = (
                select(decisions.c.attempt_id, decisions.c.node_id, func.min(decisions.c.step).label("step"))
                .where(decisions.c.attempt_id.in_(chunk))
                .group_by(decisions.c.attempt_id, decisions.c.node_id)
                .subquery()
            )
            rows = connection.execute(
                select(decisions.c.attempt_id, decisions.c.node_id, decisions.c.choice_id).join(
                    first_visit,
                    and_(decisions.c.attempt_id == first_visit.c.attempt_id, decisions.c.step == first_visit.c.step),
                )
            )
            found.extend((int(a), n, c) for a, n, c in rows)
        return found

    @staticmethod
    def _version_dates(connection: Connection, hashes: set[str]) -> dict[str, datetime]:
        found: dict[str, datetime] = {}
        ordered = sorted(hashes)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            for content_hash, created_at in connection.execute(
                select(scenario_versions.c.content_hash, scenario_versions.c.created_at).where(
                    scenario_versions.c.content_hash.in_(chunk)
                )
            ):
                found[content_hash] = created_at
        return found

    def exam_data(self, actor: User, cohort_id: int) -> ExamData:
        """The cohort's finished mock exams and every answer on their forms (scoring.exam_items analyses them)."""
        self._allowed(actor, cohort_id, "view cohort dashboard")  # part of the dashboard: one entry per view
        with self._snapshot() as connection:
            rows = connection.execute(
                select(exams.c.id, exams.c.user_id, exams.c.percent, exams.c["items"])
                .where(exams.c.user_id.in_(members_of(cohort_id)), exams.c.submitted_at.is_not(None))
                .order_by(exams.c.id)
            ).all()
            chosen: dict[tuple[int, str], int | None] = {}
            ids = [int(r.id) for r in rows]
            for start in range(0, len(ids), 500):
                for exam_id, question_id, choice in connection.execute(
                    select(exam_answers.c.exam_id, exam_answers.c.question_id, exam_answers.c.choice).where(
                        exam_answers.c.exam_id.in_(ids[start : start + 500])
                    )
                ):
                    chosen[(int(exam_id), str(question_id))] = choice
        exam_frame = pd.DataFrame(
            [(int(r.id), int(r.user_id), int(r.percent or 0)) for r in rows], columns=["exam_id", "user_id", "percent"]
        )
        answer_frame = pd.DataFrame(
            [(int(r.id), q, chosen.get((int(r.id), q))) for r in rows for q in str(r.items).split(",")],
            columns=["exam_id", "question_id", "choice"],
        ).astype({"choice": "Int64"})
        return ExamData(exam_frame, answer_frame)

    def export_csv(self, actor: User, cohort_id: int) -> str:
        """Every attempt decision of the cohort's members, one row per decision with the trainee's id and name,
        ordered by trainee name, attempt start and step. Written to the audit log as "export cohort"."""
        self._allowed(actor, cohort_id, "export cohort", every_time=True)
        with self._snapshot() as connection:
            lines = [row.cells() for row in trainee_rows(connection, attempts.c.user_id.in_(members_of(cohort_id)))]
        return write_csv(EXPORT_COLUMNS, lines)


# ------------------------------------------------------------------------------------ frames from summaries
def _trainees(members: list[Member], grid: dict[int, list[Row]], last: dict[int, datetime]) -> pd.DataFrame:
    rows = []
    for user_id, name in members:
        mine = grid.get(user_id, [])
        started = sum(r[2] for r in mine)
        finished = sum(r[3] for r in mine)
        total = sum(r[4] for r in mine)
        bests = [r[5] for r in mine if r[5] is not None]
        rows.append(
            (
                user_id,
                name,
                started,
                finished,
                total / finished if finished else None,
                max(bests) if bests else None,
                last.get(user_id),
            )
        )
    frame = pd.DataFrame(rows, columns=TRAINEE_COLUMNS)
    frame["mean_score"] = frame["mean_score"].astype("float64")
    frame["best_score"] = frame["best_score"].astype("Int64")
    return frame


def _scenarios(grid: dict[int, list[Row]], versions: dict[str, datetime]) -> pd.DataFrame:
    tried: dict[str, set[int]] = {}
    done: dict[str, set[int]] = {}
    totals: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    newest: dict[str, tuple[datetime, str]] = {}
    for user_id, rows in grid.items():
        for scenario_id, content_hash, _started, finished, total, _best in rows:
            tried.setdefault(scenario_id, set()).add(user_id)
            if finished:
                done.setdefault(scenario_id, set()).add(user_id)
            totals[scenario_id] += total
            counts[scenario_id] += finished
            stamp = versions.get(content_hash, EARLIEST)
            if scenario_id not in newest or (stamp, content_hash) > newest[scenario_id]:
                newest[scenario_id] = (stamp, content_hash)
    frame = pd.DataFrame(
        [
            (
                scenario_id,
                newest[scenario_id][1],
                len(tried[scenario_id]),
                len(done.get(scenario_id, ())),
                totals[scenario_id] / counts[scenario_id] if counts[scenario_id] else None,
            )
            for scenario_id in sorted(tried)
        ],
        columns=SCENARIO_COLUMNS,
    )
    frame["mean_score"] = frame["mean_score"].astype("float64")
    return frame


def _hits(rows: Sequence[Any]) -> pd.DataFrame:
    frame = pd.DataFrame(
        sorted((criterion, str(day)[:10], int(times)) for criterion, day, times in rows if times), columns=HIT_COLUMNS
    )
    frame["day"] = pd.to_datetime(frame["day"]).dt.date
    return frame
