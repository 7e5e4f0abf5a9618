"""UI test fixtures: offscreen Qt, a fresh demo database per test module, settings that never touch the user's."""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings  # noqa: E402

from inspector.db.database import open_database  # noqa: E402
from tests.sync.conftest import Server, create_accounts, free_port, person_ids, wait_healthy  # noqa: E402

TODAY = dt.date(2026, 11, 25)


@pytest.fixture(scope="session")
def demo_db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo agency, built once; each test copies it."""
    from inspector.demo_data import build_demo_database

    folder = tmp_path_factory.mktemp("demo")
    db = open_database(folder / "inspector.sqlite")
    build_demo_database(db, today=TODAY)
    db.close()
    return folder / "inspector.sqlite"


@pytest.fixture
def data_dir(tmp_path: Path, demo_db_file: Path) -> Path:
    import shutil

    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(demo_db_file, folder / "inspector.sqlite")
    src_photos = demo_db_file.parent / "photos"
    if src_photos.exists():
        shutil.copytree(src_photos, folder / "photos")
    return folder


@pytest.fixture
def qsettings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def ctx(qtbot, data_dir: Path, qsettings: QSettings):
    from ui.context import AppContext

    context = AppContext(data_dir, qsettings)
    context.set_database(open_database(data_dir / "inspector.sqlite"))
    yield context
    context.runner.wait_idle()
    context.db.close()


# ----- a real agency server for the sync screens (tests/ui/test_sync_ui.py, test_conflict_resolution_ui.py) -----


@pytest.fixture
def cheap_hashes() -> Iterator[None]:
    """Light argon2 parameters for the accounts made here (checks stay real)."""
    from argon2 import PasswordHasher

    from inspector.server import accounts

    saved = accounts._HASHER
    accounts._HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    accounts._HASHER = saved


@pytest.fixture
def server(ctx, tmp_path: Path, cheap_hashes: None) -> Iterator[Server]:
    """uvicorn on 127.0.0.1 in a thread, embedded SQLite, the demo agency's accounts (no data yet)."""
    import uvicorn

    from inspector.server.app import create_app

    database_url = f"sqlite:///{tmp_path / 'server' / 'inspector-server.sqlite'}"
    app = create_app(database_url, tmp_path / "server-files")
    people = create_accounts(app.state.sessions, person_ids(ctx.db))
    port = free_port()
    runner = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           access_log=False))
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    wait_healthy(url)
    yield Server(url, database_url, tmp_path / "server-files", app.state.sessions, people=people)
    runner.should_exit = True
    thread.join(timeout=10)
    app.state.engine.dispose()
