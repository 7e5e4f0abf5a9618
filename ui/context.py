"""What every screen shares, passed in explicitly (no global app object): database, task runner, settings, signals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSettings, Signal

from inspector.db.database import Database

from . import strings
from .tasks import TaskRunner


class AppContext(QObject):
    """The open database, the task runner and the user's settings; signals for data and language changes."""

    data_changed = Signal(object)  # dict[str, set[str]]: table -> ids (from a service's Changed)
    language_changed = Signal(str)
    database_ready = Signal()
    message = Signal(str, int)  # text, milliseconds (status bar)

    def __init__(self, data_dir: Path, settings: QSettings, parent: QObject | None = None):
        super().__init__(parent)
        self.data_dir = data_dir
        self.settings = settings
        self.runner = TaskRunner(self)
        self.db: Database | None = None
        self.user_id: str | None = settings.value("inspector/user_id", None)
        strings.set_language(str(settings.value("ui/language", "fr")))

    def set_database(self, db: Database) -> None:
        self.db = db
        self.database_ready.emit()

    def notify(self, changed: Any) -> None:
        """Tell every screen what a service changed (an OpResult's Changed, or its rows)."""
        rows = getattr(changed, "rows", changed)
        if rows:
            self.data_changed.emit(rows)

    def set_language(self, lang: str) -> None:
        strings.set_language(lang)
        self.settings.setValue("ui/language", strings.language())
        self.language_changed.emit(strings.language())

    @property
    def photo_max_side(self) -> int | None:
        value = int(self.settings.value("photos/max_side", 2048))
        return value or None
