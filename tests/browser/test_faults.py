"""Faults in a real browser: the server killed mid-attempt, and the database going away mid-session.

* SIGKILL: the server's whole process group is killed twenty times in a row while a trainee plays one long
  attempt (sometimes while a click is still in flight); after each restart on the same database the attempt
  resumes with every committed decision, none twice, in the page and in the database.
* PostgreSQL outage: a private PostgreSQL cluster (never the machine's shared one) is stopped mid-session; the
  page says so kindly, and once the cluster is back the next interaction works without restarting the server.
* Server restart without a reload: while the server is down the page shows PeerSim's own words (never Streamlit's
  "Are you connected to the internet?" dialog), and the first click after the restart, which the new session
  cannot act on, is not silently dropped: the trainee is told to choose again, and the choice counts once.
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import Engine, text

from records import Store
from records.db import create
from scenarios import load_scenario
from scoring import default_rubric
from tests.browser.helpers import REQUIRED, SHOTS, Page, nav, sign_in
from tests.helpers import PASSWORD, free_port, make_user
from ui.outage import CONNECTION_LOST, MESSAGE, RECONNECTED

KILLS = 20
STEPS = 2 * KILLS + 4  # a settled choice and at most one in-flight choice per kill, and some to spare
TITLE = "A long check-in"

# Never on the page during an outage: a traceback, a driver's message, or Streamlit's own error box.
TECHNICAL = ("Traceback", "OperationalError", "psycopg", "sqlalchemy", "connection refused", "This app has encountered an error")


def long_scenario(steps: int) -> str:
    """A valid scenario of ``steps`` decisions in a row, each with a distinct reflecting response ('reflect')."""
    lines = [
        "id: long-talk",
        f"title: {TITLE}",
        "summary: Jo talks through a week, one small thing at a time.",
        "domains: [readiness]",
        "difficulty: 1",
        "minutes: 20",
        "peer:",
        "  name: Jo",
        "  about: 40, back at work after a hospital stay.",
        "start: n1",
        "nodes:",
    ]
    for n in range(1, steps + 1):
        after = f"n{n + 1}" if n < steps else "done"
        lines += [
            f"  n{n}:",
            f'    peer: "Here is thing number {n} on my mind this week."',
            "    readiness: contemplating",
            "    choices:",
            "      - id: reflect",
            f'        say: "Thing {n} sounds like it matters to you."',
            "        criteria: [po.reflective-listening]",
            "        why: Reflects what Jo said.",
            f"        next: {after}",
            "      - id: plan",
            f'        say: "Let us make a plan for thing {n} right now."',
            "        criteria: [pf.ahead-of-readiness]",
            "        why: Jo has not said he is ready to plan.",
            "        better: reflect",
            f"        next: {after}",
        ]
    lines += ["endings:", "  done:", '    peer: "Thanks for listening."', "    debrief: What helped Jo keep talking?"]
    return "\n".join(lines) + "\n"


def reflect_label(n: int) -> str:
    return f"Thing {n} sounds like it matters to you."


def recorded(engine: Engine) -> list[tuple[int, str, str, int]]:
    """Every decision in the database, straight from the tables: (step, node, choice, number of criteria)."""
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT d.step, d.node_id, d.choice_id, COUNT(c.criterion_id) FROM decisions d "
                "LEFT JOIN decision_criteria c ON c.decision_id = d.id "
                "GROUP BY d.id, d.step, d.node_id, d.choice_id ORDER BY d.step, d.id"
            )
        ).all()
    return [(int(r[0]), str(r[1]), str(r[2]), int(r[3])) for r in rows]


def attempts_in(engine: Engine) -> list[tuple[int, str, str]]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, status, current_node FROM attempts ORDER BY id")).all()
    return [(int(r[0]), str(r[1]), str(r[2])) for r in rows]


def said(page: Page) -> list[int]:
    """The numbers of the trainee's responses shown in the conversation, in order."""
    main = page.page.inner_text("[data-testid=stMain]")  # type: ignore[attr-defined]
    return [int(n) for n in re.findall(r"You: Thing (\d+) sounds like it matters to you\.", main)]


