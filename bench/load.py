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

Several servers: ``--servers N`` starts N server processes on one database (PostgreSQL; SQLite is refused with more
than one) behind a real HAProxy rendered from deploy/haproxy.cfg by bench.balancer (``--balancer haproxy``, the
default with more than one; pass it with one server too, for figures comparable with several). Every trainee goes
through the balancer and keeps its sticky cookie (PEERSIM_SERVER) from the sign-in on, as a browser does. Figures per
server: trainees that landed on it, interactions, CPU seconds (psutil on each process) and CPU an interaction.

    .venv/bin/python -m bench.load --database postgresql://postgres@127.0.0.1:5432/postgres --servers 2
    .venv/bin/python -m bench.load --database postgresql://... --servers 2 --kill-after 90

``--kill-after S`` sends SIGKILL to the server with the most trainees S seconds into the run. Its trainees' websockets
drop; each reconnects as Streamlit's frontend does (bench.client: ping /_stcore/health through the balancer, which
sends the dead server's cookie to another server and sets a new one, then a websocket naming the lost session, and a
run of the page at once only if a click was in flight). The first page of the new session must say the last click
may be lost (ui.outage.RECONNECTED), the trainee must still be signed in, and the page must show the unfinished
attempt at the right decision: the one the trainee was about to make, or the next one if the click in flight at the
kill was committed (it then counts once; otherwise zero times). The failover figures (trainees moved, time from the
kill to a new websocket, errors, lost, doubled) get their own PASS/MISS.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import secrets
import signal
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil
from sqlalchemy import create_engine, select

from bench import balancer, client, harness
from records import db as records_db
from records.tables import attempts, decisions, users
from scenarios import LIBRARY_DIR, Scenario, load_library
from scoring import default_rubric
from ui import outage

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
TROUBLE = ("out of date", "cannot reach its database", "Please sign in")
"""Text on a page that means a click did not work: a stale page, ui.outage's message (database busy or down), or the
sign-in prompt (the session cookie did not come through)."""
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
    ended: bool = False
    """The last choice led to an ending (the attempt is finished in the database)."""


@dataclass
class Trainee:
    number: int
    email: str
    password: str
    attempts: list[Attempt] = field(default_factory=list)
    server: str = ""
    """The server the balancer first sent this trainee to (its sticky cookie's value; app1, app2, ...)."""
    starting: str | None = None
    """A scenario whose Start click is on its way (the attempt may or may not exist when the connection drops)."""


@dataclass
class ServerFigures:
    """One server process of the run, and what it did."""

    name: str
    url: str
    process: psutil.Process
    cpu_at_steady: float | None = None
    cpu_last: float = 0.0
    killed_at: float | None = None
    rss_mib: float = 0.0

    def sample(self) -> float | None:
        if self.killed_at is not None:
            return None
        try:
            times = self.process.cpu_times()
        except psutil.Error:
            return None
        self.cpu_last = float(times.user + times.system)
        return self.cpu_last

    @property
    def steady_cpu(self) -> float:
        return self.cpu_last - (self.cpu_at_steady if self.cpu_at_steady is not None else self.cpu_last)


@dataclass
class Failover:
    """What happened when one server was killed under load."""

    server: str = ""
    at: float = 0.0
    trainees: set[int] = field(default_factory=set)
    """The trainees whose websocket was on the killed server."""
    errors_before: int = 0
    reconnect_seconds: dict[int, float] = field(default_factory=dict)
    """trainee -> seconds from the kill to their new websocket being open."""
    moved_to: dict[int, str] = field(default_factory=dict)
    """trainee -> the server their sticky cookie named after reconnecting."""
    resumed: set[int] = field(default_factory=set)
    """Trainees whose first page after reconnecting showed their attempt at the right decision (or the library)."""
    in_flight: int = 0
    """Clicks in flight at the kill."""
    in_flight_committed: int = 0
    first_run_seconds: list[float] = field(default_factory=list)
    """From the kill to the first page drawn by the new session (in flight at the kill, or the next click)."""
    other_drops: int = 0
    """Websockets that dropped on servers that were not killed."""


