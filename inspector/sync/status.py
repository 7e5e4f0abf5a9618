"""What the app's sync status shows: rows waiting to be sent, the last sync's outcome, open conflicts (Qt-free).

Read-only: nothing here writes to the database, so the app may call it at any time (off the UI thread).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, func, select

from ..db.database import Database
from . import protocol, state
from .local import tombstones

DELETIONS = "tombstones"  # key of pending deletions in pending_counts()


@dataclass(frozen=True)
class SyncStatus:
    """A snapshot for the status line and the sync dialog."""

    pending: dict[str, int] = field(default_factory=dict)  # table -> rows waiting (DELETIONS: deletions)
    last: dict[str, Any] | None = None  # settings.sync_last: at (naive UTC ISO), server, ok, category, message
    conflicts: list[dict[str, Any]] = field(default_factory=list)  # open conflicts, each with a "key" and "label"

    @property
    def total_pending(self) -> int:
        return sum(self.pending.values())


def pending_counts(db: Database) -> dict[str, int]:
    """Rows marked `pending_sync` per synced table, and deletions not yet acknowledged (tables with none omitted)."""
    counts: dict[str, int] = {}
    with db.engine.connect() as conn:
        for name in protocol.TABLES:
            t = protocol.table(name)
            n = conn.scalar(select(func.count()).select_from(t).where(t.c.pending_sync.is_(True))) or 0
            if n:
                counts[name] = int(n)
        deletable = [n for n in protocol.TABLES if n not in protocol.APPEND_ONLY]
        n = conn.scalar(select(func.count()).select_from(tombstones).where(
            tombstones.c.pending_sync.is_(True), tombstones.c.table_name.in_(deletable))) or 0
        if n:
            counts[DELETIONS] = int(n)
    return counts


def _visit_label(conn: Connection, visit_id: str | None) -> str:
    if not visit_id:
        return ""
    visits, establishments = protocol.table("visits"), protocol.table("establishments")
    row = conn.execute(select(establishments.c.name, visits.c.visited_on, visits.c.planned_on)
                       .join(establishments, establishments.c.id == visits.c.establishment_id)
                       .where(visits.c.id == visit_id)).first()
    if row is None:
        return ""
    day = row.visited_on or row.planned_on
    return f"{row.name} ({day.strftime('%d/%m/%Y')})" if day else str(row.name)


def describe(conn: Connection, table: str, row_id: str) -> str:
    """A few words naming a row for people (an establishment's name, a visit's place and date); "" if unknown."""
    if table not in protocol.TABLES:
        return ""
    t = protocol.table(table)
    if table == "visits":
        return _visit_label(conn, row_id)
    if "visit_id" in t.c:
        return _visit_label(conn, conn.scalar(select(t.c.visit_id).where(t.c.id == row_id)))
    if "name" in t.c:
        return str(conn.scalar(select(t.c.name).where(t.c.id == row_id)) or "")
    if "establishment_id" in t.c:
        establishments = protocol.table("establishments")
        return str(conn.scalar(select(establishments.c.name).join(t, t.c.establishment_id == establishments.c.id)
                               .where(t.c.id == row_id)) or "")
    return ""


def sync_status(db: Database) -> SyncStatus:
    """Pending counts, last outcome and open conflicts (with a label each), in one read."""
    pending = pending_counts(db)
    with db.engine.connect() as conn:
        last = state.get(conn, state.LAST)
        conflicts = [{**c, "key": state.conflict_key(c),
                      "label": describe(conn, str(c.get("table", "")), str(c.get("row_id", "")))}
                     for c in state.open_conflicts(conn)]
    return SyncStatus(pending, last if isinstance(last, dict) else None, conflicts)