def test_sigkill_twenty_times_mid_attempt_loses_and_duplicates_nothing(servers, open_page, isolated_data, tmp_path):
    library = tmp_path / "library"
    library.mkdir()
    (library / "long-talk.yaml").write_text(long_scenario(STEPS), encoding="utf-8")
    assert load_scenario(long_scenario(STEPS), default_rubric()).warnings == ()
    store = Store.open(isolated_data)
    make_user(store, "Ada", "admin")
    make_user(store, "Tia")
    store.close()
    engine = create(isolated_data)

    port = free_port()
    server = servers.start(port, group=True, PEERSIM_LIBRARY_DIR=str(library))
    page = open_page("sigkill")
    p = page.page
    sign_in(page, server.url, "tia@example.org", PASSWORD)
    nav(page, "Practice")
    p.get_by_role("button", name=f"Choose “{TITLE}”").click()
    page.settle()
    p.get_by_text("Debrief: all the feedback at the end").click()
    page.settle()
    p.get_by_role("button", name="Start the conversation").click()
    page.settle()

    settled = 0  # decisions whose click finished before the kill: these must survive
    in_flight = 0  # clicks still in flight at a kill that had been committed all the same
    restarting = 0.0
    for cycle in range(KILLS):
        settled += 1
        p.get_by_role("button", name=reflect_label(settled)).click()
        page.settle()
        assert said(page) == list(range(1, settled + 1))
        assert len(recorded(engine)) == settled  # committed when made, before the page showed it
        clicking = cycle % 2 == 1  # every other kill strikes while the next click is being handled
        if clicking:
            p.get_by_role("button", name=reflect_label(settled + 1)).click()
            p.wait_for_timeout(15 * (cycle % 7))  # 0..90 ms: before, during or after the commit
        began = time.monotonic()
        server.kill()
        server = servers.start(port, group=True, PEERSIM_LIBRARY_DIR=str(library))
        restarting += time.monotonic() - began

        p.reload()
        page.settle()
        assert p.get_by_text(f"You have an unfinished conversation: {TITLE}.").count() == 1
        p.get_by_role("button", name="Resume it").click()
        page.settle()

        rows = recorded(engine)
        done = len(rows)
        if clicking and done == settled + 1:
            in_flight += 1
            settled = done  # the in-flight click was committed before the kill: it counts, once
        assert done == settled, f"cycle {cycle}: {done} decisions recorded, {settled} made"
        assert rows == [(n, f"n{n}", "reflect", 1) for n in range(1, done + 1)]  # in order, none twice
        assert attempts_in(engine) == [(1, "active", f"n{done + 1}")]  # the same attempt, where it was
        assert said(page) == list(range(1, done + 1))  # every committed decision on the page, once
        assert p.get_by_role("button", name=reflect_label(done + 1)).count() == 1  # and it goes on from there

    page.shot("resumed")
    settled += 1
    p.get_by_role("button", name=reflect_label(settled)).click()
    page.settle()
    assert len(recorded(engine)) == settled >= KILLS + 1
    print(f"\n{KILLS} kills ({in_flight} in-flight clicks committed), {settled} decisions, {restarting / KILLS:.1f} s a restart")
    engine.dispose()
    assert page.accessibility == []


