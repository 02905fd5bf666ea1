"""The Progress page's data for a trainee with 10,000 decisions, against a hand-written SQL aggregate.

    .venv/bin/python -m bench.progress [--decisions 10000] [--database sqlite|postgresql://...] [--repeat 7]

For each database (default: SQLite, then PostgreSQL at postgresql://postgres@127.0.0.1:5432, on a database
created for the run and dropped after), one trainee's history is generated: attempts on the shipped library,
random paths to an ending, decisions spread over 26 weeks. Then, alternately and in one process, it times

* ``ui.progress_data.load(user)``: what pages/progress.py asks for (records' frames with the access check,
  scoring.patterns in pandas, readiness), with the cached resources (store, rubric, library, bank) warm, and
* hand-written SQL computing the same figures in the database: scores per attempt, pitfalls per criterion and
  week, possibilities and pitfalls per week, the domain profile earlier versus recent, the top pitfalls, the
  readiness tallies per domain, and the trainee's finished exams.

It checks that both give the same figures, and prints the ratio of the medians. Goal: at most 2x.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, insert, text

from bench import harness
from records import Store, User
from records import db as records_db
from records.tables import attempts, decision_criteria, decisions, scenario_versions
from scenarios import LIBRARY_DIR, LoadedScenario, Rubric, load_library
from scoring import default_rubric
from scoring.scorer import summarize

GOAL = 2.0
WEEKS = 26


# ------------------------------------------------------------------------------------------- the history
def generate(engine: Engine, user: User, count: int, rng: random.Random, rubric: Rubric) -> int:
    """Attempts on random scenarios, random paths, until ``count`` decisions; returns the attempts made."""
    library = [s for s in load_library(LIBRARY_DIR, rubric=rubric).loaded]
    start = datetime.now(UTC) - timedelta(weeks=WEEKS)
    step_gap = timedelta(weeks=WEEKS) / count
    moment = start
    attempt_rows: list[dict[str, Any]] = []
    decision_rows: list[dict[str, Any]] = []
    criteria_rows: list[dict[str, Any]] = []
    attempt_id = decision_id = 0
    while len(decision_rows) < count:
        loaded: LoadedScenario = rng.choice(library)
        scenario = loaded.scenario
        attempt_id += 1
        node_id, path = scenario.start, []
        started = moment
        while node_id in scenario.nodes and len(decision_rows) < count:
            choice = rng.choice(scenario.nodes[node_id].choices)
            decision_id += 1
            moment += step_gap
            path.append((node_id, choice.id))
            decision_rows.append(
                {
                    "id": decision_id,
                    "attempt_id": attempt_id,
                    "step": len(path),
                    "node_id": node_id,
                    "choice_id": choice.id,
                    "points": rubric.points(choice.criteria),
                    "time_taken_ms": rng.randint(3000, 40000),
                    "decided_at": moment,
                }
            )
            criteria_rows.extend({"decision_id": decision_id, "criterion_id": c} for c in sorted(set(choice.criteria)))
            node_id = choice.next
        finished = node_id in scenario.endings
        summary = summarize(scenario, path, rubric) if finished else None
        attempt_rows.append(
            {
                "id": attempt_id,
                "user_id": user.id,
                "scenario_id": scenario.id,
                "content_hash": loaded.content_hash,
                "mode": rng.choice(["coached", "debrief"]),
                "status": "finished" if finished else "active",
                "current_node": node_id,
                "started_at": started,
                "updated_at": moment,
                "finished_at": moment if finished else None,
                "ending_id": node_id if finished else None,
                "points": summary.points if summary else None,
                "score": summary.score if summary else None,
            }
        )
        moment += timedelta(minutes=30)
    with engine.begin() as connection:
        versions = {(s.id, s.content_hash, s.text) for s in library}
        connection.execute(
            insert(scenario_versions),
            [{"scenario_id": i, "content_hash": h, "source": t, "created_at": start} for i, h, t in versions],
        )
        connection.execute(insert(attempts), attempt_rows)
        connection.execute(insert(decisions), decision_rows)
        connection.execute(insert(decision_criteria), criteria_rows)
        if connection.dialect.name == "postgresql":
            for table in ("attempts", "decisions"):
                connection.execute(text(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))"))
            connection.execute(text("ANALYZE"))
        else:
            connection.execute(text("ANALYZE"))
    return len(attempt_rows)


# --------------------------------------------------------------------------------- the hand-written SQL
def _week(dialect: str, column: str) -> str:
    """The Monday of the week, as a date (ISO weeks, as scoring.patterns.week_start)."""
    if dialect == "postgresql":
        return f"CAST(date_trunc('week', {column}) AS DATE)"
    return f"date({column}, 'weekday 0', '-6 days')"


def _rubric_values(rubric: Rubric) -> str:
    rows = ", ".join(f"('{c.id}', '{c.kind}', '{c.domain}')" for c in rubric.criteria)
    return f"rubric(criterion_id, kind, domain) AS (VALUES {rows})"


def hand_written(connection: Connection, user_id: int, rubric: Rubric) -> dict[str, list[tuple[Any, ...]]]:
    dialect = connection.dialect.name
    hits = (
        f"WITH {_rubric_values(rubric)}, hits AS ("
        " SELECT d.attempt_id, d.id AS decision_id, d.decided_at, r.criterion_id, r.kind, r.domain"
        " FROM decisions d JOIN attempts a ON a.id = d.attempt_id"
        " JOIN decision_criteria c ON c.decision_id = d.id JOIN rubric r ON r.criterion_id = c.criterion_id"
        " WHERE a.user_id = :user)"
    )
    queries = {
        "scores": "SELECT id, finished_at, scenario_id, mode, score FROM attempts"
        " WHERE user_id = :user AND status = 'finished' AND score IS NOT NULL ORDER BY finished_at, id",
        "pitfall weeks": f"{hits} SELECT {_week(dialect, 'decided_at')} AS week, criterion_id, count(*) FROM hits"
        " WHERE kind = 'pitfall' GROUP BY 1, 2 ORDER BY 1, 2",
        "balance": f"{hits} SELECT {_week(dialect, 'decided_at')} AS week,"
        " sum(CASE WHEN kind = 'possibility' THEN 1 ELSE 0 END), sum(CASE WHEN kind = 'pitfall' THEN 1 ELSE 0 END)"
        " FROM hits GROUP BY 1 ORDER BY 1",
        "domains": f"WITH {_rubric_values(rubric)}, firsts AS (SELECT d.attempt_id, min(d.decided_at) AS first"
        " FROM decisions d JOIN attempts a ON a.id = d.attempt_id WHERE a.user_id = :user GROUP BY d.attempt_id),"
        " periods AS MATERIALIZED (SELECT attempt_id, CASE WHEN row_number() OVER (ORDER BY first, attempt_id)"
        " <= count(*) OVER () / 2 THEN 'Earlier' ELSE 'Recent' END AS period FROM firsts)"
        " SELECT r.domain, p.period, sum(CASE WHEN r.kind = 'possibility' THEN 1 ELSE 0 END),"
        " sum(CASE WHEN r.kind = 'pitfall' THEN 1 ELSE 0 END)"
        " FROM periods p JOIN decisions d ON d.attempt_id = p.attempt_id JOIN decision_criteria c ON c.decision_id = d.id"
        " JOIN rubric r ON r.criterion_id = c.criterion_id GROUP BY 1, 2 ORDER BY 1, 2",
        "top pitfalls": f"{hits} SELECT criterion_id, count(*) AS times, max(decided_at) AS last_seen FROM hits"
        " WHERE kind = 'pitfall' GROUP BY criterion_id ORDER BY times DESC, last_seen DESC, criterion_id LIMIT 5",
        "readiness": f"{hits} SELECT domain, sum(CASE WHEN kind = 'possibility' THEN 1 ELSE 0 END), count(*)"
        " FROM hits GROUP BY domain ORDER BY domain",
        "exams": "SELECT e.id, x.question_id, x.choice FROM exams e JOIN exam_answers x ON x.exam_id = e.id"
        " WHERE e.user_id = :user AND e.submitted_at IS NOT NULL ORDER BY e.started_at, x.question_id",
    }
    return {name: [tuple(row) for row in connection.execute(text(sql), {"user": user_id})] for name, sql in queries.items()}


def agree(data: Any, sql: dict[str, list[tuple[Any, ...]]], rubric: Rubric) -> list[str]:
    """Where the page's figures and the SQL's differ (empty when they agree)."""
    differences: list[str] = []
    if [int(s) for s in data.scores["score"]] != [row[4] for row in sql["scores"]]:
        differences.append("scores")
    balance = [
        (str(w), int(p), int(f)) for w, p, f in data.balance[["week", "possibilities", "pitfalls"]].itertuples(index=False)
    ]
    if balance != [(str(w)[:10], int(p), int(f)) for w, p, f in sql["balance"]]:
        differences.append("balance per week")
    pitfall_total = int(data.pitfall_weeks.to_numpy().sum()) if not data.pitfall_weeks.empty else 0
    if pitfall_total != sum(int(row[2]) for row in sql["pitfall weeks"]):
        differences.append("pitfalls per week")
    if list(data.top["criterion_id"]) != [row[0] for row in sql["top pitfalls"]] or [int(t) for t in data.top["times"]] != [
        int(row[1]) for row in sql["top pitfalls"]
    ]:
        differences.append("top pitfalls")
    profile = {(r.domain, r.period): (int(r.possibilities), int(r.pitfalls)) for r in data.domains.itertuples()}
    if profile != {(d, p): (int(a), int(b)) for d, p, a, b in sql["domains"]}:
        differences.append("domain profile")
    scenario_basis = {e.area: e.basis for e in data.readiness.domains}
    if any(scenario_basis.get(domain) != int(total) for domain, _, total in sql["readiness"]):
        differences.append("readiness")
    return differences


# ------------------------------------------------------------------------------------------------- timing
def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def run(kind: str, count: int, repeat: int, rng: random.Random) -> tuple[str, float, float, list[str]]:
    with harness.database(kind, "progress") as database:
        store = Store.open(database.url)
        user = store.accounts.register("Progress Trainee", "progress@example.org", "amber quarry whistle lantern")
        rubric = default_rubric()
        attempts_made = generate(store.engine, user, count, rng, rubric)
        store.close()

        logging.getLogger("streamlit").setLevel(logging.ERROR)  # "no runtime": the caches still work in-process
        os.environ["PEERSIM_DATABASE_URL"] = database.url
        try:
            from ui import progress_data, services

            services.store.clear()
            data = progress_data.load(user)  # warms the store, rubric, library and bank caches
            engine = create_engine(records_db._normalise(database.url))
            with engine.connect() as connection:
                sql = hand_written(connection, user.id, rubric)
                differences = agree(data, sql, rubric)
                pages: list[float] = []
                hands: list[float] = []
                for _ in range(repeat):
                    pages.append(timed(lambda: progress_data.load(user)))
                    hands.append(timed(lambda: hand_written(connection, user.id, rubric)))
            engine.dispose()
            services.store().close()
            services.store.clear()
        finally:
            del os.environ["PEERSIM_DATABASE_URL"]
    page, hand = statistics.median(pages), statistics.median(hands)
    print(f"{database.kind}: {count:,} decisions in {attempts_made:,} attempts; median of {repeat}, alternating")
    print(f"  ui.progress_data.load: {harness.ms(page)} (best {harness.ms(min(pages))})")
    print(f"  hand-written SQL:      {harness.ms(hand)} (best {harness.ms(min(hands))})")
    print(f"  same figures: {'yes' if not differences else 'NO, they differ in ' + ', '.join(differences)}")
    ratio = page / hand
    ok = ratio <= GOAL and not differences
    print(f"  {harness.verdict(ok)}: {ratio:.2f}x the hand-written SQL (goal <= {GOAL:.0f}x) (load {harness.load_average()})")
    return database.kind, page, hand, differences


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--decisions", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument(
        "--database",
        action="append",
        help=f"sqlite or a postgresql:// URL (repeatable; default sqlite and {harness.POSTGRES_ADMIN_URL})",
    )
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    print(f"machine: {harness.machine()}")
    results = [
        run(kind, args.decisions, args.repeat, random.Random(args.seed))
        for kind in args.database or ["sqlite", harness.POSTGRES_ADMIN_URL]
    ]
    ok = all(page / hand <= GOAL and not differences for _, page, hand, differences in results)
    print(f"{harness.verdict(ok)} overall ({harness.machine()})")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
