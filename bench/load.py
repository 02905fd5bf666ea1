"""Load generator: N simulated trainees play scenarios on one `streamlit run serve.py` server over Streamlit's own
websocket protocol, with think time between their clicks, and afterwards the database is checked to hold exactly
the decisions they sent.

    .venv/bin/python -m bench.load                    # 150 trainees, 5 s think time, 180 s, SQLite
    .venv/bin/python -m bench.load --database postgresql://postgres@127.0.0.1:5432/postgres --baseline

Before the run every trainee signs up through the HTTP form (CSRF double-submit cookie, like a browser). In the
run, trainees arrive over ``--ramp`` seconds: each signs in, opens the app at / (Home), then Practice from the
navigation, chooses a scenario, sometimes switches to debrief mode, starts, and picks responses at random until
an ending, then goes back to the library and chooses another. Between clicks each thinks ``--think`` seconds,
jittered ±50%. Every click is timed from the BackMsg sent to the ForwardMsg script_finished that ends its last
script run; a page showing an exception, a stale-page notice or the database-outage message is an error.

Figures are printed for the whole run and for the steady state (after the last arrival), on which the goal is
judged: p95 under 300 ms, no errors, and the database holding exactly the decisions sent (none lost, none twice).
The server runs this project with its tuned .streamlit/config.toml; ``--baseline`` runs the same load again
against the same app under Streamlit's default configuration (a copy of the project without
.streamlit/config.toml) and prints the ratio. ``--app DIR`` runs the server from a copy of the project with a
change in it (to measure the change); ``--profile FILE`` runs it under cProfile (bench.profiled).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import secrets
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil
from sqlalchemy import create_engine, select

from bench import client, harness
from records import db as records_db
from records.tables import attempts, decisions, users
from scenarios import LIBRARY_DIR, Scenario, load_library
from scoring import default_rubric

P95_GOAL = 0.300
KINDS = (
    "sign in",
    "open home",
    "open practice",
    "choose scenario",
    "pick mode",
    "start",
    "choice",
    "continue",
    "back to library",
)
TROUBLE = ("out of date", "cannot reach its database")
"""Text on a page that means a click did not work: a stale page, or ui.outage's message (database busy or down)."""
WORDS = [
    "amber",
    "quarry",
    "nightly",
    "whistle",
    "copper",
    "meadow",
    "lantern",
    "orbit",
    "harbour",
    "violet",
    "saddle",
    "tundra",
    "pepper",
    "glacier",
]


@dataclass
class Attempt:
    scenario_id: str
    choices: list[tuple[str, str]] = field(default_factory=list)
    """Choices whose click completed: the database must hold each, once."""
    unsure: tuple[str, str] | None = None
    """A last choice whose click failed on the way: the database may or may not hold it (counted as an error)."""


@dataclass
class Trainee:
    number: int
    email: str
    password: str
    attempts: list[Attempt] = field(default_factory=list)


@dataclass
class Results:
    label: str
    samples: list[tuple[float, str, float]] = field(default_factory=list)
    """(when it started, kind, seconds) for every interaction of the run."""
    sign_ups: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    started: float = 0.0
    finished: float = 0.0
    trainees: list[Trainee] = field(default_factory=list)
    steady_cpu_seconds: float = 0.0
    server_rss_mib: float = 0.0
    load_before: str = ""
    load_after: str = ""
    database_check: str = ""
    lost: int = 0
    duplicated: int = 0

    steady_from: float = 0.0
    """When the last trainee had arrived: the steady state the goal is judged on runs from here to the end."""

    def latencies(self, *, steady: bool = False) -> dict[str, list[float]]:
        by_kind: dict[str, list[float]] = defaultdict(list)
        for started, kind, seconds in self.samples:
            if not steady or started >= self.steady_from:
                by_kind[kind].append(seconds)
        return by_kind

    def every(self, *, steady: bool = False) -> list[float]:
        return [v for values in self.latencies(steady=steady).values() for v in values]

    @property
    def seconds(self) -> float:
        return self.finished - self.started

    @property
    def steady_seconds(self) -> float:
        return self.finished - self.steady_from

    @property
    def decisions_sent(self) -> int:
        return sum(len(a.choices) for t in self.trainees for a in t.attempts)


