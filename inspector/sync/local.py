"""The laptop side of a sync: pending rows to send, the server's acknowledgements, pulled changes to apply."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Table, bindparam, func, select, update
from sqlalchemy.dialects.sqlite import insert

from ..db.database import Database
from ..db.models import Tombstone
from . import protocol, rules, state

CHUNK = 400
tombstones: Table = Tombstone.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class Outgoing:
    """A row to push: its data as sent, the server version it is based on, and the digest to check at ack.

    `resolves`: the server's id of the conflict this edit resolves (keep mine or a merge, `resolution` client or
    merge); the server closes it when it accepts the edit.
    """

    table: str
    id: str
    base_version: int
    data: dict[str, Any]
    digest: str
    resolves: str | None = None
    resolution: str = "client"

    def wire(self) -> dict[str, Any]:
        out = {"table": self.table, "id": self.id, "base_version": self.base_version, "data": self.data}
        if self.resolves:
            out.update(resolves_conflict=self.resolves, resolution=self.resolution)
        return out


@dataclass
class Applied:
    """What applying acknowledgements or pulled changes did on the laptop."""

    written: int = 0
    unchanged: int = 0
    deleted: int = 0
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # sha256 -> local relative path (photos/… or documents/…)
    grids: list[dict[str, Any]] = field(default_factory=list)
    resolved: list[dict[str, Any]] = field(default_factory=list)  # conflict entries whose resolution was accepted


def _chunks(items: list[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _rows_by_id(conn: Connection, name: str, ids: list[str]) -> dict[str, Any]:
    t = protocol.table(name)
    found: dict[str, Any] = {}
    for chunk in _chunks(ids):
        for row in conn.execute(select(t).where(t.c.id.in_(chunk))).mappings():
            found[row["id"]] = row
    return found


def pending(db: Database, *, role: str, person_id: str, skip: set[tuple[str, str]]
            ) -> tuple[list[Outgoing], list[dict[str, Any]]]:
    """Pending rows in push order, and those left out because the account may not write them."""
    out: list[Outgoing] = []
    refused: list[dict[str, Any]] = []
    with db.engine.connect() as conn:
        resolutions = {(c["table"], c["row_id"]): c for c in state.resolving(conn)
                       if (c.get("resolution") or {}).get("choice") in ("mine", "merge")}
        visits = protocol.table("visits")
        for name in protocol.TABLES:
            t = protocol.table(name)
            rows = conn.execute(select(t).where(t.c.pending_sync.is_(True))).mappings().all()
            if not rows:
                continue
            local_visits: dict[str, Any] = {}
            if name in protocol.VISIT_SCOPED and role != "admin":
                wanted = sorted({r["id"] if name == "visits" else r["visit_id"] for r in rows} - {None})
                for chunk in _chunks(wanted):
                    for v in conn.execute(select(visits.c.id, visits.c.evaluator_id, visits.c.second_evaluator_id,
                                                 visits.c.state)
                                          .where(visits.c.id.in_(chunk))).mappings():
                        local_visits[v["id"]] = dict(v)
            for row in rows:
                if (name, row["id"]) in skip:
                    continue
                data = protocol.to_wire(name, row)
                visit_id = protocol.visit_of(name, row["id"], data)
                why = rules.row_refusal(role, person_id, name, [local_visits.get(visit_id or "")], visit_id,
                                        data)
                if why:
                    refused.append({"table": name, "id": row["id"], "reason": why})
                    continue
                base = 0 if name in protocol.APPEND_ONLY else state.base_version(row["row_version"])
                solved = resolutions.get((name, row["id"]))
                out.append(Outgoing(name, row["id"], base, data, protocol.digest(data),
                                    resolves=(solved.get("id") or None) if solved else None,
                                    resolution="merge" if solved and solved["resolution"]["choice"] == "merge"
                                    else "client"))
    return out, refused


def pending_deletions(db: Database) -> list[tuple[str, str, str]]:
    """(tombstone id, table, row id) of deletions not yet acknowledged."""
    with db.engine.connect() as conn:
        rows = conn.execute(select(tombstones.c.id, tombstones.c.table_name, tombstones.c.row_id)
                            .where(tombstones.c.pending_sync.is_(True))).all()
    return [(r[0], r[1], r[2]) for r in rows if r[1] in protocol.TABLES and r[1] not in protocol.APPEND_ONLY]


def _conflict_entry(origin: str, table: str, row_id: str, fields: list[dict[str, Any]], *, server_version: int,
                    base_version: int, conflict_id: str | None = None, message: str = "",
                    deleted: bool = False) -> dict[str, Any]:
    """A conflict as the laptop keeps it; `key` is the server's conflict id, or a local id when it was seen on
    reception only (the server holds no conflict then)."""
    entry = {"id": conflict_id or "", "key": conflict_id or str(uuid.uuid4()), "origin": origin, "table": table,
             "row_id": row_id, "fields": fields, "server_version": server_version, "base_version": base_version,
             "message": message, "detected_at": dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(
                 timespec="seconds"), "status": state.OPEN}
    if deleted:
        entry["deleted"] = True  # deleted on the server while edited here
    return entry


def acknowledge(db: Database, sent: list[Outgoing], results: list[dict[str, Any]],
                deletions: list[tuple[str, str, str]], deletion_results: list[dict[str, Any]]) -> Applied:
    """Clear `pending_sync` of exactly what the server acknowledged (rows edited meanwhile stay pending)."""
    done = Applied()
    by_key = {(o.table, o.id): o for o in sent}
    with db.engine.begin() as conn:
        current: dict[str, dict[str, Any]] = {}
        for name in {o.table for o in sent} - protocol.APPEND_ONLY:
            current[name] = _rows_by_id(conn, name, [o.id for o in sent if o.table == name])
        cleared: dict[str, list[dict[str, Any]]] = {}
        waiting = {(c["table"], c["row_id"]) for c in state.resolving(conn)}  # resolutions sent with this batch
        for res in results:
            item = by_key.get((res["table"], res["id"]))
            if item is None:
                continue
            status, version = res["status"], int(res["version"])
            if status in ("created", "updated", "unchanged"):
                done.written += status != "unchanged"
                done.unchanged += status == "unchanged"
                if (item.table, item.id) in waiting:
                    closed = state.close_conflict(conn, item.table, item.id, server_version=version)
                    if closed is not None:
                        done.resolved.append(closed)
                if item.table in protocol.APPEND_ONLY:
                    cleared.setdefault(item.table, []).append({"_id": item.id, "v_pending": False})
                    continue
                row = current[item.table].get(item.id)
                if row is None:
                    continue  # deleted meanwhile: its tombstone goes with the next push
                same = protocol.digest(protocol.to_wire(item.table, row)) == item.digest
                cleared.setdefault(item.table, []).append({
                    "_id": item.id, "v_pending": not same,
                    "v_version": state.synced_version(version) + (0 if same else 1)})
            elif status == "conflict":
                done.conflicts.append(_conflict_entry(
                    "envoi", item.table, item.id, res.get("fields", []), server_version=version,
                    base_version=item.base_version, conflict_id=res.get("conflict_id"), message=res.get("message", "")))
            else:
                done.rejected.append({"table": item.table, "id": item.id, "reason": res.get("message", status)})
        for name, params in cleared.items():
            t = protocol.table(name)
            values: dict[str, Any] = {"pending_sync": bindparam("v_pending")}
            if name not in protocol.APPEND_ONLY:  # keep modified_at: the row's content did not change
                values.update(row_version=bindparam("v_version"), modified_at=t.c.modified_at)
            conn.execute(update(t).where(t.c.id == bindparam("_id")).values(values), params)
        state.add_conflicts(conn, done.conflicts)
        acked = {(r["table"], r["id"]) for r in deletion_results if r["status"] in ("deleted", "absent", "unchanged")}
        ids = [tid for tid, table, row_id in deletions if (table, row_id) in acked]
        for chunk in _chunks(ids):
            conn.execute(update(tombstones).where(tombstones.c.id.in_(chunk)).values(pending_sync=False))
        done.deleted = len(ids)
    return done


@contextmanager
def _without_foreign_keys(db: Database) -> Iterator[Connection]:
    """A connection whose transaction does not enforce foreign keys.

    A laptop may hold references to rows outside its account's reach (a colleague's earlier visit of the same
    place, an author who is not synced to this role); pulled pages are applied as the server sends them.
    """
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        conn.commit()
        try:
            with conn.begin():
                yield conn
        finally:
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
            conn.commit()


def _values(name: str, data: dict[str, Any], version: int) -> dict[str, Any]:
    values = protocol.from_wire(name, data)
    if name not in protocol.APPEND_ONLY:
        values["row_version"] = state.synced_version(version)
    values["pending_sync"] = False
    return values


def _update_params(row_id: str, values: dict[str, Any]) -> dict[str, Any]:
    """Parameters of the batched UPDATE (bound names must differ from column names)."""
    return {"_id": row_id, **{f"v_{k}": v for k, v in values.items()}}


def apply_changes(db: Database, server_url: str, changes: list[dict[str, Any]], next_since: int,
                  skip: set[tuple[str, str]], conn: Connection | None = None) -> Applied:
    """Apply one pulled page and move the cursor, in one transaction (the caller's `conn` when given, so that
    several pages land together or not at all).

    Incoming wins over rows that are not pending. A pending row stays as it is: when the server holds a newer
    version with other content, a conflict is recorded (both values) instead of losing either side.
    """
    if conn is None:
        with _without_foreign_keys(db) as own:
            return _apply_page(own, server_url, changes, next_since, skip)
    return _apply_page(conn, server_url, changes, next_since, skip)


def without_foreign_keys(db: Database) -> Any:
    """A transaction for several pulled pages (see `_without_foreign_keys`)."""
    return _without_foreign_keys(db)


def _apply_page(conn: Connection, server_url: str, changes: list[dict[str, Any]], next_since: int,
                skip: set[tuple[str, str]]) -> Applied:
    done = Applied()
    by_table: dict[str, list[dict[str, Any]]] = {}
    for ch in changes:
        if ch["table"] == "grids":
            done.grids.append(ch)
        elif ch["table"] in protocol.TABLES and not protocol.validate(ch["table"], ch["id"], ch["data"]):
            by_table.setdefault(ch["table"], []).append(ch)
        else:
            done.rejected.append({"table": ch["table"], "id": ch["id"], "reason": "ligne reçue invalide"})
    for name in [n for n in protocol.TABLES if n in by_table]:
        t = protocol.table(name)
        latest = {ch["id"]: ch for ch in by_table[name]}  # a page may name a row twice: keep the newest
        local = _rows_by_id(conn, name, list(latest))
        inserts, updates, removals = [], [], []
        for row_id, ch in latest.items():
            mine = local.get(row_id)
            if ch["deleted"]:
                if mine is None or name in protocol.APPEND_ONLY:
                    continue
                if mine["pending_sync"]:
                    done.conflicts.append(_conflict_entry(
                        "réception", name, row_id, [], server_version=ch["version"],
                        base_version=state.base_version(mine["row_version"]),
                        message="supprimé sur le serveur alors que modifié sur ce poste", deleted=True))
                else:
                    removals.append(row_id)
                continue
            if mine is None:
                inserts.append({"id": row_id, **_values(name, ch["data"], ch["version"])})
                continue
            if name in protocol.APPEND_ONLY:
                if mine["pending_sync"] and protocol.digest(protocol.to_wire(name, mine)) == protocol.digest(
                        ch["data"]):
                    conn.execute(update(t).where(t.c.id == row_id).values(pending_sync=False))
                continue
            if (name, row_id) in skip:
                continue
            if not mine["pending_sync"]:
                if mine["row_version"] != state.synced_version(ch["version"]):
                    updates.append(_update_params(row_id, _values(name, ch["data"], ch["version"])))
                continue
            if state.base_version(mine["row_version"]) == ch["version"]:
                continue  # a local edit on top of this very version: it will be pushed
            local_data = protocol.to_wire(name, mine)
            if protocol.digest(local_data) == protocol.digest(ch["data"]):
                updates.append(_update_params(row_id, _values(name, ch["data"], ch["version"])))
                continue
            done.conflicts.append(_conflict_entry(
                "réception", name, row_id, protocol.conflicting_fields(ch["data"], local_data),
                server_version=ch["version"], base_version=state.base_version(mine["row_version"]),
                message="modifié sur le serveur et sur ce poste"))
        if inserts:
            conn.execute(insert(t), inserts)
        if updates:
            columns = [c[2:] for c in updates[0] if c != "_id"]
            conn.execute(update(t).where(t.c.id == bindparam("_id"))
                         .values({c: bindparam(f"v_{c}") for c in columns}), updates)
        for chunk in _chunks(removals):
            conn.execute(t.delete().where(t.c.id.in_(chunk)))
        done.written += len(inserts) + len(updates)
        done.deleted += len(removals)
        if name in protocol.BLOB_FILES:
            for ch in latest.values():
                named = None if ch["deleted"] else protocol.BLOB_FILES[name].file_of(ch["data"])
                if named:
                    done.files[named[0]] = named[1]
    state.add_conflicts(conn, done.conflicts)
    state.set_cursor(conn, server_url, next_since)
    return done


def local_counts(db: Database, skip: set[tuple[str, str]]) -> dict[str, int]:
    """Rows the server should also hold, per table: acknowledged or pulled, edited since, or in conflict."""
    counts: dict[str, int] = {}
    with db.engine.connect() as conn:
        deleted = dict(conn.execute(select(tombstones.c.table_name, func.count()).where(
            tombstones.c.pending_sync.is_(True)).group_by(tombstones.c.table_name)).all())
        for name in protocol.TABLES:
            t = protocol.table(name)
            if name in protocol.APPEND_ONLY:
                known = t.c.pending_sync.is_(False)
            else:
                known = (t.c.pending_sync.is_(False)) | (t.c.row_version >= state.STRIDE)
            n = conn.scalar(select(func.count()).select_from(t).where(known)) or 0
            in_conflict = [row_id for table, row_id in skip if table == name]
            if in_conflict:
                n += conn.scalar(select(func.count()).select_from(t).where(
                    t.c.id.in_(in_conflict), ~known)) or 0
            counts[name] = n + int(deleted.get(name, 0))
    return {k: v for k, v in counts.items() if v}


def missing_files(db: Database, *, all_files: bool = False, visit_id: str | None = None) -> dict[str, str]:
    """Files whose row is here but whose file is not (sha256 -> relative path): what a sync downloads.

    Photos and documents of closed visits (`rules.files_on_demand`) are left out, they are fetched on demand, unless
    `all_files`; files of rows outside visits (a sitting's procès-verbal: few) always come. `visit_id`: only the
    files of that visit.
    """
    root = db.path.parent
    out: dict[str, str] = {}
    visits = protocol.table("visits")
    with db.engine.connect() as conn:
        for name, spec in protocol.BLOB_FILES.items():
            scoped = name in protocol.VISIT_SCOPED
            if visit_id is not None and not scoped:
                continue
            t = protocol.table(name)
            folder = spec.folder
            query = select(t.c[spec.sha], t.c[spec.path])
            if visit_id is not None:
                query = query.where(t.c.visit_id == visit_id)
            if scoped and not all_files:  # a row whose visit is not here (never expected) is downloaded, as before
                query = query.outerjoin(visits, visits.c.id == t.c.visit_id).where(
                    visits.c.id.is_(None) | ((visits.c.superseded.is_not(True))
                                             & visits.c.state.not_in(rules.CLOSED_STATES)))
            for sha, stored in conn.execute(query):
                relative = f"{folder}/{stored}"
                if sha and stored and not (root / relative).is_file():
                    out[sha] = relative
    return out


def apply_server_row(conn: Connection, name: str, row_id: str, change: dict[str, Any] | None) -> str:
    """Take the server's current version of one row (after « Prendre la version du serveur »), in the caller's
    transaction (foreign keys not enforced, as for pulls). A row edited here since the choice stays as it is: it is
    pending, based on the version taken, and goes with the next push. Returns what happened: updated, deleted,
    inserted, kept (pending here) or absent (unknown to the server, or out of reach).
    """
    t = protocol.table(name)
    mine = _rows_by_id(conn, name, [row_id]).get(row_id)
    if change is None:
        return "absent"
    if mine is not None and mine["pending_sync"]:
        return "kept"
    if change["deleted"]:
        if mine is None:
            return "absent"
        conn.execute(t.delete().where(t.c.id == row_id))
        return "deleted"
    if protocol.validate(name, row_id, change["data"]):
        return "absent"
    values = _values(name, change["data"], int(change["version"]))
    if mine is None:
        conn.execute(insert(t).values(id=row_id, **values))
        return "inserted"
    conn.execute(update(t).where(t.c.id == row_id).values(values))
    return "updated"


def duplicate_decision_numbers(db: Database) -> list[str]:
    """Decision numbers given twice (numbers are made on the deciding laptop: two laptops deciding offline can
    both take the next one) — said after each sync so that someone corrects one of them, never silently."""
    t = protocol.table("decisions")
    query = (select(t.c.subject, t.c.number, func.count()).where(t.c.number != "")
             .group_by(t.c.subject, t.c.number).having(func.count() > 1).order_by(t.c.number))
    with db.engine.connect() as conn:
        return [f"Numéro de décision attribué {n} fois : {number} — une décision doit être renumérotée."
                for _subject, number, n in conn.execute(query)]
