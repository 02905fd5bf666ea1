"""Shared fixtures. Every test gets its own data folder and database; nothing touches the real data/.

The database is SQLite in a temporary folder unless PEERSIM_TEST_DATABASE_URL names a PostgreSQL server
(for example postgresql://postgres@127.0.0.1:5432/postgres): then the test session creates a fresh database
on that server, runs every test against it (emptied between tests) and drops it at the end.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from records import Store
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


@pytest.fixture(autouse=True)
def isolated_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres_database: str | None) -> Iterator[str]:
    """Point PeerSim's data folder and database at this test's own copies."""
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("PEERSIM_DATA_DIR", str(data))
    if postgres_database is None:
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