class Generator:
    def __init__(self, url: str, args: argparse.Namespace, results: Results, server: psutil.Process) -> None:
        self.url = url
        self.server = server
        self.args = args
        self.results = results
        self.rng = random.Random(args.seed)
        self.deadline = 0.0
        report = load_library(LIBRARY_DIR, rubric=default_rubric())
        self.scenarios: dict[str, Scenario] = {s.id: s.scenario for s in report.loaded}

    # ------------------------------------------------------------------ helpers
    def think(self) -> float:
        return float(self.args.think) * self.rng.uniform(0.5, 1.5)

    def record(self, kind: str, seconds: float) -> None:
        self.results.samples.append((time.monotonic() - seconds, kind, seconds))

    def error(self, trainee: Trainee, message: str) -> None:
        self.results.errors.append(f"trainee {trainee.number}: {message}")

    async def pause(self) -> bool:
        """Think, unless the run is over; False when it is."""
        wait = self.think()
        if time.monotonic() + wait >= self.deadline:
            return False
        await asyncio.sleep(wait)
        return True

    async def step(self, trainee: Trainee, kind: str, action: Awaitable[client.Run]) -> client.Run:
        run = await action
        self.record(kind, run.seconds)
        if run.exceptions:
            raise client.ProtocolError(f"{kind}: the page raised {run.exceptions[0]}")
        troubles = [t for t in run.texts if any(sign in t for sign in TROUBLE)]
        if troubles:
            raise client.ProtocolError(f"{kind}: the page says {troubles[0][:160]!r}")
        return run

    # ------------------------------------------------------------------- a trainee
    async def trainee(self, trainee: Trainee, delay: float) -> None:
        await asyncio.sleep(delay)
        session: client.Session | None = None
        try:
            async with httpx.AsyncClient(base_url=self.url, timeout=60) as http:
                started = time.perf_counter()
                token = await client.sign_in(http, trainee.email, trainee.password)
                self.record("sign in", time.perf_counter() - started)
            session = client.Session(self.url, token)
            await self.step(trainee, "open home", session.open(""))
            if not await self.pause():
                return
            run = await self.step(trainee, "open practice", session.go_to("practice"))
            while await self.pause():
                if not await self.play_one(trainee, session, run):
                    break
                run = session.last
        except (client.ProtocolError, httpx.HTTPError, OSError) as exc:
            self.error(trainee, f"{type(exc).__name__}: {exc}")
        except Exception as exc:  # the websocket library's ConnectionClosed and friends
            self.error(trainee, f"{type(exc).__name__}: {exc}")
        finally:
            if session is not None:
                try:
                    await session.close()
                except Exception as exc:
                    self.error(trainee, f"closing: {type(exc).__name__}: {exc}")

    async def play_one(self, trainee: Trainee, session: client.Session, library: client.Run) -> bool:
        """Choose a scenario on the library page and play it to its end; False when the run ended first."""
        offered = [key.removeprefix("choose_") for key in library.key_with_prefix("choose_")]
        offered = [scenario_id for scenario_id in offered if scenario_id in self.scenarios]  # the shipped library
        if not offered:
            raise client.ProtocolError(f"the library shows no scenario (widgets: {sorted(library.widgets)[:8]})")
        scenario_id = self.rng.choice(offered)
        scenario = self.scenarios[scenario_id]
        run = await self.step(trainee, "choose scenario", session.click(f"choose_{scenario_id}"))
        if "start" not in run.widgets:
            raise client.ProtocolError(f"no Start button after choosing {scenario_id}")
        if self.rng.random() < 0.5:
            if not await self.pause():
                return False
            debrief = run.options.get("start_mode", [])[1:]
            if not debrief:
                raise client.ProtocolError(f"no mode choice on the start page of {scenario_id}")
            run = await self.step(trainee, "pick mode", session.set_value("start_mode", string_value=debrief[0]))
        if not await self.pause():
            return False
        run = await self.step(trainee, "start", session.click("start"))
        attempt = Attempt(scenario_id)
        trainee.attempts.append(attempt)
        node_id = scenario.start
        while True:
            expected = {f"choice_{node_id}_{c.id}": c for c in scenario.nodes[node_id].choices}
            shown = set(run.key_with_prefix("choice_"))
            if shown != set(expected):
                raise client.ProtocolError(f"{scenario_id}: expected the choices of '{node_id}', the page shows {sorted(shown)}")
            if not await self.pause():
                return False
            key = self.rng.choice(sorted(expected))
            choice = expected[key]
            try:
                run = await self.step(trainee, "choice", session.click(key))
            except BaseException:
                attempt.unsure = (node_id, choice.id)
                raise
            attempt.choices.append((node_id, choice.id))
            node_id = choice.next
            if "continue" in run.widgets:
                if not await self.pause():
                    return False
                run = await self.step(trainee, "continue", session.click("continue"))
            if node_id in scenario.endings:
                if "done" not in run.widgets:
                    raise client.ProtocolError(f"{scenario_id}: no summary after the ending '{node_id}'")
                if not await self.pause():
                    return False
                await self.step(trainee, "back to library", session.click("done"))
                return True

    # ----------------------------------------------------------------------- run
    async def sign_up_all(self, trainees: list[Trainee], at_once: int = 4) -> None:
        """Before the class: every trainee creates an account through the sign-up form (not in the run's figures)."""
        gate = asyncio.Semaphore(at_once)

        async def one(trainee: Trainee) -> None:
            async with gate, httpx.AsyncClient(base_url=self.url, timeout=60) as http:
                started = time.perf_counter()
                try:
                    await client.sign_up(http, f"Load Trainee {trainee.number}", trainee.email, trainee.password)
                except (client.ProtocolError, httpx.HTTPError) as exc:
                    self.error(trainee, f"sign up: {type(exc).__name__}: {exc}")
                self.results.sign_ups.append(time.perf_counter() - started)

        await asyncio.gather(*(one(t) for t in trainees))

    async def run(self, trainees: list[Trainee]) -> None:
        await self.sign_up_all(trainees)
        self.results.started = time.monotonic()
        self.results.steady_from = self.results.started + self.args.ramp
        self.deadline = self.results.started + self.args.duration
        spacing = self.args.ramp / max(1, len(trainees))
        probe = asyncio.create_task(self.cpu_from(self.results.steady_from))
        await asyncio.gather(*(self.trainee(t, i * spacing) for i, t in enumerate(trainees)))
        self.results.finished = time.monotonic()
        self.results.steady_cpu_seconds = self.cpu_seconds() - await probe

    def cpu_seconds(self) -> float:
        times = self.server.cpu_times()
        return float(times.user + times.system)

    async def cpu_from(self, moment: float) -> float:
        await asyncio.sleep(max(0.0, moment - time.monotonic()))
        return self.cpu_seconds()


