"""Push: rows identified by laptop UUIDs; re-sends are no-ops, stale bases become stored conflicts, never overwrites.

Conflict resolution: an edit carrying `resolves_conflict` closes that conflict when it is accepted (or becomes a new
conflict, superseding it, when the row changed again); `resolve_keeping_server` closes one without touching the row.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from ..sync import protocol, rules
from .access import row_refusal
from .accounts import Principal
from .errors import ApiError
from .models import Account, Conflict, Record, Sequence, utcnow
from .schemas import ConflictOut, FieldDiff, PushRequest, PushResponse, RowResult

ACCESS_COLUMNS = ("evaluator_id", "second_evaluator_id", "state")


def lock_sequence(s: Session) -> int:
    """Take the sequence row lock (held until commit, so changes commit in sequence order) and read it."""
    s.execute(update(Sequence).where(Sequence.id == 1).values(last=Sequence.last))
    return int(s.scalar(select(Sequence.last).where(Sequence.id == 1)) or 0)


def index_fields(table: str, row_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """The columns of `records` that access rules and blob lookups use, taken from the row's data."""
    visits = table == "visits"
    # The file a row names (a photo, a document, a sitting's procès-verbal, a grid): whoever may read the row may
    # download it (`routes.download`). A sitting not closed yet names none ("" -> NULL).
    blob = protocol.BLOB_FILES.get(table)
    sha = data.get(blob.sha) if blob else data.get("sha256") if table == "grids" else None
    return {
        "visit_id": protocol.visit_of(table, row_id, data),
        "establishment_id": row_id if table == "establishments" else data.get("establishment_id"),
        "owner_id": row_id if table == "owners" else data.get("owner_id"),
        "evaluator_id": data.get("evaluator_id") if visits else None,
        "second_evaluator_id": data.get("second_evaluator_id") if visits else None,
        "state": data.get("state") if visits else None,
        "sha256": sha or None,
    }


def _validate(request: PushRequest) -> None:
    problems: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for row in request.rows:
        found = protocol.validate(row.table, row.id, row.data)
        if (row.table, row.id) in seen:
            found.append("ligne présente deux fois dans le même envoi")
        if row.resolves_conflict is not None and not protocol.UUID_RE.match(row.resolves_conflict):
            found.append("« resolves_conflict » : identifiant de conflit invalide (UUID en minuscules attendu)")
        seen.add((row.table, row.id))
        if found:
            problems.append({"table": row.table, "id": row.id, "problems": found})
    for d in request.deletions:
        if d.table not in protocol.TABLES or not protocol.UUID_RE.match(d.id):
            problems.append({"table": d.table, "id": d.id, "problems": ["table ou identifiant invalide"]})
        elif d.table in protocol.APPEND_ONLY:
            problems.append({"table": d.table, "id": d.id, "problems": ["le journal des observations ne se supprime "
                                                                         "pas"]})
    if problems:
        raise ApiError(422, "invalid_rows", "Certaines lignes envoyées sont invalides ; rien n'a été enregistré.",
                       problems)


def _load(s: Session, keys: set[tuple[str, str]]) -> dict[tuple[str, str], Record]:
    by_table: dict[str, list[str]] = {}
    for table, row_id in keys:
        by_table.setdefault(table, []).append(row_id)
    found: dict[tuple[str, str], Record] = {}
    for table, ids in by_table.items():
        for start in range(0, len(ids), 400):
            chunk = ids[start:start + 400]
            for rec in s.scalars(select(Record).where(Record.table_name == table, Record.row_id.in_(chunk))):
                found[(table, rec.row_id)] = rec
    return found


def _authorise(s: Session, principal: Principal, request: PushRequest,
               existing: dict[tuple[str, str], Record]) -> None:
    """Refuse the whole push (403, nothing written) when any row is outside the caller's rights."""
    pushed_visits = {r.id: r.data for r in request.rows if r.table == "visits"}
    items: list[tuple[str, str, dict[str, Any] | None, Record | None]] = [
        (r.table, r.id, r.data, existing.get((r.table, r.id))) for r in request.rows]
    items += [(d.table, d.id, None, existing.get((d.table, d.id))) for d in request.deletions]
    visit_ids = set(pushed_visits)
    for table, row_id, data, rec in items:
        if table in protocol.VISIT_SCOPED:
            for source in (data, json.loads(rec.data) if rec else None):
                if source is not None:
                    visit_ids.add(protocol.visit_of(table, row_id, source) or "")
    stored = {k[1]: json.loads(r.data) for k, r in _load(s, {("visits", v) for v in visit_ids if v}).items()}
    refused = []
    for table, row_id, data, rec in items:
        old = json.loads(rec.data) if rec else None
        versions: list[dict[str, Any] | None] = []
        for source in (data, old):
            vid = protocol.visit_of(table, row_id, source) if source is not None else None
            if vid:
                versions += [pushed_visits.get(vid), stored.get(vid)]
        visit_id = protocol.visit_of(table, row_id, data or old or {})
        why = row_refusal(principal, table, versions, visit_id, data or old)
        if why is None and principal.role == "commission" and table == "visits":
            why = rules.commission_visit_refusal(old, data)  # the decision on a submitted visit, nothing else
        if why:
            refused.append({"table": table, "id": row_id, "reason": why})
    if refused:
        raise ApiError(403, "forbidden", "Envoi refusé : certaines lignes sont hors de vos droits ; rien n'a été "
                                         "enregistré.", refused)


