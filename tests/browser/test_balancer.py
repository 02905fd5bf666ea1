"""PeerSim behind a real HAProxy (deploy/haproxy.cfg, rendered by bench/balancer.py) in front of two real servers on
one fresh PostgreSQL database, in a real browser.

* Failover mid-attempt: a trainee plays through HAProxy; the server their cookie points to is SIGKILLed (sometimes
  while a click is in flight). The page reconnects through HAProxy to the other server by itself, is still signed
  in, and the attempt is back at the right decision; every decision is in the database once, none lost. Several
  times, alternating servers (the killed one is restarted each time); half the time the trainee reloads instead.
* A live class across servers: the instructor's browser on one server, the trainees' on the other (each pinned by
  HAProxy's cookie); the class runs; then the trainees' server is killed mid-class and the class goes on on the
  instructor's server: the trainees reconnect and answer, and the instructor sees their answers.

Skipped when haproxy or PostgreSQL is missing, unless PEERSIM_REQUIRE_BALANCER=1 (CI), which fails instead.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect
from sqlalchemy import Engine, text

from bench import balancer
from bench.harness import fresh_database
from records import Store
from records.db import create
from tests.browser.helpers import SHOTS, Page, Server, Servers, choose, nav, sign_in
from tests.browser.test_faults import TECHNICAL, TITLE, attempts_in, long_scenario, recorded, reflect_label, said
from tests.helpers import PASSWORD, make_user
from ui.outage import RECONNECTED

REQUIRED = os.environ.get("PEERSIM_REQUIRE_BALANCER") == "1"
POSTGRES = os.environ.get("PEERSIM_TEST_DATABASE_URL", "").strip() or "postgresql://postgres@127.0.0.1:5432/postgres"
KILLS = 4
STEPS = 2 * KILLS + 4
RECONNECT = 90_000
"""Milliseconds a page may take to notice its server is gone and reconnect through HAProxy (generous: CI is busy)."""
FOLLOWS = 30_000
"""Milliseconds a live screen may take to catch up by itself (it refreshes every 2 to 3 seconds)."""


def unavailable(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"PEERSIM_REQUIRE_BALANCER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@dataclass
class Cluster:
    """Two servers, HAProxy in front of them, and their PostgreSQL database."""

    url: str
    """The database's URL."""
    pool: Servers
    lb: balancer.Balancer
    ports: list[int]
    env: dict[str, str]

    def server(self, backend_url: str) -> Server:
        return next(s for s in self.pool.started if s.url == backend_url and s.process.poll() is None)

    def restart(self, backend_url: str) -> None:
        """Start a killed server again on its port, and wait until HAProxy's checks count both servers UP."""
        port = int(backend_url.rsplit(":", 1)[1])
        self.pool.start(port, group=True, **self.env)
        self.lb.wait_up(list(self.lb.backends.values()), timeout=120)


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    if not balancer.available():
        unavailable(f"haproxy is not installed (no {balancer.HAPROXY}; apt-get install haproxy)")
    try:
        database = fresh_database(POSTGRES, "lbbrowser")
    except Exception as error:  # psycopg missing, PostgreSQL refused...
        unavailable(f"PostgreSQL is not reachable at {POSTGRES} ({type(error).__name__}: {error})")
    library = tmp_path / "library"
    library.mkdir()
    (library / "long-talk.yaml").write_text(long_scenario(STEPS), encoding="utf-8")
    for scenario in (Path(__file__).resolve().parents[1] / "fixtures" / "good").glob("*.yaml"):  # the live class's
        (library / scenario.name).write_text(scenario.read_text(encoding="utf-8"), encoding="utf-8")
    env = {"PEERSIM_LIBRARY_DIR": str(library), "PEERSIM_DATA_DIR": str(database.data_dir)}
    pool = Servers(database.url, tmp_path)
    lb = None
    try:
        Store.open(database.url).close()  # migrated once, before the servers start
        for _ in range(2):
            pool.start(group=True, **env)
        lb = balancer.start([server.url for server in pool.started])
        yield Cluster(database.url, pool, lb, [int(s.url.rsplit(":", 1)[1]) for s in pool.started], env)
    finally:
        if lb is not None:
            lb.stop()
        for server in pool.started:
            if server.process.poll() is None:
                server.stop()
        database.drop()