# ---------------------------------------------------------------------------------------- database check
def check_database(url: str, results: Results) -> None:
    """Compare, trainee by trainee and attempt by attempt, the decisions sent with the decisions stored."""
    engine = create_engine(records_db._normalise(url))
    emails = {t.email: t for t in results.trainees}
    stored: dict[str, list[tuple[str, list[tuple[int, str, str]]]]] = defaultdict(list)
    with engine.connect() as connection:
        user_ids = dict(connection.execute(select(users.c.id, users.c.email).where(users.c.email.in_(list(emails)))).all())
        by_attempt: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
        rows = connection.execute(
            select(decisions.c.attempt_id, decisions.c.step, decisions.c.node_id, decisions.c.choice_id)
            .join(attempts, attempts.c.id == decisions.c.attempt_id)
            .where(attempts.c.user_id.in_(list(user_ids)))
            .order_by(decisions.c.attempt_id, decisions.c.step)
        ).all()
        for attempt_id, step, node_id, choice_id in rows:
            by_attempt[attempt_id].append((step, node_id, choice_id))
        for attempt_id, user_id, scenario_id in connection.execute(
            select(attempts.c.id, attempts.c.user_id, attempts.c.scenario_id)
            .where(attempts.c.user_id.in_(list(user_ids)))
            .order_by(attempts.c.id)
        ).all():
            stored[user_ids[user_id]].append((scenario_id, by_attempt.get(attempt_id, [])))
    engine.dispose()

    lost = duplicated = mismatched = 0
    unsure = sum(1 for t in results.trainees for a in t.attempts if a.unsure)
    for email, trainee in emails.items():
        theirs = stored.get(email, [])
        if len(theirs) != len(trainee.attempts):
            mismatched += 1
            results.errors.append(f"{email}: {len(trainee.attempts)} attempts started, {len(theirs)} stored")
        for sent, (scenario_id, rows_of_attempt) in zip(trainee.attempts, theirs, strict=False):
            steps = [step for step, _, _ in rows_of_attempt]
            if len(set(steps)) != len(steps):
                duplicated += len(steps) - len(set(steps))
            kept = [(node, choice) for _, node, choice in rows_of_attempt]
            if sent.unsure is not None and kept == [*sent.choices, sent.unsure]:
                kept = kept[:-1]  # the failed click's decision was committed before the page failed
            if scenario_id != sent.scenario_id or kept[: len(sent.choices)] != sent.choices[: len(kept)]:
                mismatched += 1
                results.errors.append(f"{email}: attempt on {sent.scenario_id} holds {kept}, sent {sent.choices}")
            lost += max(0, len(sent.choices) - len(kept))
            duplicated += max(0, len(kept) - len(sent.choices))
    stored_total = sum(len(rows) for attempts_of in stored.values() for _, rows in attempts_of)
    results.lost, results.duplicated = lost, duplicated
    results.database_check = (
        f"decisions sent {results.decisions_sent}, stored {stored_total}: lost {lost}, duplicated {duplicated}, "
        f"attempts out of step {mismatched}, choice clicks that failed on the way {unsure}"
    )
    if lost or duplicated or mismatched:
        results.errors.append(f"database check: {results.database_check}")


