"""Benchmark: the class dashboard's data functions over 1,000,000 decisions from 500 trainees.

Generates one cohort of 500 trainees playing the shipped library (bulk inserts: executemany on SQLite, COPY on
PostgreSQL), then times, in the same run and on the same data:

* the dashboard's data functions (records/analytics.py, what pages/dashboard.py calls for one page view with
  the item analysis of one scenario open), and
* hand-written SQL computing the same figures, with no access check or audit entry,

and prints the ratio against the hand-written SQL and the goal: the first view after a server start (a new
CohortRecords: nothing in the process) under 1 s, read from the summary tables (records/summaries.py), which the
generator fills with the statements of migration 0016 after its bulk inserts.

    .venv/bin/python -m bench.dashboard                       # SQLite and PostgreSQL
    .venv/bin/python -m bench.dashboard --database sqlite --decisions 100000
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import pandas as pd
from sqlalchemy import Engine, text

from bench.harness import POSTGRES_ADMIN_URL, database, machine, verdict
from records import Finish, Store, User
from records.analytics import CohortFigures, CohortRecords, ItemData
from records.db import WRITE
from records.summaries import rebuild
from scenarios import LIBRARY_DIR, LoadedScenario, load_library
from scoring import cohort, default_rubric, patterns
from scoring.scorer import score, strongest_path, summarize, weakest_path

T = TypeVar("T")
START = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)  # a Monday
WEEKS = 26


@dataclass
class Generated:
    instructor: User
    cohort_id: int
    trainees: int
    attempts: int
    decisions: int
    criteria: int
    seconds: float
    scenario_id: str  # the scenario whose item analysis the page view opens


def _library() -> list[LoadedScenario]:
    report = load_library(LIBRARY_DIR, rubric=default_rubric())
    return sorted(report.loaded, key=lambda s: s.id)


def _rows(
    scenarios: list[LoadedScenario], trainee_ids: list[int], decisions_wanted: int, seed: int
) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]], list[tuple[object, ...]]]:
    """Attempts, decisions and decision criteria as tuples with explicit ids (ids start at 1)."""
    rubric = default_rubric()
    rng = random.Random(seed)
    ability = {u: rng.random() for u in trainee_ids}  # the chance of taking the strongest choice
    bounds = {}
    ranked = {}
    for loaded in scenarios:
        s = loaded.scenario
        bounds[loaded.id] = (strongest_path(s, rubric).points, weakest_path(s, rubric).points)
        for node_id, node in s.nodes.items():
            points = [(rubric.points(c.criteria), c) for c in node.choices]
            top = max(p for p, _ in points)
            ranked[(loaded.id, node_id)] = ([c for p, c in points if p == top], [c for _, c in points], points)
    attempts: list[tuple[object, ...]] = []
    decisions: list[tuple[object, ...]] = []
    criteria: list[tuple[object, ...]] = []
    span = WEEKS * 7 * 24 * 3600
    while len(decisions) < decisions_wanted:
        user = rng.choice(trainee_ids)
        loaded = rng.choice(scenarios)
        s = loaded.scenario
        attempt_id = len(attempts) + 1
        started = START + timedelta(seconds=rng.randrange(span))
        node_id = s.start
        points_total = 0
        step = 0
        moment = started
        quits = rng.random() < 0.1
        while node_id in s.nodes and step < 12 and len(decisions) < decisions_wanted:
            if quits and step >= 1 and rng.random() < 0.5:
                break
            best, every, _ = ranked[(loaded.id, node_id)]
            choice = rng.choice(best) if rng.random() < ability[user] else rng.choice(every)
            step += 1
            moment += timedelta(seconds=rng.randrange(10, 90))
            points = rubric.points(choice.criteria)
            points_total += points
            decision_id = len(decisions) + 1
            decisions.append((decision_id, attempt_id, step, node_id, choice.id, points, 5000, moment))
            for criterion in sorted(set(choice.criteria)):
                criteria.append((decision_id, criterion))
            node_id = choice.next
        finished = node_id in s.endings
        strongest, weakest = bounds[loaded.id]
        attempts.append(
            (
                attempt_id,
                user,
                loaded.id,
                loaded.content_hash,
                "coached",
                "finished" if finished else "left",
                node_id,
                started,
                moment,
                moment if finished else None,
                node_id if finished else None,
                points_total if finished else None,
                score(points_total, strongest, weakest) if finished else None,
            )
        )
    return attempts, decisions, criteria


ATTEMPT_COLUMNS = (
    "id, user_id, scenario_id, content_hash, mode, status, current_node, started_at, updated_at, finished_at, "
    "ending_id, points, score"
)
DECISION_COLUMNS = "id, attempt_id, step, node_id, choice_id, points, time_taken_ms, decided_at"


def _naive(value: object) -> object:
    """What the UTCDateTime column stores: naive UTC (as SQLAlchemy's SQLite text format on SQLite)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def _sqlite_text(value: object) -> object:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def populate(url: str, *, trainees: int = 500, decisions: int = 1_000_000, seed: int = 5) -> Generated:
    """One cohort of ``trainees`` with ``decisions`` decisions in all, over the shipped library."""
    began = time.perf_counter()
    store = Store.open(url)
    try:
        scenarios = _library()
        for loaded in scenarios:
            store.remember_version(loaded.id, loaded.content_hash, loaded.text)
        admin = store.accounts.create_first_admin("Bench Admin", "admin@example.org", "quiet river lantern 42")
        instructor = store.accounts.create_user(
            admin, "Bench Instructor", "teach@example.org", "quiet river lantern 42", "instructor"
        )
        cohort = store.cohorts.create(instructor, "Benchmark cohort")
        first_id = instructor.id + 1
        users = [
            (first_id + i, f"Trainee {i:03d}", f"trainee {i:03d}", "trainee", START, f"t{i}@example.org") for i in range(trainees)
        ]
        trainee_ids = [u[0] for u in users]
        attempts, decision_rows, criteria_rows = _rows(scenarios, trainee_ids, decisions, seed)
        members = [(cohort.id, uid, START) for uid in trainee_ids]
        raw = store.engine.raw_connection()
        try:
            if url.startswith("sqlite"):
                _insert_sqlite(raw.driver_connection, users, members, attempts, decision_rows, criteria_rows)
            else:
                _copy_postgres(raw.driver_connection, users, members, attempts, decision_rows, criteria_rows)
            raw.commit()
        finally:
            raw.close()
        # The summaries, as migration 0016 fills them on an upgraded installation (the same statements).
        with store.engine.connect().execution_options(**WRITE) as connection, connection.begin():
            rebuild(connection)
        if url.startswith("sqlite"):
            with store.engine.connect() as connection:
                connection.exec_driver_sql("ANALYZE")
        else:
            with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM ANALYZE")
        # The busiest scenario: the item analysis the page view opens.
        counts: dict[str, int] = {}
        for row in attempts:
            counts[str(row[2])] = counts.get(str(row[2]), 0) + 1
        busiest = max(sorted(counts), key=counts.__getitem__)
        return Generated(
            instructor,
            cohort.id,
            trainees,
            len(attempts),
            len(decision_rows),
            len(criteria_rows),
            time.perf_counter() - began,
            busiest,
        )
    finally:
        store.close()


def _insert_sqlite(
    connection: sqlite3.Connection,
    users: list[tuple[object, ...]],
    members: list[tuple[object, ...]],
    attempts: list[tuple[object, ...]],
    decisions: list[tuple[object, ...]],
    criteria: list[tuple[object, ...]],
) -> None:
    def text(rows: list[tuple[object, ...]]) -> Iterator[tuple[object, ...]]:
        return (tuple(_sqlite_text(v) for v in row) for row in rows)

    cursor = connection.cursor()
    cursor.execute("BEGIN")
    cursor.executemany("INSERT INTO users (id, name, name_key, role, created_at, email) VALUES (?, ?, ?, ?, ?, ?)", text(users))
    cursor.executemany("INSERT INTO cohort_members (cohort_id, user_id, joined_at) VALUES (?, ?, ?)", text(members))
    cursor.executemany(f"INSERT INTO attempts ({ATTEMPT_COLUMNS}) VALUES ({', '.join('?' * 13)})", text(attempts))
    cursor.executemany(f"INSERT INTO decisions ({DECISION_COLUMNS}) VALUES ({', '.join('?' * 8)})", text(decisions))
    cursor.executemany("INSERT INTO decision_criteria (decision_id, criterion_id) VALUES (?, ?)", criteria)
    cursor.execute("COMMIT")
    cursor.execute("ANALYZE")


def _copy_postgres(
    connection: object,
    users: list[tuple[object, ...]],
    members: list[tuple[object, ...]],
    attempts: list[tuple[object, ...]],
    decisions: list[tuple[object, ...]],
    criteria: list[tuple[object, ...]],
) -> None:
    import psycopg

    assert isinstance(connection, psycopg.Connection)
    with connection.cursor() as cursor:
        for table, columns, rows in (
            ("users", "id, name, name_key, role, created_at, email", users),
            ("cohort_members", "cohort_id, user_id, joined_at", members),
            ("attempts", ATTEMPT_COLUMNS, attempts),
            ("decisions", DECISION_COLUMNS, decisions),
            ("decision_criteria", "decision_id, criterion_id", criteria),
        ):
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(tuple(_naive(v) for v in row))
        for table in ("users", "attempts", "decisions"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    connection.commit()
    with connection.cursor() as cursor:
        connection.autocommit = True
        cursor.execute("VACUUM ANALYZE")
        connection.autocommit = False


# -------------------------------------------------------------------------------------- what is timed
def page_view(
    records: CohortRecords, instructor: User, cohort_id: int, scenario_id: str, loaded: LoadedScenario
) -> tuple[CohortFigures, ItemData]:
    """What one view of the dashboard computes (no drawing): records' figures and item data, and every figure
    scoring.cohort builds from them."""
    rubric = default_rubric()
    figures = records.figures(instructor, cohort_id)
    data = records.item_data(instructor, cohort_id, scenario_id)
    cohort.item_analysis(loaded.scenario, rubric, data.counts, data.first_choices, data.scores)
    cohort.trainee_table(figures.trainees)
    cohort.scenario_table(figures.scenarios, {}, len(figures.trainees))
    patterns.pitfalls_by_week(figures.hits, rubric)
    cohort.class_domain_profile(figures.hits, rubric)
    return figures, data


def comparable(figures: CohortFigures, data: ItemData) -> dict[str, object]:
    """The figures the hand-written SQL also computes, in one shape (outside the timing)."""
    return {
        "trainees": sorted(
            (int(r.user_id), int(r.started), int(r.finished), None if pd.isna(r.best_score) else int(r.best_score))
            for r in figures.trainees.itertuples()
        ),
        "scenarios": sorted((r.scenario_id, int(r.tried), int(r.finished)) for r in figures.scenarios.itertuples()),
        "hits": sorted((r.criterion_id, str(r.day), int(r.hits)) for r in figures.hits.itertuples()),
        "choices": sorted((r.node_id, r.choice_id, int(r.all_attempts)) for r in data.counts.itertuples()),
        "first": sorted((int(u), n, c) for u, n, c in data.first_choices.itertuples(index=False)),
    }


HAND_SQL = {
    "grid": """
        SELECT a.user_id, a.scenario_id, count(*) AS started,
               sum(CASE WHEN a.status = 'finished' THEN 1 ELSE 0 END) AS finished,
               sum(CASE WHEN a.status = 'finished' THEN a.score END) AS total,
               max(CASE WHEN a.status = 'finished' THEN a.score END) AS best,
               max(a.updated_at) AS last_active
        FROM attempts a JOIN cohort_members m ON m.user_id = a.user_id
        WHERE m.cohort_id = :cohort AND a.mode <> 'branch'
        GROUP BY a.user_id, a.scenario_id""",
    "hits": """
        SELECT dc.criterion_id, date(d.decided_at) AS day, count(*) AS hits
        FROM decision_criteria dc
        JOIN decisions d ON d.id = dc.decision_id
        JOIN attempts a ON a.id = d.attempt_id
        JOIN cohort_members m ON m.user_id = a.user_id
        WHERE m.cohort_id = :cohort AND d.counted = TRUE AND a.mode <> 'branch'
        GROUP BY dc.criterion_id, date(d.decided_at)""",
    "choices": """
        SELECT d.node_id, d.choice_id, count(*) AS times
        FROM decisions d
        JOIN attempts a ON a.id = d.attempt_id
        JOIN cohort_members m ON m.user_id = a.user_id
        WHERE m.cohort_id = :cohort AND a.scenario_id = :scenario AND d.counted = TRUE AND a.mode <> 'branch'
        GROUP BY d.node_id, d.choice_id""",
    "first": """
        WITH first AS (
            SELECT a.user_id, min(a.id) AS attempt_id
            FROM attempts a JOIN cohort_members m ON m.user_id = a.user_id
            WHERE m.cohort_id = :cohort AND a.scenario_id = :scenario AND a.mode <> 'branch'
              AND EXISTS (SELECT 1 FROM decisions x WHERE x.attempt_id = a.id)
            GROUP BY a.user_id),
        visit AS (
            SELECT d.attempt_id, d.node_id, min(d.step) AS step
            FROM decisions d JOIN first f ON f.attempt_id = d.attempt_id
            GROUP BY d.attempt_id, d.node_id)
        SELECT f.user_id, d.node_id, d.choice_id
        FROM visit v
        JOIN decisions d ON d.attempt_id = v.attempt_id AND d.step = v.step
        JOIN first f ON f.attempt_id = v.attempt_id""",
    "members": """
        SELECT u.id, u.name FROM users u JOIN cohort_members m ON m.user_id = u.id
        WHERE m.cohort_id = :cohort ORDER BY u.name_key, u.id""",
}


def hand_written(engine: Engine, cohort_id: int, scenario_id: str) -> dict[str, object]:
    """The same figures straight from SQL: no access check, no audit entry, no tallies kept."""
    params = {"cohort": cohort_id, "scenario": scenario_id}
    with engine.connect() as connection:
        rows = {name: connection.execute(text(sql), params).all() for name, sql in HAND_SQL.items()}
    per_user: dict[int, list[int]] = {int(uid): [0, 0, -1] for uid, _ in rows["members"]}
    tried: dict[str, list[int]] = {}
    for user_id, scenario, started, finished, _total, best, _last in rows["grid"]:
        mine = per_user[int(user_id)]
        mine[0] += int(started)
        mine[1] += int(finished)
        mine[2] = max(mine[2], -1 if best is None else int(best))
        seen = tried.setdefault(scenario, [0, 0])
        seen[0] += 1
        seen[1] += 1 if finished else 0
    return {
        "trainees": sorted((u, a, b, None if c < 0 else c) for u, (a, b, c) in per_user.items()),
        "scenarios": sorted((s, a, b) for s, (a, b) in tried.items()),
        "hits": sorted((c, str(day)[:10], int(n)) for c, day, n in rows["hits"]),
        "choices": sorted((n, c, int(t)) for n, c, t in rows["choices"]),
        "first": sorted((int(u), n, c) for u, n, c in rows["first"]),
    }


def timed(run: Callable[..., T], *args: object) -> tuple[float, T]:
    began = time.perf_counter()
    result = run(*args)
    return time.perf_counter() - began, result


def more_practice(
    store: Store, trainees: list[User], rng: random.Random, scenarios: dict[str, LoadedScenario], attempts: int
) -> int:
    """``attempts`` conversations played through the Store as the Practice page records them; returns decisions."""
    rubric = default_rubric()
    recorded = 0
    for _ in range(attempts):
        user = rng.choice(trainees)
        loaded = rng.choice(sorted(scenarios.values(), key=lambda s: s.id))
        s = loaded.scenario
        attempt = store.start_attempt(
            user, scenario_id=loaded.id, content_hash=loaded.content_hash, source=loaded.text, start=s.start, mode="coached"
        )
        node_id, path = s.start, []
        while node_id in s.nodes and len(path) < 12:
            choice = rng.choice(s.nodes[node_id].choices)
            path.append((node_id, choice.id))
            finish = None
            if choice.next in s.endings:
                summary = summarize(s, path, rubric)
                finish = Finish(choice.next, summary.points, summary.score)
            store.record_decision(
                user,
                attempt.id,
                step=len(path),
                node_id=node_id,
                choice_id=choice.id,
                criteria=choice.criteria,
                points=rubric.points(choice.criteria),
                next_node=choice.next,
                time_taken_ms=4000,
                finish=finish,
            )
            recorded += 1
            node_id = choice.next
    return recorded


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def bench(kind: str, *, trainees: int, decisions: int, repeat: int, between: int) -> list[str]:
    lines: list[str] = []
    with database(kind, "dashboard") as db:
        made = populate(db.url, trainees=trainees, decisions=decisions)
        lines.append(
            f"{db.kind}: {made.trainees} trainees, {made.attempts:,} attempts, {made.decisions:,} decisions, "
            f"{made.criteria:,} criteria rows (generated in {made.seconds:.0f} s); item analysis of {made.scenario_id}"
        )
        store = Store.open(db.url)
        try:
            library = {s.id: s for s in _library()}
            loaded = library[made.scenario_id]
            args = (made.instructor, made.cohort_id, made.scenario_id, loaded)
            members = [
                User(i, f"Trainee {i}", "trainee") for i in range(made.instructor.id + 1, made.instructor.id + 1 + trainees)
            ]
            rng = random.Random(7)
            hand, cold, warm, active, writes = [], [], [], [], []
            same = True
            for _ in range(repeat):
                # Interleaved, so that the machine's load falls on both alike.
                seconds, expected = timed(hand_written, store.engine, made.cohort_id, made.scenario_id)
                hand.append(seconds)
                fresh = CohortRecords(store.engine)  # a new server process: nothing kept yet
                seconds, shown = timed(page_view, fresh, *args)
                cold.append(seconds)
                same = same and comparable(*shown) == expected
                seconds, _ = timed(page_view, fresh, *args)
                warm.append(seconds)
                began = time.perf_counter()
                recorded = more_practice(store, members, rng, library, between)
                writes.append((time.perf_counter() - began) / max(1, recorded))
                seconds, shown = timed(page_view, fresh, *args)
                active.append(seconds)
                _, expected = timed(hand_written, store.engine, made.cohort_id, made.scenario_id)
                same = same and comparable(*shown) == expected
            base = median(hand)
            lines.append(f"  hand-written SQL, median of {repeat}: {base * 1000:,.0f} ms")
            for label, values in (
                ("first view after a server start", cold),
                ("next view, nothing new", warm),
                (f"next view after {between} more conversations", active),
            ):
                value = median(values)
                ratio = value / base if base else float("inf")
                lines.append(
                    f"  {label}: {value * 1000:,.0f} ms, {ratio:.2f}x the hand-written SQL (under 1 s: {verdict(value < 1)})"
                )
            lines.append(f"  decision write (record_decision through the Store), median: {median(writes) * 1000:.1f} ms")
            lines.append(f"  same figures as the hand-written SQL: {'yes' if same else 'NO'}")
        finally:
            store.close()
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database", action="append", help=f"sqlite or a postgresql:// server URL (default: both; {POSTGRES_ADMIN_URL})"
    )
    parser.add_argument("--trainees", type=int, default=500)
    parser.add_argument("--decisions", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--between", type=int, default=20, help="conversations played between the warm views")
    options = parser.parse_args(argv)
    print(f"bench.dashboard on {machine()}")
    for kind in options.database or ["sqlite", POSTGRES_ADMIN_URL]:
        for line in bench(
            kind, trainees=options.trainees, decisions=options.decisions, repeat=options.repeat, between=options.between
        ):
            print(line, flush=True)


if __name__ == "__main__":
    main()