def _conflict(s: Session, principal: Principal, device: str, rec: Record, row_table: str, row_id: str,
              base: int, data: dict[str, Any], digest: str) -> RowResult:
    server_data = json.loads(rec.data)
    fields = protocol.conflicting_fields(server_data, data)
    same = s.scalar(select(Conflict).where(Conflict.table_name == row_table, Conflict.row_id == row_id,
                                           Conflict.client_digest == digest, Conflict.status == "open"))
    if same is None:
        same = Conflict(id=str(uuid.uuid4()), table_name=row_table, row_id=row_id, base_version=base,
                        server_version=rec.version, client_digest=digest, client_data=protocol.canonical(data),
                        server_data=rec.data, fields=json.dumps(fields, ensure_ascii=False),
                        account_id=principal.account_id, device=device)
        s.add(same)
    return RowResult(table=row_table, id=row_id, status="conflict", version=rec.version, conflict_id=same.id,
                     fields=[FieldDiff(**f) for f in fields],
                     message=f"modifié sur le serveur depuis la version {base} (version actuelle {rec.version})")


def _close(s: Session, conflict_id: str, table: str, row_id: str, principal: Principal, device: str, *,
           resolution: str, data: str | None = None) -> bool:
    """Close an open conflict of this row (False when there is none by that id, or it is closed already).

    A conditional UPDATE, so that two resolutions racing (a push and `resolve_keeping_server`) close it once.
    """
    result = s.execute(update(Conflict).where(Conflict.id == conflict_id, Conflict.table_name == table,
                                              Conflict.row_id == row_id, Conflict.status == "open")
                       .values(status="resolved", resolution=resolution, resolved_at=utcnow(),
                               resolved_by=principal.account_id, resolved_device=device, resolution_data=data)
                       .execution_options(synchronize_session=False))
    return bool(getattr(result, "rowcount", 0))


def _touch_visit(s: Session, visit_id: str, data: dict[str, Any], seq: int) -> int:
    """Who may read a visit changed: re-send its rows, its establishment and owner to the new readers."""
    for rec in s.scalars(select(Record).where(Record.visit_id == visit_id, Record.table_name != "visits")):
        seq += 1
        rec.seq = seq
    est = s.get(Record, ("establishments", data.get("establishment_id") or ""))
    if est is not None:
        seq += 1
        est.seq = seq
        owner = s.get(Record, ("owners", est.owner_id or ""))
        if owner is not None:
            seq += 1
            owner.seq = seq
    return seq


