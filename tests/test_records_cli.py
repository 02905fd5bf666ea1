"""``python -m records create-admin`` and the migrations."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from records import Store
from records.__main__ import main
from records.db import create
from records.tables import metadata
from tests.helpers import PASSWORD, ROOT


def answers(*replies: str):
    queue = list(replies)
    return lambda prompt: queue.pop(0)


def test_create_admin_asks_for_the_password_twice(isolated_data, capsys):
    assert main(["create-admin", "--name", "Ada Admin", "--email", "ada@example.org"], ask=answers(PASSWORD, PASSWORD)) == 0
    assert capsys.readouterr().out == "Created admin Ada Admin <ada@example.org>. Sign in at /auth/signin.\n"
    store = Store.open(isolated_data)
    assert store.accounts.sign_in("ada@example.org", PASSWORD).role == "admin"
    store.close()


def test_create_admin_refuses_mismatches_weak_passwords_and_a_second_admin(isolated_data, capsys):
    args = ["create-admin", "--name", "Ada", "--email", "ada@example.org"]
    assert main(args, ask=answers(PASSWORD, PASSWORD + "x")) == 1
    assert capsys.readouterr().err == "The two passwords were different; nothing was created.\n"
    assert main(args, ask=answers("password1", "password1")) == 1
    assert capsys.readouterr().err.startswith("Nothing was created: This is a very common password.")
    assert main(args, ask=answers(PASSWORD, PASSWORD)) == 0
    capsys.readouterr()
    assert main(["create-admin", "--name", "Eve", "--email", "eve@example.org"], ask=answers(PASSWORD, PASSWORD)) == 1
    assert capsys.readouterr().err == "Nothing was created: PeerSim already has an admin. Ask them to create your account.\n"


def test_migrations_build_exactly_the_tables_the_code_uses(isolated_data):
    engine = create(isolated_data)
    Store.open(isolated_data).close()
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    engine.dispose()
    assert differences == []


def latest_revision() -> str:
    """The newest migration file's revision (the head of a straight history)."""
    folder = ROOT / "records" / "migrations" / "versions"
    return max(p.name.split("_", 1)[0] for p in folder.glob("[0-9]*.py"))


def test_two_servers_starting_at_once_migrate_once(postgres_database):
    """PostgreSQL: an advisory lock makes concurrent starts take turns, so both succeed on a fresh database."""
    if postgres_database is None:
        pytest.skip("needs PEERSIM_TEST_DATABASE_URL (PostgreSQL)")
    import threading
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from records.db import migrate

    admin = create_engine(make_url(postgres_database).set(database="postgres"), isolation_level="AUTOCOMMIT")
    name = f"peersim_race_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(postgres_database).set(database=name).render_as_string(hide_password=False)
    errors: list[BaseException] = []

    def start_server() -> None:
        engine = create(url)
        try:
            migrate(engine)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            engine.dispose()

    try:
        threads = [threading.Thread(target=start_server, daemon=True) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)  # without the lock, concurrent CREATE TABLEs block each other
        assert not any(t.is_alive() for t in threads), "concurrent migrations did not finish"
        assert errors == []
        engine = create(url)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [latest_revision()]
        engine.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
