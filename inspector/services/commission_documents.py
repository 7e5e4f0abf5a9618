"""The documents of a commission session: the procès-verbal written on closing, the notification letters and the
Chambre d'hôtes Référence attestations issued after it."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ..db.database import Database
from ..db.models import Decision, Document, Organisation, utcnow
from ..storage import write_once
from . import documents
from .commission import (
    COLLEGES,
    LABEL_SHORT,
    AgendaItem,
    SessionInfo,
    _date,
    _open,
    _session,
    agenda,
    get_session,
    undecided,
)
from .common import Changed, OpResult, ServiceError, audit
from .documents import DocumentInfo, documents_root


def _organisation(db: Database) -> dict[str, str]:
    with db.session() as s:
        org = s.scalar(select(Organisation).order_by(Organisation.created_at).limit(1))
        if org is None:
            return {"name": "Organisme non renseigné", "address": "", "signatory": "", "signatory_title": "",
                    "logo": ""}
        return {"name": org.name, "address": org.address, "signatory": org.signatory_name,
                "signatory_title": org.signatory_title, "logo": org.logo_path}


def minutes_data(db: Database, session_id: str, *, session: SessionInfo | None = None) -> Any:
    """The plain data the procès-verbal lays out (`session`: the session as it will be, when closing it)."""
    from ..reports.commission_minutes import MinutesData

    info = session or get_session(db, session_id)
    return MinutesData(session=info, items=tuple(agenda(db, session_id)), organisation=_organisation(db),
                       colleges=COLLEGES)


def _render_minutes(db: Database, session_id: str, *, draft: bool, session: SessionInfo | None = None) -> bytes:
    from ..reports.base import ReportError
    from ..reports.commission_minutes import render_minutes

    try:
        return render_minutes(minutes_data(db, session_id, session=session), draft=draft)
    except ReportError as exc:
        raise ServiceError(str(exc)) from None
    except Exception as exc:  # never a traceback for a layout failure
        raise ServiceError(f"Le procès-verbal n'a pas pu être mis en page ({type(exc).__name__} : {exc}).") from exc


def minutes_pdf(db: Database, session_id: str) -> bytes:
    """The procès-verbal: the stored one once the session is closed, else a preview marked draft."""
    info = get_session(db, session_id)
    if info.status == "closed" and info.minutes_path and Path(info.minutes_path).exists():
        return Path(info.minutes_path).read_bytes()
    return _render_minutes(db, session_id, draft=info.status != "closed")


def close_session(db: Database, *, session_id: str, user_id: str | None = None) -> OpResult[str]:
    """Close the session once every dossier is decided (an adjournment counts): the procès-verbal is written
    (content-addressed under the documents folder) and recorded on the session."""
    info = get_session(db, session_id)
    if info.status == "closed":
        raise ServiceError(f"La séance du {info.held_on:%d/%m/%Y} est déjà close.")
    waiting = undecided(db, session_id)
    if waiting:
        raise ServiceError(f"Clôture impossible : {len(waiting)} dossier(s) sans décision :\n"
                           + "\n".join(f"- {i.establishment_name} ({i.commune}) — {LABEL_SHORT.get(i.label, i.label)}"
                                       for i in waiting))
    closed_at = utcnow()
    final = replace(info, status="closed", closed_at=closed_at)
    pdf = _render_minutes(db, session_id, draft=False, session=final)
    digest, rel = write_once(documents_root(db), pdf, ".pdf")
    with db.session() as s:
        row = _session(s, session_id)
        _open(row)
        row.status, row.closed_at = "closed", closed_at
        row.minutes_path, row.minutes_sha256 = rel.as_posix(), digest
        row.row_version = (row.row_version or 0) + 1
        row.pending_sync = True
        audit(s, user_id=user_id, action="commission.close", table="commission_sessions", row_id=session_id,
              sha256=digest, items=info.item_count)
        s.commit()
    return OpResult(session_id, Changed().add("commission_sessions", session_id))


def pictograms_dir(db: Database) -> Path:
    """Where an agency drops its official pictograms (`<data>/pictograms/<family>.png`)."""
    return db.path.parent / "pictograms"


def _issue_letter(db: Database, item: AgendaItem, session: SessionInfo, issued_on: dt.date,
                  user_id: str | None) -> tuple[DocumentInfo, Changed]:
    from ..reports.base import ReportError
    from ..reports.data import collect
    from ..reports.notification_letter import LetterContext, render_notification

    data = collect(db, item.visit_id)
    data = replace(data, label_decision=item.decision)
    context = LetterContext(session_date=session.held_on, session_place=session.place,
                            pictograms=pictograms_dir(db))
    try:
        pdf = render_notification(data, issued_on=issued_on, context=context)
    except ReportError as exc:
        raise ServiceError(str(exc)) from None
    digest, rel = write_once(documents_root(db), pdf, ".pdf")
    changed = Changed()
    with db.session() as s:
        previous = s.scalar(select(Document).where(Document.visit_id == item.visit_id,
                                                   Document.kind == "notification")
                            .order_by(Document.revision.desc()).limit(1))
        doc = Document(visit_id=item.visit_id, kind="notification", revision=(previous.revision + 1) if previous
                       else 1, replaces_id=None, stored_path=rel.as_posix(), sha256=digest, issued_by_id=user_id,
                       pending_sync=True)
        s.add(doc)
        s.flush()
        row = s.get(Decision, item.decision.id)
        row.details = {**(row.details or {}), "notification": {"document_id": doc.id,
                                                                "issued_on": issued_on.isoformat()}}
        row.row_version = (row.row_version or 0) + 1
        row.pending_sync = True
        audit(s, user_id=user_id, action="document.issue", table="documents", row_id=doc.id, kind="notification",
              revision=doc.revision, sha256=digest, decision=item.decision.number, session_id=session.id,
              issued_on=issued_on)
        s.commit()
        info = DocumentInfo(doc.id, doc.visit_id, doc.kind, doc.revision, doc.replaces_id,
                            documents_root(db) / doc.stored_path, doc.sha256, doc.issued_at)
    changed.add("documents", info.id).add("decisions", item.decision.id)
    return info, changed


def _letter_id(db: Database, decision_id: str) -> tuple[str, str]:
    with db.session() as s:
        row = s.get(Decision, decision_id)
        details = dict(row.details or {}) if row else {}
    return (str((details.get("notification") or {}).get("document_id") or ""),
            str((details.get("attestation") or {}).get("document_id") or ""))


def issue_letters(db: Database, *, session_id: str, issued_on: dt.date, user_id: str | None = None
                  ) -> OpResult[list[str]]:
    """One notification letter per decided dossier (document « notification » on the visit), plus the attestation
    of every granted Chambre d'hôtes Référence; letters already issued are not issued again. Returns the ids of
    the documents issued now."""
    session = get_session(db, session_id)
    issued_on = _date(issued_on)
    if issued_on < session.held_on:
        raise ServiceError(f"La date d'envoi ({issued_on:%d/%m/%Y}) précède la séance du "
                           f"{session.held_on:%d/%m/%Y}.")
    items = [i for i in agenda(db, session_id) if i.decision is not None]
    if not items:
        raise ServiceError("Aucune décision n'est enregistrée pour cette séance : pas de lettre à envoyer.")
    issued: list[str] = []
    changed = Changed()
    for item in items:
        letter, attestation = _letter_id(db, item.decision.id)
        if not letter:
            info, more = _issue_letter(db, item, session, issued_on, user_id)
            issued.append(info.id)
            changed.rows.update({k: changed.rows.get(k, set()) | v for k, v in more.rows.items()})
        if item.label == "chambre_hotes_reference" and item.decision.granted and not attestation:
            existing = [d for d in documents.list_documents(db, item.visit_id) if d.kind == "attestation"]
            if existing:
                doc_id = existing[-1].id
            else:
                doc = documents.issue_document(db, visit_id=item.visit_id, kind="attestation", issued_on=issued_on,
                                               user_id=user_id).value
                doc_id = doc.id
                issued.append(doc_id)
                changed.add("documents", doc_id)
            with db.session() as s:
                row = s.get(Decision, item.decision.id)
                row.details = {**(row.details or {}), "attestation": {"document_id": doc_id,
                                                                       "issued_on": issued_on.isoformat()}}
                row.row_version = (row.row_version or 0) + 1
                row.pending_sync = True
                s.commit()
            changed.add("decisions", item.decision.id)
    return OpResult(issued, changed)


def letters_of(db: Database, session_id: str) -> list[DocumentInfo]:
    """The documents issued for the session's dossiers: notification letters and attestations, agenda order."""
    ids: list[str] = []
    for item in agenda(db, session_id):
        if item.decision is None:
            continue
        letter, attestation = _letter_id(db, item.decision.id)
        ids += [x for x in (letter, attestation) if x]
    with db.session() as s:
        docs = {d.id: d for d in s.scalars(select(Document).where(Document.id.in_(ids)))} if ids else {}
        return [DocumentInfo(d.id, d.visit_id, d.kind, d.revision, d.replaces_id,
                             documents_root(db) / d.stored_path, d.sha256, d.issued_at)
                for d in (docs.get(i) for i in ids) if d is not None]
