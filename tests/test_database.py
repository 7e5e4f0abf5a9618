"""The laptop database: creation, durable pragmas, migrations with backup, refusal of newer or foreign files."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from inspector.db.database import HEAD, KNOWN_REVISIONS, DatabaseError, check_database, open_database
from inspector.db.models import Base
from tests.conftest import DATA

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_0001 = DATA / "db" / "schema-0001.sqlite"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_new_database_is_at_head_with_durable_pragmas(tmp_path: Path) -> None:
    db = open_database(tmp_path / "sub" / "inspector.sqlite")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == HEAD
    assert db.migrated_from is None and db.backup_path is None
    db.close()


def test_known_revisions_match_the_alembic_scripts() -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(ROOT / "inspector" / "db" / "migrations"))
    script = ScriptDirectory.from_config(cfg)
    assert script.get_heads() == [HEAD]
    chain = [rev.revision for rev in reversed(list(script.walk_revisions()))]
    assert tuple(chain) == KNOWN_REVISIONS


def test_models_and_migrations_agree(tmp_path: Path) -> None:
    db = open_database(tmp_path / "inspector.sqlite")
    with db.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diffs == []
    db.close()


def test_upgrade_of_a_database_made_by_the_first_migration(tmp_path: Path) -> None:
    path = tmp_path / "inspector.sqlite"
    shutil.copy(FIXTURE_0001, path)
    before = sha(path)
    db = open_database(path)
    assert db.migrated_from == "0001"
    assert db.backup_path is not None and db.backup_path.parent == tmp_path / "backups"
    backup = sqlite3.connect(db.backup_path)
    assert backup.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
    assert backup.execute("SELECT count(*) FROM observations").fetchone() == (4,)
    backup.close()
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == HEAD
        assert conn.exec_driver_sql("SELECT count(*) FROM observations").scalar() == 4
        assert conn.exec_driver_sql("SELECT name FROM establishments").scalar() == "Studio Dufour"
    # Migration 0002 made the observation log append-only.
    with pytest.raises(Exception, match="append-only"), db.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM observations")
    db.close()
    assert before != sha(path)
    assert check_database(path) == []


def test_a_newer_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "inspector.sqlite"
    shutil.copy(FIXTURE_0001, path)
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = '0099'")
    con.commit()
    con.close()
    before = sha(path)
    with pytest.raises(DatabaseError, match="version plus récente d'Inspector.*schéma 0099.*n'a pas été modifié"):
        open_database(path)
    assert sha(path) == before
    assert not (tmp_path / "backups").exists()


def test_foreign_and_damaged_files_are_refused(tmp_path: Path) -> None:
    text = tmp_path / "notes.sqlite"
    text.write_text("pas une base", encoding="utf-8")
    with pytest.raises(DatabaseError, match="n'est pas une base de données Inspector"):
        open_database(text)
    other = tmp_path / "other.sqlite"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    with pytest.raises(DatabaseError, match="aucune version de schéma"):
        open_database(other)
    broken = tmp_path / "broken.sqlite"
    data = bytearray(FIXTURE_0001.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)
    broken.write_bytes(bytes(data))
    with pytest.raises(DatabaseError):
        open_database(broken)


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "inspector", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)


def test_cli_backup_and_check(tmp_path: Path) -> None:
    shutil.copy(FIXTURE_0001, tmp_path / "inspector.sqlite")
    open_database(tmp_path / "inspector.sqlite").close()
    out = run_cli("--data-dir", str(tmp_path), "backup", "--to", str(tmp_path / "copies"))
    assert out.returncode == 0, out.stderr
    copies = list((tmp_path / "copies").glob("*.sqlite"))
    assert len(copies) == 1 and check_database(copies[0]) == []
    check = run_cli("--data-dir", str(tmp_path), "db", "check")
    assert check.returncode == 0 and f"intègre (schéma {HEAD})" in check.stdout


def test_cli_check_reports_a_missing_or_foreign_database(tmp_path: Path) -> None:
    out = run_cli("--data-dir", str(tmp_path), "db", "check")
    assert out.returncode == 2 and "aucune base de données" in out.stderr
    (tmp_path / "inspector.sqlite").write_text("bonjour", encoding="utf-8")
    out = run_cli("--data-dir", str(tmp_path), "db", "check")
    assert out.returncode == 2 and "n'est pas une base de données Inspector" in out.stderr
    assert "Traceback" not in out.stderr


def test_data_dir_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from inspector.paths import data_dir

    monkeypatch.setenv("INSPECTOR_DATA_DIR", str(tmp_path / "env"))
    assert data_dir() == tmp_path / "env"
    assert data_dir(tmp_path / "flag") == tmp_path / "flag"
