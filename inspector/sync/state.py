"""The laptop's sync bookkeeping, kept in its `settings` table (no laptop migration in this slice).

* `row_version` of a synced row encodes the server version it is based on: `server_version × STRIDE`, plus one for
  each local edit the services count (a row never synced has a base of 0). The base sent with a push is
  `row_version // STRIDE`.
* `sync_cursor`: the server and the last server sequence applied; `sync_conflicts`: conflicts to show and resolve;
  `sync_sending`: set while a push is in flight (cleared on the server's acknowledgement); `sync_last`: last result.
"""

from __future__ import annotations

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


def open_conflicts(conn: Connection) -> list[dict[str, Any]]:
    return [c for c in get(conn, CONFLICTS, []) if c.get("status", "open") == "open"]


def add_conflicts(conn: Connection, new: list[dict[str, Any]]) -> None:
    """Record conflicts (one open entry per row: a newer one replaces the older)."""
    if not new:
        return
    keys = {(c["table"], c["row_id"]) for c in new}
    kept = [c for c in get(conn, CONFLICTS, []) if (c["table"], c["row_id"]) not in keys or c.get("status") != "open"]
    put(conn, CONFLICTS, kept + new)


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