def pinned_backend(page: Page, lb: balancer.Balancer) -> str | None:
    """The backend this browser's PEERSIM_SERVER cookie points to."""
    for cookie in page.page.context.cookies(lb.url):  # type: ignore[attr-defined]
        if cookie["name"] == balancer.COOKIE:
            return lb.backend_of(cookie["value"])
    return None


def pin(page: Page, lb: balancer.Balancer, backend_url: str) -> None:
    """Pin this browser to ``backend_url`` with HAProxy's own cookie, as if HAProxy had chosen it."""
    page.page.context.add_cookies([{"name": balancer.COOKIE, "value": lb.cookie_for(backend_url), "url": lb.url}])  # type: ignore[attr-defined]


def wait_for_failover(page: Page, lb: balancer.Balancer, dead: str) -> str:
    """Wait until the page, whose server ``dead`` was killed, has been sent by HAProxy to another server (its
    frontend's health ping sets the new cookie) and its websocket is connected again; return the new server."""
    deadline = time.monotonic() + RECONNECT / 1000
    while (now := pinned_backend(page, lb)) in (dead, None):
        assert time.monotonic() < deadline, "the page did not reach another server through HAProxy"
        page.page.wait_for_timeout(200)  # type: ignore[attr-defined]
    page.page.wait_for_selector("[data-testid=stApp][data-test-connection-state=CONNECTED]", timeout=RECONNECT)  # type: ignore[attr-defined]
    assert now is not None
    return now


def nothing_technical(page: Page) -> None:
    shown = page.page.inner_text("[data-testid=stApp]")  # type: ignore[attr-defined]
    assert [word for word in TECHNICAL if word.lower() in shown.lower()] == []
    assert page.page.get_by_role("dialog").count() == 0  # type: ignore[attr-defined]  # no Streamlit error dialog
    assert "Sign in" not in page.page.title()  # type: ignore[attr-defined]
    assert "/auth/" not in page.page.url  # type: ignore[attr-defined]


def decisions_per_attempt(engine: Engine) -> list[tuple[int, int, int]]:
    """(attempt, decisions, distinct steps) for every attempt: a step recorded twice would show as fewer steps."""
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT attempt_id, COUNT(*), COUNT(DISTINCT step) FROM decisions GROUP BY attempt_id ORDER BY attempt_id")
        ).all()
    return [(int(r[0]), int(r[1]), int(r[2])) for r in rows]