# ------------------------------------------------------------------------------------ PostgreSQL outage
@dataclass
class Cluster:
    """A private PostgreSQL cluster in a temporary folder, on its own port: this test may stop it at will."""

    bin: Path
    folder: Path
    port: int
    as_user: list[str]

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def run(self, *args: str) -> None:
        subprocess.run([*self.as_user, *args], check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        self.run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.folder / "data"),
            "-l",
            str(self.folder / "log"),
            "-o",
            options,
            "-w",
            "start",
        )

    def stop(self) -> None:
        """Stop at once, as a crash would: no checkpoint, every connection cut."""
        self.run(str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")


@pytest.fixture
def private_postgres() -> Iterator[Cluster]:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        if REQUIRED:
            raise RuntimeError("PEERSIM_REQUIRE_BROWSER=1 but PostgreSQL's initdb is not installed (apt-get install postgresql)")
        pytest.skip("PostgreSQL's server binaries are not installed (apt-get install postgresql): no private cluster to stop")
    binaries = Path(found[-1]).parent
    folder = Path(tempfile.mkdtemp(prefix="peersim-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root: the cluster belongs to the postgres user
        shutil.chown(folder, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    cluster = Cluster(binaries, folder, free_port(), as_user)
    cluster.run(
        str(binaries / "initdb"), "-D", str(folder / "data"), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-instructions"
    )
    cluster.start()
    try:
        yield cluster
    finally:
        with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)


FIRST = "You keep coming back to it, and you're not sure yet."  # the mini scenario's strongest path
SECOND = "What would a first small step look like to you?"


def visible_text(page: Page) -> str:
    return page.page.inner_text("[data-testid=stApp]")  # type: ignore[attr-defined]


def test_postgresql_outage_mid_session_shows_a_kind_message_and_recovers_by_itself(servers, open_page, private_postgres):
    url = private_postgres.url
    store = Store.open(url)  # migrates the fresh cluster's database
    make_user(store, "Ada", "admin")
    make_user(store, "Tia")
    store.close()
    engine = create(url)

    server = servers.start(PEERSIM_DATABASE_URL=url)
    page = open_page("pg-outage")
    p = page.page
    sign_in(page, server.url, "tia@example.org", PASSWORD)
    nav(page, "Practice")
    p.get_by_role("button", name="Choose “A short check-in”").click()
    page.settle()
    p.get_by_text("Debrief: all the feedback at the end").click()
    page.settle()
    p.get_by_role("button", name="Start the conversation").click()
    page.settle()
    p.get_by_role("button", name=FIRST).click()
    page.settle()
    assert recorded(engine) == [(1, "open", "reflect", 2)]
    engine.dispose()

    # Down while the page is open: the next click shows the kind message, and nothing technical.
    private_postgres.stop()
    p.get_by_role("button", name=SECOND).click()
    page.settle()
    shown = visible_text(page)
    assert MESSAGE in shown
    assert [word for word in TECHNICAL if word.lower() in shown.lower()] == []
    page.shot("database-down")
    nav(page, "Home")  # still down: the same message, nothing worse
    assert MESSAGE in visible_text(page)

    # Back: the next click works by itself, in the same browser session, on the same server.
    private_postgres.start()
    nav(page, "Practice")
    assert MESSAGE not in visible_text(page)
    assert said_mini(page) == [FIRST]
    assert p.get_by_role("button", name=SECOND).count() == 1

    # Down while the page is reloaded: the sign-in gate answers with the same message (503), not an error.
    private_postgres.stop()
    response = p.reload()
    assert response is not None and response.status == 503
    assert p.inner_text("[role=alert]") == MESSAGE
    page.shot("database-down-reload")
    private_postgres.start()
    p.get_by_role("link", name="Try again").click()
    page.settle()
    assert p.get_by_text("Welcome, Tia").count() == 1
    nav(page, "Practice")
    p.get_by_role("button", name="Resume it").click()
    page.settle()
    assert said_mini(page) == [FIRST]
    p.get_by_role("button", name=SECOND).click()
    page.settle()
    assert p.get_by_text("How it went").count() == 1
    expect(p.get_by_test_id("stMetricValue").first).to_have_text("100%", timeout=15_000)
    page.shot("recovered")

    engine = create(url)
    assert recorded(engine) == [(1, "open", "reflect", 2), (2, "ready", "pen", 2)]  # nothing lost, nothing twice
    with engine.connect() as connection:
        attempt = connection.execute(text("SELECT status, ending_id, points, score FROM attempts")).all()
    assert [tuple(a) for a in attempt] == [("finished", "good", 4, 100)]
    engine.dispose()
    assert page.accessibility == []


def said_mini(page: Page) -> list[str]:
    main = page.page.inner_text("[data-testid=stMain]")  # type: ignore[attr-defined]
    return re.findall(r"You: (.+)", main)


def test_a_deep_link_as_the_first_request_after_a_restart_still_goes_through_navigation(servers, open_page):
    """Streamlit would run pages/admin.py directly (every page in the sidebar) if the first run of a fresh server
    process were a deep link; serve.py turns that off, so app.py's role-based navigation always decides."""
    from records import Store
    from tests.browser.helpers import sign_in
    from tests.helpers import PASSWORD, make_user

    store = Store.open(servers.database_url)
    make_user(store, "Ada Admin", "admin")
    make_user(store, "Tara Trainee")
    store.close()
    server = servers.start(group=True)
    trainee = open_page("trainee")
    sign_in(trainee, server.url, "tara.trainee@example.org", PASSWORD)
    port = server.url.rsplit(":", 1)[1]
    server.kill()
    server = servers.start(int(port), group=True)
    trainee.page.goto(server.url + "/admin")  # the fresh process's first run
    trainee.settle()
    links = [t.split("\n")[-1] for t in trainee.page.get_by_test_id("stSidebarNavItems").get_by_role("link").all_inner_texts()]
    assert not {"admin", "studio", "scenario studio", "dashboard", "class dashboard"} & {name.lower() for name in links}
    assert links[:2] == ["Home", "Practice"]
    assert "This page is for admins." not in trainee.page.inner_text("[data-testid=stMain]")  # never ran admin.py


# ------------------------------------------------------------------------------- server restart, no reload
STREAMLIT_DIALOG = "Are you connected to the internet?"
RETRIES_BEFORE_DIALOG = 7
"""Streamlit's frontend opens its connection-lost dialog after its sixth failed ping of /_stcore/health (its
ConnectionManager.showRetryError): seven failed pings leave no doubt that it would be open by now."""


def connection_state(page: Page) -> str:
    return str(page.page.get_attribute("[data-testid=stApp]", "data-test-connection-state"))  # type: ignore[attr-defined]


def wait_for_failed_pings(page: Page, failed: list[str], count: int) -> None:
    deadline = time.monotonic() + 120
    while len(failed) < count:
        assert time.monotonic() < deadline, f"only {len(failed)} failed pings"
        page.page.wait_for_timeout(250)  # type: ignore[attr-defined]  # lets Playwright deliver the page's events


def shot_while_down(page: Page, label: str) -> None:
    """A screenshot, and axe on PeerSim's banner alone: while disconnected Streamlit greys out the links and buttons it
    has made inactive (without marking them aria-disabled, so axe reports their contrast), and WCAG 1.4.3 exempts
    inactive components."""
    from axe_playwright_python.sync_playwright import Axe

    SHOTS.mkdir(parents=True, exist_ok=True)
    page.page.screenshot(path=str(SHOTS / f"{page.name}-{label}.png"), full_page=True)  # type: ignore[attr-defined]
    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    results = Axe().run(page.page, context=".peersim-offline", options=options).response
    page.accessibility += [f"{label}: {v['id']} ({v['impact']})" for v in results["violations"]]


def test_a_restart_shows_peersims_words_and_the_next_click_is_not_silently_dropped(servers, open_page, isolated_data):
    store = Store.open(isolated_data)
    make_user(store, "Ada", "admin")
    make_user(store, "Tia")
    store.close()
    engine = create(isolated_data)
    port = free_port()
    server = servers.start(port, group=True)
    page = open_page("laptop")
    phone = open_page("phone", phone=True)
    p = page.page
    sign_in(page, server.url, "tia@example.org", PASSWORD)
    sign_in(phone, server.url, "tia@example.org", PASSWORD)
    assert p.locator(".peersim-offline").is_hidden()  # connected: PeerSim's outage words take no room
    nav(page, "Practice")
    p.get_by_role("button", name="Choose “A short check-in”").click()
    page.settle()
    p.get_by_text("Debrief: all the feedback at the end").click()
    page.settle()
    p.get_by_role("button", name="Start the conversation").click()
    page.settle()
    p.get_by_role("button", name=FIRST).click()
    page.settle()
    assert recorded(engine) == [(1, "open", "reflect", 2)]

    failed: list[str] = []
    p.on("requestfailed", lambda r: failed.append(r.url) if r.url.endswith("/_stcore/health") else None)
    server.kill()
    wait_for_failed_pings(page, failed, RETRIES_BEFORE_DIALOG)
    assert connection_state(page) != "CONNECTED"
    banner = p.locator(".peersim-offline")
    expect(banner).to_be_visible()
    assert banner.inner_text() == f"Waiting for PeerSim. {CONNECTION_LOST}"
    assert banner.get_attribute("role") == "status"
    assert p.get_by_role("dialog").count() == 0  # Streamlit's own dialog stays shut
    assert STREAMLIT_DIALOG not in p.inner_text("body")
    box = banner.bounding_box()
    assert box is not None and box["y"] == 0 and box["width"] == 1200  # across the top of the page, in view
    shot_while_down(page, "server-down")
    expect(phone.page.locator(".peersim-offline")).to_be_visible(timeout=60_000)
    phone_box = phone.page.locator(".peersim-offline").bounding_box()
    assert phone_box is not None and phone_box["y"] == 0 and phone_box["width"] == 390
    assert STREAMLIT_DIALOG not in phone.page.inner_text("body")
    shot_while_down(phone, "server-down")

    server = servers.start(port, group=True)
    p.wait_for_selector("[data-testid=stApp][data-test-connection-state=CONNECTED]", timeout=60_000)
    expect(banner).to_be_hidden()
    # The page still shows the conversation, drawn by the old server's session: the next click reaches a new session
    # that knows nothing of it. It used to vanish without a word (the library came back, nothing recorded).
    p.get_by_role("button", name=SECOND).click()
    page.settle()
    assert p.get_by_text(RECONNECTED).count() == 1
    assert recorded(engine) == [(1, "open", "reflect", 2)]  # nothing half-done
    assert said_mini(page) == [FIRST]  # the conversation is back where it was saved, with no Resume to press
    page.shot("told-to-choose-again")
    p.get_by_role("button", name=SECOND).click()
    page.settle()
    assert p.get_by_text(RECONNECTED).count() == 0  # said once
    assert p.get_by_text("How it went").count() == 1
    assert recorded(engine) == [(1, "open", "reflect", 2), (2, "ready", "pen", 2)]  # the choice counts, once
    page.shot("chosen-again")

    # A page opened afresh is no replacement for a lost session: no notice.
    p.reload()
    page.settle()
    assert p.get_by_text(RECONNECTED).count() == 0
    engine.dispose()
    assert page.accessibility == []
    assert phone.accessibility == []
