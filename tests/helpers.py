"""Helpers shared by the tests: plain functions and constants, imported by name (``from tests.helpers import ...``).
Fixtures live in the conftest files beside them; nothing here is a fixture (pre-commit's ``testing/`` layout)."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import insert, text

from records import Store, User, clock
from records.tables import users
from scenarios import LoadedScenario, Rubric, Scenario
from scoring.shuffle import choice_order

if TYPE_CHECKING:
    from starlette.testclient import TestClient
    from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
"""The project folder."""
FIXTURES = ROOT / "tests" / "fixtures"
EXAM_BANK = FIXTURES / "exam-bank"
"""A small question bank whose keys follow a rule (tests/test_exam.py ``key_of``)."""

PASSWORD = "quiet river lantern 42"
"""A password that meets the policy, for test accounts."""


def make_user(store: Store, name: str, role: str = "trainee") -> User:
    """An account with this name and role (creating the first admin behind the scenes when needed)."""
    email = f"{name.lower().replace(' ', '.')}@example.org"
    if role == "trainee":
        return store.accounts.register(name, email, PASSWORD)
    if role == "admin" and not store.accounts.has_admin():
        return store.accounts.create_first_admin(name, email, PASSWORD)
    admins = [a.user for a in store.accounts.list(root_admin(store)) if a.user.role == "admin"]
    return store.accounts.create_user(admins[0], name, email, PASSWORD, role)


def root_admin(store: Store) -> User:
    """The first admin, created as "Root Admin" when there is none yet."""
    if not store.accounts.has_admin():
        return store.accounts.create_first_admin("Root Admin", "root@example.org", PASSWORD)
    with store.engine.connect() as connection:
        row = connection.execute(text("SELECT id, name, email FROM users WHERE role = 'admin' ORDER BY id LIMIT 1")).one()
    return User(row.id, row.name, "admin", row.email)


def session_for(database_url: str, name: str = "Ana", role: str = "trainee") -> str:
    """Create an account and sign it in on the server; return the token its session cookie would carry."""
    store = Store.open(database_url)
    try:
        if role != "admin" and not store.accounts.has_admin():
            make_user(store, "Root Admin", "admin")
        return store.accounts.start_session(make_user(store, name, role))
    finally:
        store.close()


def app_for(token: str | None = None, script: Path | None = None) -> AppTest:
    """A new browser session on the app (AppTest), signed in with ``token`` when given."""
    from streamlit.testing.v1 import AppTest

    from ui import state

    at = AppTest.from_file(str(script or ROOT / "app.py"), default_timeout=60)
    if token is not None:
        at.session_state[state.SESSION_TOKEN] = token
    return at.run()


def plain_yaml_box(at: AppTest) -> AppTest:
    """Have the studio's YAML view show its plain text box, which AppTest can type into (the code editor is a
    custom component: a browser thing, driven by tests/browser/test_studio_code.py)."""
    from ui import studio_code

    at.session_state[studio_code.CHOICE_KEY] = studio_code.PLAIN
    return at


def texts(at: AppTest) -> list[str]:
    """Everything the page says in markdown-like elements (markdown, captions and alerts), in order of kind."""
    found = []
    for kind in ("markdown", "caption", "success", "info", "warning", "error"):
        found.extend(element.value for element in at.get(kind))
    return found


def record_first_choice(store: Store, user: User, mini: LoadedScenario, mode: str = "coached") -> int:
    """Start the 'mini' scenario for ``user`` and record its first choice (reflect, +1); return the attempt id."""
    attempt = store.start_attempt(
        user, scenario_id=mini.id, content_hash=mini.content_hash, source=mini.text, start=mini.scenario.start, mode=mode
    )
    store.record_decision(
        user,
        attempt.id,
        step=1,
        node_id="open",
        choice_id="reflect",
        criteria=["po.reflective-listening"],
        points=1,
        next_node="ready",
        time_taken_ms=900,
    )
    return attempt.id


class MovingClock:
    """records.clock held at a moment the test moves: ``clock(timedelta(...))`` moves it on by that much,
    ``clock(datetime(...))`` sets it to that moment."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, start: datetime) -> None:
        self.now = start
        monkeypatch.setattr(clock, "now", lambda: self.now)

    def __call__(self, to: datetime | timedelta) -> None:
        self.now = self.now + to if isinstance(to, timedelta) else to


@contextmanager
def refused(kind: type[Exception], message: str) -> Iterator[None]:
    """The block raises ``kind`` with exactly ``message``."""
    with pytest.raises(kind) as caught:
        yield
    assert str(caught.value) == message


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def charts(at: AppTest) -> dict[str, dict[str, Any]]:
    """Every Plotly chart on the page (AppTest), its figure by element id."""
    return {chart.proto.id: json.loads(chart.proto.spec) for chart in at.get("plotly_chart")}


def csrf(http: TestClient, path: str) -> str:
    """The CSRF token of the server-rendered form at ``path``."""
    page = http.get(path)
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None, page.text
    return found.group(1)


def sso_account(store: Store, name: str, email: str, role: str = "trainee") -> int:
    """An account an admin made for single sign-on: an email address, no password, no linked identity yet."""
    with store.engine.begin() as connection:
        key = connection.execute(
            insert(users).values(name=name, name_key=name.casefold(), email=email, role=role, created_at=clock.now())
        ).inserted_primary_key
    assert key is not None
    return int(key[0])


def play(store: Store, user: User, mini: LoadedScenario, rubric: Rubric, path: list[tuple[str, str]]) -> int:
    """One attempt at ``mini`` (any loaded scenario) along ``path``, each choice recorded as the Practice page
    records it (records scores it); finished when it reaches an ending. Returns the attempt id."""
    attempt = store.start_attempt(
        user, scenario_id=mini.id, content_hash=mini.content_hash, source=mini.text, start=mini.scenario.start, mode="coached"
    )
    for step, (node_id, choice_id) in enumerate(path, start=1):
        store.record_choice(
            user,
            attempt.id,
            step=step,
            node_id=node_id,
            choice_id=choice_id,
            time_taken_ms=1000,
            loaded=mini,
            rubric=rubric,
        )
    return attempt.id


def file_order_seed(scenario: Scenario) -> str:
    """A shuffle seed under which every decision point of ``scenario`` shows its responses in file order, found by
    trying seeds in turn (scoring.shuffle is a pure function of the seed): for tests that pin what a page shows
    letter by letter. Tests of the shuffle itself use random seeds."""
    for attempt in range(100_000):
        seed = f"file-order-{attempt}"
        if all(
            choice_order(seed, node_id, ids) == ids
            for node_id, ids in ((n, [c.id for c in node.choices]) for n, node in scenario.nodes.items())
        ):
            return seed
    raise AssertionError("no seed keeps the file order")  # pragma: no cover - 1 in 36 for mini


def show_in_file_order(monkeypatch: pytest.MonkeyPatch, scenario: Scenario) -> str:
    """New attempts and live classes in this test show ``scenario``'s responses in file order; returns the seed."""
    seed = file_order_seed(scenario)
    for module in ("records.practice", "records.live"):
        monkeypatch.setattr(f"{module}.new_seed", lambda: seed)
    return seed