@dataclass
class Results:
    label: str
    samples: list[tuple[float, str, float]] = field(default_factory=list)
    """(when it started, kind, seconds) for every interaction of the run."""
    sample_servers: list[str] = field(default_factory=list)
    """The server (balancer cookie value) each sample's session was on, in the order of ``samples``."""
    sign_ups: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    started: float = 0.0
    finished: float = 0.0
    trainees: list[Trainee] = field(default_factory=list)
    servers: list[ServerFigures] = field(default_factory=list)
    balancer: str = "none"
    load_before: str = ""
    load_after: str = ""
    database_check: str = ""
    lost: int = 0
    duplicated: int = 0
    failover: Failover | None = None

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

    def steady_by_server(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for (started, _, _), server in zip(self.samples, self.sample_servers, strict=True):
            if started >= self.steady_from:
                counts[server] += 1
        return counts

    @property
    def steady_cpu_seconds(self) -> float:
        return sum(server.steady_cpu for server in self.servers)

    @property
    def seconds(self) -> float:
        return self.finished - self.started

    @property
    def steady_seconds(self) -> float:
        return self.finished - self.steady_from

    @property
    def decisions_sent(self) -> int:
        return sum(len(a.choices) for t in self.trainees for a in t.attempts)


class Reconnected(Exception):
    """The websocket dropped and the session reconnected: ``run`` is the first page the new server session drew."""

    def __init__(self, run: client.Run) -> None:
        super().__init__("reconnected")
        self.run = run


Position = tuple[client.Run, Attempt | None, str | None]
"""Where a trainee is: the page shown, and the attempt and node of a conversation on it (None, None: the library)."""


class Generator:
    def __init__(
        self,
        urls: list[str],
        args: argparse.Namespace,
        results: Results,
        servers: list[ServerFigures],
        *,
        cookie_name: str = "",
    ) -> None:
        self.urls = urls
        """Where trainee i goes: urls[i % len(urls)] (the balancer's one URL, or each server's with no balancer)."""
        self.servers = servers
        self.cookie_name = cookie_name
        self.args = args
        self.results = results
        results.servers = servers
        self.rng = random.Random(args.seed)
        self.deadline = 0.0
        self.sessions: dict[int, client.Session] = {}
        report = load_library(LIBRARY_DIR, rubric=default_rubric())
        self.scenarios: dict[str, Scenario] = {s.id: s.scenario for s in report.loaded}

    # ------------------------------------------------------------------ helpers
    def url_of(self, trainee: Trainee) -> str:
        return self.urls[(trainee.number - 1) % len(self.urls)]

    def server_of(self, trainee: Trainee, cookies: dict[str, str]) -> str:
        """The server a trainee's requests reach: the balancer's sticky cookie, or the one URL it was given."""
        if self.cookie_name:
            return cookies.get(self.cookie_name, "?")
        return self.servers[(trainee.number - 1) % len(self.servers)].name

    def think(self) -> float:
        return float(self.args.think) * self.rng.uniform(0.5, 1.5)

    def record(self, trainee: Trainee, kind: str, seconds: float, cookies: dict[str, str]) -> None:
        self.results.samples.append((time.monotonic() - seconds, kind, seconds))
        self.results.sample_servers.append(self.server_of(trainee, cookies))

    def error(self, trainee: Trainee, message: str) -> None:
        self.results.errors.append(f"trainee {trainee.number}: {message}")

    async def pause(self) -> bool:
        """Think, unless the run is over; False when it is."""
        wait = self.think()
        if time.monotonic() + wait >= self.deadline:
            return False
        await asyncio.sleep(wait)
        return True

    @staticmethod
    def check(kind: str, run: client.Run) -> None:
        if run.exceptions:
            raise client.ProtocolError(f"{kind}: the page raised {run.exceptions[0]}")
        troubles = [t for t in run.texts if any(sign in t for sign in TROUBLE)]
        if troubles:
            raise client.ProtocolError(f"{kind}: the page says {troubles[0][:160]!r}")

    async def step(self, trainee: Trainee, session: client.Session, kind: str, action: Awaitable[client.Run]) -> client.Run:
        run = await action
        if run.reconnected:
            raise Reconnected(run)
        self.record(trainee, kind, run.seconds, session.cookies)
        self.check(kind, run)
        return run

    # ------------------------------------------------------------------- a trainee
    async def trainee(self, trainee: Trainee, delay: float) -> None:
        await asyncio.sleep(delay)
        session: client.Session | None = None
        url = self.url_of(trainee)
        try:
            async with httpx.AsyncClient(base_url=url, timeout=60) as http:
                started = time.perf_counter()
                await client.sign_in(http, trainee.email, trainee.password)
                cookies = {cookie.name: cookie.value for cookie in http.cookies.jar if cookie.value is not None}
                self.record(trainee, "sign in", time.perf_counter() - started, cookies)
            trainee.server = self.server_of(trainee, cookies)
            # Keeps every cookie (the sign-in's and the balancer's sticky one) and, in a failover run, reconnects as
            # Streamlit's frontend does when its websocket drops.
            session = client.Session(url, cookies=cookies, reconnect=self.args.kill_after is not None)
            self.sessions[trainee.number] = session
            await self.step(trainee, session, "open home", session.open(""))
            if not await self.pause():
                return
            run = await self.step(trainee, session, "open practice", session.go_to("practice"))
            position: Position | None = (run, None, None)
            while position is not None:
                try:
                    position = await self.play(trainee, session, position)
                except Reconnected as dropped:
                    position = await self.resume(trainee, session, dropped.run)
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

    def expected_choices(self, scenario: Scenario, node_id: str) -> dict[str, tuple[str, str]]:
        """The choice buttons' keys on the page at ``node_id`` -> (choice id, the node it leads to)."""
        return {f"choice_{node_id}_{c.id}": (c.id, c.next) for c in scenario.nodes[node_id].choices}

    async def play(self, trainee: Trainee, session: client.Session, position: Position) -> Position | None:
        """From the library (choose a scenario and start it) or a conversation, play to the ending and go back to the
        library; None when the run ended first."""
        run, attempt, node_id = position
        if attempt is None:
            if not await self.pause():
                return None
            offered = [key.removeprefix("choose_") for key in run.key_with_prefix("choose_")]
            offered = [scenario_id for scenario_id in offered if scenario_id in self.scenarios]  # the shipped library
            if not offered:
                raise client.ProtocolError(f"the library shows no scenario (widgets: {sorted(run.widgets)[:8]})")
            scenario_id = self.rng.choice(offered)
            run = await self.step(trainee, session, "choose scenario", session.click(f"choose_{scenario_id}"))
            if "start" not in run.widgets:
                raise client.ProtocolError(f"no Start button after choosing {scenario_id}")
            if self.rng.random() < 0.5:
                if not await self.pause():
                    return None
                debrief = run.options.get("start_mode", [])[1:]
                if not debrief:
                    raise client.ProtocolError(f"no mode choice on the start page of {scenario_id}")
                run = await self.step(trainee, session, "pick mode", session.set_value("start_mode", string_value=debrief[0]))
            if not await self.pause():
                return None
            trainee.starting = scenario_id
            run = await self.step(trainee, session, "start", session.click("start"))
            trainee.starting = None
            attempt = Attempt(scenario_id)
            trainee.attempts.append(attempt)
            node_id = self.scenarios[scenario_id].start
        scenario = self.scenarios[attempt.scenario_id]
        assert node_id is not None
        while True:
            expected = self.expected_choices(scenario, node_id)
            shown = set(run.key_with_prefix("choice_"))
            if shown != set(expected):
                raise client.ProtocolError(
                    f"{attempt.scenario_id}: expected the choices of '{node_id}', the page shows {sorted(shown)}"
                )
            if not await self.pause():
                return None
            key = self.rng.choice(sorted(expected))
            choice_id, next_id = expected[key]
            attempt.unsure = (node_id, choice_id)  # until the click is seen through
            run = await self.step(trainee, session, "choice", session.click(key))
            attempt.unsure = None
            attempt.choices.append((node_id, choice_id))
            attempt.ended = next_id in scenario.endings
            node_id = next_id
            if "continue" in run.widgets:
                if not await self.pause():
                    return None
                run = await self.step(trainee, session, "continue", session.click("continue"))
            if attempt.ended:
                if "done" not in run.widgets:
                    raise client.ProtocolError(f"{attempt.scenario_id}: no summary after the ending '{node_id}'")
                if not await self.pause():
                    return None
                run = await self.step(trainee, session, "back to library", session.click("done"))
                return run, None, None

    async def resume(self, trainee: Trainee, session: client.Session, run: client.Run) -> Position:
        """The first page a new session drew after the websocket dropped: the trainee must still be signed in, be told
        their last click may not have reached PeerSim, and see their unfinished attempt at the right decision (a
        click in flight at the drop counts once if the page shows it committed, zero times if not)."""
        failover = self.results.failover
        in_flight = run.interrupted
        if failover is not None:
            failover.first_run_seconds.append(time.monotonic() - failover.at)
            if in_flight:
                failover.in_flight += 1
            if trainee.number not in failover.trainees:
                failover.other_drops += 1
                raise client.ProtocolError("its websocket dropped, though its server was not the one killed")
        self.check("first page after reconnecting", run)
        if outage.RECONNECTED not in run.texts:
            raise client.ProtocolError(f"no reconnect notice on the first page after reconnecting (shown: {run.texts[:3]})")
        if not run.key_with_prefix("choice_") and not run.key_with_prefix("choose_"):
            run = await self.step(trainee, session, "open practice", session.go_to("practice"))
        shown = set(run.key_with_prefix("choice_"))
        library = bool(run.key_with_prefix("choose_"))
        if trainee.starting is not None:  # Start was on its way: the attempt exists if the page shows it
            scenario = self.scenarios[trainee.starting]
            if shown == set(self.expected_choices(scenario, scenario.start)):
                trainee.attempts.append(Attempt(trainee.starting))
                if in_flight and failover is not None:
                    failover.in_flight_committed += 1
            trainee.starting = None
        last = trainee.attempts[-1] if trainee.attempts else None
        position: Position | None = None
        if last is not None and not last.ended:
            scenario = self.scenarios[last.scenario_id]
            at = scenario.start
            for node_id, choice_id in last.choices:
                at = scenario.choice(node_id, choice_id).next
            unsure, last.unsure = last.unsure, None
            after = scenario.choice(*unsure).next if unsure is not None else None
            if shown and shown == set(self.expected_choices(scenario, at)):
                position = (run, last, at)  # the click in flight was not committed: it counts zero times
            elif unsure is not None and after is not None:
                committed = (after in scenario.endings and library and not shown) or (
                    after not in scenario.endings and shown == set(self.expected_choices(scenario, after))
                )
                if committed:  # it was committed before the drop: it counts, once
                    last.choices.append(unsure)
                    last.ended = after in scenario.endings
                    position = (run, None, None) if last.ended else (run, last, after)
                    if in_flight and failover is not None:
                        failover.in_flight_committed += 1
            if position is None:
                raise client.ProtocolError(
                    f"after reconnecting, expected the attempt on {last.scenario_id} at '{at}'"
                    f"{f' or {after!r}' if after else ''}, the page shows {sorted(shown) or 'no conversation'}"
                )
        elif shown:
            raise client.ProtocolError(f"after reconnecting, a conversation though none was unfinished: {sorted(shown)}")
        elif not library:
            raise client.ProtocolError(f"after reconnecting, no library on Practice (widgets: {sorted(run.widgets)[:8]})")
        else:
            position = (run, None, None)
        if failover is not None:
            failover.resumed.add(trainee.number)
        return position

    # ----------------------------------------------------------------------- run
    async def sign_up_all(self, trainees: list[Trainee], at_once: int = 4) -> None:
        """Before the class: every trainee creates an account through the sign-up form (not in the run's figures)."""
        gate = asyncio.Semaphore(at_once)

        async def one(trainee: Trainee) -> None:
            async with gate, httpx.AsyncClient(base_url=self.url_of(trainee), timeout=60) as http:
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
        probe = asyncio.create_task(self.probe_cpu())
        killer = asyncio.create_task(self.kill_at(self.results.started + self.args.kill_after)) if self.args.kill_after else None
        await asyncio.gather(*(self.trainee(t, i * spacing) for i, t in enumerate(trainees)))
        self.results.finished = time.monotonic()
        probe.cancel()
        if killer is not None:
            killer.cancel()
        for server in self.servers:
            server.sample()
            if server.killed_at is None:
                with contextlib.suppress(psutil.Error):
                    server.rss_mib = server.process.memory_info().rss / 2**20
        if self.results.failover is not None:
            self.collect_failover(self.results.failover)

    async def probe_cpu(self) -> None:
        """Each server's CPU time, sampled every second (a killed server keeps its last sample)."""
        await asyncio.sleep(max(0.0, self.results.steady_from - time.monotonic()))
        for server in self.servers:
            server.cpu_at_steady = server.sample()
        while True:
            await asyncio.sleep(1.0)
            for server in self.servers:
                server.sample()

    async def kill_at(self, moment: float) -> None:
        """SIGKILL the server with the most trainees on it, under load."""
        await asyncio.sleep(max(0.0, moment - time.monotonic()))
        on: dict[str, set[int]] = defaultdict(set)
        by_number = {t.number: t for t in self.results.trainees}
        for number, session in self.sessions.items():
            if session.websocket is not None:
                on[self.server_of(by_number[number], session.cookies)].add(number)
        victim = max(self.servers, key=lambda server: (len(on.get(server.name, ())), server.name))
        victim.sample()
        failover = Failover(victim.name, time.monotonic(), on.get(victim.name, set()), len(self.results.errors))
        self.results.failover = failover
        victim.killed_at = failover.at
        victim.process.send_signal(signal.SIGKILL)
        print(
            f"  {failover.at - self.results.started:.0f} s: SIGKILL to {victim.name} ({victim.url}, pid {victim.process.pid}), "
            f"{len(failover.trainees)} trainees on it",
            flush=True,
        )

    def collect_failover(self, failover: Failover) -> None:
        by_number = {t.number: t for t in self.results.trainees}
        for number in failover.trainees:
            session = self.sessions.get(number)
            if session is None:
                continue
            done = [back for dropped, back in session.drops if back is not None and dropped >= failover.at]
            if done:
                failover.reconnect_seconds[number] = done[0] - failover.at
                failover.moved_to[number] = self.server_of(by_number[number], session.cookies)


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
    results = Results(label, balancer=args.balancer)
    profile = args.profile if not baseline else None
    with contextlib.ExitStack() as stack:
        database = stack.enter_context(harness.database(args.database, "load"))
        servers = [
            stack.enter_context(harness.running(database, baseline=baseline, profile=profile, cwd=args.app))
            for _ in range(args.servers)
        ]
        figures = [
            ServerFigures(balancer.server_name(i), server.url, psutil.Process(server.pid)) for i, server in enumerate(servers)
        ]
        if args.balancer == "haproxy":
            lb = stack.enter_context(balancer.haproxy([server.url for server in servers]))
            urls, cookie_name, where = [lb.url], balancer.COOKIE, f"HAProxy {lb.url} in front of {len(servers)}"
        else:
            urls, cookie_name, where = [server.url for server in servers], "", f"no balancer, {len(servers)}"
        asyncio.run(set_up(urls[0]))
        results.load_before = harness.load_average()
        print(
            f"-- {label} on {database.kind}: {args.users} trainees, think {args.think} s, {args.duration} s; {where} "
            f"server process{'es' if len(servers) > 1 else ''} ({', '.join(s.url for s in servers)})",
            flush=True,
        )
        generator = Generator(urls, args, results, figures, cookie_name=cookie_name)
        results.trainees = trainees_for(args.users, generator.rng)
        asyncio.run(generator.run(results.trainees))
        results.load_after = harness.load_average()
        check_database(database.url, results)
        for figure, server in zip(figures, servers, strict=True):
            log = server.log.read_text(errors="replace")
            if "Traceback" in log or "database unavailable" in log or results.errors:
                kept = Path(tempfile.gettempdir()) / f"peersim-load-{'defaults' if baseline else 'tuned'}-{server.pid}.log"
                kept.write_text(log)
                tracebacks = log.count("Traceback (most recent call last)")
                outages = log.count("database unavailable")
                if tracebacks or outages:
                    results.errors.append(
                        f"server log of {figure.name}: {tracebacks} traceback(s), {outages} 'database unavailable', see {kept}"
                    )
                print(f"  server log of {figure.name} kept at {kept}")
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
    interactions = len(results.every(steady=True))
    print(
        f"  steady throughput {interactions / results.steady_seconds:.1f} interactions/s, "
        f"{len(steady.get('choice', [])) / results.steady_seconds:.1f} decisions/s; "
        f"server CPU {results.steady_cpu_seconds / results.steady_seconds * 100:.0f}% of one core "
        f"({results.steady_cpu_seconds / max(1, interactions) * 1000:.1f} ms an interaction), "
        f"RSS at the end {sum(s.rss_mib for s in results.servers):.0f} MiB"
    )
    landed: dict[str, int] = defaultdict(int)
    for trainee in results.trainees:
        landed[trainee.server] += 1
    by_server = results.steady_by_server()
    print(f"  per server (balancer: {results.balancer}; CPU in the steady state, psutil on each process):")
    for server in results.servers:
        killed = (
            f", killed at {server.killed_at - results.started:.0f} s (CPU counted to then)"
            if server.killed_at is not None
            else ""
        )
        print(
            f"    {server.name} {server.url}: {landed.get(server.name, 0)} trainees landed, {by_server.get(server.name, 0)} "
            f"interactions, CPU {server.steady_cpu:.1f} s ({server.steady_cpu / max(1, by_server.get(server.name, 0)) * 1000:.1f} ms "
            f"an interaction), RSS {server.rss_mib:.0f} MiB{killed}"
        )
    others = {name: count for name, count in landed.items() if name not in {s.name for s in results.servers}}
    if others:
        print(f"    trainees with no known server cookie: {others}")
    print(
        f"    total: {len(results.trainees)} trainees, {interactions} interactions, CPU {results.steady_cpu_seconds:.1f} s "
        f"({results.steady_cpu_seconds / max(1, interactions) * 1000:.1f} ms an interaction)"
    )
    print(f"  database: {results.database_check}")
    print(f"  errors: {len(results.errors)}")
    for message in results.errors[:10]:
        print(f"    {message}")
    if results.failover is not None:
        report_failover(results)


def failover_ok(results: Results) -> bool:
    failover = results.failover
    if failover is None:
        return True
    return (
        bool(failover.trainees)
        and set(failover.reconnect_seconds) == failover.trainees
        and failover.resumed == failover.trainees
        and all(server != failover.server for server in failover.moved_to.values())
        and failover.other_drops == 0
        and len(results.errors) == 0
        and results.lost == 0
        and results.duplicated == 0
    )


def report_failover(results: Results) -> None:
    failover = results.failover
    assert failover is not None
    times = sorted(failover.reconnect_seconds.values())
    first = sorted(failover.first_run_seconds)
    moved = sum(1 for server in failover.moved_to.values() if server != failover.server)
    after = len(results.errors) - failover.errors_before
    print(
        f"  failover: {failover.server} killed at {failover.at - results.started:.0f} s with {len(failover.trainees)} trainees on it; "
        f"{len(failover.reconnect_seconds)} reconnected through the balancer, {moved} moved to another server "
        f"({dict(sorted(Counter(failover.moved_to.values()).items()))}), {len(failover.resumed)} resumed at the right point"
    )
    if times:
        print(
            f"    time from the kill to a new websocket: p50 {harness.ms(harness.percentile(times, 0.5))}, "
            f"p95 {harness.ms(harness.percentile(times, 0.95))}, max {harness.ms(times[-1])}"
        )
    if first:
        print(
            f"    time from the kill to the first page from the new server (in-flight clicks at once, the others at "
            f"their next click): p50 {harness.ms(harness.percentile(first, 0.5))}, max {harness.ms(first[-1])}"
        )
    print(
        f"    clicks in flight at the kill {failover.in_flight} ({failover.in_flight_committed} had been committed, counted once; "
        f"the rest zero times); websockets dropped on other servers {failover.other_drops}; errors after the kill {after}; "
        f"lost {results.lost}, doubled {results.duplicated}"
    )
    missing = sorted(failover.trainees - failover.resumed)
    if missing:
        print(f"    not resumed: trainees {missing[:20]}")
    print(
        f"    {harness.verdict(failover_ok(results))}: failover (every trainee of the killed server back where it was, nothing lost or doubled, no errors)"
    )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
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
    parser.add_argument("--servers", type=int, default=1, help="server processes on the same database (default 1)")
    parser.add_argument(
        "--balancer",
        choices=("haproxy", "none"),
        help="haproxy (deploy/haproxy.cfg, sticky cookie) in front of the servers: the default with more than one; "
        "none: each trainee goes straight to one server (the default with one)",
    )
    parser.add_argument(
        "--kill-after", type=float, help="SIGKILL the server with the most trainees this many seconds into the run"
    )
    args = parser.parse_args(argv)
    if args.ramp >= args.duration:
        parser.error("--ramp must be shorter than --duration")
    if args.servers < 1:
        parser.error("--servers must be 1 or more")
    if args.balancer is None:
        args.balancer = "haproxy" if args.servers > 1 else "none"
    if args.servers > 1 and not args.database.startswith(("postgresql://", "postgres://")):
        parser.error(
            f"--servers {args.servers} needs PostgreSQL: every server process must share one database, and SQLite is "
            "a file that only one server should write to. Add --database postgresql://postgres@127.0.0.1:5432/postgres"
        )
    if args.profile is not None and args.servers > 1:
        parser.error("--profile profiles one server process: use it with --servers 1")
    if args.kill_after is not None:
        if args.servers < 2 or args.balancer != "haproxy":
            parser.error(
                "--kill-after needs --servers 2 or more behind --balancer haproxy: the trainees need a server to move to"
            )
        if not 0 < args.kill_after < args.duration:
            parser.error("--kill-after must fall inside the run (0 < S < --duration)")
    if args.balancer == "haproxy" and not balancer.available():
        parser.error(f"--balancer haproxy: HAProxy is not installed (no {balancer.HAPROXY}; apt-get install haproxy)")

    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print(f"machine: {harness.machine()}")
    tuned = run_once(args, baseline=False)
    report(tuned)
    p95 = harness.percentile(tuned.every(steady=True), 0.95)
    ok = p95 < P95_GOAL and not tuned.errors and tuned.lost == 0 and tuned.duplicated == 0 and failover_ok(tuned)
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
        f"lost {tuned.lost}, duplicated {tuned.duplicated}; {args.servers} server process(es), balancer {args.balancer}"
        f"{f', failover {harness.verdict(failover_ok(tuned))}' if tuned.failover is not None else ''} ({harness.machine()})"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