def apply_push(sessions: sessionmaker[Session], principal: Principal, request: PushRequest) -> PushResponse:
    """Apply one push in one transaction: all rows are checked and authorised first, then written in order."""
    _validate(request)
    device = (request.device_id or principal.device)[:100]
    now = utcnow()
    with sessions() as s:
        seq = lock_sequence(s)
        existing = _load(s, {(r.table, r.id) for r in request.rows} | {(d.table, d.id) for d in request.deletions})
        _authorise(s, principal, request, existing)
        results: list[RowResult] = []
        for row in request.rows:
            digest = protocol.digest(row.data)
            rec = existing.get((row.table, row.id))
            resolves = row.resolves_conflict
            if rec is not None and rec.digest == digest and not rec.deleted:
                if resolves:
                    _close(s, resolves, row.table, row.id, principal, device, resolution=row.resolution,
                           data=rec.data)
                results.append(RowResult(table=row.table, id=row.id, status="unchanged", version=rec.version))
                continue
            if rec is not None and row.table in protocol.APPEND_ONLY:
                results.append(RowResult(table=row.table, id=row.id, status="rejected", version=rec.version,
                                         message="observation déjà reçue avec un autre contenu : le journal est en "
                                                 "ajout seul"))
                continue
            if rec is not None and row.base_version != rec.version:
                # A resolution based on a version the server has moved past becomes a new conflict (the one it
                # resolved is closed as superseded, pointing to the new one): never an overwrite.
                superseded = bool(resolves) and _close(s, resolves or "", row.table, row.id, principal, device,
                                                       resolution="superseded", data=protocol.canonical(row.data))
                result = _conflict(s, principal, device, rec, row.table, row.id, row.base_version, row.data, digest)
                if superseded:
                    s.execute(update(Conflict).where(Conflict.id == resolves).values(superseded_by=result.conflict_id)
                              .execution_options(synchronize_session=False))
                results.append(result)
                continue
            seq += 1
            fields = index_fields(row.table, row.id, row.data)
            if rec is None:
                rec = Record(table_name=row.table, row_id=row.id, version=1, seq=seq, deleted=False, digest=digest,
                             data=protocol.canonical(row.data), modified_at=now, modified_by=principal.account_id,
                             device=device, **fields)
                s.add(rec)
                existing[(row.table, row.id)] = rec
                status = "created"
            else:
                access_before = (rec.evaluator_id, rec.second_evaluator_id, rec.state)
                rec.version, rec.seq, rec.deleted, rec.digest = rec.version + 1, seq, False, digest
                rec.data, rec.modified_at, rec.modified_by, rec.device = protocol.canonical(row.data), now, \
                    principal.account_id, device
                for key, value in fields.items():
                    setattr(rec, key, value)
                status = "updated"
                if row.table == "visits" and access_before != tuple(fields[c] for c in ACCESS_COLUMNS):
                    s.flush()
                    seq = _touch_visit(s, row.id, row.data, seq)
            if resolves:
                _close(s, resolves, row.table, row.id, principal, device, resolution=row.resolution, data=rec.data)
            results.append(RowResult(table=row.table, id=row.id, status=status, version=rec.version))
        deletions: list[RowResult] = []
        for d in request.deletions:
            rec = existing.get((d.table, d.id))
            if rec is None:
                deletions.append(RowResult(table=d.table, id=d.id, status="absent", version=0))
                continue
            if not rec.deleted:
                seq += 1
                rec.version, rec.seq, rec.deleted, rec.modified_at = rec.version + 1, seq, True, now
                rec.modified_by, rec.device = principal.account_id, device
                deletions.append(RowResult(table=d.table, id=d.id, status="deleted", version=rec.version))
            else:
                deletions.append(RowResult(table=d.table, id=d.id, status="unchanged", version=rec.version))
        s.execute(update(Sequence).where(Sequence.id == 1).values(last=seq))
        s.commit()
    return PushResponse(results=results, deletions=deletions, server_seq=seq)


def conflict_out(c: Conflict, names: dict[str, str]) -> ConflictOut:
    """A stored conflict as the API shows it (`names`: account id -> name)."""
    return ConflictOut(id=c.id, table=c.table_name, row_id=c.row_id, base_version=c.base_version,
                       server_version=c.server_version, fields=[FieldDiff(**f) for f in json.loads(c.fields)],
                       account=names.get(c.account_id, ""), device=c.device, created_at=c.created_at,
                       status=c.status, resolution=c.resolution or "", resolved_at=c.resolved_at,
                       resolved_by=names.get(c.resolved_by or "") or None, resolved_device=c.resolved_device,
                       superseded_by=c.superseded_by)


def account_names(s: Session, conflicts: list[Conflict]) -> dict[str, str]:
    ids = {c.account_id for c in conflicts} | {c.resolved_by for c in conflicts if c.resolved_by}
    if not ids:
        return {}
    return {account_id: name for account_id, name in s.execute(select(Account.id, Account.name).where(
        Account.id.in_(ids)))}


def resolve_keeping_server(sessions: sessionmaker[Session], principal: Principal, conflict_id: str,
                           device: str) -> ConflictOut:
    """Close a conflict keeping the server's version: the row is not touched (the laptop takes it).

    Allowed to whoever may write the row (as for a push of it). A conflict closed already (by another device, or a
    re-sent request) is answered as it stands: a conflict is closed once.
    """
    device = (device or principal.device)[:100]
    with sessions() as s:
        c = s.get(Conflict, conflict_id) if protocol.UUID_RE.match(conflict_id) else None
        if c is None:
            raise ApiError(404, "conflict_not_found", "Conflit inconnu du serveur.")
        rec = s.get(Record, (c.table_name, c.row_id))
        data = json.loads(rec.data) if rec is not None else {}
        visit_id = protocol.visit_of(c.table_name, c.row_id, data)
        versions: list[dict[str, Any] | None] = []
        if visit_id:
            stored = s.get(Record, ("visits", visit_id))
            versions = [json.loads(stored.data) if stored is not None else None]
        why = row_refusal(principal, c.table_name, versions, visit_id)
        if why:
            raise ApiError(403, "forbidden", "Résolution refusée : cette ligne est hors de vos droits.",
                           [{"table": c.table_name, "id": c.row_id, "reason": why}])
        if _close(s, c.id, c.table_name, c.row_id, principal, device, resolution="server"):
            s.commit()
            s.refresh(c)
        return conflict_out(c, account_names(s, [c]))
