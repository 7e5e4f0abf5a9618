"""The desktop app as a process: first start creates the demo database; a newer database is refused, untouched."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.conftest import DATA

ROOT = Path(__file__).resolve().parents[2]


def start(data: Path, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-m", "ui", "--data-dir", str(data), "--settings",
                           str(tmp_path / "s.ini"), "--quit-after-load", *extra], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=180)


def test_first_start_on_demo_data(tmp_path: Path) -> None:
    out = start(tmp_path / "data", tmp_path, "--demo")
    assert out.returncode == 0, out.stderr
    con = sqlite3.connect(tmp_path / "data" / "inspector.sqlite")
    assert con.execute("SELECT count(*) FROM visits").fetchone()[0] >= 40
    con.close()


def test_a_database_from_a_newer_app_is_refused_untouched(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(DATA / "db" / "schema-0001.sqlite", data / "inspector.sqlite")
    con = sqlite3.connect(data / "inspector.sqlite")
    con.execute("UPDATE alembic_version SET version_num = '0042'")
    con.commit()
    con.close()
    before = hashlib.sha256((data / "inspector.sqlite").read_bytes()).hexdigest()
    out = start(data, tmp_path)
    assert out.returncode == 2
    assert "version plus récente d'Inspector" in out.stderr and "Traceback" not in out.stderr
    assert hashlib.sha256((data / "inspector.sqlite").read_bytes()).hexdigest() == before
