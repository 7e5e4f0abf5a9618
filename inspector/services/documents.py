"""Issued documents: rendered once, stored by SHA-256, never regenerated in place; corrections are new revisions."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from ..db.database import Database
from ..db.models import Decision, Document, Visit
from ..storage import write_once
from .common import Changed, NotFound, OpResult, ServiceError, audit

KINDS = {
    "certificat": "Certificat de visite",
    "decision": "Décision de classement",
    "conseil": "Rapport de visite-conseil",
    "label": "Rapport d'évaluation",
    "attestation": "Attestation",
    "notification": "Lettre de notification",  # issued by services.commission.issue_letters (session context)
}
WITHOUT_PHOTOS = frozenset({"decision", "attestation", "notification"})  # kinds that print no photo


@dataclass(frozen=True)
class DocumentInfo:
    """An issued document, as plain data."""

    id: str
    visit_id: str
    kind: str
    revision: int
    replaces_id: str | None
    path: Path
    sha256: str
    issued_at: dt.datetime


def documents_root(db: Database) -> Path:
    return db.path.parent / "documents"


def renderer(kind: str) -> Callable[..., bytes]:
    """The function that lays out one kind of document: (ReportData, issued_on=, draft=) -> PDF bytes."""
    if kind == "certificat":
        from ..reports.certificat import render_certificat

        return render_certificat
    if kind == "decision":
        from ..reports.decision import render_decision

        return render_decision
    if kind == "conseil":
        from ..reports.advisory import render_advisory

        return render_advisory
    if kind == "label":
        from ..reports.label_report import render_label_report

        return render_label_report
    if kind == "attestation":
        from ..reports.attestation import render_attestation

        return render_attestation
    if kind == "notification":
        from ..reports.notification_letter import render_notification

        return render_notification
    raise ServiceError(f"Type de document « {kind} » inconnu ({', '.join(KINDS)}).")


def _layout(kind: str, data: object, issued_on: dt.date, draft: bool) -> bytes:
    from ..reports.base import ReportError

    try:
        return renderer(kind)(data, issued_on=issued_on, draft=draft)
    except ReportError as exc:
        raise ServiceError(str(exc)) from None
    except Exception as exc:  # a layout failure must never strand a visit or show a traceback
        raise ServiceError(f"Le document n'a pas pu être mis en page ({type(exc).__name__} : {exc}).") from exc


def render(db: Database, visit_id: str, kind: str, *, issued_on: dt.date | None = None,
           draft: bool = False) -> bytes:
    """Lay out a document for a visit without storing it (preview). Refusals are ServiceErrors with the reason."""
    from ..reports.data import collect

    renderer(kind)
    data = collect(db, visit_id)
    return _layout(kind, data, issued_on or data.issued_on or dt.date.today(), draft)


def _radiated_on(db: Database, visit_id: str) -> dt.date | None:
    """The date the classement granted by this visit was radiated (R324-7), if it was."""
    with db.session() as s:
        return s.scalar(select(Decision.decided_on).where(Decision.visit_id == visit_id,
                                                          Decision.status == "radiated").limit(1))


def issue_document(db: Database, *, visit_id: str, kind: str, issued_on: dt.date, reason: str = "",
                   proposed_category: int | None = None, user_id: str | None = None) -> OpResult[DocumentInfo]:
    """Render, store and record a document. Issuing the certificat moves a completed visit to « issued ».

    The PDF is laid out first: if that fails, nothing changes. A document of the same kind already issued for the
    visit is never overwritten: a new issue is a revision that names the one it replaces and needs a reason, and
    the new PDF says which document it replaces and why.
    """
    from dataclasses import replace

    from ..reports.data import collect
    from . import visits

    renderer(kind)
    with db.session() as s:
        v = s.get(Visit, visit_id)
        if v is None:
            raise NotFound(f"Visite {visit_id} introuvable.")
        previous = s.scalar(select(Document).where(Document.visit_id == visit_id, Document.kind == kind)
                            .order_by(Document.revision.desc()).limit(1))
        state, requested = v.state, v.requested_category
    if previous is not None and not reason.strip():
        raise ServiceError(f"Un(e) {KINDS.get(kind, kind).lower()} a déjà été émis(e) (révision {previous.revision}) : "
                           "une nouvelle émission est une révision et demande un motif.")
    if kind == "certificat" and state not in ("completed", "issued", "acquired", "refused"):
        raise ServiceError("La visite n'est pas terminée : le certificat ne peut pas être émis.")
    if kind == "decision" and state != "acquired":
        raise ServiceError("La décision de classement s'émet une fois le classement acquis (15 jours après la "
                           "réception du certificat, sans refus).")
    radiated = _radiated_on(db, visit_id) if kind == "decision" else None
    if radiated is not None:
        raise ServiceError(f"Ce classement a été radié le {radiated:%d/%m/%Y} (R324-7) : la décision de classement "
                           "ne peut plus être émise.")
    if kind == "attestation" and state != "acquired":
        raise ServiceError("L'attestation s'émet une fois la décision d'attribution enregistrée (qualification "
                           "Chambre d'hôtes Référence ou marque Accueil Vélo accordée).")
    will_issue = kind in ("certificat", "conseil") and state == "completed"
    if kind not in WITHOUT_PHOTOS:  # a document issued for good never carries empty frames for absent photos
        from .photos import require_photo_files

        require_photo_files(db, visit_id)
    data = collect(db, visit_id)
    revision = previous.revision + 1 if previous else 1
    note = (f"Document révision {revision} : remplace la révision {previous.revision} émise le "
            f"{previous.issued_at:%d/%m/%Y}. Motif : {reason.strip()}") if previous else ""
    overrides: dict = {"document_revision": revision, "replaces_note": note}
    if will_issue:
        overrides.update(state="issued", issued_on=issued_on,
                         proposed_category=requested if proposed_category is None else proposed_category)
    pdf = _layout(kind, replace(data, **overrides), issued_on, False)
    changed = Changed()
    if will_issue:  # validates the proposed category; on refusal nothing has been stored
        changed.rows.update(visits.record_issue(db, visit_id=visit_id, issued_on=issued_on,
                                                proposed_category=proposed_category, user_id=user_id).changed.rows)
    digest, rel = write_once(documents_root(db), pdf, ".pdf")
    with db.session() as s:
        doc = Document(visit_id=visit_id, kind=kind, revision=revision,
                       replaces_id=previous.id if previous else None, stored_path=rel.as_posix(), sha256=digest,
                       issued_by_id=user_id)
        s.add(doc)
        s.flush()
        audit(s, user_id=user_id, action="document.issue", table="documents", row_id=doc.id, kind=kind,
              revision=doc.revision, sha256=digest, reason=reason.strip(), issued_on=issued_on)
        s.commit()
        info = _info(db, doc)
    return OpResult(info, changed.add("documents", info.id))


def list_documents(db: Database, visit_id: str) -> list[DocumentInfo]:
    with db.session() as s:
        docs = s.scalars(select(Document).where(Document.visit_id == visit_id)
                         .order_by(Document.kind, Document.revision)).all()
        return [_info(db, d) for d in docs]


def verify_document(db: Database, document_id: str) -> bool:
    """True when the stored PDF is byte for byte the one issued (its SHA-256 matches)."""
    with db.session() as s:
        doc = s.get(Document, document_id)
        if doc is None:
            raise NotFound(f"Document {document_id} introuvable.")
        path = documents_root(db) / doc.stored_path
        return path.exists() and hashlib.sha256(path.read_bytes()).hexdigest() == doc.sha256


def _info(db: Database, d: Document) -> DocumentInfo:
    return DocumentInfo(d.id, d.visit_id, d.kind, d.revision, d.replaces_id, documents_root(db) / d.stored_path,
                        d.sha256, d.issued_at)