# --------------------------------------------------------------------------------------------------- main
async def set_up(url: str) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        await client.set_up_admin(http, "Bench Admin", "bench-admin@example.org", "quiet violet harbour lantern")


def trainees_for(count: int, rng: random.Random) -> list[Trainee]:
    tag = secrets.token_hex(3)
    return [Trainee(i + 1, f"load-{tag}-{i + 1}@example.org", " ".join(rng.sample(WORDS, 4)) + f" {i + 1}") for i in range(count)]


def run_once(args: argparse.Namespace, *, baseline: bool) -> Results:
    label = "Streamlit defaults" if baseline else "tuned config.toml"
    results = Results(label)
    profile = args.profile if not baseline else None
    with (
        harness.database(args.database, "load") as database,
        harness.running(database, baseline=baseline, profile=profile, cwd=args.app) as server,
    ):
        asyncio.run(set_up(server.url))
        process = psutil.Process(server.pid)
        results.load_before = harness.load_average()
        print(f"-- {label} on {database.kind}: {args.users} trainees, think {args.think} s, {args.duration} s ({server.url})")
        generator = Generator(server.url, args, results, process)
        results.trainees = trainees_for(args.users, generator.rng)
        asyncio.run(generator.run(results.trainees))
        results.server_rss_mib = process.memory_info().rss / 2**20
        results.load_after = harness.load_average()
        check_database(database.url, results)
        log = server.log.read_text(errors="replace")
        if "Traceback" in log or "database unavailable" in log or results.errors:
            kept = Path(tempfile.gettempdir()) / f"peersim-load-{'defaults' if baseline else 'tuned'}-{server.pid}.log"
            kept.write_text(log)
            tracebacks = log.count("Traceback (most recent call last)")
            outages = log.count("database unavailable")
            if tracebacks or outages:
                results.errors.append(f"server log: {tracebacks} traceback(s), {outages} 'database unavailable', see {kept}")
            print(f"  server log kept at {kept}")
    return results


