"""What every service shares: errors phrased for users, the result of an operation, grid lookup, audit."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy.orm import Session

from ..db.models import AuditEntry, Tombstone
from ..grids.model import Grid
from ..grids.registry import GridNotFound, find_grid
from ..grids.validate import GridError

T = TypeVar("T")


class ServiceError(Exception):
    """A user-facing refusal: the message says what is wrong and where; nothing was written."""


class NotFound(ServiceError):
    """The row asked for does not exist (or was deleted)."""


class VisitLocked(ServiceError):
    """The visit is completed or issued: a change needs a new revision."""


class Incomplete(ServiceError):
    """The visit cannot be completed: criteria are still unanswered."""

    def __init__(self, message: str, missing: list[str]):
        super().__init__(message)
        self.missing = missing


@dataclass
class Changed:
    """Ids of the rows an operation created, modified or deleted, by table (so a UI refreshes precisely)."""

    rows: dict[str, set[str]] = field(default_factory=dict)

    def add(self, table: str, *ids: str) -> Changed:
        self.rows.setdefault(table, set()).update(ids)
        return self

    def __contains__(self, table: str) -> bool:
        return table in self.rows


@dataclass
class OpResult(Generic[T]):
    """The value an operation returns and what it changed."""

    value: T
    changed: Changed


_GRIDS: dict[tuple[str, str, str], Grid] = {}


def pinned_grid(grid_id: str, version: str, sha256: str) -> Grid:
    """The exact grid a visit was made with (cached: grid files are immutable, identified by their hash)."""
    key = (grid_id, version, sha256)
    grid = _GRIDS.get(key)
    if grid is None:
        try:
            grid = find_grid(grid_id, version, sha256)
        except (GridNotFound, GridError) as exc:
            raise ServiceError(f"Grille de la visite indisponible : {exc}") from None
        _GRIDS[key] = grid
    return grid


def audit(session: Session, *, user_id: str | None, action: str, table: str, row_id: str,
          **details: Any) -> None:
    """Append one line to the audit log (same transaction as the change)."""
    session.add(AuditEntry(user_id=user_id, action=action, table_name=table, row_id=row_id,
                           details={k: _plain(v) for k, v in details.items()}))


def tombstone(session: Session, table: str, row_id: str) -> None:
    """Record a deletion so that it reaches the server."""
    session.add(Tombstone(table_name=table, row_id=row_id))


def _plain(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    return str(value)
