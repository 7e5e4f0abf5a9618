"""The laptop's sync bookkeeping, kept in its `settings` table (no laptop migration in this slice).

* `row_version` of a synced row encodes the server version it is based on: `server_version × STRIDE`, plus one for
  each local edit the services count (a row never synced has a base of 0). The base sent with a push is
  `row_version // STRIDE`.
* `sync_cursor`: the server and the last server sequence applied; `sync_conflicts`: conflicts to show and resolve;
  `sync_sending`: set while a push is in flight (cleared on the server's acknowledgement); `sync_last`: last result.
* A conflict entry's `status`: `open` (shown, its row neither sent nor overwritten), `resolving` (decided on this
  laptop, `resolution` says how; sent at the next sync), `resolved` (the server acknowledged it: `closed_at`) or
  `superseded` (the resolution met a newer server version and became the conflict `superseded_by`). Closed entries
  stay as history (the newest HISTORY of them).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import uuid
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, select
from sqlalchemy.dialects.sqlite import insert

from ..db.models import Setting

STRIDE = 1_000_000
CURSOR = "sync_cursor"
CONFLICTS = "sync_conflicts"
SENDING = "sync_sending"
LAST = "sync_last"
DEVICE = "sync_device_id"
ALL_FILES = "sync_all_files"  # true: pulls also download the files of closed visits (default: on demand)
OPEN, RESOLVING, RESOLVED, SUPERSEDED = "open", "resolving", "resolved", "superseded"
HISTORY = 500  # closed conflict entries kept in settings (the audit log keeps every resolution)
DEMO_SETTING = "demo_data"  # set by inspector.demo_data in a demo database (same key)
settings = Setting.__table__


def base_version(row_version: int | None) -> int:
    return (row_version or 0) // STRIDE


def synced_version(server_version: int) -> int:
    return server_version * STRIDE


def get(conn: Connection, key: str, default: Any = None) -> Any:
    value = conn.scalar(select(settings.c.value).where(settings.c.key == key))
    return default if value is None else value


def put(conn: Connection, key: str, value: Any) -> None:
    stmt = insert(settings).values(key=key, value=value)
    conn.execute(stmt.on_conflict_do_update(index_elements=[settings.c.key], set_={"value": stmt.excluded.value}))


def drop(conn: Connection, key: str) -> None:
    conn.execute(settings.delete().where(settings.c.key == key))


def device_id(conn: Connection) -> str:
    """This laptop's sync identity (made once)."""
    value = get(conn, DEVICE)
    if not value:
        value = str(uuid.uuid4())
        put(conn, DEVICE, value)
    return str(value)


def cursor(conn: Connection, server_url: str) -> int:
    """Last server sequence applied from this server (0 for a first sync, or after a change of server)."""
    value = get(conn, CURSOR) or {}
    return int(value.get("since", 0)) if value.get("server") == server_url else 0


def set_cursor(conn: Connection, server_url: str, since: int) -> None:
    put(conn, CURSOR, {"server": server_url, "since": since})


def conflict_key(conflict: dict[str, Any]) -> str:
    """A conflict entry's identity: the server's conflict id, or a local one for a conflict seen on reception."""
    return str(conflict.get("key") or conflict.get("id") or f"{conflict.get('table')}/{conflict.get('row_id')}")


def all_conflicts(conn: Connection) -> list[dict[str, Any]]:
    return [c for c in get(conn, CONFLICTS, []) if isinstance(c, dict)]


def open_conflicts(conn: Connection) -> list[dict[str, Any]]:
    return [c for c in all_conflicts(conn) if c.get("status", OPEN) == OPEN]


def resolving(conn: Connection) -> list[dict[str, Any]]:
    """Conflicts decided on this laptop whose resolution the next sync sends."""
    return [c for c in all_conflicts(conn) if c.get("status") == RESOLVING]


def save_conflicts(conn: Connection, entries: list[dict[str, Any]]) -> None:
    """Store the entries, dropping the oldest closed ones past HISTORY."""
    closed = [i for i, c in enumerate(entries) if c.get("status") in (RESOLVED, SUPERSEDED)]
    dropped = set(closed[:-HISTORY]) if len(closed) > HISTORY else set()
    put(conn, CONFLICTS, [c for i, c in enumerate(entries) if i not in dropped])


def add_conflicts(conn: Connection, new: list[dict[str, Any]]) -> None:
    """Record conflicts (one open entry per row: a newer one replaces the older). A resolution of the same row still
    waiting to be sent is superseded by the new conflict: it is kept as history, pointing to it."""
    if not new:
        return
    newest = {(c["table"], c["row_id"]): conflict_key(c) for c in new}
    kept = []
    for c in all_conflicts(conn):
        row = (c.get("table"), c.get("row_id"))
        if row in newest and c.get("status", OPEN) == OPEN:
            continue
        if row in newest and c.get("status") == RESOLVING:
            c = {**c, "status": SUPERSEDED, "superseded_by": newest[row], "closed_at": now_iso()}
        kept.append(c)
    save_conflicts(conn, kept + new)


def close_conflict(conn: Connection, table: str, row_id: str, **values: Any) -> dict[str, Any] | None:
    """Mark the resolution waiting for this row as acknowledged (`resolved`); returns the entry (None if none)."""
    entries = all_conflicts(conn)
    for i, c in enumerate(entries):
        if c.get("status") == RESOLVING and (c.get("table"), c.get("row_id")) == (table, row_id):
            entries[i] = {**c, "status": RESOLVED, "closed_at": now_iso(), **values}
            save_conflicts(conn, entries)
            return entries[i]
    return None


def now_iso() -> str:
    """Naive UTC now, ISO text to the second (the format of every time kept in settings)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(timespec="seconds")


def is_demo(conn: Connection) -> bool:
    return get(conn, DEMO_SETTING) is not None


def is_loopback(server_url: str) -> bool:
    """True for a server on this machine (localhost, 127.0.0.0/8, ::1)."""
    host = (urlsplit(server_url).hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