def _table(results: Results, *, steady: bool) -> None:
    latencies = results.latencies(steady=steady)
    print(f"  {'interaction':<17}{'count':>7}{'p50':>10}{'p95':>10}{'max':>10}")
    for kind in [*KINDS, "all"]:
        values = results.every(steady=steady) if kind == "all" else latencies.get(kind, [])
        if values:
            print(
                f"  {kind:<17}{len(values):>7}{harness.percentile(values, 0.5) * 1000:>8.0f}ms"
                f"{harness.percentile(values, 0.95) * 1000:>8.0f}ms{max(values) * 1000:>8.0f}ms"
            )


def report(results: Results) -> None:
    print(f"\n{results.label}: {results.seconds:.0f} s, load before {results.load_before}, after {results.load_after}")
    if results.sign_ups:
        print(
            f"  before the run, {len(results.sign_ups)} sign-ups (4 at a time): p50 {harness.ms(harness.percentile(results.sign_ups, 0.5))}, "
            f"p95 {harness.ms(harness.percentile(results.sign_ups, 0.95))}"
        )
    print(
        f"  the whole run, arrivals (sign in, open Practice) over the first {results.steady_from - results.started:.0f} s included:"
    )
    _table(results, steady=False)
    print(f"  steady state, the last {results.steady_seconds:.0f} s with every trainee playing:")
    _table(results, steady=True)
    steady = results.latencies(steady=True)
    print(
        f"  steady throughput {len(results.every(steady=True)) / results.steady_seconds:.1f} interactions/s, "
        f"{len(steady.get('choice', [])) / results.steady_seconds:.1f} decisions/s; "
        f"server CPU {results.steady_cpu_seconds / results.steady_seconds * 100:.0f}% of one core "
        f"({results.steady_cpu_seconds / max(1, len(results.every(steady=True))) * 1000:.1f} ms an interaction), "
        f"RSS at the end {results.server_rss_mib:.0f} MiB"
    )
    print(f"  database: {results.database_check}")
    print(f"  errors: {len(results.errors)}")
    for message in results.errors[:10]:
        print(f"    {message}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=150, help="simulated trainees (default 150)")
    parser.add_argument("--think", type=float, default=5.0, help="mean think time in seconds, jittered ±50%% (default 5)")
    parser.add_argument("--duration", type=float, default=180.0, help="seconds the run lasts, ramp included (default 180)")
    parser.add_argument("--ramp", type=float, default=60.0, help="seconds over which trainees arrive (default 60)")
    parser.add_argument("--database", default="sqlite", help="sqlite, or a postgresql:// server URL to create a database on")
    parser.add_argument("--baseline", action="store_true", help="also run under Streamlit's default configuration")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--app", type=Path, help="run the tuned server from this copy of the project (to measure a change)")
    parser.add_argument("--profile", type=Path, help="run the (tuned) server under cProfile and write its statistics here")
    args = parser.parse_args(argv)
    if args.ramp >= args.duration:
        parser.error("--ramp must be shorter than --duration")

    print(f"machine: {harness.machine()}")
    tuned = run_once(args, baseline=False)
    report(tuned)
    p95 = harness.percentile(tuned.every(steady=True), 0.95)
    ok = p95 < P95_GOAL and not tuned.errors and tuned.lost == 0 and tuned.duplicated == 0
    if args.baseline:
        base = run_once(args, baseline=True)
        report(base)
        base_p95 = harness.percentile(base.every(steady=True), 0.95)
        print(
            f"\nbaseline ratio (defaults / tuned): p95 {base_p95 / p95 if p95 else float('inf'):.2f}x, "
            f"steady throughput {len(tuned.every(steady=True)) / max(1e-9, len(base.every(steady=True))):.2f}x "
            f"in favour of the tuned config; baseline errors {len(base.errors)}"
        )
    print(
        f"\n{harness.verdict(ok)}: steady-state p95 {p95 * 1000:.0f} ms (goal < {P95_GOAL * 1000:.0f} ms), errors {len(tuned.errors)}, "
        f"lost {tuned.lost}, duplicated {tuned.duplicated} ({harness.machine()})"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
