"""Alembic environment: PeerSim always passes an open connection (records.db.migrate)."""

from __future__ import annotations

from alembic import context

from records.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - offline generation is not used
    raise RuntimeError("run migrations through records.db.migrate(engine)")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite needs table copies for ALTER
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
