"""Where Inspector keeps its data: the platform's data folder, overridable by --data-dir or INSPECTOR_DATA_DIR."""

from __future__ import annotations

import os
from pathlib import Path

DATA_ENV = "INSPECTOR_DATA_DIR"
DB_NAME = "inspector.sqlite"


def data_dir(override: str | Path | None = None) -> Path:
    """The data folder: explicit override, then the environment variable, then the platform's convention."""
    if override:
        return Path(override).expanduser()
    if os.environ.get(DATA_ENV):
        return Path(os.environ[DATA_ENV]).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("Inspector", "Inspector", roaming=True))


def database_path(folder: Path) -> Path:
    return folder / DB_NAME


def photos_dir(folder: Path) -> Path:
    return folder / "photos"


def documents_dir(folder: Path) -> Path:
    return folder / "documents"


def backups_dir(folder: Path) -> Path:
    return folder / "backups"
