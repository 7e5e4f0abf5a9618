"""Alembic environment of the server schema: runs on the connection the server hands over (SQLite or PostgreSQL)."""

from __future__ import annotations

from alembic import context

from inspector.server.models import ServerBase

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only used by developers generating a migration
    from sqlalchemy import create_engine

    connection = create_engine(config.get_main_option("sqlalchemy.url")).connect()

context.configure(connection=connection, target_metadata=ServerBase.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
