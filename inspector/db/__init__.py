"""Persistence: the laptop's SQLite database, its schema migrations and durability settings."""
