"""Shared fixtures; helpers that are not fixtures live in tests/helpers.py. Every test gets its own data folder and
database; nothing touches the real data/.

The database is SQLite in a temporary folder unless PEERSIM_TEST_DATABASE_URL names a PostgreSQL server
(for example postgresql://postgres@127.0.0.1:5432/postgres): then the test session creates a fresh database
on that server, runs every test against it (emptied between tests) and drops it at the end.
"""

from __future__ import annotations

import functools
import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from records import Store
from records.db import create, migrate
from records.tables import metadata
from scenarios import LoadedScenario, Rubric, load_scenario_file
from scoring import default_rubric
from tests.helpers import EXAM_BANK, FIXTURES, MovingClock

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
    """Argon2id with the cheapest parameters, for tests only: production keeps the library's defaults. The hash
    checked for unknown emails (so that they cost as much as a wrong password) is made cheap too: it carries its
    own parameters, and at the defaults each check of an unknown email took a fifth of a second."""
    from argon2 import PasswordHasher

    from records import passwords

    real, real_dummy = passwords._HASHER, passwords.DUMMY_HASH
    passwords._HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    passwords.DUMMY_HASH = passwords._HASHER.hash("no such account: constant-time padding")
    yield
    passwords._HASHER, passwords.DUMMY_HASH = real, real_dummy


@pytest.fixture(scope="session", autouse=True)
def components_scanned_once() -> Iterator[None]:
    """Streamlit looks through every installed package's metadata for components at the start of each AppTest run
    (over a thousand metadata files: about half a second a run, the largest cost of a page test). The installed
    packages do not change during a test session, so the first scan's answer serves every run."""
    from streamlit.components.v2 import manifest_scanner

    real = manifest_scanner.scan_component_manifests
    manifest_scanner.scan_component_manifests = functools.cache(real)
    yield
    manifest_scanner.scan_component_manifests = real


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


@pytest.fixture
def fixture_library(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Point the app at tests/fixtures/good (the hand-scored 'mini' scenario), with Streamlit's caches fresh."""
    import streamlit as st

    monkeypatch.setenv("PEERSIM_LIBRARY_DIR", str(FIXTURES / "good"))
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


@pytest.fixture
def exam_bank(monkeypatch: pytest.MonkeyPatch, fixture_library: None) -> None:
    """The fixture library and the small exam bank of tests/fixtures/exam-bank, with Streamlit's caches fresh."""
    import streamlit as st

    monkeypatch.setenv("PEERSIM_BANK_DIR", str(EXAM_BANK))
    st.cache_resource.clear()


@pytest.fixture
def clock_start() -> datetime:
    """Where ``at_time`` starts the clock; a module overrides it with a fixture of the same name."""
    return datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def at_time(monkeypatch: pytest.MonkeyPatch, clock_start: datetime) -> MovingClock:
    """records.clock held at ``clock_start``: ``at_time(timedelta(...))`` moves it on, ``at_time(datetime(...))``
    sets it."""
    return MovingClock(monkeypatch, clock_start)