def test_a_server_killed_mid_attempt_fails_over_through_haproxy_with_nothing_lost(cluster, open_page):
    store = Store.open(cluster.url)
    make_user(store, "Ada", "admin")
    make_user(store, "Tia")
    store.close()
    engine = create(cluster.url)
    lb = cluster.lb

    page = open_page("failover")
    p = page.page
    sign_in(page, lb.url, "tia@example.org", PASSWORD)
    nav(page, "Practice")
    p.get_by_role("button", name=f"Choose “{TITLE}”").click()
    page.settle()
    p.get_by_text("Debrief: all the feedback at the end").click()
    page.settle()
    p.get_by_role("button", name="Start the conversation").click()
    page.settle()
    first = pinned_backend(page, lb)
    assert first in lb.backends.values()

    settled = 0
    in_flight = 0
    servers_used = [first]
    for cycle in range(KILLS):
        settled += 1
        p.get_by_role("button", name=reflect_label(settled)).click()
        page.settle()
        assert said(page) == list(range(1, settled + 1))
        clicking = cycle % 2 == 1  # every other kill strikes while the next click is being handled
        reload = cycle >= KILLS // 2  # the first kills: the page reconnects by itself; the later ones: a reload
        if clicking:
            p.get_by_role("button", name=reflect_label(settled + 1)).click()
            p.wait_for_timeout(20 * cycle)  # before, during or after the commit
        victim = pinned_backend(page, lb)
        assert victim is not None
        cluster.server(victim).kill()

        if reload:
            p.reload()  # the page is sent to the other server: the sign-in gate there knows the session
            page.settle()
            nothing_technical(page)
            assert p.get_by_text(f"You have an unfinished conversation: {TITLE}.").count() == 1
            p.get_by_role("button", name="Resume it").click()
            page.settle()
        else:
            wait_for_failover(page, lb, victim)
            # A click in flight at the kill: on reconnecting, the frontend asks the new session for a run of the
            # page at once, which says what happened. Otherwise the page still shows what the old server drew, and
            # the first click reaches a new session on the other server, which says so and puts the conversation
            # back where the database has it (that click itself is not taken).
            p.wait_for_timeout(1_000)  # the frontend's own run after reconnecting, if any, has begun
            page.settle()
            if p.get_by_text(RECONNECTED).count() == 0:
                p.get_by_role("button", name=re.compile("sounds like it matters to you")).last.click()
                page.settle()
            expect(p.get_by_text(RECONNECTED)).to_have_count(1, timeout=30_000)
            if cycle == 0:
                page.shot("reconnected-on-the-other-server")
        now = pinned_backend(page, lb)
        assert now is not None and now != victim
        servers_used.append(now)
        nothing_technical(page)

        rows = recorded(engine)
        done = len(rows)
        if clicking and done == settled + 1:
            in_flight += 1
            settled = done  # the in-flight click was committed before the kill: it counts, once
        assert done == settled, f"cycle {cycle}: {done} decisions recorded, {settled} made"
        assert rows == [(n, f"n{n}", "reflect", 1) for n in range(1, done + 1)]  # in order, none twice
        assert attempts_in(engine) == [(1, "active", f"n{done + 1}")]
        assert said(page) == list(range(1, done + 1))
        assert p.get_by_role("button", name=reflect_label(done + 1)).count() == 1
        cluster.restart(victim)  # back in HAProxy's pool for the next cycle, which kills the other server

    page.shot("resumed")
    while settled < STEPS:  # to the ending, on whichever server the browser is now pinned to
        settled += 1
        p.get_by_role("button", name=reflect_label(settled)).click()
        page.settle()
    expect(p.get_by_text("How it went")).to_have_count(1, timeout=30_000)
    page.shot("finished")
    nothing_technical(page)
    assert recorded(engine) == [(n, f"n{n}", "reflect", 1) for n in range(1, STEPS + 1)]
    assert decisions_per_attempt(engine) == [(1, STEPS, STEPS)]
    with engine.connect() as connection:
        status = connection.execute(text("SELECT status FROM attempts")).scalars().all()
    assert status == ["finished"]
    assert set(servers_used) == set(lb.backends.values()), "the attempt moved between both servers"
    print(
        f"\n{KILLS} failovers through HAProxy ({in_flight} in-flight clicks committed), servers used in turn: "
        + " -> ".join(url.rsplit(":", 1)[1] for url in servers_used)
    )
    engine.dispose()
    assert page.accessibility == []


# -------------------------------------------------------------------------------------- a live class across servers
PHONE = {"width": 390, "height": 844}
REFLECT = "You keep coming back to it, and you're not sure yet."
SECOND = "What would a first small step look like"


def wait_for_text(page: Page, wanted: str, timeout: int = FOLLOWS) -> None:
    """Wait, without touching the page, until its main area shows ``wanted``; on a timeout, save a screenshot and
    say what the page showed instead."""
    try:
        page.page.wait_for_function(  # type: ignore[attr-defined]
            "t => (document.querySelector('[data-testid=stMain]')?.innerText || '').includes(t)", arg=wanted, timeout=timeout
        )
    except PlaywrightTimeout:
        page.page.screenshot(path=str(SHOTS / f"{page.name}-timeout.png"), full_page=True)  # type: ignore[attr-defined]
        pytest.fail(f"{page.name} never showed {wanted!r}; it showed:\n{main_text(page)}", pytrace=False)


def main_text(page: Page) -> str:
    return str(page.page.inner_text("[data-testid=stMain]"))  # type: ignore[attr-defined]


def live_answers(engine: Engine) -> list[tuple[int, str, str]]:
    """(step, trainee's email, choice) for every answer of the class, straight from the table."""
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT a.step, u.email, a.choice_id FROM live_answers a JOIN users u ON u.id = a.user_id "
                "ORDER BY a.step, u.email"
            )
        ).all()
    return [(int(r[0]), str(r[1]), str(r[2])) for r in rows]


