"""Engine set-up and migrations. SQLite by default (WAL, busy timeout, BEGIN IMMEDIATE for writes), PostgreSQL by URL."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, Table, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
WRITE = {"peersim_write": True}
"""Execution options for a connection that will write: on SQLite its transaction starts with BEGIN IMMEDIATE."""

_MIGRATION_LOCK = 4_721_001  # PostgreSQL advisory lock key: one server migrates at a time


def data_dir() -> Path:
    """Where the SQLite file and other data live: ``PEERSIM_DATA_DIR``, default ``data/`` in the project."""
    configured = os.environ.get("PEERSIM_DATA_DIR")
    return Path(configured).expanduser() if configured else ROOT / "data"


def database_url() -> str:
    """``PEERSIM_DATABASE_URL`` if set, else a SQLite file in the data directory."""
    configured = os.environ.get("PEERSIM_DATABASE_URL")
    if configured:
        return configured
    folder = data_dir()
    if not folder.exists():
        folder.mkdir(parents=True, mode=0o700)  # trainee records: readable by the server's user only
    return f"sqlite:///{folder / 'peersim.db'}"


def _private_sqlite_file(url: str) -> None:
    """Create the SQLite file readable and writable by the server's user only (0600), and tighten an existing
    one; SQLite gives its -wal and -shm files the database file's permissions."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if path.parent.exists():
        os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
        os.chmod(path, 0o600)


def _normalise(url: str) -> str:
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def create(url: str | None = None) -> Engine:
    """An engine for ``url`` (default: :func:`database_url`), configured for PeerSim's access pattern."""
    url = _normalise(url or database_url())
    # hide_parameters: a database error in the log never shows the values sent (token hashes, emails, names).
    if url.startswith("sqlite"):
        _private_sqlite_file(url)
        engine = create_engine(
            url, connect_args={"timeout": 30, "check_same_thread": False}, pool_pre_ping=True, hide_parameters=True
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, pool_recycle=1800, hide_parameters=True)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin (see "begin" below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
        cursor.execute("PRAGMA busy_timeout=10000")  # wait for a lock instead of failing at once
        cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; fsync at checkpoints
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # Writers take the write lock up front, so two writers queue on busy_timeout instead of one of them
        # failing with "database is locked" when a read transaction tries to upgrade.
        if connection.get_execution_options().get("peersim_write"):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")


# Alembic's command API runs each migration through module-level proxies (alembic.op, alembic.context) that one
# thread sets and then deletes: two threads of one process migrating at once break each other ("KeyError:
# 'script'"), or worse, one thread's migration runs on the other's connection. A server has several: the first
# page run, the xAPI sender and the LTI score sender each open the records at start. One at a time in a process
# (every Alembic command goes through ``alembic_on`` below, tests' included); the advisory lock orders processes.
_MIGRATING = threading.RLock()  # re-entered: migrate() holds it around the advisory lock and alembic_on


@contextmanager
def alembic_on(connection: Connection) -> Iterator[Config]:
    """Alembic's configuration for running its commands (``command.upgrade(config, "0015")``) on ``connection``,
    holding this process's migration lock while it is open, so no other thread's migration can take over
    Alembic's per-process proxies meanwhile."""
    with _MIGRATING:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        config.attributes["connection"] = connection
        yield config


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration; safe when several servers, or several threads, start at once."""
    with _MIGRATING, engine.connect().execution_options(**WRITE) as connection, connection.begin():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        with alembic_on(connection) as config:
            command.upgrade(config, "head")


def upsert_insert(dialect: str, table: Table) -> Any:
    """An INSERT for ``table`` in the dialect (``connection.dialect.name``) that has ``on_conflict_do_update`` and
    ``on_conflict_do_nothing``: PostgreSQL's or SQLite's (the only two PeerSim runs on)."""
    return (postgresql if dialect == "postgresql" else sqlite).insert(table)


def is_unavailable(error: BaseException) -> bool:
    """Whether ``error`` means the database cannot be reached or is busy right now (a restart, a network
    problem, a lock held too long), as opposed to a bug: pages then say so kindly and recover by themselves,
    since the engine checks each pooled connection before use (``pool_pre_ping``)."""
    return isinstance(error, UNAVAILABLE)


UNAVAILABLE: tuple[type[Exception], ...] = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)
"""The exception classes of a database that cannot be reached right now."""
