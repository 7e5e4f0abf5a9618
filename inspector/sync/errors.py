"""Sync failures, each with a French reason category the app and the CLI show as is."""

from __future__ import annotations

from typing import Any

NETWORK = "réseau"
AUTH = "authentification"
CONFLICT = "conflit"
SERVER = "serveur"
LOCAL = "poste"  # the laptop itself: backup impossible, demo data, disk


class SyncError(Exception):
    """A sync that could not go on: `category` says why in one word, the message says what to do."""

    def __init__(self, category: str, message: str, *, status: int | None = None, code: str = "",
                 details: Any = None):
        super().__init__(message)
        self.category, self.message, self.status, self.code, self.details = category, message, status, code, details

    def __str__(self) -> str:
        return f"{self.category} : {self.message}"
