"""Shared fixtures. Every test gets its own data folder and database; nothing touches the real data/.

The database is SQLite in a temporary folder unless PEERSIM_TEST_DATABASE_URL names a PostgreSQL server
(for example postgresql://postgres@127.0.0.1:5432/postgres): then the test session creates a fresh database
on that server, runs every test against it (emptied between tests) and drops it at the end.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from records import Store, User
from records.db import create, migrate
from records.tables import metadata
from scenarios import LoadedScenario, Rubric, load_scenario_file
from scoring import default_rubric

FIXTURES = Path(__file__).resolve().parent / "fixtures"
POSTGRES_ADMIN_URL = os.environ.get("PEERSIM_TEST_DATABASE_URL", "")


def _is_postgres(url: str) -> bool:
    return url.startswith(("postgresql", "postgres"))


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str | None]:
    """A fresh PostgreSQL database for this test session, or None when testing on SQLite."""
    if not _is_postgres(POSTGRES_ADMIN_URL):
        yield None
        return
    admin = make_url(POSTGRES_ADMIN_URL).set(drivername="postgresql+psycopg")
    name = f"peersim_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.set(database=name).render_as_string(hide_password=False)
    migrate(create(url))
    try:
        yield url
    finally:
        with engine.connect() as connection:
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name AND pid <> pg_backend_pid()"),
                {"name": name},
            )
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database, made once; each test gets a copy (migrating is the slow part of a fresh store)."""
    path = tmp_path_factory.mktemp("template") / "peersim.db"
    engine = create(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing() -> Iterator[None]:
    """Argon2id with the cheapest parameters, for tests only: production keeps the library's defaults."""
    from argon2 import PasswordHasher

    from records import passwords

    real = passwords._HASHER
    passwords._HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    passwords._HASHER = real


@pytest.fixture(autouse=True)
def isolated_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres_database: str | None, sqlite_template: Path
) -> Iterator[str]:
    """Point PeerSim's data folder and database at this test's own copies."""
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("PEERSIM_DATA_DIR", str(data))
    if postgres_database is None:
        shutil.copyfile(sqlite_template, data / "peersim.db")
        url = f"sqlite:///{data / 'peersim.db'}"
    else:
        url = postgres_database
        engine = create(url)
        with engine.begin() as connection:
            names = ", ".join(f'"{t.name}"' for t in reversed(metadata.sorted_tables))
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        engine.dispose()
    monkeypatch.setenv("PEERSIM_DATABASE_URL", url)
    yield url


@pytest.fixture
def store(isolated_data: str) -> Iterator[Store]:
    opened = Store.open(isolated_data)
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def rubric() -> Rubric:
    return default_rubric()


@pytest.fixture(scope="session")
def mini(rubric: Rubric) -> LoadedScenario:
    return load_scenario_file(FIXTURES / "good" / "mini.yaml", rubric)


PASSWORD = "quiet river lantern 42"
"""A password that meets the policy, for test accounts."""


def make_user(store: Store, name: str, role: str = "trainee") -> User:
    """An account with this name and role (creating the first admin behind the scenes when needed)."""
    email = f"{name.lower().replace(' ', '.')}@example.org"
    if role == "trainee":
        return store.accounts.register(name, email, PASSWORD)
    if role == "admin" and not store.accounts.has_admin():
        return store.accounts.create_first_admin(name, email, PASSWORD)
    admins = [a.user for a in store.accounts.list(_root(store)) if a.user.role == "admin"]
    return store.accounts.create_user(admins[0], name, email, PASSWORD, role)


def _root(store: Store) -> User:
    if not store.accounts.has_admin():
        return store.accounts.create_first_admin("Root Admin", "root@example.org", PASSWORD)
    with store.engine.connect() as connection:
        row = connection.execute(text("SELECT id, name, email FROM users WHERE role = 'admin' ORDER BY id LIMIT 1")).one()
    return User(row.id, row.name, "admin", row.email)


@pytest.fixture
def fixture_library(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Point the app at tests/fixtures/good (the hand-scored 'mini' scenario), with Streamlit's caches fresh."""
    import streamlit as st

    monkeypatch.setenv("PEERSIM_LIBRARY_DIR", str(FIXTURES / "good"))
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


ROOT = Path(__file__).resolve().parent.parent


def session_for(database_url: str, name: str = "Ana", role: str = "trainee") -> str:
    """Create an account and sign it in on the server; return the token its session cookie would carry."""
    store = Store.open(database_url)
    try:
        if role != "admin" and not store.accounts.has_admin():
            make_user(store, "Root Admin", "admin")
        return store.accounts.start_session(make_user(store, name, role))
    finally:
        store.close()


def app_for(token: str | None = None, script: Path | None = None):  # type: ignore[no-untyped-def]
    """A new browser session on the app (AppTest), signed in with ``token`` when given."""
    from streamlit.testing.v1 import AppTest

    from ui import state

    at = AppTest.from_file(str(script or ROOT / "app.py"), default_timeout=60)
    if token is not None:
        at.session_state[state.SESSION_TOKEN] = token
    return at.run()


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
