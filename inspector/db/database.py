"""Open the laptop database: refuse what is not ours or too new, back up, migrate, and set durable pragmas."""

from __future__ import annotations

import datetime as dt
import sqlite3
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

# Every migration this version of the app knows, oldest first (tests check it against the Alembic scripts).
KNOWN_REVISIONS = ("0001", "0002", "0003", "0004")
HEAD = KNOWN_REVISIONS[-1]
SQLITE_HEADER = b"SQLite format 3\x00"


class DatabaseError(Exception):
    """The database cannot be opened or used; the message says what and where, the file is left untouched."""


@dataclass
class Database:
    """An open database: its file, engine and session factory (one session per task or thread)."""

    path: Path
    engine: Engine
    sessions: sessionmaker[Session]
    migrated_from: str | None = None
    backup_path: Path | None = None

    def session(self) -> Session:
        return self.sessions()

    def close(self) -> None:
        self.engine.dispose()


def fold(text: str | None) -> str | None:
    """Lower-case without accents, for searches that find « Étaples » when typing « etaples »."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def _set_pragmas(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.create_function("fold", 1, fold, deterministic=True)
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")  # a commit returns only once the WAL is on disk
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def read_revision(path: Path) -> str | None:
    """The schema revision stored in the file, None for a new or empty file; refuses foreign files."""
    if not path.exists() or path.stat().st_size == 0:
        return None
    with path.open("rb") as fh:
        header = fh.read(16)
    if header != SQLITE_HEADER:
        raise DatabaseError(f"{path} n'est pas une base de données Inspector (ce n'est pas un fichier SQLite).")
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise DatabaseError(f"{path} : ouverture impossible ({exc}).") from None
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not tables:
            return None
        if "alembic_version" not in tables:
            raise DatabaseError(f"{path} n'est pas une base de données Inspector (aucune version de schéma).")
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"{path} est endommagé ou illisible ({exc}).") from None
    finally:
        con.close()
    return row[0] if row else None


def backup_file(source: Path, dest_dir: Path, label: str) -> Path:
    """A consistent copy of the database (SQLite online backup), named with the time and the reason."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    dest = dest_dir / f"{source.stem}-{stamp}-{label}.sqlite"
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(dest)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return dest


def _migrate(engine: Engine, target: str) -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, target)


def make_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})
    event.listen(engine, "connect", _set_pragmas)
    return engine


def open_database(path: str | Path, *, backup_dir: str | Path | None = None, target: str = HEAD) -> Database:
    """Open (creating or upgrading as needed) the database at `path`.

    A database made by a newer Inspector is refused untouched. Before any upgrade of an existing file, a backup
    copy is written to `backup_dir` (default: a `backups` folder beside the file).
    """
    path = Path(path)
    current = read_revision(path)
    if current is not None and current not in KNOWN_REVISIONS:
        raise DatabaseError(
            f"{path} a été créée par une version plus récente d'Inspector (schéma {current}, cette version connaît "
            f"jusqu'à {HEAD}). Mettez l'application à jour ; le fichier n'a pas été modifié.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseError(f"{path.parent} : dossier impossible à créer ({exc.strerror or exc}).") from None
    backup: Path | None = None
    if current is not None and KNOWN_REVISIONS.index(current) < KNOWN_REVISIONS.index(target):
        backup = backup_file(path, Path(backup_dir) if backup_dir else path.parent / "backups",
                             f"avant-migration-{target}")
    engine = make_engine(path)
    if current != target:
        try:
            _migrate(engine, target)
        except Exception as exc:
            engine.dispose()
            where = f" ; la copie de sauvegarde est {backup}" if backup else ""
            raise DatabaseError(f"{path} : la mise à jour du schéma a échoué ({exc}){where}.") from exc
    return Database(path, engine, sessionmaker(engine, expire_on_commit=False), current, backup)


def check_database(path: str | Path) -> list[str]:
    """Problems found by SQLite's integrity and foreign-key checks (empty list = healthy)."""
    path = Path(path)
    revision = read_revision(path)
    problems: list[str] = []
    if revision is None:
        return [f"{path} : base vide ou absente"]
    if revision not in KNOWN_REVISIONS:
        problems.append(f"schéma {revision} inconnu de cette version (plus récente ?)")
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        result = [r[0] for r in con.execute("PRAGMA integrity_check")]
        if result != ["ok"]:
            problems += [f"intégrité : {r}" for r in result]
        for table, rowid, parent, _fk in con.execute("PRAGMA foreign_key_check"):
            problems.append(f"clé étrangère : {table} ligne {rowid} renvoie à {parent} absent")
    finally:
        con.close()
    return problems
