"""The server's database: an embedded SQLite file by default, PostgreSQL (psycopg 3) in production; same migrations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SERVER_DB_NAME = "inspector-server.sqlite"
SERVER_HEAD = "s0002"


class ServerDatabaseError(Exception):
    """The server database cannot be reached or upgraded; the message says which and why."""


def default_database_url(data_dir: Path) -> str:
    """The embedded database of `inspector serve` when no --database-url is given."""
    return f"sqlite:///{data_dir / SERVER_DB_NAME}"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def make_server_engine(database_url: str) -> Engine:
    """An engine for the URL (sqlite:///FILE or postgresql+psycopg://…), with durable settings."""
    try:
        url = make_url(database_url)
    except Exception as exc:
        raise ServerDatabaseError(f"Adresse de base de données invalide ({exc}).") from None
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.get_backend_name() == "postgresql":
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    raise ServerDatabaseError(f"Base de données « {url.get_backend_name()} » non prise en charge "
                              "(SQLite ou PostgreSQL).")


def migrate(engine: Engine, target: str = SERVER_HEAD) -> None:
    """Bring the server schema to `target` (Alembic, batch mode: the same scripts on SQLite and PostgreSQL)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, target)
    except Exception as exc:
        raise ServerDatabaseError(f"Mise à jour du schéma du serveur impossible : {exc}") from exc


def open_server_database(database_url: str) -> tuple[Engine, sessionmaker[Session]]:
    """Connect, migrate, and return the engine with its session factory."""
    engine = make_server_engine(database_url)
    migrate(engine)
    return engine, sessionmaker(engine, expire_on_commit=False)
