"""Resolving sync conflicts on the laptop (Qt-free): the open ones, a decision per conflict or per field, history.

A decision is written here at once (offline is fine) and carried to the server by the next sync:

* ``"mine"`` (« Garder ma version »): the row stays as it is on this laptop, now based on the server version the
  conflict named, and pending: the next push sends it with ``resolves_conflict`` and wins explicitly. If the server
  row changed again meanwhile, the push answers with a new conflict instead (never an overwrite).
* ``"server"`` (« Prendre la version du serveur »): the server's values are written here at once and the row is no
  longer pending; the next sync closes the conflict on the server (``POST /conflicts/{id}/resolve``) and takes the
  server's current version of the row (``GET /sync/rows/{table}/{id}``).
* ``"merge"`` (field by field): ``fields`` maps conflicting fields to ``"mine"`` or ``"server"`` (missing ones:
  ``"mine"``); the merged row is an edit sent like ``"mine"``. All ``"mine"`` is ``"mine"``, all ``"server"`` is
  ``"server"``.

Every decision goes to the audit log (who, when, choice, both values of each field) and stays on the conflict entry
(``resolution``); the entry leaves the open list and stays in the history (``inspector.sync.state``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, insert, select, update

from ..db.database import Database
from ..db.models import AuditEntry, utcnow
from ..services.common import Changed, NotFound, OpResult, ServiceError
from . import local, protocol, state
from .status import describe

MINE, SERVER, MERGE = "mine", "server", "merge"
CHOICES = (MINE, SERVER, MERGE)
AUDIT_ACTION = "sync.conflict.resolve"


def is_deletion(conflict: Mapping[str, Any]) -> bool:
    """A conflict where the server deleted a row this laptop edited (no fields to compare)."""
    return bool(conflict.get("deleted")) or (not conflict.get("fields")
                                            and "supprimé" in str(conflict.get("message", "")))


def _labelled(conn: Connection, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**c, "key": state.conflict_key(c),
             "label": describe(conn, str(c.get("table", "")), str(c.get("row_id", "")))} for c in entries]


def open_conflicts(db: Database) -> list[dict[str, Any]]:
    """Conflicts waiting for a decision, oldest first, each with its `key` (what `resolve` takes) and a label."""
    with db.engine.connect() as conn:
        return _labelled(conn, state.open_conflicts(conn))


def history(db: Database) -> list[dict[str, Any]]:
    """Decided conflicts, newest first: waiting for the next sync (`resolving`), `resolved` or `superseded`."""
    with db.engine.connect() as conn:
        done = [c for c in state.all_conflicts(conn) if c.get("status", state.OPEN) != state.OPEN]
        return list(reversed(_labelled(conn, done)))


def _field_choices(conflict: Mapping[str, Any], choice: str, fields: Mapping[str, str] | None,
                   columns: set[str]) -> dict[str, str]:
    """field -> "mine" | "server" for every conflicting field of the row."""
    names = [str(f.get("field")) for f in conflict.get("fields") or [] if isinstance(f, dict)]
    names = [n for n in names if n in columns]
    if choice != MERGE:
        return {n: choice for n in names}
    picked = dict(fields or {})
    unknown = sorted(set(picked) - set(names))
    if unknown:
        raise ServiceError(f"Champ(s) sans conflit : {', '.join(unknown)}.")
    wrong = sorted(k for k, v in picked.items() if v not in (MINE, SERVER))
    if wrong:
        raise ServiceError(f"Choix invalide pour {', '.join(wrong)} : « mine » ou « server » attendu.")
    return {n: picked.get(n, MINE) for n in names}


def resolve(db: Database, conflict_id: str, choice: str, fields: Mapping[str, str] | None = None, *,
            user_id: str | None = None) -> OpResult[dict[str, Any]]:
    """Decide an open conflict (its `key`); the next sync sends the decision. Returns the updated entry.

    Raises NotFound when no open conflict has that key, ServiceError for an unusable choice.
    """
    if choice not in CHOICES:
        raise ServiceError(f"Choix de résolution inconnu : {choice} (mine, server ou merge).")
    with local.without_foreign_keys(db) as conn:
        entries = state.all_conflicts(conn)
        index = next((i for i, c in enumerate(entries) if state.conflict_key(c) == conflict_id
                      and c.get("status", state.OPEN) == state.OPEN), None)
        if index is None:
            raise NotFound("Conflit introuvable ou déjà résolu : actualisez la liste.")
        conflict = entries[index]
        name, row_id = str(conflict.get("table", "")), str(conflict.get("row_id", ""))
        if name not in protocol.TABLES or name in protocol.APPEND_ONLY:
            raise ServiceError(f"Table « {name} » : rien à résoudre (le journal des réponses ne se contredit pas).")
        t = protocol.table(name)
        row = conn.execute(select(t).where(t.c.id == row_id)).mappings().first()
        deletion = is_deletion(conflict)
        if deletion and choice == MERGE:
            raise ServiceError("Ligne supprimée sur le serveur : gardez votre version ou prenez celle du serveur.")
        mine = protocol.to_wire(name, row) if row is not None else None
        columns = {c.name for c in protocol.wire_columns(name)}
        picks = _field_choices(conflict, choice, fields, columns)
        if choice == MERGE and picks:
            kinds = set(picks.values())
            choice = kinds.pop() if len(kinds) == 1 else MERGE
        if mine is None and choice != SERVER:
            raise ServiceError("Cette ligne n'existe plus sur ce poste : seule la version du serveur peut être prise.")
        server_values = {f["field"]: f.get("server") for f in conflict.get("fields") or [] if isinstance(f, dict)}
        server_version = int(conflict.get("server_version") or 0)
        taken = {n: server_values.get(n) for n, side in picks.items() if side == SERVER}
        if row is not None:
            if choice == SERVER and deletion:
                conn.execute(t.delete().where(t.c.id == row_id))
            else:
                _write(conn, name, row_id, mine or {}, taken, choice, server_version)
        device = state.device_id(conn)
        now = state.now_iso()
        resolution = {"choice": choice, "fields": picks, "by": user_id, "at": now, "device": device}
        entries[index] = updated = {**conflict, "key": state.conflict_key(conflict), "status": state.RESOLVING,
                                    "resolution": resolution}
        state.save_conflicts(conn, entries)
        conn.execute(insert(AuditEntry.__table__).values(
            user_id=user_id, action=AUDIT_ACTION, table_name=name, row_id=row_id, at=utcnow(),
            details={"conflict": updated["key"], "server_conflict": conflict.get("id") or None, "choice": choice,
                     "server_version": server_version, "base_version": conflict.get("base_version"),
                     "deleted_on_server": deletion, "device": device,
                     "fields": [{"field": n, "server": server_values.get(n),
                                 "client": (mine or {}).get(n), "kept": side} for n, side in picks.items()]}))
    return OpResult(updated, Changed().add(name, row_id))


def _write(conn: Connection, name: str, row_id: str, mine: dict[str, Any], taken: dict[str, Any], choice: str,
           server_version: int) -> None:
    """Write the decision on the laptop row: the server values taken, and its new base and pending marker."""
    t = protocol.table(name)
    merged = {**mine, **taken}
    problems = protocol.validate(name, row_id, merged)
    if problems:
        raise ServiceError("Valeurs du serveur inutilisables sur ce poste : " + " ; ".join(problems))
    values: dict[str, Any] = {k: v for k, v in protocol.from_wire(name, merged).items() if k in taken}
    if choice == SERVER:
        # The server's version, as far as the conflict tells it; the next sync takes its exact current version.
        values.update(row_version=state.synced_version(server_version), pending_sync=False,
                      modified_at=t.c.modified_at)
    else:
        # Mine or merged: an edit on top of the server's version, sent with the next push (and winning there
        # unless the server row changed again).
        values.update(row_version=state.synced_version(server_version) + 1, pending_sync=True)
        if choice == MINE:
            values["modified_at"] = t.c.modified_at
        else:
            values["modified_at"] = utcnow()
    conn.execute(update(t).where(t.c.id == row_id).values(values))
