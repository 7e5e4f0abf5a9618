"""Laptop ↔ agency server synchronisation: the shared protocol and the laptop client (Qt-free, httpx)."""

from .client import SyncReport, sync
from .errors import SyncError
from .http import login

__all__ = ["SyncError", "SyncReport", "login", "sync"]
