"""Alembic migrations of the laptop database (numbered, batch mode for SQLite)."""
