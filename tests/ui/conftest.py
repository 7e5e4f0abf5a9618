"""UI test fixtures: offscreen Qt, a fresh demo database per test module, settings that never touch the user's."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings  # noqa: E402

from inspector.db.database import open_database  # noqa: E402

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
