"""``python -m records create-admin`` and the migrations."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from records import Store
from records.__main__ import main
from records.db import create
from records.tables import metadata
from tests.conftest import PASSWORD


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