def test_a_live_class_across_two_servers_goes_on_when_the_trainees_server_is_killed(cluster, open_page):
    store = Store.open(cluster.url)
    make_user(store, "Ada", "admin")
    ivan = make_user(store, "Ivan", "instructor")
    store.cohorts.create(ivan, "Tuesday evenings")
    for name in ("Tia", "Uma"):
        make_user(store, name)
    store.close()
    engine = create(cluster.url)
    lb = cluster.lb
    host_server, trainee_server = list(lb.backends.values())

    host = open_page("live-host")
    pin(host, lb, host_server)
    sign_in(host, lb.url, "ivan@example.org", PASSWORD)
    nav(host, "Live class")
    choose(host, "Scenario", "A short check-in")  # the library also holds the failover test's long scenario
    host.page.get_by_role("button", name="Start the live class").click()
    host.settle()
    code = host.page.locator("h3 code").first.inner_text()
    host.page.get_by_text("Projector mode").click()
    host.settle()

    trainees: dict[str, Page] = {}
    for name in ("Tia", "Uma"):
        page = open_page(f"live-{name.lower()}")
        page.page.set_viewport_size(PHONE)
        pin(page, lb, trainee_server)
        sign_in(page, lb.url, f"{name.lower()}@example.org", PASSWORD)
        page.page.goto(f"{lb.url}/live")
        page.settle()
        page.page.get_by_label("Live class code").fill(code.lower())
        page.page.get_by_role("button", name="Join").click()
        page.settle()
        wait_for_text(page, "I keep thinking about finishing my GED.")
        trainees[name] = page
    assert pinned_backend(host, lb) == host_server
    assert {pinned_backend(page, lb) for page in trainees.values()} == {trainee_server}  # the class spans two servers

    # The first point, answered on the trainees' server and counted on the instructor's.
    for page in trainees.values():
        page.page.get_by_role("button", name="You keep coming back to it").click()
        page.settle()
        wait_for_text(page, "Your answer is in. Waiting for Ivan to reveal the feedback.")
    wait_for_text(host, "2 of 2 have answered.")
    host.settle()
    host.page.get_by_role("button", name="Reveal the feedback").click()
    host.settle()
    wait_for_text(host, "How the class answered (2 of 2)")
    for page in trainees.values():
        wait_for_text(page, "Waiting for Ivan to move the class on.")
    host.page.get_by_role("button", name="Move the class on").click()
    host.settle()
    wait_for_text(host, "Where would I even start?")
    for page in trainees.values():
        wait_for_text(page, "Where would I even start?")
        page.settle()
    trainees["Tia"].shot("before-the-kill")

    # The trainees' server dies mid-class. HAProxy sends their pages to the instructor's server.
    cluster.server(trainee_server).kill()
    for page in trainees.values():
        assert wait_for_failover(page, lb, trainee_server) == host_server
        # Their screens refresh by themselves (st.fragment(run_every=...)) on the new server, or at the latest at
        # their next click; either way the question is there to answer.
        page.page.get_by_role("button", name=SECOND).click()
        page.settle()
        if main_text(page).count("Your answer is in.") == 0:  # that click reached a session that had not drawn it
            nothing_technical(page)
            page.page.get_by_role("button", name=SECOND).click()
            page.settle()
        wait_for_text(page, "Your answer is in. Waiting for Ivan to reveal the feedback.")
        nothing_technical(page)
    trainees["Uma"].shot("answered-after-the-kill")
    wait_for_text(host, "2 of 2 have answered.")  # the instructor sees the answers given on the surviving server
    host.settle()
    host.shot("answers-after-the-kill")
    nothing_technical(host)

    host.page.get_by_role("button", name="End the class").click()
    host.page.get_by_role("button", name="End it for everyone").click()
    host.settle()
    wait_for_text(host, "the live class has ended")
    for page in trainees.values():
        wait_for_text(page, "the live class has ended")
        page.settle()
        assert "you answered at 2 of the class's 2 decision points" in main_text(page)
    trainees["Tia"].shot("ended")
    assert [(step, email, choice) for step, email, choice in live_answers(engine)][:2] == [
        (1, "tia@example.org", "reflect"),
        (1, "uma@example.org", "reflect"),
    ]
    assert len(live_answers(engine)) == 4  # two points, two trainees: none lost, none twice
    engine.dispose()
    for page in (host, *trainees.values()):
        nothing_technical(page)
    assert [*host.accessibility, *trainees["Tia"].accessibility, *trainees["Uma"].accessibility] == []
